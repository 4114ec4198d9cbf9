"""`ofsted-kg serve --in-memory`: an in-memory copy of the samples' store over the SPARQL 1.1 Protocol, read-only."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from graph.queries import format_results, load_query, named_queries, run
from graph.remote import Endpoint, RemoteError, request
from graph.server import MAX_BODY, negotiate, refused_feature
from graph.store import open_store, report_ids
from graph.vocab import report_iri

GOLDEN_PARAMS = json.loads((Path(__file__).parent / "fixtures" / "golden" / "params.json").read_text(encoding="utf-8"))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_banner_says_what_is_held_and_how_much_memory_it_takes(memory_server, sample_store):
    _, banner = memory_server
    with open_store(sample_store) as store:
        quads = len(store)
    assert banner.startswith(f"ofsted-kg: serving an in-memory copy of {sample_store} ({quads:,} quads, ")
    assert " MB resident" in banner and "read-only" in banner


def test_every_named_query_gives_the_embedded_answers(memory_server, sample_store):
    endpoint = Endpoint(f"{memory_server[0]}/query")
    for name in named_queries():
        params = GOLDEN_PARAMS.get(name, {"localAuthority": "Kent"})  # grade-changes has no golden file
        with open_store(sample_store) as store:
            embedded = format_results(run(store, load_query(name), params), "csv")
        assert format_results(run(endpoint, load_query(name), params), "csv") == embedded, name


@pytest.mark.parametrize("accept, starts", [
    ("text/csv", b"n\r\n"),
    ("text/tab-separated-values", b"?n\n"),
    ("application/sparql-results+xml", b"<?xml"),
    ("application/sparql-results+json", b'{"head"'),
    ("text/*;q=0.5, application/xml;q=0.9", b"<?xml"),
    (None, b'{"head"'),
])
def test_results_in_the_format_asked_for(memory_server, accept, starts):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"
    headers = {**FORM, **({"Accept": accept} if accept else {})}
    body = request(f"{memory_server[0]}/query", method="POST", data=f"query={query}".encode(), headers=headers)
    assert body.startswith(starts)


def test_query_as_get_and_as_sparql_query_body(memory_server):
    url = memory_server[0]
    get = request(f"{url}/query?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D", headers={"Accept": "text/csv"})
    post = request(f"{url}/query", method="POST", data=b"ASK { ?s ?p ?o }",
                   headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert get.strip() == post.strip() == b"true"


def test_writes_are_refused_and_nothing_changes(memory_server, sample_store):
    url = memory_server[0]
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = request(f"{url}/query", method="POST", data=f"query={count}".encode(), headers={**FORM, "Accept": "text/csv"})
    with pytest.raises(RemoteError, match=r"answered 403 "):
        request(f"{url}/update", method="POST", data=b"update=CLEAR+ALL", headers=FORM)
    with pytest.raises(RemoteError, match=r"answered 403 "):
        request(f"{url}/query", method="POST", data=b"update=CLEAR+ALL", headers=FORM)
    with pytest.raises(RemoteError, match=r"answered 403 "):
        request(f"{url}/store?graph=http://example.org/g", method="PUT", data=b"<http://a> <http://b> <http://c> .",
                headers={"Content-Type": "application/n-triples"})
    with pytest.raises(RemoteError, match=r"answered 400 "):  # SPARQL Update is not a query
        request(f"{url}/query", method="POST", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-query"})
    after = request(f"{url}/query", method="POST", data=f"query={count}".encode(), headers={**FORM, "Accept": "text/csv"})
    assert before == after and int(after.split()[1]) > 0


def raw(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """One request as sent, headers and all: (status, headers, body)."""
    import http.client
    import urllib.parse

    where = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("method, path, data, headers, status", [
    ("GET", "/query?query=SELEC", None, {}, 400),
    ("POST", "/query", b"", FORM, 400),
    ("POST", "/query", b"<x>", {"Content-Type": "text/plain"}, 415),
    ("GET", "/query?query=ASK%7B%7D", None, {"Accept": "image/png"}, 406),
    ("GET", "/elsewhere", None, {}, 404),
    ("GET", "/query?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", None, {}, 400),
    ("POST", "/query", b"query=ASK%7B%7D", {**FORM, "Content-Length": str(2 * MAX_BODY)}, 413),
    ("TRACE", "/", None, {}, 501),
])
def test_bad_requests_get_one_line_of_plain_text_and_a_status(memory_server, method, path, data, headers, status):
    got, head, body = raw(memory_server[0], method, path, data, headers)
    assert got == status
    assert head["Content-Type"] == "text/plain; charset=utf-8"
    assert body.endswith(b"\n") and body.count(b"\n") == 1, body


def test_regression_a_negative_content_length_is_refused_not_read_to_the_end(memory_server):
    # Content-Length: -1 passed the size check and read the socket until the client closed it.
    got, _, body = raw(memory_server[0], "POST", "/query", b"query=ASK%7B%7D", {**FORM, "Content-Length": "-1"})
    assert got == 400 and b"Content-Length" in body


def test_a_federated_query_is_refused(memory_server):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    got, _, body = raw(memory_server[0], "POST", "/query", query.encode(), {"Content-Type": "application/sparql-query"})
    assert got == 403 and b"SERVICE" in body


@pytest.mark.parametrize("query, refused", [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { ?s ?p 'it\\'s' . SERVICE <http://x/> {} }", True),
    ("SELECT ?service { ?service ?p 'SERVICE' }", False),
    ('SELECT * { ?s ?p """a " SERVICE """ } # SERVICE', False),
    ("PREFIX ex: <http://e/> SELECT * { ex:SERVICE <http://e/SERVICE> ?o }", False),
])
def test_service_is_found_as_a_keyword_only(query, refused):
    assert (refused_feature(query) is not None) is refused


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Host": "evil.example"},  # a DNS name rebound to 127.0.0.1
])
def test_requests_from_other_sites_are_refused(memory_server, headers):
    got, _, body = raw(memory_server[0], "GET", "/query?query=ASK%7B%7D", None, headers)
    assert got == 403, body


def test_the_page_s_own_requests_are_answered(memory_server):
    url = memory_server[0]
    got, _, body = raw(url, "POST", "/query", b"query=ASK%7B%7D", {**FORM, "Origin": url, "Accept": "text/csv"})
    assert (got, body.strip()) == (200, b"true")


def test_head_and_options(memory_server):
    got, head, body = raw(memory_server[0], "HEAD", "/")
    assert (got, body) == (200, b"") and int(head["Content-Length"]) > 0
    got, head, _ = raw(memory_server[0], "OPTIONS", "/query")
    assert got == 204 and head["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in head


def test_the_protocol_s_dataset_narrows_the_default_graph(memory_server, sample_store):
    from urllib.parse import urlencode

    with open_store(sample_store) as store:
        graph = sorted(report_ids(store))[0]
    iri = report_iri(graph)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    narrowed = request(f"{memory_server[0]}/query?{urlencode({'query': count, 'default-graph-uri': iri})}",
                       headers={"Accept": "text/csv"})
    whole = request(f"{memory_server[0]}/query?{urlencode({'query': count})}", headers={"Accept": "text/csv"})
    with open_store(sample_store) as store:
        own = len(list(store.quads_for_pattern(None, None, None, NamedNode(iri))))
    assert int(narrowed.split()[1]) == own < int(whole.split()[1])


def test_a_query_past_the_time_limit_is_stopped_and_the_server_goes_on(memory_server):
    url = memory_server[0]
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    with pytest.raises(RemoteError, match="503.*time limit of 2 s"):
        request(f"{url}/query", method="POST", data=f"query={endless}".encode(), headers=FORM, timeout=30)
    assert time.monotonic() - started < 10
    assert request(f"{url}/query?query=ASK%7B%7D", headers={"Accept": "text/csv"}).strip() == b"true"


def test_the_page_offers_the_named_queries_and_loads_nothing_from_elsewhere(memory_server):
    page = request(f"{memory_server[0]}/").decode("utf-8")
    for name in named_queries():
        assert f'<option value="{name}">' in page
    assert "src=" not in page and "href=" not in page and "@import" not in page
    # The named queries' text is data inside the page's JSON, where no "<" can end the script element.
    script = page.split('<script type="application/json" id="queries">')[1].split("</script>")[0]
    assert "<" not in script
    assert json.loads(script)["judgements"]["text"] == load_query("judgements").text


@pytest.mark.parametrize("accept, expected", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.2, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("text/html, text/csv;q=0", None),
    ("text/*, text/csv;q=0", "text/tab-separated-values"),
])
def test_content_negotiation(accept, expected):
    from graph.server import RESULT_TYPES

    assert negotiate(accept, RESULT_TYPES) == expected


@pytest.fixture
def small_server():
    """The in-memory server's handler in this process, on a store of 2,000 triples and a free port: its URL and
    server, stopped afterwards."""
    import threading

    import pyoxigraph

    from graph.server import _MemoryHandler, _server

    store = pyoxigraph.Store()
    store.extend(pyoxigraph.Quad(NamedNode(f"http://example.org/{i}"), NamedNode("http://example.org/p"),
                                 pyoxigraph.Literal("x" * 100), NamedNode("http://example.org/g"))
                 for i in range(2000))
    handler = type("Handler", (_MemoryHandler,), {"store": store, "timeout_s": 60.0, "max_answer": 50_000})
    server = _server("127.0.0.1", 0, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.stop_children()
        server.server_close()


def test_an_answer_past_the_size_limit_is_refused_whole(small_server):
    url = small_server[0]
    got, _, body = raw(url, "POST", "/query", b"SELECT * WHERE { ?s ?p ?o }",
                       {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert got == 500 and b"over 50,000 bytes" in body
    got, _, body = raw(url, "POST", "/query", b"SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                       {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert got == 200 and body.count(b"\r\n") == 11


def test_regression_stopping_the_server_ends_the_answers_still_running(small_server):
    # The server waited for every running answer to reach its time limit before it stopped (20-25 s).
    import threading

    url, server = small_server
    endless = b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    outcome = []

    def ask() -> None:
        try:
            outcome.append(raw(url, "POST", "/query", endless, {"Content-Type": "application/sparql-query"}))
        except OSError as exc:
            outcome.append(exc)

    asking = threading.Thread(target=ask)
    asking.start()
    while not server.active_children:
        time.sleep(0.05)
    children = set(server.active_children)
    server.stop_children()
    asking.join(timeout=30)
    assert not asking.is_alive() and isinstance(outcome[0], OSError)  # the connection closed, unanswered
    server.collect_children(blocking=True)
    assert not server.active_children and children


def test_a_server_on_ipv6_loopback(tmp_path):
    import socket

    from graph.server import _MemoryHandler, _server

    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = _server("::1", 0, _MemoryHandler)
    except Exception as exc:  # noqa: BLE001 (a machine with IPv6 turned off)
        pytest.skip(f"cannot listen on ::1: {exc}")
    try:
        assert server.address_family == socket.AF_INET6 and server.loopback
    finally:
        server.server_close()


def test_a_port_in_use_is_found_before_the_copy(sample_store, tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "graph", "serve", "--in-memory", "--store", str(sample_store),
                               "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 6
    assert done.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "copying" not in done.stderr


@pytest.mark.parametrize("value", ["1e10", "inf", "0", "-3", "soon"])
def test_time_limits_out_of_range_are_refused_without_a_traceback(value, sample_store):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "graph", "serve", "--in-memory", "--store", str(sample_store),
                           "--timeout", value], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--timeout" in done.stderr and "Traceback" not in done.stderr
