"""The national view: the district-to-county table checked against the boundaries and the 2023 lookup, the
simplified boundaries, the page drawn from the sample store, and `ofsted-kg card --national`."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

import pytest

from conftest import expected
from graph.cli import main
from graph.national import (NO_REPORT, NO_VALUE, SHARE_COLOURS, NationalView, Standing, authority_names,
                            county_table, districts, map_svg, national_view, render_html, simplify, write_html)
from graph.store import open_store
from graph.viz import GRADE_COLOURS
from graph.vocab import SVG as VOCAB_SVG, data_dir

SOURCES = data_dir("ontology") / "sources"
SVG = "{" + VOCAB_SVG + "}"
#: Districts per county council in 2023, counted from the list of each county's districts (ONS, LAD23 to CTY23).
DISTRICTS_PER_COUNTY = {
    "Cambridgeshire": 5, "Derbyshire": 8, "Devon": 8, "East Sussex": 5, "Essex": 12, "Gloucestershire": 6,
    "Hampshire": 11, "Hertfordshire": 10, "Kent": 12, "Lancashire": 12, "Leicestershire": 7, "Lincolnshire": 7,
    "Norfolk": 7, "Nottinghamshire": 7, "Oxfordshire": 5, "Staffordshire": 8, "Suffolk": 5, "Surrey": 11,
    "Warwickshire": 5, "West Sussex": 7, "Worcestershire": 6,
}
WORCESTERSHIRE = {"Worcester", "Wychavon", "Malvern Hills", "Wyre Forest", "Bromsgrove", "Redditch"}
HOSTILE = '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> & "quotes"'


def _lookup() -> list[dict]:
    with open(SOURCES / "la-lookup.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _neighbours() -> dict[str, set[str]]:
    """Districts that share a boundary vertex (after the shipped rounding)."""
    at: dict[tuple, set[str]] = defaultdict(set)
    for d in districts():
        for ring in d.rings:
            for point in ring:
                at[point].add(d.code)
    touching: dict[str, set[str]] = defaultdict(set)
    for codes in at.values():
        for code in codes:
            touching[code] |= codes - {code}
    return touching


# ----------------------------------------------------------------------------------------------- the county table

def test_every_non_metropolitan_district_has_one_county_of_the_lookup():
    by_code = {d.code: d for d in districts()}
    with open(SOURCES / "district-county-2023.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["lad23cd"] for r in rows}) == len(rows) == 164  # each district once
    assert {r["lad23cd"] for r in rows} == {c for c in by_code if c.startswith("E07")}
    assert all(by_code[r["lad23cd"]].name == r["lad23nm"] for r in rows)  # the code is the district named
    counties = {(r["la_code_new"], r["local_authority_ons_name"]) for r in _lookup() if r["la_code_new"].startswith("E10")}
    assert {(r["cty23cd"], r["cty23nm"]) for r in rows} == counties
    assert Counter(r["cty23nm"] for r in rows) == DISTRICTS_PER_COUNTY


def test_neighbours_are_found_by_shared_vertices():
    """The touching rule works on these boundaries: known neighbours touch, districts far apart do not."""
    names = {d.name: d.code for d in districts()}
    touching = _neighbours()
    for a, b in [("Worcester", "Wychavon"), ("Worcester", "Malvern Hills"), ("Redditch", "Bromsgrove"),
                 ("Cambridge", "South Cambridgeshire"), ("Oxford", "Vale of White Horse"), ("Exeter", "Teignbridge"),
                 ("Thanet", "Canterbury"), ("Westminster", "Camden"), ("Norwich", "Broadland")]:
        assert names[b] in touching[names[a]], (a, b)
    for a, b in [("Worcester", "Redditch"), ("Cambridge", "Fenland"), ("Thanet", "Ashford"), ("Exeter", "Torridge")]:
        assert names[b] not in touching[names[a]], (a, b)


def test_each_county_is_one_connected_area():
    touching = _neighbours()
    members: dict[str, set[str]] = defaultdict(set)
    for d in districts():
        if d.code.startswith("E07"):
            members[d.authority].add(d.code)
    assert len(members) == 21
    for county, codes in members.items():
        reached, todo = set(), [min(codes)]
        while todo:
            code = todo.pop()
            if code not in reached:
                reached.add(code)
                todo += touching[code] & codes
        assert reached == codes, (authority_names()[county], codes - reached)


def test_every_authority_of_the_lookup_has_districts():
    """Each authority of 2023 has at least one district, and the map draws no other; the lookup's three rows with
    no 2023 code are the authorities abolished before May 2023 (Cumbria, Northamptonshire, Poole)."""
    drawn = Counter(d.authority for d in districts())
    current = {r["la_code_new"] for r in _lookup() if r["la_code_new"]}
    assert all(drawn[code] >= 1 for code in current)
    assert set(drawn) == current
    assert sorted(r["local_authority_ons_name"] for r in _lookup() if not r["la_code_new"]) == [
        "Cumbria", "Northamptonshire", "Poole"]
    assert drawn["E10000034"] == 6 and drawn["E06000019"] == 1  # Worcestershire; Herefordshire, a unitary
    assert len(districts()) == 296 and len(county_table()) == 164


# ----------------------------------------------------------------------------------------------- the boundaries

def test_simplify_keeps_england_rounded_without_repeats():
    square = [[-2.00011, 52.0], [-2.00014, 52.0], [-1.5, 52.0], [-1.5, 52.5], [-2.0, 52.5], [-2.00011, 52.0]]
    speck = [[0.10001, 51.0], [0.10002, 51.0], [0.10003, 51.00001], [0.10001, 51.0]]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LAD23CD": "E07000999", "LAD23NM": "Somewhere", "LONG": 1, "LAT": 50},
         "geometry": {"type": "MultiPolygon", "coordinates": [[square], [speck]]}},
        {"type": "Feature", "properties": {"LAD23CD": "S12000999", "LAD23NM": "Scotland"},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    out = simplify(collection)
    assert [f["properties"] for f in out["features"]] == [{"LAD23CD": "E07000999", "LAD23NM": "Somewhere"}]
    assert out["features"][0]["geometry"] == {"type": "MultiPolygon", "coordinates": [
        [[[-2.0, 52.0], [-1.5, 52.0], [-1.5, 52.5], [-2.0, 52.5], [-2.0, 52.0]]]]}


def test_the_shipped_boundaries_are_small_and_rounded():
    path = SOURCES / "england-districts-2023.geojson"
    assert path.stat().st_size < 300_000
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{4}", text)


# ----------------------------------------------------------------------------------------------- the page

def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", page, re.S)]


def _paths(svg: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-district"): p for p in svg.iter(SVG + "path")}


def test_the_sample_page_colours_worcestershire_by_its_latest_grade(sample_store):
    # Copied by hand from the SLAC report of 2010, Worcestershire's latest in the samples (and its hand-made record).
    overall = {"safeguarding": (4, "inadequate"), "looked-after-children": (3, "adequate")}
    record = expected("worcestershire-slac-2010")
    assert {j["section"]: (j["grade"], j["word"]) for j in record["judgements"]
            if j["area"] == "Overall effectiveness"} == overall
    with open_store(sample_store) as store:
        view = national_view(store)
    page = render_html(view)
    grade_map, share_map = _svgs(page)
    codes = {d.name: d.code for d in districts()}
    grades, shares = _paths(grade_map), _paths(share_map)
    assert len(grades) == len(shares) == 296
    worcestershire = view.standings["E10000034"]
    assert worcestershire.share is not None and 0 < worcestershire.share < 1
    for name in WORCESTERSHIRE:
        path = grades[codes[name]]
        assert path.get("fill") == GRADE_COLOURS[4]  # the worse of the two overall grades
        title = path.find(SVG + "title").text
        assert title.startswith(f"{name} (a district of Worcestershire)")
        assert "safeguarding 4 (inadequate)" in title and "looked after children 3 (adequate)" in title
        assert "2010-11-12" in title and "worcestershire-2010-slac" in title
        assert shares[codes[name]].get("fill") in SHARE_COLOURS
    # Kent's latest (LAC 2013) and Norfolk's (SIF 2015), from their hand-made records.
    kent = expected("kent-lac-2013")["judgements"][0]
    assert (kent["area"], kent["grade"]) == ("Overall effectiveness", 3)
    assert grades[codes["Canterbury"]].get("fill") == GRADE_COLOURS[3]
    assert "3 (adequate)" in grades[codes["Canterbury"]].find(SVG + "title").text
    norfolk = expected("norfolk-sif-2015")["judgements"][0]
    assert norfolk["area"].startswith("Children") and norfolk["grade"] == 4  # the SIF's overall judgement
    assert grades[codes["Norwich"]].get("fill") == GRADE_COLOURS[4]
    # No report: grey on both maps, and said so.
    for name in ("Herefordshire, County of", "Warwick", "Camden"):
        assert grades[codes[name]].get("fill") == shares[codes[name]].get("fill") == NO_REPORT
        assert grades[codes[name]].find(SVG + "title").text.endswith("no report in the store")
    assert "no report in the store" in page
    assert "1: no authority" in page and "4: inadequate" in page and "3: adequate" in page


def test_partner_share_counts_the_weaknesses_with_an_owner(sample_store):
    """partner-share's counts agree with weaknesses-by-agency, read another way."""
    from graph.network import result_rows
    from graph.queries import load_query, run

    with open_store(sample_store) as store:
        view = national_view(store)
        rows = result_rows(run(store, load_query("weaknesses-by-agency")))
    for s in view.standings.values():
        owned = {r["finding"] for r in rows if r["report"] == s.report and r["agency"]}
        assert s.weaknesses == len(owned) and 0 <= s.partner_weaknesses <= s.weaknesses
        council = {r["agency"] for r in rows if r["agencyLabel"] == s.authority}
        assert len(council) == 1
        by_partner = {r["finding"] for r in rows if r["report"] == s.report and r["agency"] not in council | {""}}
        assert s.partner_weaknesses == len(by_partner) > 0


def test_text_on_the_page_is_escaped_and_the_svg_is_xml():
    hostile = Standing(HOSTILE, "E06000019", "https://example.org/report/" + HOSTILE, "SIF", "2015-01-01",
                       (("local-authority", 3, HOSTILE),), 10, 4)
    lost = Standing(HOSTILE, "", "r", "SIF", "2015-01-01", (), 0, 0)
    view = NationalView({"E06000019": hostile}, (lost,))
    page = render_html(view)
    assert "<script>" not in page and "<img" not in page
    for svg in _svgs(page):
        title = _paths(svg)[next(d.code for d in districts() if d.authority == "E06000019")].find(SVG + "title").text
        assert HOSTILE in title
    assert f'fill="{SHARE_COLOURS[4]}"' in map_svg(view, "share")  # 4 of 10: "30% or more"
    with pytest.raises(ValueError):
        map_svg(view, "nonsense")


def test_reports_without_a_grade_or_an_owner_are_pale(tmp_path):
    ungraded = Standing("Herefordshire Council", "E06000019", "r", "JTAI", "2020-01-01", (), 0, 0)
    page = render_html(NationalView({"E06000019": ungraded}, ()))
    code = next(d.code for d in districts() if d.authority == "E06000019")
    for svg in _svgs(page):
        assert _paths(svg)[code].get("fill") == NO_VALUE
    write_html(NationalView({"E06000019": ungraded}, ()), tmp_path / "n.html")
    assert (tmp_path / "n.html").read_text(encoding="utf-8") == page


# ----------------------------------------------------------------------------------------------- the command

def test_card_national_writes_the_page(sample_store, tmp_path, capsys):
    out = tmp_path / "x.html"
    assert main(["card", "--national", "-o", str(out), "--store", str(sample_store)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and len(_svgs(page)) == 2
    assert "http://" not in page.replace(f'xmlns="{VOCAB_SVG}"', "") and "https://" not in page
    assert "3 authorities drawn" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--national", "-o", "{tmp}/missing/x.html"], "cannot write"),
    (["--national", "-o", "{tmp}/folder.html"], "is a folder"),
    (["--national", "-o", "{tmp}/x.md"], "the national page is HTML"),
    (["--national", "Worcestershire", "-o", "{tmp}/x.html"], "give it no AUTHORITY"),
    (["--national", "--report", "kent-2013-lac", "-o", "{tmp}/x.html"], "give it no AUTHORITY, --report"),
    (["-o", "{tmp}/x.html"], "card needs an AUTHORITY"),
])
def test_card_national_bad_input_is_one_line(sample_store, tmp_path, capsys, args, message):
    (tmp_path / "folder.html").mkdir()
    argv = ["card", *(a.replace("{tmp}", str(tmp_path)) for a in args), "--store", str(sample_store)]
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ofsted-kg: error: ") and message in err


def test_the_notebook_shows_the_same_page(sample_store):
    pytest.importorskip("IPython", reason="the notebooks extra is not installed")
    import html

    from graph import KnowledgeGraph

    kg = KnowledgeGraph.open(sample_store)
    with open_store(sample_store) as store:
        page = render_html(national_view(store))
    assert kg.national_html() == page
    srcdoc = re.search(r'srcdoc="([^"]*)"', kg.show_national().data).group(1)
    assert html.unescape(srcdoc) == page
