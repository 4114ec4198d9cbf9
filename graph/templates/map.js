(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var status = document.getElementById("map-status");
  var GAP = 8; // canvas pixels kept free between two nodes' boxes
  var FADED = { background: "#f2f2f2", border: "#dddddd" };
  var FADED_TEXT = "#c4c4c4";
  var FADED_LINK = "#e8e8e8";

  // Every node's box, its shape and its label, as offsets from its centre. The map is drawn once whole so that
  // every label has been measured by the browser (labels are drawn at any scale: drawThreshold 0).
  function measure() {
    network.fit({ animation: false });
    network.redraw();
    var positions = network.getPositions();
    return nodes.getIds().map(function (id) {
      var box = network.getBoundingBox(id), p = positions[id];
      return { id: id, x: p.x, y: p.y, l: box.left - p.x, r: box.right - p.x, t: box.top - p.y,
               b: box.bottom - p.y, fixed: nodes.get(id).fixed === true };
    });
  }

  // Pushes apart any two boxes that overlap, along the axis that needs the shorter move, until none do.
  // Physics only keeps the nodes' centres apart; their labels, often wider than the node, still collide. A crowded
  // map takes many rounds (the series' agency view, 528 nodes, about 1,900); the bound only stops a map that never
  // settles.
  function separate(items) {
    for (var round = 0; round < 5000; round++) {
      var moved = false;
      items.sort(function (a, b) { return (a.x + a.l) - (b.x + b.l) || (a.id < b.id ? -1 : 1); });
      for (var i = 0; i < items.length; i++) {
        var a = items[i];
        for (var j = i + 1; j < items.length && items[j].x + items[j].l < a.x + a.r + GAP; j++) {
          var c = items[j];
          var ox = Math.min(a.x + a.r, c.x + c.r) - Math.max(a.x + a.l, c.x + c.l) + GAP;
          var oy = Math.min(a.y + a.b, c.y + c.b) - Math.max(a.y + a.t, c.y + c.t) + GAP;
          if (ox < 1 || oy < 1 || (a.fixed && c.fixed)) continue; // under a pixel: rounding, not an overlap
          var sa = a.fixed ? 0 : c.fixed ? 1 : 0.5, sc = 1 - sa;
          if (ox < oy) {
            var dx = (a.x + (a.l + a.r) / 2) <= (c.x + (c.l + c.r) / 2) ? 1 : -1;
            a.x -= dx * ox * sa; c.x += dx * ox * sc;
          } else {
            var dy = (a.y + (a.t + a.b) / 2) <= (c.y + (c.t + c.b) / 2) ? 1 : -1;
            a.y -= dy * oy * sa; c.y += dy * oy * sc;
          }
          moved = true;
        }
      }
      if (!moved) break;
    }
    items.forEach(function (item) { if (!item.fixed) network.moveNode(item.id, item.x, item.y); });
  }

  // The whole map if it fits at a readable size (every label at least 12 px), else a readable part of it.
  function open() {
    network.fit({ animation: false });
    if (network.getScale() >= data.readable) return true;
    var position = data.start ? data.start.position : network.getPositions([data.focus])[data.focus];
    network.moveTo({ position: position, scale: data.readable, animation: false });
    return false;
  }

  function settled() {
    separate(measure());
    var whole = open();
    status.textContent = "Layout settled. " + (whole ? "The whole map is shown. " :
      "The map is bigger than the window at a readable size: drag to see the rest, scroll to zoom out. ") +
      "Hover over a node to see its links and details.";
    document.body.setAttribute("data-stable", "true");
  }
  if (data.options.physics.enabled === false) {
    settled(); // every node has its place: nothing to lay out
  } else {
    network.once("stabilizationIterationsDone", function () {
      // The layout has settled: stop the physics so the map holds still.
      network.setOptions({ physics: false });
      settled();
    });
  }

  // Hovering a node fades everything but the node, its neighbours and their links.
  var original = { nodes: nodes.get({ fields: ["id", "color", "font"] }), edges: edges.get({ fields: ["id", "color"] }) };
  network.on("hoverNode", function (event) {
    var near = new Set(network.getConnectedNodes(event.node).concat([event.node]));
    var links = new Set(network.getConnectedEdges(event.node));
    nodes.update(original.nodes.filter(function (n) { return !near.has(n.id); }).map(function (n) {
      return { id: n.id, color: FADED, font: Object.assign({}, n.font, { color: FADED_TEXT }) };
    }));
    edges.update(original.edges.filter(function (e) { return !links.has(e.id); }).map(function (e) {
      return { id: e.id, color: FADED_LINK };
    }));
  });
  network.on("blurNode", function () {
    nodes.update(original.nodes);
    edges.update(original.edges);
  });

  // The search box: an agency or a theme by (part of) its name; the nodes are selected and brought into view.
  var search = document.getElementById("search");
  var found = document.getElementById("search-result");
  search.addEventListener("change", function () {
    var text = search.value.trim().toLowerCase();
    network.unselectAll();
    if (!text) {
      found.textContent = "";
      open();
      return;
    }
    var matches = data.picks.filter(function (pick) { return pick[0].toLowerCase() === text; });
    if (!matches.length) {
      matches = data.picks.filter(function (pick) { return pick[0].toLowerCase().indexOf(text) !== -1; });
    }
    if (!matches.length) {
      found.textContent = "No agency or theme on this map is called \u201c" + search.value + "\u201d.";
      return;
    }
    var ids = matches[0][1];
    network.selectNodes(ids);
    network.fit({ nodes: ids, animation: false });
    if (network.getScale() < data.readable) network.focus(ids[0], { scale: data.readable, animation: false });
    found.textContent = "Showing " + matches[0][0] + (matches.length > 1 ? " (" + (matches.length - 1) +
      " more match: type more of the name)" : "") + ".";
  });
  window.ofstedMap = { network: network, nodes: nodes, edges: edges, readable: data.readable };
})();
