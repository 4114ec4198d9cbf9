"""Hostile and runaway use: time limits, a second writer, paths that cannot be written, hostile parameters."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graph.cli import main
from graph.store import open_store

RUNAWAY = """# Question: a runaway cross product of every finding with every finding with every finding
# Columns: n
PREFIX ofsted: <https://w3id.org/ofsted-kg/ontology#>
SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a a ofsted:Finding } GRAPH ?h { ?b a ofsted:Finding }
                                GRAPH ?i { ?c a ofsted:Finding } }
"""


def _ofsted_kg(*args: str) -> subprocess.CompletedProcess:
    """The command in a process of its own, as a user runs it: a time limit ends that process."""
    return subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True, timeout=120)


def test_runaway_query_stops_at_the_time_limit(sample_store, tmp_path):
    query = tmp_path / "runaway.rq"
    query.write_text(RUNAWAY, encoding="utf-8")
    done = _ofsted_kg("query", str(query), "--store", str(sample_store), "--timeout", "1")
    assert done.returncode == 4 and done.stdout == ""
    assert done.stderr == "ofsted-kg: error: query 'runaway' stopped after 1 s (the time limit; raise it with --timeout)\n"
    assert _ofsted_kg("query", "reports", "--store", str(sample_store), "--format", "csv").returncode == 0


@pytest.mark.parametrize("command", [["review"], ["network", "--metrics"], ["viz", "-o", "{tmp}/map.html"],
                                     ["card", "Worcestershire", "-o", "{tmp}/card.md"]])
def test_every_command_that_runs_sparql_has_the_time_limit(sample_store, tmp_path, command):
    done = _ofsted_kg(*(arg.format(tmp=tmp_path) for arg in command), "--store", str(sample_store),
                      "--timeout", "0.001")
    assert done.returncode == 4 and done.stdout == ""
    assert done.stderr == (f"ofsted-kg: error: {command[0]} stopped after 0.001 s "
                           "(the time limit; raise it with --timeout)\n")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_second_writer_is_refused_in_one_line(sample_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OFSTED_KG_LOCK_WAIT", "0.2")
    store_dir = tmp_path / "store"
    assert main(["build", "--store", str(store_dir)]) == 0
    with open_store(store_dir, write=True):
        assert main(["build", "--store", str(store_dir), "--force"]) == 3
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("ofsted-kg: error: store ") and "is busy" in err


def test_readers_wait_for_a_writer_or_say_busy(sample_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OFSTED_KG_LOCK_WAIT", "0.2")
    store_dir = tmp_path / "store"
    assert main(["build", "--store", str(store_dir)]) == 0
    capsys.readouterr()
    with open_store(store_dir, write=True):
        assert main(["query", "reports", "--store", str(store_dir)]) == 3
    assert "a build is writing to it" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["missing-folder/out.nq", "."])
def test_export_to_a_path_that_cannot_be_written_is_one_line(sample_store, tmp_path, target, capsys):
    assert main(["export", "--store", str(sample_store), "-o", str(tmp_path / target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ofsted-kg: error: ")
    assert list(tmp_path.glob(".*.tmp")) == []


def test_export_writes_only_the_path_given(sample_store, tmp_path):
    target = tmp_path / "sub" / "out.nq"
    target.parent.mkdir()
    assert main(["export", "--store", str(sample_store), "--report", "kent-2013-lac", "-o", str(target)]) == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out.nq", "sub"]


@pytest.mark.parametrize("value", ['Kent" } UNION { GRAPH ?g { ?s ?p ?o } } #', "Kent\n}", "<http://evil>", "}}}{{{"])
def test_hostile_param_values_are_bound_as_terms(sample_store, value, capsys):
    assert main(["query", "grades-table", "--store", str(sample_store), "--format", "csv",
                 "--param", f"localAuthority={value}"]) == 0
    assert capsys.readouterr().out.strip() == ("localAuthority,authority,framework,published,date,section,area,grade,"
                                               "gradeLabel")


def test_unknown_named_query_and_bad_param_syntax(sample_store, capsys):
    assert main(["query", "no-such-query", "--store", str(sample_store)]) == 4
    assert "no query named 'no-such-query'" in capsys.readouterr().err
    assert main(["query", "judgements", "--store", str(sample_store), "--param", "report"]) == 4
    assert "is not KEY=VALUE" in capsys.readouterr().err


def test_missing_store_is_one_line(tmp_path, capsys):
    assert main(["query", "reports", "--store", str(tmp_path / "nowhere")]) == 3
    assert capsys.readouterr().err.startswith("ofsted-kg: error: no store at ")
