"""``ofsted-kg serve``: the store over HTTP through the Oxigraph server, read-only, from a checkpoint.

We run an existing server rather than write one: ``oxigraph serve-read-only`` (PyPI package ``oxigraph``, pinned
to the pyoxigraph version) answers the SPARQL 1.1 Protocol on ``/query`` and serves the YASGUI query page on
``/``. It reads a checkpoint of the store (a RocksDB backup made with hard links in milliseconds), so a build
can run while analysts query: opening the live store read-only while a build writes it would be undefined.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from .errors import OfstedKgError

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


def startup_text(url: str, store_dir: Path, timeout: float) -> str:
    """What the server says when it starts: where to point a browser, and the named queries."""
    from .queries import named_queries

    lines = [f"ofsted-kg: serving {store_dir} (read-only, a checkpoint taken now; queries stop after {timeout:g} s)",
             f"  query page (YASGUI): {url}/",
             f"  SPARQL endpoint:     {url}/query",
             "  the default graph is the union of every graph (reports, reference data, ontology), so a query "
             "without GRAPH sees all of it",
             "  named queries (paste one into the page, or send it with curl):"]
    for name, query in named_queries().items():
        params = ", ".join(p.name for p in query.params)
        lines.append(f"    {name}" + (f"  (parameters: {params})" if params else ""))
    lines.append("  to set a parameter in the page, add a line such as VALUES ?report "
                 "{ <https://w3id.org/ofsted-kg/id/report/worcestershire-2010-slac> } just inside WHERE {")
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
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server using it?)") from None
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
