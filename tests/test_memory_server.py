"""`ofsted-kg serve --in-memory`: an in-memory copy of the samples' store over the SPARQL 1.1 Protocol, read-only."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from graph.queries import format_results, load_query, named_queries, run
from graph.remote import Endpoint, RemoteError, request
from graph.server import negotiate
from graph.store import open_store

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
    with pytest.raises(RemoteError, match="403"):
        request(f"{url}/update", method="POST", data=b"update=CLEAR+ALL", headers=FORM)
    with pytest.raises(RemoteError, match="403"):
        request(f"{url}/query", method="POST", data=b"update=CLEAR+ALL", headers=FORM)
    with pytest.raises(RemoteError, match="403"):
        request(f"{url}/store?graph=http://example.org/g", method="PUT", data=b"<http://a> <http://b> <http://c> .",
                headers={"Content-Type": "application/n-triples"})
    with pytest.raises(RemoteError, match="400"):  # SPARQL Update is not a query
        request(f"{url}/query", method="POST", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-query"})
    after = request(f"{url}/query", method="POST", data=f"query={count}".encode(), headers={**FORM, "Accept": "text/csv"})
    assert before == after and int(after.split()[1]) > 0


@pytest.mark.parametrize("path, data, headers, status", [
    ("/query?query=SELEC", None, {}, "400"),
    ("/query", b"", FORM, "400"),
    ("/query", b"<x>", {"Content-Type": "text/plain"}, "415"),
    ("/query?query=ASK%7B%7D", None, {"Accept": "image/png"}, "406"),
    ("/elsewhere", None, {}, "404"),
])
def test_bad_requests_get_one_line_and_a_status(memory_server, path, data, headers, status):
    with pytest.raises(RemoteError, match=status) as caught:
        request(f"{memory_server[0]}{path}", method="POST" if data is not None else "GET", data=data, headers=headers)
    assert "\n" not in str(caught.value)


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
])
def test_content_negotiation(accept, expected):
    from graph.server import RESULT_TYPES

    assert negotiate(accept, RESULT_TYPES) == expected
