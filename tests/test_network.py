"""networkx graphs and metrics from the query results, exports for Gephi, and the pages' HTML."""

from __future__ import annotations

import re
from markupsafe import escape

import networkx as nx
import pytest

from graph.cli import main
from graph.network import (agency_actions, bipartite_weaknesses, centrality, combined_graph, fetch, overlap_graph,
                           overlap_pairs, responsibility_matrix, weaknesses_by_agency)
from graph.store import open_store
from graph.viz import VIEWS, build_view, render_html


@pytest.fixture(scope="module")
def data(sample_store):
    with open_store(sample_store) as store:
        return fetch(store, "worcestershire-2010-slac")


def test_bipartite_graph_joins_agencies_to_the_weaknesses_they_own(data):
    g = bipartite_weaknesses(data)
    agencies = {n for n, k in g.nodes(data="kind") if k == "agency"}
    weaknesses = {n for n, k in g.nodes(data="kind") if k == "weakness"}
    assert nx.is_bipartite(g)
    assert len(weaknesses) == len({r["finding"] for r in data.weaknesses})
    assert all(g.degree(w) >= 1 for w in weaknesses)
    assert all(g.nodes[w]["quote"] for w in weaknesses)
    assert "https://w3id.org/ofsted-kg/id/org/west-mercia-police" in agencies


def test_overlap_weights_are_shared_weaknesses_plus_recommendations(data):
    g = overlap_graph(data)
    for a, b, d in g.edges(data=True):
        shared = sum(1 for f in {r["finding"] for r in data.weaknesses}
                     if {a, b} <= {r["agency"] for r in data.weaknesses if r["finding"] == f})
        assert d["weaknesses"] == shared
        assert d["weight"] == d["weaknesses"] + d["recommendations"]
    top = overlap_pairs(g)[0]
    assert top[2] == max(d["weight"] for _, _, d in g.edges(data=True))


def test_actions_carry_deadlines(data):
    g = agency_actions(data)
    actions = [n for n, k in g.nodes(data="kind") if k == "action"]
    assert len(actions) == 17
    assert all(g.nodes[a]["deadline"] for a in actions)


def test_metrics(data):
    ranking = weaknesses_by_agency(data)
    assert ranking[0][0] == "Worcestershire County Council"
    assert [n for _, n in ranking] == sorted((n for _, n in ranking), reverse=True)
    agencies, themes, matrix = responsibility_matrix(data)
    assert [sum(row) for row in matrix] == [n for _, n in ranking]
    assert centrality(bipartite_weaknesses(data))[0][0] == "Worcestershire County Council"


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_export_for_gephi_reads_back(sample_store, tmp_path, data, suffix):
    path = tmp_path / f"graph{suffix}"
    assert main(["network", "--store", str(sample_store), "--report", "worcestershire-2010-slac",
                 "--export", str(path)]) == 0
    read = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    expected = combined_graph(data)
    assert (read.number_of_nodes(), read.number_of_edges()) == (expected.number_of_nodes(), expected.number_of_edges())


def test_metrics_command_prints_ranking_and_overlaps(sample_store, capsys):
    assert main(["network", "--store", str(sample_store), "--metrics", "--report", "worcestershire-2010-slac"]) == 0
    out = capsys.readouterr().out
    assert "Weaknesses by agency" in out and "Overlapping responsibilities" in out
    assert "West Mercia Police + Worcestershire County Council:" in out


def test_regression_matrix_headers_are_whole_theme_names(sample_store, capsys):
    """The responsibility matrix cut theme names to 12 characters ("Partnership "); they now wrap, whole."""
    assert main(["network", "--metrics", "--store", str(sample_store)]) == 0
    text = capsys.readouterr().out
    with open_store(sample_store) as store:
        themes = responsibility_matrix(fetch(store))[1][:8]
    matrix = text[text.index("Responsibility matrix"):].splitlines()[2:]
    header = " ".join(matrix[:max(len(t.split()) for t in themes)]).split()
    assert sorted(header) == sorted(word for t in themes for word in t.split())
    assert any(len(t) > 12 for t in themes) and "\u2026" not in text


def test_bad_export_suffix_is_one_line(sample_store, tmp_path, capsys):
    assert main(["network", "--store", str(sample_store), "--export", str(tmp_path / "graph.png")]) == 1
    assert "the export format is chosen by the suffix" in capsys.readouterr().err


@pytest.mark.parametrize("view", VIEWS)
def test_pages_are_self_contained_and_deterministic(data, view):
    vis = build_view(data, view, "West Mercia Police" if view == "agency" else None)
    html = render_html(vis)
    assert html == render_html(build_view(data, view, "West Mercia Police" if view == "agency" else None))
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "the page loads something from the web"
    assert "<link" not in html and "default-src 'none'" in html
    assert 'id="search"' in html and "<table>" in html


def test_viz_command_writes_the_overview(sample_store, tmp_path, capsys):
    path = tmp_path / "map.html"
    assert main(["viz", "--store", str(sample_store), "-o", str(path)]) == 0
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "nodes" in capsys.readouterr().err


def test_agency_view_of_an_unknown_agency_is_one_line(sample_store, tmp_path, capsys):
    assert main(["viz", "--store", str(sample_store), "--view", "agency", "--agency", "Nobody", "-o",
                 str(tmp_path / "x.html")]) == 1
    assert "no agency 'Nobody'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_regression_agency_view_by_the_name_the_report_uses(sample_store, tmp_path):
    """The PCT's name in the reference data is Worcestershire Primary Care Trust; the 2010 report (and the browser
    test) call it NHS Worcestershire."""
    path = tmp_path / "pct.html"
    assert main(["viz", "--store", str(sample_store), "--view", "agency", "--agency", "NHS Worcestershire",
                 "--report", "worcestershire-2010-slac", "-o", str(path)]) == 0
    assert "Worcestershire Primary Care Trust: weaknesses and actions" in path.read_text(encoding="utf-8")


def test_many_reports_are_aggregated_by_kind_of_agency(data, monkeypatch):
    import graph.viz as viz

    monkeypatch.setattr(viz, "AGGREGATE_ABOVE", 0)
    vis = viz.build_view(data, "overview")
    kinds = {n["label"] for n in vis.nodes.values() if n["kind"] == "agency"}
    assert "local authority" in kinds and "police force" in kinds
    assert all(n["id"].startswith(("kind:", "theme:")) for n in vis.nodes.values())
    assert "<table>" in viz.render_html(vis)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_label_has_aa_contrast_against_what_it_is_drawn_on():
    """WCAG AA (4.5:1) for normal text: a label inside its shape against the shape, one under it against the page;
    judgements against each grade's colour."""
    from graph.viz import GRADE_COLOURS, KIND_STYLE, LABEL_INSIDE, PAGE_COLOUR

    assert _contrast("#000000", "#ffffff") == pytest.approx(21)
    for kind, style in KIND_STYLE.items():
        grounds = [style["color"]] if style["shape"] in LABEL_INSIDE else [PAGE_COLOUR]
        if kind == "judgement":
            grounds += GRADE_COLOURS.values()
        for ground in grounds:
            assert _contrast(style["font"]["color"], ground) >= 4.5, (kind, ground)


@pytest.mark.parametrize("view", VIEWS)
def test_labels_wrap_whole_names(data, view):
    """Long names are wrapped onto lines of at most 30 characters (a longer word alone on its line), never cut."""
    from graph.network import agency_labels

    vis = build_view(data, view, "NHS Worcestershire" if view == "agency" else None)
    for node in vis.nodes.values():
        for line in node["label"].split("\n"):
            assert len(line) <= 30 or " " not in line, line
    names = {n["label"].replace("\n", " ") for n in vis.nodes.values() if n["kind"] == "agency"}
    assert names <= set(agency_labels(data).values())
    if view == "report":
        areas = [n["label"].rsplit("\nGrade ", 1)[0].replace("\n", " ") for n in vis.nodes.values()
                 if n["kind"] == "judgement"]
        assert sorted(areas) == sorted(r["area"] for r in data.judgements)


def test_actions_say_what_they_ask_and_when(data):
    vis = build_view(data, "overview")
    actions = [n for n in vis.nodes.values() if n["kind"] == "action"]
    assert len(actions) == len({r["recommendation"] for r in data.recommendations if r["owner"]})
    for node in actions:
        row = next(r for r in data.recommendations if r["recommendation"] == node["id"])
        label = node["label"].replace("\n", " ")
        when, _, what = label.partition(": ")
        assert when == row["timescale"]
        assert row["text"].lower().startswith(what.removesuffix("\u2026").lower())
        assert len(what.split()) >= 3
    assert any(n["label"].replace("\n", " ").startswith("Immediately: ensure that") for n in actions)


def test_agencies_linked_to_nothing_are_listed_under_the_map(data):
    isolated = {a for a, degree in overlap_graph(data).degree() if degree == 0}
    assert isolated, "the sample has an agency that shares nothing"
    vis = build_view(data, "overlaps")
    assert not isolated & set(vis.nodes)
    from graph.network import agency_labels

    assert [label for label, _ in vis.isolated] == sorted(agency_labels(data)[a] for a in isolated)
    html = render_html(vis)
    listed = html[html.index('<ul id="isolated">'):]
    assert all(f"<li>{escape(label)}: " in listed for label, _ in vis.isolated)


@pytest.mark.parametrize("view", VIEWS)
def test_legend_has_one_entry_per_kind_and_says_what_size_and_width_mean(data, view):
    vis = build_view(data, view, "NHS Worcestershire" if view == "agency" else None)
    html = render_html(vis)
    legend = html[html.index('<ul class="legend"'):html.index("</ul>", html.index('<ul class="legend"'))]
    entries = re.findall(r"<li>.*?</li>", legend)
    kinds = {n["kind"] for n in vis.nodes.values()}
    grades = {n["grade"] for n in vis.nodes.values() if n.get("grade")}
    assert len(entries) == len(kinds) + len(grades) + 2
    assert vis.sizes in legend and vis.widths in legend
    assert "bigger" in vis.sizes.lower() and "wider" in vis.widths.lower()
