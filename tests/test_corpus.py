"""Many reports: how one authority changed between inspections, on a synthetic pair of reports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from graph.cli import main
from graph.ingest import build
from graph.queries import format_results, load_query, named_queries, run
from graph.store import open_store
from graph.vocab import samples_dir

from conftest import expected, plain


def synthetic_reinspection(tmp_path):
    """The Worcestershire 2010 text made into a SYNTHETIC 2012 re-inspection with better safeguarding grades."""
    text = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    later = (text.replace("Inspection dates 4 – 15 October 2010", "Inspection dates 1 – 12 October 2012")
                 .replace("Published: 12 November 2010", "Published: 9 November 2012")
                 .replace("Overall effectiveness\n\nGrade 4 (inadequate)", "Overall effectiveness\n\nGrade 2 (good)", 1)
                 .replace("10. The overall effectiveness of safeguarding services is inadequate.",
                          "10. The overall effectiveness of safeguarding services is good.")
                 .replace("Record of main findings: Worcestershire\n\nSafeguarding services\t\nOverall effectiveness\tInadequate",
                          "Record of main findings: Worcestershire\n\nSafeguarding services\t\nOverall effectiveness\tGood"))
    assert later.count("2012") > text.count("2012") and "effectiveness\tGood" in later
    path = tmp_path / "worcestershire-slac-2012-SYNTHETIC.txt"
    path.write_text(later, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pair_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pair")
    store = tmp / "store"
    results = build([samples_dir() / "worcestershire-slac-2010.txt", synthetic_reinspection(tmp)], store)
    assert [r.report_id for r in results] == ["worcestershire-2010-slac", "worcestershire-2012-slac"]
    assert all(r.warnings == () for r in results)
    return store


def _rows(store, name, params):
    with open_store(store) as s:
        data = format_results(run(s, load_query(name), params), "csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def test_grade_changes_between_two_inspections(pair_store):
    rows = _rows(pair_store, "grade-changes", {"localAuthority": "Worcestershire"})
    grades = {r["item"]: r for r in rows if r["kind"] == "grade"}
    assert len(grades) == 29
    overall = grades["safeguarding: Overall effectiveness"]
    assert (overall["earlier"], overall["earlierValue"], overall["later"], overall["laterValue"], overall["change"]) == (
        "2010-11-12", "4", "2012-11-09", "2", "-2")
    assert all(r["change"] == "0" for item, r in grades.items() if item != "safeguarding: Overall effectiveness")
    weaknesses = [r for r in rows if r["kind"] == "weaknesses"]
    assert weaknesses and all(r["earlierValue"].isdigit() and r["laterValue"].isdigit() for r in weaknesses)


def test_grade_changes_across_frameworks_in_each_reports_words(sample_store):
    """Norfolk's LAC inspection (2013) and SIF inspection (2015): each judgement beside the one that followed it,
    graded in its own scheme's words, with no change computed across schemes."""
    rows = _rows(sample_store, "grade-changes", {"localAuthority": "Norfolk"})
    grades = {r["item"]: r for r in rows if r["kind"] == "grade"}
    lac = {j["area"]: j for j in expected("norfolk-lac-2013")["judgements"]}
    sif = {plain(j["area"]): j for j in expected("norfolk-sif-2015")["judgements"]}
    pairs = {"looked-after-children: Overall effectiveness \u2192 local-authority: Children looked after and achieving "
             "permanence": ("Overall effectiveness", "Children looked after and achieving permanence"),
             "looked-after-children: Leadership and management \u2192 local-authority: Leadership, management and "
             "governance": ("Leadership and management", "Leadership, management and governance")}
    assert set(grades) == set(pairs)
    for item, (before, after) in pairs.items():
        row = grades[item]
        assert (row["earlier"], row["earlierGrade"].lower(), row["later"], row["laterGrade"].lower(), row["change"]) == (
            "2013-08-16", lac[before]["word"], "2015-10-19", sif[after]["word"], "")


def test_grade_changes_needs_two_reports(sample_store):
    assert _rows(sample_store, "grade-changes", {"localAuthority": "Kent"}) == []


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_report_card(sample_store, tmp_path, suffix):
    out = tmp_path / f"card{suffix}"
    assert main(["card", "Kent", "--store", str(sample_store), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Kent: report card" in page and "Grades" in page and "Actions, by deadline" in page
    assert "Kent Police" in page and "Shared responsibilities" in page
    rows = list(csv.DictReader(io.StringIO(out.with_suffix(".csv").read_text(encoding="utf-8"))))
    assert {r["kind"] for r in rows} == {"grade", "weakness", "shared", "action", "answers"}
    assert sum(r["kind"] == "action" for r in rows) == 12
    if suffix == ".html":
        assert "<script" not in page
        # Grades are coloured by their number, and keep their words (Kent 2013: adequate, grade 3).
        cells = re.findall(r'<td class="grade-(\d)">(\d) \(([a-z ]+)\)</td>', page)
        assert cells and all(cls == number for cls, number, _ in cells)
        assert ("3", "3", "adequate") in cells


def test_report_card_for_an_unknown_authority_is_one_line(sample_store, tmp_path, capsys):
    assert main(["card", "Atlantis", "--store", str(sample_store), "-o", str(tmp_path / "x.md")]) == 1
    assert "no report for 'Atlantis'" in capsys.readouterr().err


def test_regression_grade_changes_keeps_a_theme_missing_from_one_report():
    """A theme with weaknesses in one inspection only ("3 -> 0") was once dropped by an inner join."""
    import pyoxigraph as ox

    from graph import vocab

    store = ox.Store()
    o, i = vocab.OFSTED, vocab.ID

    def add(s, p, obj, g):
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(obj) if isinstance(obj, str) else obj,
                          ox.NamedNode(g)))

    la = i + "org/x"
    add(la, o + "areaName", ox.Literal("X"), vocab.GRAPH_REFERENCE)
    for theme in ("A", "B"):
        add(i + "theme/" + theme, vocab.RDF + "type", o + "Theme", vocab.GRAPH_REFERENCE)
        add(i + "theme/" + theme, vocab.SKOS + "prefLabel", ox.Literal("Theme " + theme), vocab.GRAPH_REFERENCE)
    for rid, date, themes in (("r2010", "2010-01-01", "AAAB"), ("r2012", "2012-01-01", "B")):
        g = i + "report/" + rid
        add(g, vocab.RDF + "type", o + "InspectionReport", g)
        add(g, o + "localAuthority", la, g)
        add(g, vocab.DCTERMS + "date", ox.Literal(date, datatype=ox.NamedNode(vocab.XSD + "date")), g)
        # Each theme's weaknesses, as the analytics projection's theme summaries count them.
        for theme in sorted(set(themes)):
            summary = f"{g}/theme-summary/{theme}"
            add(summary, vocab.RDF + "type", o + "ThemeSummary", g)
            add(summary, o + "theme", i + "theme/" + theme, g)
            add(summary, o + "weaknessCount", ox.Literal(str(themes.count(theme)), datatype=ox.NamedNode(vocab.XSD + "integer")), g)
    rows = {(r["item"].value, r["earlierValue"].value, r["laterValue"].value)
            for r in run(store, load_query("grade-changes"), {"localAuthority": "X"})}
    assert rows == {("Theme A", "3", "0"), ("Theme B", "1", "1")}


def _renamed(tmp_path, source, area: str):
    """A copy of a report whose authority is ``area`` (outside the reference data if made up)."""
    text = Path(source).read_text(encoding="utf-8").replace("Worcestershire", area)
    path = tmp_path / f"{area.lower()}-{Path(source).name}"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_authorities_store(tmp_path_factory):
    """Two reports of an authority the reference data knows, and two of one it does not."""
    tmp = tmp_path_factory.mktemp("two-authorities")
    later = synthetic_reinspection(tmp)
    known = [samples_dir() / "worcestershire-slac-2010.txt", later]
    unknown = [_renamed(tmp, samples_dir() / "worcestershire-slac-2010.txt", "Exampleshire"),
               _renamed(tmp, later, "Exampleshire")]
    results = build(known + unknown, tmp / "store")
    assert [r.error for r in results] == [None] * 4
    return tmp / "store", results


#: Parameters for the queries that need them, on the two-authorities store.
TWO_AUTHORITY_PARAMS = {
    "grades-table": {}, "actions-due": {"date": "2013-11-30"}, "agency-profile": {"agency": "Exampleshire Council"},
    "search-findings": {"contains": "care plan"}, "grade-changes": {"localAuthority": "Exampleshire"},
    "partners": {"localAuthority": "Worcestershire"}, "authority-history": {"localAuthority": "Exampleshire"},
    "evidence": {"subject": "https://w3id.org/ofsted-kg/id/report/exampleshire-2010-slac/recommendation/7"},
}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_regression_every_query_gives_each_row_once(two_authorities_store, name):
    """A report graph never restates a node shared by reports: with two reports of an authority outside the
    reference data, `reports` listed each report twice and most `weaknesses-by-agency` rows were duplicates."""
    store, _ = two_authorities_store
    rows = _rows(store, name, TWO_AUTHORITY_PARAMS.get(name, {}))
    assert rows, name
    keys = [tuple(r.values()) for r in rows]
    assert len(keys) == len(set(keys)), f"{name}: {len(keys) - len(set(keys))} repeated rows"


def test_unknown_authority_is_described_once_and_said_in_the_build(two_authorities_store):
    store, results = two_authorities_store
    assert len(_rows(store, "reports", {})) == 4
    notes = {r.report_id: r.notes for r in results}
    assert any("'Exampleshire' is not in the reference data" in n for n in notes["exampleshire-2010-slac"])
    assert not any("not in the reference data" in n for n in notes["worcestershire-2010-slac"])
    assert any("fell to the lead-agency default" in n for n in notes["exampleshire-2010-slac"])
    with open_store(store) as s:
        labels = list(s.query("""SELECT ?l WHERE { GRAPH ?g { <https://w3id.org/ofsted-kg/id/org/exampleshire-council>
                                 <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }"""))
    assert len(labels) == 1


@pytest.fixture(scope="module")
def series_store(tmp_path_factory):
    """The bundled Worcestershire series, as `ofsted-kg build` with no path builds it."""
    from graph.ingest import default_inputs

    path = tmp_path_factory.mktemp("series") / "store"
    assert [r.error for r in build(default_inputs(), path)] == [None] * 4
    return path


def _rows(store_path, name: str, params: dict) -> list[dict]:
    with open_store(store_path) as store:
        return list(csv.DictReader(io.StringIO(format_results(
            run(store, load_query(name), params), "csv").decode("utf-8"))))


def _hand_copied(stem: str) -> dict:
    import json

    return json.loads((Path(__file__).parent / "fixtures" / "expected" / "corpus" / f"{stem}.json").read_text())


def test_grade_changes_follow_worcestershire_through_three_frameworks(series_store):
    """The bundled series (SLAC 2010, SIF 2017, ILACS 2019 and 2023): each judgement is paired with the one that
    followed it, each grade in its own report's words, with a change only within one scheme. The grades are those
    copied by hand into tests/fixtures/expected/ (2010) and tests/fixtures/expected/corpus/ (2017, 2019, 2023)."""
    rows = _rows(series_store, "grade-changes", {"localAuthority": "Worcestershire"})
    grades = {(r["earlier"][:4], r["item"]): (r["earlierGrade"].lower(), r["laterGrade"].lower(), r["change"])
              for r in rows if r["kind"] == "grade"}

    def word(stem: str, area: str) -> str:
        return next(j["word"] for j in _hand_copied(stem)["judgements"] if j["area"] == area)

    help_2017 = word("worcestershire_2017-01-24", "help-and-protection")
    help_2019 = word("worcestershire_2019-07-29", "help-and-protection")
    help_2023 = word("worcestershire_2023-07-14", "help-and-protection")
    slac = {(j["section"], j["area"]): j["word"].lower() for j in expected("worcestershire-slac-2010")["judgements"]}
    item = "safeguarding: Overall effectiveness → local-authority: Children who need help and protection"
    assert grades[("2010", item)] == (slac[("safeguarding", "Overall effectiveness")], help_2017, "")
    assert grades[("2017", "local-authority: Children who need help and protection")][:2] == (help_2017, help_2019)
    assert grades[("2019", "local-authority: Children who need help and protection")][:2] == (help_2019, help_2023)
    # The joint judgement of children in care and care leavers (to 2022) is followed by both of 2023's.
    joint = "local-authority: The experiences and progress of children in care and care leavers"
    assert {k[1].split(" → ")[-1] for k in grades if k[0] == "2019" and k[1].startswith(joint + " →")} == {
        "local-authority: The experiences and progress of children in care",
        "local-authority: Experiences and progress of care leavers"}
    assert {change for (year, _), (_, _, change) in grades.items() if year == "2010"} == {""}


def test_ilacs_actions_have_no_timescale_or_deadline(series_store):
    """An ILACS report's "What needs to improve?" bullets are its actions, with no timescale and no deadline."""
    rows = _rows(series_store, "recommendations", {"report": "worcestershire-2023-ilacs"})
    want = _hand_copied("worcestershire_2023-07-14")
    assert len({r["recommendation"] for r in rows}) == want["recommendations"]["local-authority"]
    assert {(r["timescale"], r["deadline"]) for r in rows} == {("", "")}
    first = min(rows, key=lambda r: int(r["recommendation"].rsplit("/", 1)[-1]))
    assert plain(first["text"]).startswith(plain(want["first_recommendation"]))


def test_authority_history_gives_every_inspection_its_own_grades(series_store):
    """Each of the series' four inspections with its framework and its judgements in its own scheme's words, as
    copied by hand from the reports."""
    rows = _rows(series_store, "authority-history", {"localAuthority": "Worcestershire"})
    judged = {}
    for r in rows:
        if r["kind"] == "judgement":
            judged.setdefault((r["report"].rsplit("/", 1)[-1], r["framework"]), []).append(r["value"].lower())
    slac = [j["word"].lower() for j in expected("worcestershire-slac-2010")["judgements"]]
    assert judged == {
        ("worcestershire-2010-slac", "SLAC"): slac,
        ("worcestershire-2017-sif", "SIF"): [j["word"] for j in _hand_copied("worcestershire_2017-01-24")["judgements"]],
        ("worcestershire-2019-ilacs", "ILACS"): [j["word"] for j in _hand_copied("worcestershire_2019-07-29")["judgements"]],
        ("worcestershire-2023-ilacs", "ILACS"): [j["word"] for j in _hand_copied("worcestershire_2023-07-14")["judgements"]],
    }
    weaknesses = [r for r in rows if r["kind"] == "weaknesses"]
    assert {r["report"].rsplit("/", 1)[-1] for r in weaknesses} == {k[0] for k in judged}
    assert all(int(r["value"]) > 0 and r["partner"] and r["item"] for r in weaknesses)


def test_national_grades_are_each_authoritys_latest(series_store):
    rows = _rows(series_store, "national-grades", {})
    want = _hand_copied("worcestershire_2023-07-14")
    assert {r["report"].rsplit("/", 1)[-1] for r in rows} == {"worcestershire-2023-ilacs"}
    assert [r["gradeLabel"].lower() for r in rows] == [j["word"] for j in want["judgements"]]
    # The 2023 lookup of authorities (ontology/sources/): Worcestershire is E10000034, in the West Midlands.
    assert {(r["gssCode"], r["region"], r["framework"], r["date"]) for r in rows} == {
        ("E10000034", "West Midlands", "ILACS", want["report"]["inspection_end"])}


def test_recurring_weaknesses_pair_consecutive_inspections(series_store):
    """A recurring weakness joins an inspection with the next one only, for one partner and theme, quoting each."""
    rows = _rows(series_store, "recurring-weaknesses", {})
    dates = ["2010-11-12", "2017-01-24", "2019-06-28", "2023-05-26"]  # publication, else the end of fieldwork
    assert rows and {(r["earlier"], r["later"]) for r in rows} <= set(zip(dates, dates[1:]))
    with open_store(series_store) as store:
        for r in rows:
            for side in ("earlier", "later"):
                found = run(store, load_query("search-findings"), {
                    "contains": r[f"{side}Quote"], "polarity": "weakness"})
                assert any(row["report"].value == r[f"{side}Report"] for row in found), r
    # The council owns most weaknesses in every one of these reports (see authority-history), so it recurs.
    assert any(r["partner"] == "local-authority" for r in rows)


def test_every_recommendation_is_followed_up_by_the_next_inspection(series_store):
    """Every action of 2010, 2017 and 2019 has one row, on the next inspection; 2023's have none yet."""
    rows = _rows(series_store, "recommendation-follow-up", {"localAuthority": "Worcestershire"})
    counts = {}
    for r in rows:
        counts[r["report"].rsplit("/", 1)[-1]] = counts.get(r["report"].rsplit("/", 1)[-1], 0) + 1
    sif = _hand_copied("worcestershire_2017-01-24")["recommendations"]
    assert counts == {"worcestershire-2010-slac": len(expected("worcestershire-slac-2010")["recommendations"]),
                      "worcestershire-2017-sif": sum(sif.values()),
                      "worcestershire-2019-ilacs": _hand_copied("worcestershire_2019-07-29")["recommendations"][
                          "local-authority"]}
    assert {r["followUp"] for r in rows} <= {"still weak", "improved", "not mentioned"}
    for r in rows:
        assert (r["followUp"] == "not mentioned") == (r["laterQuote"] == "")
        assert ("previous" in r["laterReference"].lower() or "last" in r["laterReference"].lower()
                or r["laterReference"] == "")


def test_partner_trends_shares_add_up(series_store):
    rows = _rows(series_store, "partner-trends", {})
    by_year = {}
    for r in rows:
        by_year.setdefault((r["year"], r["framework"]), []).append(r)
    assert sorted(by_year) == [("2010", "SLAC"), ("2017", "SIF"), ("2019", "ILACS"), ("2023", "ILACS")]
    for group in by_year.values():
        assert abs(sum(float(r["share"]) for r in group) - 1) < 0.01
        assert {r["reports"] for r in group} == {"1"}
        assert group[0]["partner"] == "local-authority"  # the lead agency owns the most, in every report


def test_regression_reports_lists_a_report_once_whatever_its_authority_is_called(tmp_path):
    """The reference data knows Hull as "Hull", "Kingston upon Hull", "City of Kingston upon Hull" and more:
    `reports` and `grades-table` listed Hull's report once per name."""
    results = build([Path(__file__).parent / "fixtures" / "corpus" / "kingston-upon-hull_2023-01-13.pdf"],
                    tmp_path / "store")
    assert [r.error for r in results] == [None]
    rows = _rows(tmp_path / "store", "reports", {})
    assert [(r["localAuthority"], r["framework"]) for r in rows] == [("Kingston upon Hull", "ILACS")]
    # grades-table too, asked for all authorities or by any of Hull's names.
    judgements = len(_hand_copied("kingston-upon-hull_2023-01-13")["judgements"])
    for params in ({}, {"localAuthority": "Hull"}, {"localAuthority": "City of Kingston upon Hull"}):
        rows = _rows(tmp_path / "store", "grades-table", params)
        assert len(rows) == judgements and {r["authority"] for r in rows} == {"Kingston upon Hull"}, params
    from graph.card import card_data

    with open_store(tmp_path / "store") as store:
        assert card_data(store, "Hull").authority == "Kingston upon Hull"


def test_recommendation_evidence_follows_the_reports_own_tags(series_store):
    """A "tag" link goes from an action to a weakness whose paragraph ends "(Recommendation)" in the PDF, as SIF
    reports print it (checked in the PDF's own text, not the reader's), and every row quotes the weakness's words."""
    import re

    import pypdfium2

    from graph.vocab import samples_dir

    rows = _rows(series_store, "recommendation-evidence", {})
    assert {r["method"] for r in rows} >= {"tag", "theme+wording"}
    with open_store(series_store) as store:
        texts = {(r["f"].value): r["t"].value for r in store.query(
            "PREFIX ofsted: <https://w3id.org/ofsted-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "SELECT ?f ?t WHERE { GRAPH ?g { ?f a ofsted:Finding ; prov:wasDerivedFrom/ofsted:text ?t } }")}
    assert all(r["weakness"] in texts[r["finding"]] for r in rows)
    pdf = pypdfium2.PdfDocument(samples_dir() / "worcestershire-sif-2017.pdf")
    printed = re.sub(r"\s+", " ", " ".join(page.get_textpage().get_text_range() for page in pdf))
    tagged = {r["finding"] for r in rows if r["method"] == "tag"}
    assert tagged and all(r["report"].endswith("worcestershire-2017-sif") for r in rows if r["method"] == "tag")
    for finding in tagged:
        ending = re.sub(r"\s+", " ", texts[finding]).strip()[-30:]
        assert re.search(re.escape(ending) + r"\s*\(Recommendation\)", printed), ending


def test_card_says_which_weaknesses_each_action_answers(series_store, tmp_path):
    """The 2017 SIF report tags the paragraphs its actions answer; the card lists them beside each action."""
    page = tmp_path / "card.md"
    assert main(["card", "Worcestershire", "--report", "worcestershire-2017-sif", "--store", str(series_store),
                 "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    actions = text[text.index("## Actions, by deadline"):].splitlines()
    assert "| deadline | timescale | owners | action | answers |" in actions
    rows = [line for line in actions if line.startswith("| ") and "(tag)" in line]
    assert len(rows) >= 5 and all(re.search(r"para \d+ \(tag\)", line) for line in rows)


def test_history_view_draws_each_inspection_with_its_hand_copied_grades(series_store, tmp_path):
    """viz --view history: one column per inspection, its judgements coloured by grade in its scheme's words (as
    copied by hand), and a partner's consecutive inspections linked only by themes weak at both."""
    from graph.network import fetch_history
    from graph.viz import GRADE_COLOURS, history_view, render_html

    with open_store(series_store) as store:
        vis = history_view(fetch_history(store, "Worcestershire"))
    reports = [n for n in vis.nodes.values() if n["kind"] == "report"]
    assert [n["label"] for n in sorted(reports, key=lambda n: n["x"])] == \
        ["2010 SLAC", "2017 SIF", "2019 ILACS", "2023 ILACS"]
    for stem, year in (("worcestershire_2017-01-24", "2017"), ("worcestershire_2019-07-29", "2019"),
                       ("worcestershire_2023-07-14", "2023")):
        column = next(n["x"] for n in reports if n["label"].startswith(year))
        boxes = [n for n in vis.nodes.values() if n["kind"] == "judgement" and abs(n["x"] - column) < 300]
        words = sorted(n["label"].replace("\n", " ").rsplit(": ", 1)[1] for n in boxes)
        assert words == sorted(j["word"].lower() for j in _hand_copied(stem)["judgements"])
        assert all(n["color"] == GRADE_COLOURS[n["grade"]] for n in boxes)
    slac = [j for j in expected("worcestershire-slac-2010")["judgements"]]
    assert sum(1 for n in vis.nodes.values() if n["kind"] == "judgement" and n["x"] < 300) == len(slac)
    links = [e for e in vis.edges if e["title"].startswith("weak at both: ")]
    assert links
    for e in links:
        for theme in e["title"].removeprefix("weak at both: ").split("; "):
            assert f"\n{theme}: " in vis.nodes[e["from"]]["title"] and f"\n{theme}: " in vis.nodes[e["to"]]["title"]
    page = render_html(vis)
    assert "<script" in page and "Worcestershire: inspections" in page


def test_history_view_needs_a_known_authority(series_store, tmp_path, capsys):
    out = tmp_path / "h.html"
    assert main(["viz", "--view", "history", "--store", str(series_store), "-o", str(out)]) == 1
    assert capsys.readouterr().err == "ofsted-kg: error: the history view needs --authority NAME\n"
    assert main(["viz", "--view", "history", "--authority", "Atlantis", "--store", str(series_store), "-o", str(out)]) == 1
    assert capsys.readouterr().err == "ofsted-kg: error: no report for 'Atlantis' in the store\n"
    assert not out.exists()
    assert main(["viz", "--view", "history", "--authority", "Worcestershire", "--store", str(series_store),
                 "-o", str(out)]) == 0
    assert out.exists()
