"""``ofsted-kg serve``: the store over HTTP, read-only: through the Oxigraph server from a checkpoint, or from an
in-memory copy (``--in-memory``).

By default we run an existing server rather than write one: ``oxigraph serve-read-only`` (PyPI package
``oxigraph``, pinned to the pyoxigraph version) answers the SPARQL 1.1 Protocol on ``/query`` and serves the YASGUI
query page on ``/``. It reads a checkpoint of the store (a RocksDB backup made with hard links in milliseconds), so
a build can run while analysts query: opening the live store read-only while a build writes it would be undefined.
Oxigraph's server has no read-only in-memory mode, so ``--in-memory`` is served by the small server at the end.
"""

from __future__ import annotations

import http.server
import io
import os
import re
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from . import vocab
from .errors import OfstedKgError, first_line

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0


class ServerError(OfstedKgError):
    """The server cannot be started."""

    exit_code = 6


def oxigraph_binary() -> str:
    """The ``oxigraph`` command of the same version as pyoxigraph; ServerError if it is missing or differs."""
    import pyoxigraph

    candidates = [Path(sys.executable).with_name("oxigraph"), shutil.which("oxigraph")]
    binary = next((str(c) for c in candidates if c and Path(c).exists()), None)
    if binary is None:
        raise ServerError("the Oxigraph server is not installed: pip install 'ofsted-kg[server]'")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.split()
    found = version[-1] if version else "unknown"
    if found != pyoxigraph.__version__:
        raise ServerError(f"the Oxigraph server is version {found} but the store is written by pyoxigraph "
                          f"{pyoxigraph.__version__}: pip install 'oxigraph=={pyoxigraph.__version__}'")
    return binary


def checkpoint(store_dir: Path) -> Path:
    """A consistent copy of the store to serve, next to it (so that the copy can use hard links)."""
    from .store import open_store

    try:
        target = Path(tempfile.mkdtemp(prefix=f".{Path(store_dir).name}-serve-", dir=Path(store_dir).parent))
    except OSError as exc:
        raise ServerError(f"cannot make a checkpoint beside {store_dir}: {exc.strerror or exc}") from None
    target.rmdir()
    try:
        with open_store(store_dir, wait=0.5) as store:
            store.backup(str(target))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def startup_text(url: str, store_dir: Path, timeout: float, about: str | None = None) -> str:
    """What the server says when it starts: what it serves, where to point a browser, and the named queries."""
    from .queries import named_queries

    lines = [f"ofsted-kg: serving {store_dir} (read-only, a checkpoint taken now; queries stop after {timeout:g} s)"
             if about is None else f"ofsted-kg: serving {about}",
             f"  query page{'' if about else ' (YASGUI)'}: {url}/",
             f"  SPARQL endpoint:     {url}/query",
             "  the default graph is the union of every graph (reports, reference data, ontology), so a query "
             "without GRAPH sees all of it",
             "  named queries (paste one into the page, or send it with curl):"]
    for name, query in named_queries().items():
        params = ", ".join(p.name for p in query.params)
        lines.append(f"    {name}" + (f"  (parameters: {params})" if params else ""))
    lines.append("  to set a parameter in the page, add a line such as VALUES ?report "
                 f"{{ <{vocab.report_iri('worcestershire-2010-slac')}> }} just inside WHERE {{")
    lines.append(f"  e.g. curl {url}/query --data-urlencode query@queries/judgements.rq "
                 "-H 'Accept: text/csv'")
    lines.append("  Ctrl-C stops the server.")
    return "\n".join(lines)


def wait_until_ready(url: str, process: subprocess.Popen, limit: float = 20.0) -> None:
    """Poll the server until it answers a query; ServerError if it exits or does not answer in time."""
    from .remote import RemoteError, request

    deadline = time.monotonic() + limit
    probe = f"{url}/query?{urllib.parse.urlencode({'query': 'ASK {}'})}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = (process.stderr.read() if process.stderr else b"").decode("utf-8", "replace").strip().splitlines()
            reason = err[-1] if err else f"exit status {process.returncode}"
            raise ServerError(f"the Oxigraph server stopped at once: {reason}")
        try:
            request(probe, timeout=2)
            return
        except RemoteError:
            time.sleep(0.1)
    raise ServerError(f"the Oxigraph server did not answer on {url} within {limit:g} s")


def start(location: Path, host: str, port: int, timeout: float, read_only: bool = True,
          union_default_graph: bool = False) -> subprocess.Popen:
    """Start ``oxigraph serve-read-only`` (or ``serve``) on a store folder; it is ready when this returns."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise _cannot_listen(host, port, exc) from None
    args = [oxigraph_binary(), "serve-read-only" if read_only else "serve", "--location", str(location),
            "--bind", f"{host}:{port}", "--timeout-s", str(int(max(1, timeout)))]
    if union_default_graph:
        args.append("--union-default-graph")
    from .ingest import _die_with_parent

    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
    try:
        wait_until_ready(f"http://{_url_host(host)}:{port}", process)
    except BaseException:
        stop(process)
        raise
    return process


def stop(process: subprocess.Popen) -> None:
    """Stop a server process, politely first."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _cannot_listen(host: str, port: int, exc: OSError) -> ServerError:
    return ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server using it?)")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT) -> int:
    """Serve the store until Ctrl-C; returns the exit status."""
    store_dir = Path(store_dir)
    # SIGTERM stops the server like Ctrl-C: the child is stopped and the checkpoint removed.
    signal.signal(signal.SIGTERM, _interrupt)
    copy = checkpoint(store_dir)
    process = None
    try:
        # The page opens on a query with no GRAPH clause: with the union as the default graph it finds data,
        # and the named queries, which name their graphs, answer the same.
        process = start(copy, host, port, timeout, union_default_graph=True)
        print(startup_text(f"http://{_url_host(host)}:{port}", store_dir, timeout), flush=True)
        try:
            process.wait()
        except KeyboardInterrupt:
            print("ofsted-kg: stopping the server", file=sys.stderr)
        return 0
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(copy, ignore_errors=True)


# ----------------------------------------------------------------------------------------- in memory
# `ofsted-kg serve --in-memory` answers from an in-memory copy of the store, where the contract queries run about
# twice as fast as on RocksDB. Oxigraph's own server keeps an in-memory store writable, so this one is ours: the
# SPARQL 1.1 Protocol's query operation and nothing else (no update, no Graph Store Protocol). Each request is
# answered in a process forked from the server, which shares the copy's memory; its time limit ends that process,
# so a runaway query cannot hold the server.

#: Result formats by media type, for SELECT and ASK; the first is the default.
RESULT_TYPES = ("application/sparql-results+json", "application/json", "application/sparql-results+xml",
                "application/xml", "text/csv", "text/tab-separated-values")
#: Graph formats by media type, for CONSTRUCT and DESCRIBE; the first is the default.
GRAPH_TYPES = ("application/n-triples", "text/turtle", "application/n-quads", "text/plain")
#: The largest request body read, in bytes: a query, not an upload.
MAX_BODY = 1 << 20
#: The largest answer sent, in bytes. An answer is held whole before it is sent, so that a failure can still
#: change its status; past this, a cross join would fill the machine's memory before its time limit.
MAX_ANSWER = 256 << 20


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The media type of ``offered`` that an Accept header prefers (by quality, then its order; ``*/*`` and
    ``type/*`` take the first offered that fits, but not one named with ``q=0``), or None if it admits none."""
    if not accept or not accept.strip():
        return offered[0]
    choices, excluded = [], set()
    for place, item in enumerate(accept.split(",")):
        kind, *params = [p.strip() for p in item.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0 and kind:
            choices.append((-quality, place, kind.lower()))
        elif kind:
            excluded.add(kind.lower())
    for _, _, kind in sorted(choices):
        for media in offered:
            if media not in excluded and (kind in (media, "*/*") or kind.endswith("/*") and media.startswith(kind[:-1])):
                return media
    return None


#: What a query says that is not a keyword: long and short strings, IRIs and comments.
_NOT_KEYWORDS = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",
    r'<[^<>"{}|^`\\\x00-\x20]*>', r"#[^\n]*"]))
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)


def refused_feature(query: str) -> str | None:
    """What a query asks that this server will not do, or None. ``SERVICE`` would make the server fetch any
    address it is given, so it is refused; it is found as a keyword, outside IRIs, strings, comments and names."""
    if _SERVICE.search(_NOT_KEYWORDS.sub(" ", query)):
        return "SERVICE (a federated query): this server answers from its own copy only"
    return None


class AnswerTooLarge(Exception):
    """An answer grew past MAX_ANSWER."""


class _Bounded(io.BytesIO):
    """An answer's bytes, refused past ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data) -> int:
        if self.tell() + len(data) > self.limit:
            raise AnswerTooLarge
        return super().write(data)


def _formats():
    import pyoxigraph

    results = {"application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
               "application/json": pyoxigraph.QueryResultsFormat.JSON,
               "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
               "application/xml": pyoxigraph.QueryResultsFormat.XML,
               "text/csv": pyoxigraph.QueryResultsFormat.CSV,
               "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV}
    graphs = {"application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES, "text/plain": pyoxigraph.RdfFormat.N_TRIPLES,
              "text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/n-quads": pyoxigraph.RdfFormat.N_QUADS}
    return results, graphs


def query_page(about: str) -> bytes:
    """The query page: a form that posts to /query and shows the rows as text, with the named queries to start
    from. Self-contained: it loads nothing from elsewhere."""
    import json

    import jinja2

    from .queries import named_queries

    queries = {name: {"question": q.question, "text": q.text} for name, q in named_queries().items()}
    # Inside <script>, "<", ">" and "&" are written as JSON escapes, so no query text can close the element.
    safe_json = json.dumps(queries, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
                             autoescape=True)
    first = (vocab.sparql_prologue() + "SELECT ?report ?title WHERE {\n  GRAPH ?report { ?report a "
             "ofsted:InspectionReport ; dcterms:title ?title }\n}\nORDER BY ?report")
    return env.get_template("query.html.j2").render(about=about, names=sorted(queries), first=first,
                                                    queries_json=safe_json).encode("utf-8")


class _MemoryHandler(http.server.BaseHTTPRequestHandler):
    """One request, in a process of its own: GET or POST /query answered, / the page, any write refused."""

    server_version = "ofsted-kg"
    store = None
    timeout_s = DEFAULT_TIMEOUT
    page = b""
    max_answer = MAX_ANSWER
    #: Seconds a client may take to send its request or to read a piece of the answer; an idle connection would
    #: otherwise hold one of the server's few processes.
    timeout = 10
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # the server prints what it serves at start; a line per request would bury it

    def setup(self) -> None:
        super().setup()
        # The server's own handlers raise KeyboardInterrupt; in a child, Ctrl-C or the server's SIGTERM just ends it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # A backstop: should the polite time limit below not get to answer, the kernel ends this process.
        signal.alarm(int(self.timeout_s) + 5)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if self._foreign():
            return
        if url.path == "/":
            self._send(200, "text/html; charset=utf-8", self.page)
        elif url.path == "/query":
            self._query(urllib.parse.parse_qs(url.query))
        else:
            self._refuse(url.path)

    def do_HEAD(self) -> None:
        if self._foreign():
            return
        if urllib.parse.urlsplit(self.path).path == "/":
            self._send(200, "text/html; charset=utf-8", self.page, body=False)
        else:
            self._error(405, "send a query to /query with GET or POST")

    def do_OPTIONS(self) -> None:
        # No CORS headers: the page is served from here, and other sites' pages are not to read the answers.
        self.send_response(204)
        self.send_header("Allow", "GET, POST, HEAD, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if self._foreign():
            return
        if url.path != "/query":
            return self._refuse(url.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return self._error(400, "the Content-Length is not a number of bytes")
        if length > MAX_BODY:
            return self._error(413, f"a query of over {MAX_BODY} bytes is not read")
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-query":
            return self._query({**urllib.parse.parse_qs(url.query), "query": [body]})
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                return self._error(403, "this server is read-only: it answers queries, not updates")
            return self._query(form)
        self._error(415, "send the query as application/sparql-query or as a form field 'query'")

    def do_PUT(self) -> None:
        self._error(403, "this server is read-only")

    do_DELETE = do_PATCH = do_PUT

    def _foreign(self) -> bool:
        """Refuse (403) a request that another site's page sent: an Origin that is not this server, or, on a
        loopback address, a Host that is not one (a DNS name rebound to 127.0.0.1). True if refused."""
        host = self.headers.get("Host") or ""
        origin = self.headers.get("Origin")
        if origin is not None and urllib.parse.urlsplit(origin).netloc != host:
            self._error(403, "a page from another site may not query this server")
            return True
        if self.server.loopback:
            name = urllib.parse.urlsplit(f"//{host}").hostname or ""
            if name not in ("localhost", "127.0.0.1", "::1"):
                self._error(403, f"this server answers on localhost, not as {name!r}")
                return True
        return False

    def _refuse(self, path: str) -> None:
        if path in ("/update", "/store"):
            self._error(403, "this server is read-only: it answers SPARQL queries on /query")
        else:
            self._error(404, "not found: this server answers SPARQL queries on /query, and shows its page on /")

    def _query(self, params: dict[str, list[str]]) -> None:
        texts = params.get("query", [])
        if len(texts) != 1 or not texts[0].strip():
            return self._error(400, "give one SPARQL query, as the parameter 'query'")
        refused = refused_feature(texts[0])
        if refused:
            return self._error(403, f"this server does not run {refused}")
        try:
            dataset = _dataset(params)
        except ValueError as exc:
            return self._error(400, first_line(exc))
        answered = threading.Lock()

        def expire() -> None:
            if answered.acquire(blocking=False):
                self._error(503, f"the query ran past the time limit of {self.timeout_s:g} s")
                os._exit(0)

        timer = threading.Timer(self.timeout_s, expire)
        timer.daemon = True
        timer.start()
        status, kind, data = self._answer(texts[0], dataset)
        if answered.acquire(blocking=False):
            timer.cancel()
            signal.alarm(0)  # answered in time: sending it to a slow client is bounded by the socket's timeout
            self._send(status, kind, data)

    def _answer(self, text: str, dataset: dict) -> tuple[int, str, bytes]:
        import pyoxigraph

        result_formats, graph_formats = _formats()
        try:
            results = self.store.query(text, **dataset)
        except SyntaxError as exc:
            return _plain(400, f"not valid SPARQL: {first_line(exc)}")
        except (RuntimeError, OSError, ValueError) as exc:
            return _plain(500, f"the query failed: {first_line(exc)}")
        graph = isinstance(results, pyoxigraph.QueryTriples)
        offered = GRAPH_TYPES if graph else RESULT_TYPES
        media = negotiate(self.headers.get("Accept"), offered)
        if media is None:
            return _plain(406, f"this server sends {', '.join(offered)}")
        out = _Bounded(self.max_answer)
        try:
            results.serialize(out, format=(graph_formats if graph else result_formats)[media])
        except AnswerTooLarge:
            return _plain(500, f"the answer is over {self.max_answer:,} bytes: narrow the query, or add a LIMIT")
        except (RuntimeError, OSError, ValueError) as exc:
            return _plain(500, f"the query failed: {first_line(exc)}")
        return 200, f"{media}; charset=utf-8" if media.startswith("text/") else media, out.getvalue()

    def _error(self, status: int, message: str) -> None:
        self._send(*_plain(status, message))

    def _send(self, status: int, kind: str, data: bytes, body: bool = True) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if body:
                self.wfile.write(data)
        except OSError:
            pass  # the client has gone


def _plain(status: int, message: str) -> tuple[int, str, bytes]:
    return status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8")


def _dataset(params: dict[str, list[str]]) -> dict:
    """The query's dataset from the protocol's ``default-graph-uri`` and ``named-graph-uri``; without them the
    default graph is the union of every graph. ValueError names an IRI that is not one."""
    import pyoxigraph

    def iris(key: str) -> list:
        try:
            return [pyoxigraph.NamedNode(iri) for iri in params.get(key, [])]
        except ValueError:
            raise ValueError(f"{key} is not an IRI: {params[key]!r}") from None

    default, named = iris("default-graph-uri"), iris("named-graph-uri")
    dataset = {"default_graph": default} if default else {"use_default_graph_as_union": True}
    return {**dataset, "named_graphs": named} if named else dataset


class _ForkingServer(socketserver.ForkingMixIn, http.server.HTTPServer):
    max_children = 8  # past this many answers at once, the next request waits for one to end
    request_queue_size = 128  # connections the kernel holds while the children are busy
    loopback = True

    def stop_children(self) -> None:
        """End every answer still running, so that closing the server does not wait for them."""
        for pid in list(self.active_children or ()):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def _server(host: str, port: int, handler) -> _ForkingServer:
    """A forking HTTP server on ``host`` (an IPv4 or IPv6 address, or a name); ServerError if it cannot listen."""
    import ipaddress
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        server_class = type("Server", (_ForkingServer,), {"address_family": family})
        server = server_class((host, port), handler)
    except OSError as exc:
        raise _cannot_listen(host, port, exc) from None
    try:
        server.loopback = ipaddress.ip_address(server.server_address[0]).is_loopback
    except ValueError:
        server.loopback = False
    return server


def serve_in_memory(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                    timeout: float = DEFAULT_TIMEOUT) -> int:
    """Serve an in-memory copy of the store until Ctrl-C, read-only; returns the exit status."""
    from .store import memory_copy

    # Ctrl-C and SIGTERM stop it, even when started in the background, where a shell ignores SIGINT.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    # Listen first, so that a port in use is found before a copy that can take minutes.
    handler = type("Handler", (_MemoryHandler,), {"timeout_s": timeout})
    server = _server(host, port, handler)
    started = time.perf_counter()
    print(f"ofsted-kg: copying {store_dir} into memory …", file=sys.stderr, flush=True)
    try:
        handler.store, megabytes = memory_copy(Path(store_dir))
    except BaseException:
        server.server_close()
        raise
    copy, seconds = handler.store, time.perf_counter() - started
    url = f"http://{_url_host(host)}:{port}"
    about = (f"an in-memory copy of {store_dir} ({len(copy):,} quads, {megabytes:,.0f} MB resident, copied in "
             f"{seconds:.1f} s; read-only; queries stop after {timeout:g} s)")
    handler.page = query_page(about)
    print(startup_text(url, store_dir, timeout, about), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("ofsted-kg: stopping the server", file=sys.stderr)
    finally:
        server.stop_children()
        server.server_close()
    return 0
