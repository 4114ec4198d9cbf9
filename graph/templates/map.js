(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var status = document.getElementById("map-status");
  function settled() {
    status.textContent = "Layout settled. Hover over a node for details; drag to move; scroll to zoom.";
    document.body.setAttribute("data-stable", "true");
  }
  if (data.options.physics.enabled === false) {
    // Every node has its place: nothing to lay out.
    if (data.start) {
      network.moveTo(data.start);
    } else {
      network.fit();
    }
    settled();
  } else {
    network.once("stabilizationIterationsDone", function () {
      // The layout has settled: stop the physics so the map holds still.
      network.setOptions({ physics: false });
      settled();
    });
  }
  var picker = document.getElementById("picker");
  picker.addEventListener("change", function () {
    var choice = data.picks[Number(picker.value)];
    if (!choice) {
      network.unselectAll();
      network.fit();
      return;
    }
    network.selectNodes(choice[1]);
    network.fit({ nodes: choice[1], animation: false });
  });
  window.ofstedMap = { network: network, nodes: nodes, edges: edges };
})();
