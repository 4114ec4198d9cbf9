"""Any SPARQL 1.1 server as the store: queries over the SPARQL Protocol, uploads over the Graph Store Protocol.

Parameters are bound with a VALUES block whose terms pyoxigraph serialises; user text is never pasted into a
query. Credentials come from the environment only: ``OFSTED_KG_TOKEN`` (a bearer token), or
``OFSTED_KG_USER`` with ``OFSTED_KG_PASSWORD`` (basic). TLS certificates are verified (urllib's default).
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import urllib.error
import urllib.parse
import urllib.request

from . import vocab
from .errors import OfstedKgError

DEFAULT_TIMEOUT = 60.0


class RemoteError(OfstedKgError):
    """A remote server could not be reached, or refused or failed a request."""

    exit_code = 5


def _auth_headers() -> dict[str, str]:
    token = os.environ.get("OFSTED_KG_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user = os.environ.get("OFSTED_KG_USER")
    if user:
        pair = f"{user}:{os.environ.get('OFSTED_KG_PASSWORD', '')}".encode("utf-8")
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    return {}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are refused: following one would send the credentials to wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RemoteError(f"{req.full_url} redirects to {newurl}; give that address instead")


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """One HTTP request; RemoteError with one line on any failure."""
    if not re.match(r"^https?://", url):
        raise RemoteError(f"{url!r} is not an http:// or https:// address")
    try:
        req = urllib.request.Request(url, data=data, method=method, headers={**_auth_headers(), **(headers or {})})
        with _OPENER.open(req, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0][:200]}" if body else ""
        raise RemoteError(f"{url} answered {exc.code} {exc.reason}{detail}") from None
    except urllib.error.URLError as exc:
        raise RemoteError(f"cannot reach {url}: {exc.reason}") from None
    except TimeoutError:
        raise RemoteError(f"{url} did not answer within {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise RemoteError(f"cannot reach {url}: {exc}") from None


def values_block(substitutions: dict) -> str:
    """A VALUES block binding variables to terms, serialised by pyoxigraph (never by string formatting)."""
    if not substitutions:
        return ""
    names = sorted(substitutions, key=lambda v: v.value)
    variables = " ".join(str(v) for v in names)
    terms = " ".join(str(substitutions[v]) for v in names)
    return f"VALUES ({variables}) {{ ({terms}) }}\n"


def bind_values(query: str, substitutions: dict) -> str:
    """The query with a VALUES block at the start of each WHERE group, sub-selects' too: as pyoxigraph's
    substitutions do, a parameter then has its value everywhere in the query, also where a sub-select filters
    on it."""
    block = values_block(substitutions)
    if not block:
        return query
    bound, count = re.subn(r"\bWHERE\s*\{", lambda m: m.group() + "\n  " + block, query, flags=re.IGNORECASE)
    if not count:
        raise RemoteError("cannot bind parameters: the query has no WHERE clause")
    return bound


class Endpoint:
    """A SPARQL 1.1 query endpoint that answers like an embedded pyoxigraph Store does."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT):
        self.url = url
        self.timeout = timeout

    def query(self, text: str, substitutions: dict | None = None, use_default_graph_as_union: bool = False):
        """Run a SELECT or ASK query; the results parsed by pyoxigraph (QuerySolutions or bool)."""
        import pyoxigraph

        body = urllib.parse.urlencode({"query": bind_values(text, substitutions or {})}).encode("utf-8")
        data = request(self.url, method="POST", data=body, timeout=self.timeout,
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Accept": "application/sparql-results+json"})
        try:
            return pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise RemoteError(f"{self.url} sent results that are not SPARQL JSON ({exc})") from None

    def contains_named_graph(self, graph) -> bool:
        return bool(self.query("ASK WHERE { GRAPH ?g { ?s ?p ?o } }", {_var("g"): graph}))

    def named_graphs(self):
        return [row["g"] for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]


def _var(name: str):
    from pyoxigraph import Variable

    return Variable(name)


def graphs_to_push(store) -> list[tuple[str, bytes, int]]:
    """(graph, N-Triples, triples) for every report graph, the ontology and the reference data."""
    import pyoxigraph

    graphs = [g.value for g in store.named_graphs()
              if g.value.startswith(vocab.report_iri("")) or g.value in (vocab.GRAPH_ONTOLOGY, vocab.GRAPH_REFERENCE)]
    out = []
    for graph in sorted(graphs):
        triples = sorted((pyoxigraph.Triple(q.subject, q.predicate, q.object)
                          for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))), key=str)
        out.append((graph, pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES), len(triples)))
    return out


def push(graphs: list[tuple[str, bytes, int]], graph_store: str, timeout: float = DEFAULT_TIMEOUT,
         progress=None) -> list[tuple[str, int]]:
    """PUT graphs (from ``graphs_to_push``, read while the store was open) to a Graph Store Protocol endpoint.

    PUT replaces a graph, so pushing twice leaves the server as it was. Returns (graph, triples) pairs.
    """
    pushed = []
    for index, (graph, body, count) in enumerate(graphs, start=1):
        separator = "&" if "?" in graph_store else "?"
        request(f"{graph_store}{separator}{urllib.parse.urlencode({'graph': graph})}", method="PUT", data=body,
                headers={"Content-Type": "application/n-triples"}, timeout=timeout)
        pushed.append((graph, count))
        if progress:
            progress(index, len(graphs), graph)
    return pushed


def remote_counts(endpoint: Endpoint, graphs: list[str]) -> dict[str, int]:
    """Triples per graph as the query endpoint sees them (to check a push)."""
    counts = {}
    for graph in graphs:
        rows = list(endpoint.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {_var("g"): _node(graph)}))
        counts[graph] = int(rows[0]["n"].value) if rows else 0
    return counts


def _node(iri: str):
    from pyoxigraph import NamedNode

    return NamedNode(iri)
