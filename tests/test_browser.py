"""The maps in a real browser (headless Chromium through Playwright): no JavaScript errors, every node drawn,
a real mouse hover shows a finding's quote, and report text never runs as code."""

from __future__ import annotations

import os
import shutil

import pytest

from graph.ingest import build
from graph.network import fetch
from graph.store import open_store
from graph.viz import VIEWS, build_view, write_html
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


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-stable=true]", timeout=30000)
    return page, errors


def _hover(page, node_id):
    """Move the real mouse over a node and return the tooltip element."""
    x, y = page.evaluate("""id => {
        const net = ofstedMap.network, pos = net.getPositions([id])[id], dom = net.canvasToDOM(pos);
        const box = document.getElementById('map').getBoundingClientRect();
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
    from graph.network import fetch_history
    from graph.viz import history_view

    with open_store(sample_store) as store:
        vis = history_view(fetch_history(store, "Worcestershire"))
    path = tmp_path / "history.html"
    write_html(vis, path)
    page, errors = _open(browser, path)
    assert errors == []
    assert page.evaluate("Object.keys(ofstedMap.network.getPositions()).length") == len(vis.nodes)
    # It opens at the scale it asks for, where its 16 px labels are 12.8 px on screen, not fitted and smaller.
    assert page.evaluate("ofstedMap.network.getScale()") == pytest.approx(0.8)
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
