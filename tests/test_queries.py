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
