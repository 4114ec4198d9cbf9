"""Against a real Oxigraph server on 127.0.0.1: push, every named query over HTTP, serve read-only."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graph.cli import main
from graph.queries import format_results, load_query, named_queries, run
from graph.remote import Endpoint, RemoteError, bind_values, graphs_to_push, push, remote_counts, request
from graph.server import ServerError, oxigraph_binary, start, stop
from graph.store import open_store, report_ids
from graph.vocab import report_iri

GOLDEN_PARAMS = json.loads((Path(__file__).parent / "fixtures" / "golden" / "params.json").read_text(encoding="utf-8"))

try:
    oxigraph_binary()
    MISSING = None
except ServerError as exc:
    MISSING = str(exc)
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _writable(tmp_path, union_default_graph: bool):
    port = free_port()
    process = start(tmp_path / "server-data", "127.0.0.1", port, timeout=30, read_only=False,
                    union_default_graph=union_default_graph)
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture(params=[False, True], ids=["default-graph", "union-default-graph"])
def any_server(request, tmp_path):
    """A writable Oxigraph server on a free port, with or without --union-default-graph: the queries' answers must
    not depend on it."""
    yield from _writable(tmp_path, request.param)


@pytest.fixture
def server(tmp_path):
    """A writable Oxigraph server on a free port, for what the default graph does not change (pushing)."""
    yield from _writable(tmp_path, False)


def _embedded(store_dir, name):
    with open_store(store_dir) as store:
        return format_results(run(store, load_query(name), GOLDEN_PARAMS.get(name, {"localAuthority": "Kent"})), "csv")


def test_push_then_every_named_query_gives_the_embedded_answers(any_server, sample_store):
    with open_store(sample_store) as store:
        pushed = push(graphs_to_push(store), f"{any_server}/store")
    endpoint = Endpoint(f"{any_server}/query")
    assert remote_counts(endpoint, [g for g, _ in pushed]) == dict(pushed)
    for name in named_queries():
        params = GOLDEN_PARAMS.get(name, {"localAuthority": "Kent"})  # grade-changes has no golden file
        remote = format_results(run(endpoint, load_query(name), params), "csv")
        assert remote == _embedded(sample_store, name), name


def test_pushing_twice_changes_nothing(server, sample_store):
    with open_store(sample_store) as store:
        first = push(graphs_to_push(store), f"{server}/store")
        second = push(graphs_to_push(store), f"{server}/store")
    endpoint = Endpoint(f"{server}/query")
    assert first == second
    assert remote_counts(endpoint, [g for g, _ in first]) == dict(first)


def test_replacing_one_report_leaves_the_others(server, sample_store, tmp_path):
    from graph.ingest import build
    from graph.vocab import samples_dir

    with open_store(sample_store) as store:
        everything = dict(push(graphs_to_push(store), f"{server}/store"))
    only_kent = tmp_path / "kent-store"
    build([samples_dir() / "kent-lac-2013.pdf"], only_kent)
    with open_store(only_kent) as store:
        push(graphs_to_push(store), f"{server}/store")
    after = remote_counts(Endpoint(f"{server}/query"), list(everything))
    assert after == everything


def test_push_command_checks_the_upload(server, sample_store, capsys):
    assert main(["push", "--store", str(sample_store), "--graph-store", f"{server}/store",
                 "--query-endpoint", f"{server}/query"]) == 0
    out = capsys.readouterr().out
    assert f"{report_iri('kent-2013-lac')}: " in out and "on the server" in out


def test_query_command_over_http(any_server, sample_store, capsys):
    with open_store(sample_store) as store:
        push(graphs_to_push(store), f"{any_server}/store")
    assert main(["query", "judgements", "--endpoint", f"{any_server}/query", "--format", "csv",
                 "--param", "report=kent-2013-lac"]) == 0
    assert capsys.readouterr().out.count("\n") == 6


def test_serve_answers_queries_refuses_updates_and_stops_cleanly(sample_store, tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "graph", "serve", "--store", str(sample_store),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        assert banner.startswith("ofsted-kg: serving")
        url = f"http://127.0.0.1:{port}"
        with open_store(sample_store) as store:
            ids = report_ids(store)
        remote = Endpoint(f"{url}/query")
        assert sorted(r["r"].value for r in remote.query(
            "SELECT ?r WHERE { GRAPH ?r { ?r a <https://w3id.org/ofsted-kg/ontology#InspectionReport> } }")) == \
            sorted(report_iri(i) for i in ids)
        assert b"yasgui" in request(f"{url}/").lower()
        # The page's first query names no graph: the union default graph lets it find the reports.
        assert len(list(remote.query("SELECT ?s WHERE { ?s a <https://w3id.org/ofsted-kg/ontology#InspectionReport> }"))) \
            == len(ids)
        with pytest.raises(RemoteError, match="403"):
            request(f"{url}/update", method="POST", data=b"update=CLEAR+ALL",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        with pytest.raises(RemoteError, match="403"):
            request(f"{url}/store?graph=http://example.org/g", method="PUT", data=b"<http://a> <http://b> <http://c> .",
                    headers={"Content-Type": "application/n-triples"})
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert not list(sample_store.parent.glob(f".{sample_store.name}-serve-*")), "the checkpoint is removed"


def test_serve_binds_to_localhost_by_default():
    from graph.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 7878)


def test_unreachable_endpoint_is_one_line(capsys):
    port = free_port()
    assert main(["query", "reports", "--endpoint", f"http://127.0.0.1:{port}/query", "--timeout", "5"]) == 5
    err = capsys.readouterr().err
    assert err.startswith("ofsted-kg: error: cannot reach") and err.count("\n") == 1


@pytest.mark.parametrize("hostile", ['x" } UNION { ?s ?p ?o } #', "a\\nb'\"", "}}}"])
def test_values_block_is_built_by_the_term_serializer(hostile):
    """A hostile value stays one literal: the bound query parses, and finds nothing in an empty store."""
    import pyoxigraph

    query = bind_values("SELECT ?localAuthority WHERE { GRAPH ?g { ?s ?p ?localAuthority } }",
                        {pyoxigraph.Variable("localAuthority"): pyoxigraph.Literal(hostile)})
    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("http://a"), pyoxigraph.NamedNode("http://b"),
                              pyoxigraph.Literal("other"), pyoxigraph.NamedNode("http://g")))
    assert list(store.query(query)) == []
    assert query.count("VALUES") == 1


def test_remote_parameter_reaches_a_sub_select_filter():
    """Regression: search-findings filters on ?contains inside a sub-select; a VALUES block only at the outer
    WHERE left it unbound there, and the remote query found nothing."""
    import pyoxigraph

    query = ("SELECT ?contains ?text WHERE { { SELECT ?contains ?text WHERE { GRAPH ?g { ?s ?p ?text } "
             "FILTER (CONTAINS(?text, ?contains)) } } }")
    store = pyoxigraph.Store()
    for text in ("care plans are late", "strong leadership"):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("http://a"), pyoxigraph.NamedNode("http://b"),
                                  pyoxigraph.Literal(text), pyoxigraph.NamedNode("http://g")))
    bound = bind_values(query, {pyoxigraph.Variable("contains"): pyoxigraph.Literal("care")})
    assert [row["text"].value for row in store.query(bound)] == ["care plans are late"]
