"""The embedded pyoxigraph store on disk: open it safely, replace one report in one step, export.

Concurrency: one writer at a time holds an exclusive lock on ``DIR/.ofsted-kg.lock``; readers hold a shared
lock and open the store read-only, so a reader never opens it while a writer changes it.
Atomicity: a new report is written in one transaction; a report's new version replaces the old one in a single
SPARQL update (DROP GRAPH, then INSERT DATA: one transaction), together with its build record: a killed build
leaves the old version or the new one, never a mix. A first build into an empty folder is
bulk-loaded into a new store beside it, which is moved into place only when whole (``install_store``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from pathlib import Path

from . import vocab
from .errors import OfstedKgError

LOCK_NAME = ".ofsted-kg.lock"
#: Seconds a command waits for another one to finish with the store ($OFSTED_KG_LOCK_WAIT).
DEFAULT_LOCK_WAIT = 10.0


class StoreError(OfstedKgError):
    """The store cannot be opened or used."""

    exit_code = 3


def default_store_dir() -> Path:
    """``$OFSTED_KG_STORE``, else ``$XDG_DATA_HOME/ofsted-kg/store`` (``~/.local/share/ofsted-kg/store``)."""
    if os.environ.get("OFSTED_KG_STORE"):
        return Path(os.environ["OFSTED_KG_STORE"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ofsted-kg" / "store"


def _lock(path: Path, exclusive: bool, wait: float):
    try:
        handle = open(path / LOCK_NAME, "a+" if exclusive else "r")
    except FileNotFoundError:
        handle = open(path / LOCK_NAME, "a+")
    except OSError as exc:
        raise StoreError(f"cannot use the store at {path}: {exc.strerror or exc}") from None
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, mode)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                doing = "another ofsted-kg command is using it" if exclusive else "a build is writing to it"
                raise StoreError(f"store {path} is busy: {doing}; try again when it has finished") from None
            time.sleep(0.05)


def _first_build_running(path: Path) -> bool:
    """Whether a build holds the lock of a folder that has no store yet."""
    try:
        with open(path / LOCK_NAME) as handle:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        pass
    return False


@contextlib.contextmanager
def locked(path: Path | None = None, *, write: bool = False, wait: float | None = None, create: bool = True):
    """The store folder, under an exclusive lock (the folder made if missing, unless not ``create``) or a
    shared one."""
    path = Path(path or default_store_dir())
    if write and create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot make a store at {path}: {exc.strerror or exc}") from None
    if not (path / "CURRENT").exists() and not (write and create):
        if _first_build_running(path):
            raise StoreError(f"store {path} is busy: its first build is still running; try again when it has finished")
        raise StoreError(f"no store at {path}: run `ofsted-kg build` first, or give --store")
    if wait is None:
        try:
            wait = float(os.environ.get("OFSTED_KG_LOCK_WAIT", DEFAULT_LOCK_WAIT))
        except ValueError:
            raise StoreError("$OFSTED_KG_LOCK_WAIT must be a number of seconds") from None
    handle = _lock(path, exclusive=write, wait=wait)
    try:
        yield path
    finally:
        handle.close()


@contextlib.contextmanager
def open_store(path: Path | None = None, *, write: bool = False, wait: float | None = None, create: bool = True):
    """A pyoxigraph Store on disk: read-write under an exclusive lock (made if missing, unless not ``create``),
    or read-only under a shared one."""
    with locked(path, write=write, wait=wait, create=create) as path, opened(path, write=write) as store:
        yield store


@contextlib.contextmanager
def opened(path: Path, *, write: bool = False):
    """The store in ``path``, whose lock the caller holds (see ``locked``)."""
    import pyoxigraph

    try:
        store = pyoxigraph.Store(str(path)) if write else pyoxigraph.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from None
    proxy = _Open(store)
    try:
        yield proxy
    finally:
        if write:
            store.flush()
        # RocksDB closes when the last reference goes, so callers must not keep one past the block.
        proxy._store = None
        del store


LOADING_PREFIX = ".loading-"
#: The names of the files a first build is moving into the store folder, written before the first is moved, so
#: that a build killed half-way leaves a list of exactly what it put there.
INSTALLING = ".ofsted-kg.installing"


def new_store_folder(path: Path) -> Path:
    """An empty folder inside the store folder ``path`` (which holds no store yet, and whose exclusive lock the
    caller holds) to build a whole new store in. What a killed first build left (its loading folder, and the
    files its install had moved, as listed) is removed first; a folder that holds anything else is refused, so a
    build never deletes or overwrites a file it did not make."""
    import shutil
    import tempfile

    manifest = path / INSTALLING
    if manifest.exists():
        for name in manifest.read_text(encoding="utf-8").split("\n"):
            if name and "/" not in name and (path / name).is_file():
                (path / name).unlink()
        manifest.unlink()
    for leftover in [*path.glob(LOADING_PREFIX + "*"), *path.glob(f".{INSTALLING}.*.tmp")]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    others = sorted(p.name for p in path.iterdir() if p.name != LOCK_NAME)
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise StoreError(f"{path} holds files but no store ({shown}): give an empty or new folder with --store")
    return Path(tempfile.mkdtemp(prefix=LOADING_PREFIX, dir=path))


def install_store(built: Path, path: Path) -> None:
    """Move the closed store built in ``built`` (from ``new_store_folder``) up into ``path``, RocksDB's CURRENT
    file last: until that one rename, ``path`` holds no store, so a killed build never leaves half of one. The
    names moved are listed first (``INSTALLING``), for the next build to clear if this one is killed."""
    import shutil

    files = sorted((f for f in built.iterdir() if f.name != "LOCK"), key=lambda f: f.name == "CURRENT")
    write_atomic(path / INSTALLING, "\n".join(f.name for f in files).encode("utf-8"))
    for f in files:
        os.replace(f, path / f.name)
    folder = os.open(path, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    (path / INSTALLING).unlink()
    shutil.rmtree(built, ignore_errors=True)


class _Open:
    """The store for the length of an ``open_store`` block only."""

    #: Named queries run in their on-disk shape here (see queries/README.md).
    in_memory = False

    def __init__(self, store):
        self._store = store

    def _open(self):
        if self._store is None:
            raise StoreError("the store has been closed: use it inside its `with open_store(...)` block")
        return self._store

    def __getattr__(self, name):
        return getattr(self._open(), name)

    def __len__(self) -> int:
        return len(self._open())


def process_memory_mb(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status ("VmRSS" now, "VmHWM" at its peak), in MB; None
    where /proc cannot say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class InMemory(_Open):
    """An in-memory copy of a store, open for as long as it is referenced; named queries run in their in-memory
    shape on it."""

    in_memory = True


def memory_copy(path: Path) -> tuple[InMemory, float]:
    """An in-memory copy of the store in ``path`` (pyoxigraph's ``Store()``), taken under a shared lock, and this
    process's resident memory once it holds the copy, in MB (0 where /proc cannot say).

    Each graph goes across as N-Triples, loaded in a transaction of its own: at 150 reports (2.6 million quads,
    19 s) the five contract queries then take 0.34 s, against 0.50–0.55 s on a copy made quad by quad with
    ``bulk_extend`` or ``extend``, and the process peaks at 1.0 GB, against 1.8 GB for one N-Quads dump of it all."""
    import pyoxigraph

    copy = pyoxigraph.Store()
    with open_store(path, create=False) as store:
        for graph in [pyoxigraph.DefaultGraph(), *sorted(store.named_graphs(), key=lambda g: g.value)]:
            triples = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=graph)
            copy.load(triples, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=graph)
    return InMemory(copy), process_memory_mb("VmRSS") or 0.0


def _triples_text(quads) -> str:
    import pyoxigraph

    triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads]
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")


def replace_graph(store, graph: str, nquads: bytes, shared=(), fresh: bool = False) -> None:
    """Replace one named graph with ``nquads`` (N-Quads, every one in that graph) in one transaction, together with
    the description of each subject of the ``shared`` quads in its own small shared graph (a build record, a body
    found in the report).

    A graph the store does not hold yet (``fresh``) is loaded directly, in one transaction; its shared quads
    follow in a second one, and a build that dies between the two finds no build record and builds it again.
    A graph the store holds is dropped and written again in one update: 2.4 s for a 16,600-quad report on this
    project's machine, where writing it to a staging graph and moving that over the old one took 3.9 s.
    """
    import pyoxigraph

    extra = ""
    by_graph: dict[str, list] = {}
    for q in shared:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    for shared_graph, shared_quads in sorted(by_graph.items()):
        for subject in sorted({q.subject.value for q in shared_quads}):
            extra += f"DELETE WHERE {{ GRAPH <{shared_graph}> {{ <{subject}> ?p ?o }} }};\n"
        extra += f"INSERT DATA {{ GRAPH <{shared_graph}> {{\n{_triples_text(shared_quads)}}} }};\n"
    extra = extra.rstrip(";\n")
    if fresh:
        store.load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
        if extra:
            store.update(extra)
        return
    # N-Quads lines end with the graph's IRI: without it they are the N-Triples that INSERT DATA takes.
    triples = nquads.decode("utf-8").replace(f" <{graph}> .\n", " .\n")
    store.update(f"DROP SILENT GRAPH <{graph}>;\nINSERT DATA {{ GRAPH <{graph}> {{\n{triples}}} }}"
                 + (";\n" + extra if extra else ""))


def drop_unused_found(store) -> None:
    """Forget the bodies of id:graph/found that no report names any more (after a report is removed or rebuilt)."""
    found = vocab.GRAPH_FOUND
    store.update(f"""DELETE {{ GRAPH <{found}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{found}> {{ ?s ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?x ?y ?s }} FILTER(?g != <{found}>) }} }}""")


def load_static_graphs(store) -> bool:
    """Load the ontology and reference data into their graphs if they changed; True if they were loaded."""
    import pyoxigraph

    from .rdf import P, rules_version

    version = rules_version()
    marker = pyoxigraph.NamedNode(vocab.GRAPH_REFERENCE)
    current = list(store.quads_for_pattern(marker, P("ofsted:rulesVersion"), None, pyoxigraph.NamedNode(vocab.GRAPH_BUILDS)))
    if current and current[0].object.value == version:
        return False
    folder = vocab.data_dir("ontology")
    for graph, names in ((vocab.GRAPH_ONTOLOGY, vocab.ONTOLOGY_FILES), (vocab.GRAPH_REFERENCE, vocab.REFERENCE_FILES)):
        quads = [q for name in names for q in pyoxigraph.parse(path=str(folder / name), format=pyoxigraph.RdfFormat.TURTLE)]
        stamp = [pyoxigraph.Quad(pyoxigraph.NamedNode(graph), P("ofsted:rulesVersion"), pyoxigraph.Literal(version),
                                 pyoxigraph.NamedNode(vocab.GRAPH_BUILDS))]
        target = pyoxigraph.NamedNode(graph)
        nquads = pyoxigraph.serialize([pyoxigraph.Quad(q.subject, q.predicate, q.object, target) for q in quads],
                                      format=pyoxigraph.RdfFormat.N_QUADS)
        replace_graph(store, graph, nquads, stamp, fresh=not store.contains_named_graph(target))
    return True


def report_ids(store) -> list[str]:
    """Short ids of the reports in the store."""
    prefix = vocab.report_iri("")
    return sorted(g.value[len(prefix):] for g in store.named_graphs() if g.value.startswith(prefix))


def resolve_report(store, report: str) -> str:
    """A report's graph IRI from its IRI or short id; StoreError if the store has no such report."""
    iri = report if report.startswith(vocab.report_iri("")) else vocab.report_iri(report)
    import pyoxigraph

    try:
        present = store.contains_named_graph(pyoxigraph.NamedNode(iri))
    except ValueError:
        present = False
    if not present:
        known = ", ".join(report_ids(store)) or "none"
        raise StoreError(f"the store has no report {report!r} (reports: {known})")
    return iri


def remove_report(store, report: str) -> str:
    """Delete one report's graph and its build record; returns its IRI."""
    iri = resolve_report(store, report)
    run = vocab.build_iri(iri[len(vocab.report_iri("")):])
    store.update(f"DROP GRAPH <{iri}>;\nDELETE WHERE {{ GRAPH <{vocab.GRAPH_BUILDS}> {{ <{run}> ?p ?o }} }}")
    drop_unused_found(store)
    return iri


def sorted_nquads(quads) -> bytes:
    """Quads as N-Quads, one per line, sorted: the byte-stable form of a graph."""
    import pyoxigraph

    text = pyoxigraph.serialize(list(quads), format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8")
    return ("".join(sorted(text.splitlines(keepends=True)))).encode("utf-8")


def export(store, fmt: str, graph: str | None = None) -> bytes:
    """Serialise the store (or one graph) in a format of ``formats.RDF_FORMATS``."""
    import pyoxigraph

    from .formats import RDF_FORMATS, pyoxigraph_rdf_format

    spec = RDF_FORMATS[fmt]
    graph_node = pyoxigraph.NamedNode(graph) if graph else None
    quads = store.quads_for_pattern(None, None, None, graph_node)
    if fmt == "nq":
        return sorted_nquads(quads)
    if spec.dataset:
        return pyoxigraph.serialize(sorted(quads, key=str), format=pyoxigraph_rdf_format(fmt),
                                    prefixes=vocab.PREFIXES)
    triples = sorted({pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    return pyoxigraph.serialize(triples, format=pyoxigraph_rdf_format(fmt),
                                prefixes=vocab.PREFIXES if fmt == "turtle" else None)


def write_atomic(path: Path, data: bytes) -> None:
    """Write exactly ``path``, so that readers see the old content or the new, never half of it."""
    path = Path(path)
    if path.is_dir():
        raise OfstedKgError(f"{path} is a folder: give a file name to write")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OfstedKgError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def rdflib_dataset(store, graph: str | None = None):
    """An in-memory rdflib Dataset copy of the store (or of one graph), for notebooks and rdflib users."""
    import rdflib

    dataset = rdflib.Dataset()
    dataset.parse(data=export(store, "nq", graph), format="nquads")
    return dataset
