"""Build into the embedded store: deterministic graphs, one graph per report, atomic replace, the CLI."""

from __future__ import annotations

import json

import pytest

from graph.cli import main
from graph.ingest import build
from graph.store import export, open_store, report_ids
from graph.vocab import report_iri, samples_dir

from conftest import SUPPORTED, report_id

WORCS = samples_dir() / "worcestershire-slac-2010.txt"
KENT = samples_dir() / "kent-lac-2013.pdf"
NORFOLK = samples_dir() / "norfolk-lac-2013.pdf"


@pytest.fixture
def built(sample_store):
    return sample_store


def _graph(store_dir, rid: str) -> bytes:
    with open_store(store_dir) as store:
        return export(store, "nq", report_iri(rid))


def test_one_named_graph_per_report(built):
    with open_store(built) as store:
        assert report_ids(store) == sorted(report_id(stem) for stem in SUPPORTED)


def test_same_input_gives_byte_identical_graph(built, tmp_path):
    build([WORCS], tmp_path)
    assert _graph(tmp_path, "worcestershire-2010-slac") == _graph(built, "worcestershire-2010-slac")


def test_rebuild_replaces_only_that_report(built, tmp_path):
    store_dir = tmp_path / "store"
    build([WORCS, KENT], store_dir)
    kent_before = _graph(store_dir, "kent-2013-lac")
    worcs_before = _graph(store_dir, "worcestershire-2010-slac")
    build([WORCS], store_dir)
    assert _graph(store_dir, "kent-2013-lac") == kent_before
    assert _graph(store_dir, "worcestershire-2010-slac") == worcs_before
    with open_store(store_dir) as store:
        assert sorted(g.value for g in store.named_graphs() if "/report/" in g.value) == \
            [report_iri("kent-2013-lac"), report_iri("worcestershire-2010-slac")]


def test_refused_input_leaves_the_store_byte_identical(built, tmp_path):
    store_dir = tmp_path / "store"
    build([WORCS], store_dir)
    with open_store(store_dir) as store:
        before = export(store, "nq")
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing to see here", encoding="utf-8")
    assert main(["build", str(bad), "--store", str(store_dir)]) == 2
    with open_store(store_dir) as store:
        assert export(store, "nq") == before


def test_judgements_query_lists_the_29_worcestershire_judgements(built, capsys):
    assert main(["query", "judgements", "--store", str(built), "--format", "csv",
                 "--param", "report=worcestershire-2010-slac"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].strip() == "report,section,area,grade,gradeLabel"
    assert len(lines) == 30
    assert lines[1].endswith(",safeguarding,Overall effectiveness,4,Inadequate")


def test_query_json_is_sparql_results_json(built, capsys):
    assert main(["query", "reports", "--store", str(built), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["head"]["vars"] == ["report", "localAuthority", "framework", "inspectionType", "inspectionStart", "inspectionEnd",
                                   "published"]
    assert [b["localAuthority"]["value"] for b in doc["results"]["bindings"]] == [
        "Kent", "Norfolk", "Norfolk", "Worcestershire"]


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nq", "trig", "jsonld"])
def test_export_formats_round_trip(built, tmp_path, fmt):
    import pyoxigraph

    from graph.formats import RDF_FORMATS, pyoxigraph_rdf_format

    target = tmp_path / f"out{RDF_FORMATS[fmt].suffix}"
    assert main(["export", "--store", str(built), "--format", fmt, "--report", "kent-2013-lac", "-o", str(target)]) == 0
    quads = list(pyoxigraph.parse(path=str(target), format=pyoxigraph_rdf_format(fmt)))
    with open_store(built) as store:
        assert len(quads) == len(list(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(report_iri("kent-2013-lac")))))


def test_remove_deletes_one_report(tmp_path, capsys):
    store_dir = tmp_path / "store"
    build([WORCS, KENT], store_dir)
    assert main(["remove", "kent-2013-lac", "--store", str(store_dir)]) == 0
    with open_store(store_dir) as store:
        assert report_ids(store) == ["worcestershire-2010-slac"]
    assert main(["remove", "kent-2013-lac", "--store", str(store_dir)]) == 3
    assert "the store has no report 'kent-2013-lac'" in capsys.readouterr().err


def test_second_writer_is_told_the_store_is_busy(tmp_path):
    from graph.store import StoreError

    with open_store(tmp_path, write=True):
        with pytest.raises(StoreError, match="is busy"):
            with open_store(tmp_path, write=True, wait=0.1):
                pass


def test_every_quote_points_into_its_paragraph_text(built):
    with open_store(built) as store:
        rows = store.query("""
            PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX ofsted: <https://w3id.org/ofsted-kg/ontology#>
            SELECT ?text ?exact ?start ?end WHERE { GRAPH ?g {
              ?t oa:hasSource ?p ; oa:hasSelector ?q , ?s . ?p ofsted:text ?text .
              ?q oa:exact ?exact . ?s oa:start ?start ; oa:end ?end } }""")
        rows = list(rows)
    assert len(rows) > 100
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert row["text"].value[start:end] == row["exact"].value


def test_every_judgement_and_recommendation_links_to_its_paragraph(built):
    with open_store(built) as store:
        unlinked = list(store.query("""
            PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ofsted: <https://w3id.org/ofsted-kg/ontology#>
            SELECT ?x WHERE { GRAPH ?g { ?x a ofsted:Recommendation FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?p } } }"""))
    assert unlinked == []


def test_rdflib_view_has_the_same_quads(built):
    from graph.store import rdflib_dataset

    with open_store(built) as store:
        dataset = rdflib_dataset(store, report_iri("kent-2013-lac"))
        expected = len(export(store, "nq", report_iri("kent-2013-lac")).splitlines())
    assert len(list(dataset.quads((None, None, None, None)))) == expected


def test_store_is_closed_after_its_block(built):
    from graph.store import StoreError

    with open_store(built) as store:
        pass
    with pytest.raises(StoreError, match="has been closed"):
        store.query("ASK {}")


def test_ingesting_twice_changes_nothing(tmp_path):
    store_dir = tmp_path / "store"
    first = build([WORCS, KENT], store_dir)
    with open_store(store_dir) as store:
        before = export(store, "nq")
    second = build([WORCS, KENT], store_dir)
    with open_store(store_dir) as store:
        assert export(store, "nq") == before
    assert [r.status for r in first] == ["built", "built"]
    assert [r.status for r in second] == ["unchanged", "unchanged"]
    assert [r.report_id for r in second] == ["worcestershire-2010-slac", "kent-2013-lac"]


def test_remove_then_build_again_gives_a_byte_identical_graph(tmp_path):
    store_dir = tmp_path / "store"
    build([WORCS, KENT], store_dir)
    before = _graph(store_dir, "kent-2013-lac")
    assert main(["remove", "kent-2013-lac", "--store", str(store_dir)]) == 0
    assert [r.status for r in build([KENT], store_dir)] == ["built"]
    assert _graph(store_dir, "kent-2013-lac") == before


def test_changed_rules_rebuild_and_force(tmp_path, monkeypatch):
    import graph.ingest as ingest

    store_dir = tmp_path / "store"
    build([KENT], store_dir)
    assert [r.status for r in build([KENT], store_dir, force=True)] == ["built"]
    monkeypatch.setattr("graph.rdf.rules_version", lambda: "different-rules")
    assert [r.status for r in ingest.build([KENT], store_dir)] == ["built"]


def test_parallel_build_gives_the_same_graphs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    build([WORCS, KENT, NORFOLK], one, workers=1)
    build([WORCS, KENT, NORFOLK], two, workers=2)
    for rid in ("worcestershire-2010-slac", "kent-2013-lac", "norfolk-2013-lac"):
        assert _graph(one, rid) == _graph(two, rid)


def test_bulk_first_build_and_transactional_build_write_the_same_graph(tmp_path):
    build([WORCS], tmp_path / "first")  # a new store: bulk-loaded
    build([KENT], tmp_path / "later")
    build([WORCS], tmp_path / "later")  # an existing store: one transaction
    assert _graph(tmp_path / "first", "worcestershire-2010-slac") == _graph(tmp_path / "later", "worcestershire-2010-slac")


def test_first_build_stopped_before_current_is_moved_leaves_no_store(tmp_path, monkeypatch):
    import os

    import graph.store as store_module
    from graph.store import StoreError

    real_replace, moved = os.replace, []

    def replace_until_current(src, dst):
        if os.path.basename(dst) == "CURRENT":
            raise KeyboardInterrupt  # the build stops here, as if killed
        moved.append(dst)
        real_replace(src, dst)

    store_dir = tmp_path / "store"
    monkeypatch.setattr(store_module.os, "replace", replace_until_current)
    with pytest.raises(KeyboardInterrupt):
        build([KENT], store_dir)
    monkeypatch.undo()
    assert moved, "some store files were moved before CURRENT"
    with pytest.raises(StoreError, match="no store"):
        with open_store(store_dir):
            pass
    assert [r.status for r in build([KENT], store_dir)] == ["built"]
    clean = tmp_path / "clean"
    build([KENT], clean)
    assert _graph(store_dir, "kent-2013-lac") == _graph(clean, "kent-2013-lac")


def test_first_build_into_a_folder_of_other_files_is_refused_and_touches_nothing(tmp_path, capsys):
    """Files that look like RocksDB's ("000001.log", "LOG") or a user's "2024.log" are never deleted or overwritten:
    a folder that holds files but no store is refused in one line."""
    folder = tmp_path / "papers"
    folder.mkdir()
    files = {"2024.log": b"my notes", "000001.log": b"not ours", "LOG": b"nor this"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert main(["build", str(KENT), "--store", str(folder)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds files but no store" in err[0]
    assert {name: (folder / name).read_bytes() for name in files} == files
    assert not (folder / "CURRENT").exists()


def test_first_build_with_every_input_refused_makes_no_store(tmp_path, capsys):
    bad = tmp_path / "prose.txt"
    bad.write_text("A letter about nothing in particular.\n" * 20, encoding="utf-8")
    assert main(["build", str(bad), "--store", str(tmp_path / "store")]) == 2
    assert not (tmp_path / "store").exists()
    assert "no store made" in capsys.readouterr().err


def test_reader_during_a_first_build_is_told_it_is_busy(tmp_path):
    import fcntl

    from graph.store import LOCK_NAME, StoreError

    store_dir = tmp_path / "store"
    store_dir.mkdir()
    with open(store_dir / LOCK_NAME, "a+") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="first build is still running"):
            with open_store(store_dir):
                pass
    with pytest.raises(StoreError, match="no store"):
        with open_store(store_dir):
            pass
