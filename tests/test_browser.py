"""The maps in a real browser (headless Chromium through Playwright): no JavaScript errors, every node drawn,
no two labels overlapping and none under 12 px where each view opens in a 1400x900 window, on the sample and on the
Worcestershire series (three frameworks); a real mouse hover fades all but a node's neighbours and shows a finding's
quote; the search box finds an agency; and report text never runs as code.

Set OFSTED_KG_SCREENSHOTS to a folder to keep a screenshot of each view as it opens."""

from __future__ import annotations

import os
import shutil

import pytest

from pathlib import Path

from graph.ingest import build, default_inputs
from graph.network import fetch, fetch_history
from graph.store import open_store
from graph.viz import VIEWS, build_view, history_view, national_overview, write_html
from graph.vocab import samples_dir

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[browser]')")
CHROMIUM = os.environ.get("OFSTED_KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian: apt-get install chromium)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = ('<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
           '<a href="javascript:window.__pwned = 3">click me</a>')


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def series_store(tmp_path_factory):
    """The bundled Worcestershire series (SLAC 2010, SIF 2017, ILACS 2019 and 2023), as `ofsted-kg build` builds it."""
    path = tmp_path_factory.mktemp("series") / "store"
    assert [r.error for r in build(default_inputs(), path)] == [None] * 4
    return path


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-stable=true]", timeout=30000)
    return page, errors


def _hover(page, node_id):
    """Move the real mouse over a node (panning the map to it first if it is out of view, as a reader would drag
    it) and return the tooltip element."""
    x, y = page.evaluate("""id => {
        const net = ofstedMap.network, pos = net.getPositions([id])[id];
        const box = document.getElementById('map').getBoundingClientRect();
        let dom = net.canvasToDOM(pos);
        if (dom.x < 0 || dom.y < 0 || dom.x > box.width || dom.y > box.height) {
            net.moveTo({position: pos, animation: false});
            dom = net.canvasToDOM(pos);
        }
        return [box.left + dom.x, box.top + dom.y]; }""", node_id)
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    return tooltip


@pytest.mark.parametrize("view", VIEWS)
def test_view_draws_every_node_without_errors(browser, sample_store, tmp_path, view):
    with open_store(sample_store) as store:
        data = fetch(store, "worcestershire-2010-slac")
    vis = build_view(data, view, "NHS Worcestershire" if view == "agency" else None)
    path = tmp_path / f"{view}.html"
    write_html(vis, path)
    page, errors = _open(browser, path)
    assert errors == []
    assert page.evaluate("ofstedMap.nodes.length") == len(vis.nodes)
    assert page.evaluate("Object.keys(ofstedMap.network.getPositions()).length") == len(vis.nodes)
    page.screenshot(path=str(tmp_path / f"{view}.png"))
    page.close()


def test_history_view_draws_every_node_without_errors(browser, sample_store, tmp_path):
    with open_store(sample_store) as store:
        vis = history_view(fetch_history(store, "Worcestershire"))
    path = tmp_path / "history.html"
    write_html(vis, path)
    page, errors = _open(browser, path)
    assert errors == []
    assert page.evaluate("Object.keys(ofstedMap.network.getPositions()).length") == len(vis.nodes)
    # Its smallest labels are 16 px: fitted, they would be smaller than 12 px on screen, so it opens at 0.75.
    assert page.evaluate("ofstedMap.network.getScale()") == pytest.approx(0.75)
    page.screenshot(path=str(tmp_path / "history.png"))
    page.close()


def test_hovering_a_finding_shows_its_quote(browser, sample_store, tmp_path):
    with open_store(sample_store) as store:
        data = fetch(store, "worcestershire-2010-slac")
    vis = build_view(data, "agency", "NHS Worcestershire")
    path = tmp_path / "agency.html"
    write_html(vis, path)
    page, errors = _open(browser, path)
    finding = next(n for n in vis.nodes.values() if n["kind"] == "weakness")
    tooltip = _hover(page, finding["id"])
    quote = next(r["text"] for r in data.weaknesses if r["finding"] == finding["id"])
    assert quote[:60] in tooltip.inner_text()
    assert "para " in tooltip.inner_text()
    page.screenshot(path=str(tmp_path / "hover.png"))
    assert errors == []
    page.close()


def test_report_text_is_plain_text_in_the_page(browser, tmp_path):
    """A report whose words hold a script, an onerror image and a javascript: link: nothing runs."""
    text = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    hostile = text.replace("Child protection plans are weak.", f"Child protection plans are weak. {HOSTILE} Plans are poor.", 1)
    report = tmp_path / "hostile.txt"
    report.write_text(hostile, encoding="utf-8")
    build([report], tmp_path / "store")
    with open_store(tmp_path / "store") as store:
        data = fetch(store)
    assert any("<script>" in r["text"] for r in data.weaknesses)
    for view in ("overview", "agency"):
        vis = build_view(data, view, "Worcestershire County Council")
        path = tmp_path / f"hostile-{view}.html"
        write_html(vis, path)
        html = path.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in html and "<img src=x" not in html
        page, errors = _open(browser, path)
        assert page.evaluate("window.__pwned") is None
        assert page.locator("td", has_text="<script>window.__pwned = 1</script>").count() >= 1
        assert page.locator("a[href^='javascript']").count() == 0
        if view == "agency":
            node = next(n for n in vis.nodes.values() if n["kind"] == "weakness" and "<script>" in n["title"])
            assert "<script>window.__pwned = 1</script>" in _hover(page, node["id"]).inner_text()
            assert page.evaluate("window.__pwned") is None
        assert errors == []
        page.close()


def _series_view(store, view):
    if view == "history":
        return history_view(fetch_history(store, "Worcestershire"))
    if view == "national":  # the overview of more than viz.AGGREGATE_ABOVE reports
        return national_overview(fetch(store), 4)
    if view == "report":
        return build_view(fetch(store, "worcestershire-2023-ilacs"), "report")
    return build_view(fetch(store), view, "Worcestershire County Council" if view == "agency" else None)


#: What each view's page is measured on: the sample's 2010 report, and the series' four reports.
CASES = [("sample", v) for v in VIEWS + ("history",)] + [("series", v) for v in VIEWS + ("national", "history")]

MEASURE = """() => {
    const net = ofstedMap.network, scale = net.getScale(), view = net.getViewPosition();
    const fonts = Object.values(net.body.nodes).map(n => n.labelModule.fontOptions.size * scale);
    // Drawn once whole, so that every label has been measured where it is, then put back as it opened.
    net.fit({animation: false});
    net.redraw();
    const fitted = net.getScale();
    const labels = Object.values(net.body.nodes).map(n => {
        const s = n.labelModule.size;
        return {id: n.id, box: [s.left, s.top, s.left + s.width, s.top + s.height]};
    });
    net.moveTo({position: view, scale: scale, animation: false});
    return {scale, fitted, readable: ofstedMap.readable, fonts, labels, status: document.getElementById('map-status').textContent};
}"""


def _overlapping(labels):
    """The pairs of labels whose boxes overlap."""
    return [(a["id"], b["id"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2] and a["box"][1] < b["box"][3]
            and b["box"][1] < a["box"][3]]


@pytest.mark.parametrize("corpus,view", CASES, ids=[f"{c}-{v}" for c, v in CASES])
def test_labels_do_not_overlap_and_are_readable_where_the_map_opens(browser, sample_store, series_store, tmp_path,
                                                                   corpus, view):
    with open_store(sample_store if corpus == "sample" else series_store) as store:
        if corpus == "sample":
            vis = (history_view(fetch_history(store, "Worcestershire")) if view == "history" else
                   build_view(fetch(store, "worcestershire-2010-slac"), view,
                              "NHS Worcestershire" if view == "agency" else None))
        else:
            vis = _series_view(store, view)
    path = tmp_path / f"{corpus}-{view}.html"
    write_html(vis, path)
    page, errors = _open(browser, path)
    measured = page.evaluate(MEASURE)
    if os.environ.get("OFSTED_KG_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["OFSTED_KG_SCREENSHOTS"]) / f"{corpus}-{view}.png"))
    assert errors == []
    assert len(measured["labels"]) == len(vis.nodes)
    assert all(width > 0 for width in (box["box"][2] - box["box"][0] for box in measured["labels"]))
    assert _overlapping(measured["labels"]) == []
    assert min(measured["fonts"]) >= 12
    # Opened whole if the whole map is readable, else at the readable scale, and the status line says which.
    assert ("The whole map is shown" in measured["status"]) == (measured["fitted"] >= measured["readable"])
    if measured["fitted"] < measured["readable"]:
        assert measured["scale"] == pytest.approx(measured["readable"])
    page.close()


def _empty_spot(page):
    """A point on the map, in page coordinates, with no node under it."""
    return page.evaluate("""() => {
        const net = ofstedMap.network, box = document.getElementById('map').getBoundingClientRect();
        for (let y = 10; y < box.height; y += 20) for (let x = 10; x < box.width; x += 20)
            if (net.getNodeAt({x, y}) === undefined && net.getEdgeAt({x, y}) === undefined) return [box.left + x, box.top + y];
        return null; }""")


def _sample_overview(browser, sample_store, tmp_path):
    """The 2010 report's overview, built and opened: the view, the page and its errors."""
    with open_store(sample_store) as store:
        vis = build_view(fetch(store, "worcestershire-2010-slac"), "overview")
    path = tmp_path / "overview.html"
    write_html(vis, path)
    return (vis, *_open(browser, path))


def test_hovering_a_node_fades_all_but_its_neighbours(browser, sample_store, tmp_path):
    vis, page, errors = _sample_overview(browser, sample_store, tmp_path)
    hub = "https://w3id.org/ofsted-kg/id/org/worcestershire-county-council"
    near = {hub} | {e["to"] for e in vis.edges if e["from"] == hub} | {e["from"] for e in vis.edges if e["to"] == hub}
    assert len(near) < len(vis.nodes)
    _hover(page, hub)
    colours = page.evaluate("Object.fromEntries(ofstedMap.nodes.get().map(n => [n.id, n.color]))")
    links = page.evaluate("ofstedMap.edges.get().map(e => [e.from, e.to, e.color])")
    for node_id, node in vis.nodes.items():
        assert (colours[node_id] == node["color"]) == (node_id in near), node_id
    assert all((colour == "#777777") == (hub in (a, b)) for a, b, colour in links)
    x, y = _empty_spot(page)
    page.mouse.move(x, y, steps=5)
    page.wait_for_function("ofstedMap.nodes.get().every(n => typeof n.color === 'string')")
    colours = page.evaluate("Object.fromEntries(ofstedMap.nodes.get().map(n => [n.id, n.color]))")
    assert colours == {i: n["color"] for i, n in vis.nodes.items()}
    assert all(colour == "#777777" for colour in page.evaluate("ofstedMap.edges.get().map(e => e.color)"))
    assert errors == []
    page.close()


def test_search_box_finds_an_agency_by_part_of_its_name(browser, sample_store, tmp_path):
    vis, page, errors = _sample_overview(browser, sample_store, tmp_path)
    police = "https://w3id.org/ofsted-kg/id/org/west-mercia-police"
    assert page.locator("#search-names option[value='Agency: West Mercia Police']").count() == 1
    page.fill("#search", "mercia")
    page.press("#search", "Enter")
    assert police in page.evaluate("ofstedMap.network.getSelectedNodes()")
    assert "West Mercia Police" in page.locator("#search-result").inner_text()
    # It is brought into view, readable.
    x, y = page.evaluate("""id => ofstedMap.network.canvasToDOM(ofstedMap.network.getPositions([id])[id])""", police).values()
    box = page.locator("#map").bounding_box()
    assert 0 <= x <= box["width"] and 0 <= y <= box["height"]
    assert page.evaluate("ofstedMap.network.getScale()") >= page.evaluate("ofstedMap.readable")
    page.fill("#search", "no such agency")
    page.press("#search", "Enter")
    assert "No agency or theme" in page.locator("#search-result").inner_text()
    assert errors == []
    page.close()


def test_national_page_draws_every_district_without_errors(browser, sample_store, tmp_path):
    """`card --national`'s page: both maps drawn, every district with an area on screen, Worcestershire's districts
    in the colour of its grade; an authority's hostile name is shown as text and runs nothing."""
    from graph.national import NationalView, Standing, districts, national_view, write_html as write_national
    from graph.viz import GRADE_COLOURS

    with open_store(sample_store) as store:
        view = national_view(store)
    hostile = Standing(HOSTILE, "E06000019", "r", "SIF", "2015-01-01", (("local-authority", 2, HOSTILE),), 3, 1)
    view = NationalView({**view.standings, "E06000019": hostile}, (hostile,))
    path = tmp_path / "national.html"
    write_national(view, path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    assert page.locator("svg").count() == 2
    sizes = page.evaluate("[...document.querySelectorAll('svg path')].map(p => p.getBBox()).map(b => b.width * b.height)")
    assert len(sizes) == 2 * len(districts()) and all(s > 0 for s in sizes)
    worcester = next(d.code for d in districts() if d.name == "Worcester")
    fill = page.evaluate(f"getComputedStyle(document.querySelector('path[data-district=\"{worcester}\"]')).fill")
    red, green, blue = (int(GRADE_COLOURS[4][i:i + 2], 16) for i in (1, 3, 5))
    assert fill == f"rgb({red}, {green}, {blue})"
    hereford = next(d.code for d in districts() if d.authority == "E06000019")
    assert HOSTILE in page.locator(f'path[data-district="{hereford}"] title').first.text_content()
    assert page.locator("li", has_text="<script>window.__pwned = 1</script>").count() >= 1
    assert page.evaluate("window.__pwned") is None
    assert errors == []
    page.close()


def test_query_page_runs_a_named_query_and_shows_values_as_text(browser, memory_server, sample_store):
    """The in-memory server's page: a named query picked and run fills a table, and a value that is markup is shown
    as text, never run."""
    from graph.store import report_ids

    with open_store(sample_store) as store:
        reports = len(report_ids(store))
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(memory_server[0] + "/")
    page.select_option("#named", "reports")
    page.click("#run")
    page.wait_for_function("document.getElementById('status').textContent.includes('rows')", timeout=15000)
    assert page.locator("#results tbody tr").count() == reports
    page.fill("#query", f'SELECT ?x WHERE {{ BIND("{HOSTILE.replace(chr(34), chr(39))}" AS ?x) }}')
    page.click("#run")
    page.wait_for_function("document.getElementById('status').textContent.includes('rows')", timeout=15000)
    assert page.locator("#results tbody td").inner_text() == HOSTILE.replace('"', "'")
    assert page.evaluate("window.__pwned") is None
    page.fill("#query", "CONSTRUCT { ?r a ?t } WHERE { GRAPH ?r { ?r a ?t } } LIMIT 2")
    page.click("#run")
    page.wait_for_function("document.getElementById('status').textContent.includes('triples')", timeout=15000)
    assert page.locator("#status").inner_text().startswith("2 triples")
    assert page.locator("#results pre").inner_text().count(" .") == 2
    page.fill("#query", "SELEC nothing")
    page.click("#run")
    page.wait_for_function("document.getElementById('status').className === 'error'", timeout=15000)
    assert "not valid SPARQL" in page.locator("#status").inner_text()
    assert errors == []
    page.close()
