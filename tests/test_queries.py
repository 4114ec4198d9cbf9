"""Every named query on the three samples, against golden files; the first three against the hand-made records."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from graph.errors import OfstedKgError
from graph.queries import QueryError, format_results, load_query, named_queries, run
from graph.store import open_store
from graph.vocab import report_iri

from conftest import SUPPORTED, expected, plain, report_id

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
PARAMS = json.loads((GOLDEN / "params.json").read_text(encoding="utf-8"))


@pytest.fixture
def store_dir(sample_store):
    return sample_store


@pytest.fixture(scope="module")
def in_memory(sample_store):
    """An in-memory copy of the samples' store."""
    from graph.store import memory_copy

    return memory_copy(sample_store)[0]


def _rows(store_dir, name: str, params: dict | None = None) -> list[dict]:
    with open_store(store_dir) as store:
        data = format_results(run(store, load_query(name), params or {}), "csv")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


#: Queries tested elsewhere, because the samples hold no data for them.
ELSEWHERE = {"grade-changes": "test_corpus.py, on a synthetic pair of inspections of one authority"}


def test_every_query_file_is_in_the_golden_params():
    assert sorted(named_queries()) == sorted([*PARAMS, *ELSEWHERE])


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_query_matches_golden(store_dir, name):
    with open_store(store_dir) as store:
        results = run(store, load_query(name), PARAMS[name])
        data = format_results(results, "csv").decode("utf-8").replace("\r\n", "\n")
    header = data.splitlines()[0].split(",")
    assert header == list(load_query(name).columns)
    golden = GOLDEN / f"{name}.csv"
    if os.environ.get("OFSTED_KG_UPDATE_GOLDEN"):
        golden.write_text(data, encoding="utf-8")
    assert data == golden.read_text(encoding="utf-8")
    assert len(data.splitlines()) > 1, f"golden file for {name} has no rows"


SHAPED = sorted(name for name, query in named_queries().items() if query.memory_text)


def test_the_contract_queries_have_an_in_memory_shape():
    assert {"judgements", "recommendations", "weaknesses-by-agency"} <= set(SHAPED)


@pytest.mark.parametrize("name", SHAPED)
def test_in_memory_shape_gives_the_same_rows_in_the_same_order(store_dir, in_memory, name):
    """Each shape on an in-memory copy of the samples' store, with no parameter and with each parameter bound to a
    value that has rows: the same rows, in the same order, as the on-disk shape on the store."""
    query = load_query(name)
    values = {"report": "kent-2013-lac", "agency": "Kent County Council", "theme": "care-planning"}
    cases = [{}] + [{p.name: values[p.name]} for p in query.params if p.name in values]
    assert len(cases) > 1
    for params in cases:
        with open_store(store_dir) as store:
            on_disk = format_results(run(store, query, params), "csv")
        assert format_results(run(in_memory, query, params), "csv") == on_disk, params
        assert on_disk.count(b"\n") > 1, params


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_regression_every_query_answers_alike_on_disk_and_in_memory(store_dir, in_memory, name):
    """GROUP_CONCAT joined owners' names in the order each engine met them ("West Mercia Police; Worcestershire
    County Council" in memory, the other way round on disk), and some ORDER BYs left ties: now the names are sorted
    before they are joined and every order is total, so the two stores give the same bytes."""
    with open_store(store_dir) as store:
        on_disk = format_results(run(store, load_query(name), PARAMS[name]), "csv")
    assert format_results(run(in_memory, load_query(name), PARAMS[name]), "csv") == on_disk


def test_reports_against_hand_made_records(store_dir):
    rows = {r["report"].rsplit("/", 1)[-1]: r for r in _rows(store_dir, "reports")}
    for stem in SUPPORTED:
        meta = expected(stem)["report"]
        row = rows[report_id(stem)]
        assert (row["framework"], row["inspectionStart"], row["inspectionEnd"], row["published"]) == (
            meta["framework"], meta["inspection_start"], meta["inspection_end"], meta["published"])


@pytest.mark.parametrize("stem", SUPPORTED)
def test_judgements_against_hand_made_records(store_dir, stem):
    rows = _rows(store_dir, "judgements", {"report": report_id(stem)})
    assert [(r["section"], r["area"], int(r["grade"]), r["gradeLabel"].lower()) for r in rows] == [
        (j["section"], plain(j["area"]), j["grade"], j["word"]) for j in expected(stem)["judgements"]]


@pytest.mark.parametrize("stem", SUPPORTED)
def test_recommendations_against_hand_made_records(store_dir, stem):
    rows = _rows(store_dir, "recommendations", {"report": report_id(stem)})
    first_rows = list({r["recommendation"]: r for r in reversed(rows)}.values())[::-1]  # one row per owner
    got = [(r["section"], r["timescale"].lower().replace(" ", "-") or "unspecified", r["deadline"] or None,
            plain(r["text"])) for r in first_rows]
    assert got == [(r["section"], r["timescale"], r["deadline"], plain(r["text"]))
                   for r in expected(stem)["recommendations"]]


def test_unknown_parameter_is_an_error(store_dir):
    with open_store(store_dir) as store, pytest.raises(QueryError, match="has no parameter 'colour'"):
        run(store, load_query("judgements"), {"colour": "red"})


@pytest.mark.parametrize("hostile", [
    'x" } UNION { ?s ?p ?o } #',
    "worcestershire-2010-slac> } UNION { GRAPH ?g { ?s ?p ?o } } #",
    "a\nb",
])
def test_parameters_are_bound_not_pasted(store_dir, hostile):
    """A value that tries to change the query is a term that matches nothing (or an unknown report)."""
    with open_store(store_dir) as store:
        assert list(run(store, load_query("grades-table"), {"localAuthority": hostile})) == []
        with pytest.raises(OfstedKgError, match="has no report"):
            run(store, load_query("judgements"), {"report": hostile})


def test_bad_date_parameter_is_one_line(store_dir):
    with open_store(store_dir) as store, pytest.raises(QueryError, match="is not a date"):
        run(store, load_query("actions-due"), {"date": "next week"})


def test_report_parameter_takes_iri_or_short_id(store_dir):
    by_id = _rows(store_dir, "judgements", {"report": "kent-2013-lac"})
    by_iri = _rows(store_dir, "judgements", {"report": report_iri("kent-2013-lac")})
    assert by_id == by_iri and len(by_id) == 5


def _solutions(store_dir, text: str) -> set[tuple]:
    from graph.vocab import sparql_prologue

    with open_store(store_dir) as store:
        return {tuple(t.value if t is not None else None for t in row)
                for row in store.query(sparql_prologue() + text, use_default_graph_as_union=False)}


def test_weakness_rows_restate_the_findings_and_their_owners(store_dir):
    """The analytics projection holds one row per quoted weakness and owner, with the values the findings,
    attributions and quotes give, and nothing else."""
    from_findings = _solutions(store_dir, """SELECT ?g ?f ?a ?theme ?method ?quote WHERE { GRAPH ?g {
        ?f ofsted:polarity <https://w3id.org/ofsted-kg/id/polarity/weakness> ; ofsted:theme ?theme ;
           ofsted:attribution ?att ; ofsted:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote .
        ?att ofsted:agency ?a ; ofsted:attributionMethod ?method } }""")
    from_rows = _solutions(store_dir, """SELECT ?g ?f ?a ?theme ?method ?quote WHERE { GRAPH ?g {
        ?row a ofsted:WeaknessRow ; ofsted:finding ?f ; ofsted:agency ?a ; ofsted:theme ?theme ;
             ofsted:attributionMethod ?method ; ofsted:quote ?quote } }""")
    assert len(from_findings) > 300
    assert from_rows == from_findings
    keys = _solutions(store_dir, "SELECT ?key WHERE { GRAPH ?g { ?row a ofsted:WeaknessRow ; ofsted:sortKey ?key } }")
    assert len(keys) == len(from_rows)  # a sort key is unique in the store


def test_sort_keys_order_reports_by_date_and_their_rows_as_printed(store_dir):
    """Judgements sort by report date, then in the Record's order; no two rows of a kind share a key."""
    rows = _solutions(store_dir, """SELECT ?key ?date ?n WHERE { GRAPH ?g {
        ?j a ofsted:Judgement ; ofsted:sortKey ?key ; ofsted:number ?n . ?g dcterms:date ?date } }""")
    assert len({key for key, _, _ in rows}) == len(rows)
    ordered = sorted(rows, key=lambda r: int(r[0]))
    assert [r[1] for r in ordered] == sorted(r[1] for r in rows)
    for key, date, n in rows:
        assert key.startswith(date.replace("-", "")) and int(key) % 10**6 == int(n)


def test_theme_summaries_count_the_findings_on_each_theme(store_dir):
    counted = _solutions(store_dir, """SELECT ?g ?theme (STR(?w) AS ?weak) (STR(?s) AS ?strong) WHERE { GRAPH ?g {
        ?summary a ofsted:ThemeSummary ; ofsted:theme ?theme ; ofsted:weaknessCount ?w ; ofsted:strengthCount ?s } }""")
    findings = _solutions(store_dir, """SELECT ?g ?theme ?f ?p WHERE { GRAPH ?g {
        ?f a ofsted:Finding ; ofsted:theme ?theme ; ofsted:polarity ?p ; ofsted:evidence ?e } }""")
    expected_counts: dict[tuple, list[int]] = {}
    for g, theme, _, polarity in findings:
        counts = expected_counts.setdefault((g, theme), [0, 0])
        counts[0] += polarity.endswith("/weakness")
        counts[1] += polarity.endswith(("/strength", "/improvement"))
    assert counted == {(g, t, str(w), str(s)) for (g, t), (w, s) in expected_counts.items()}


def test_table_wraps_long_cells_instead_of_cutting_them(store_dir, capsys):
    """A quote longer than its column is wrapped onto more lines: every word is still there, and no line is wider
    than --width."""
    from graph.cli import main

    assert main(["query", "weaknesses-by-agency", "--store", str(store_dir), "--width", "120",
                 "--param", "report=worcestershire-2010-slac"]) == 0
    table = capsys.readouterr().out
    assert "\u2026" not in table
    assert max(len(line) for line in table.splitlines()) <= 120
    quote = "More effective communication outside of working hours between the police and social care is required"
    assert all(word in table for word in quote.split())


def test_column_widths_share_the_room_by_need():
    from graph.formats import column_widths

    assert column_widths([6, 8, 20], 100) == [6, 8, 20]  # fits: unchanged
    # 58 characters between two gaps of 2: 6 and 20 fit a fair share and keep their width; 60 gets the 32 left
    assert column_widths([6, 20, 60], 62) == [6, 20, 32]
    # 6 keeps its width; 40 and 60 need more than a fair share of the 52 left, and share it 20 to 31
    assert column_widths([6, 40, 60], 62) == [6, 20, 31]
    # a header of 25 characters keeps its column at least that wide, and the other gets the 27 left
    assert column_widths([6, 40, 60], 62, [6, 25, 4]) == [6, 25, 27]
    # the sample's eight columns in 120 characters (106 between the gaps): never wider than asked
    assert sum(column_widths([34, 44, 60, 42, 9, 36, 20, 500], 120, [6, 6, 11, 7, 9, 5, 6, 4])) <= 106

