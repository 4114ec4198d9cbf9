"""Build: report files -> records -> quads -> the store, one report graph replaced per report."""

from __future__ import annotations

import glob
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .errors import OfstedKgError, ReportRefused, first_line

REPORT_SUFFIXES = (".pdf", ".txt")


@dataclass(frozen=True)
class BuildResult:
    source: str
    report_id: str | None = None
    local_authority: str = ""
    framework: str = ""
    judgements: int = 0
    paragraphs: int = 0
    recommendations: int = 0
    findings: int = 0
    triples: int = 0
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the reference data lacked for the owners (graph.findings.analyse)
    error: str | None = None
    status: str = "built"  # built, unchanged or failed


@dataclass(frozen=True)
class _Prepared:
    """A report read, analysed and turned into N-Quads (in a worker process): its own graph's, and those of the
    shared graph of bodies found in it."""

    result: BuildResult
    sha256: str = ""
    own: bytes = b""
    found: bytes = b""


def default_inputs() -> list[Path]:
    """The bundled Worcestershire series: SLAC 2010 (text), SIF 2017, ILACS 2019 and 2023."""
    from .vocab import samples_dir

    return sorted(samples_dir().glob("worcestershire-*.*"), key=lambda p: p.stem.rsplit("-", 1)[-1])


def expand_inputs(patterns: list[str]) -> list[Path]:
    """Files, folders (their .pdf and .txt files) and globs, in a stable order without repeats."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in REPORT_SUFFIXES)
        elif any(ch in pattern for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
            if not matches:
                raise ReportRefused(f"{pattern}: matches no files")
            found += [p for p in matches if p.is_file()]
        else:
            found.append(path)
    seen: set[Path] = set()
    return [p for p in found if not (p.resolve() in seen or seen.add(p.resolve()))]


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read (the reader then says why)."""
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _die_with_parent() -> None:
    """Worker initializer: on Linux, ask for SIGKILL when the build process dies (e.g. is killed itself)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _prepare(path: Path, overrides, source_url: str | None) -> _Prepared:
    """Read, analyse and serialise one report. Runs in a worker process; returns errors as values."""
    import pyoxigraph

    from .findings import analyse
    from .rdf import authority_iri, found_quads, report_quads
    from .reader import read_report

    try:
        report = read_report(path)
        analysis = analyse(report, authority_iri(report), overrides)
        own = report_quads(report, source_url=source_url, analysis=analysis)
        found = found_quads(report, analysis)
    except OfstedKgError as exc:
        return _Prepared(BuildResult(str(path), error=str(exc), status="failed"))
    except Exception as exc:  # one bad file must not stop the others: report it in one line
        return _Prepared(BuildResult(str(path), error=f"{Path(path).name}: could not be built ({first_line(exc)})",
                                     status="failed"))
    result = BuildResult(str(path), report.report_id, report.local_authority, report.framework,
                         len(report.judgements), len(report.paragraphs), len(report.recommendations),
                         len(analysis.findings), len(own) + len(found), report.warnings, analysis.notes)
    return _Prepared(result, report.sha256, pyoxigraph.serialize(own, format=pyoxigraph.RdfFormat.N_QUADS),
                     pyoxigraph.serialize(found, format=pyoxigraph.RdfFormat.N_QUADS))


def _warm_caches() -> None:
    """Load the template, gazetteer and lexicon once, before worker processes fork."""
    from .agencies import load_gazetteer
    from .findings import load_lexicon
    from .rdf import load_reference
    from .template import load_template

    load_template(), load_gazetteer(), load_lexicon(), load_reference()


def _worker_pool(workers: int, jobs: int):
    """Worker processes for preparing reports, or None to prepare them in this process.

    Made before the store is opened, so that the forked workers do not inherit the writer's lock."""
    if workers <= 1 or jobs <= 1:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _warm_caches()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent)
    pool.submit(int).result()  # with "fork", the first task starts every worker: now, before the lock is taken
    return pool


def _prepared_in_order(pool, paths: list[Path], overrides, source_url: str | None):
    """Prepared reports in input order, on the pool's processes if there is one."""
    if pool is None:
        return (_prepare(path, overrides, source_url) for path in paths)
    return pool.map(_prepare, paths, [overrides] * len(paths), [source_url] * len(paths), chunksize=1)


def build(paths: list[Path], store_dir: Path | None = None, source_url: str | None = None,
          progress=None, overrides_path: Path | None = None, force: bool = False,
          workers: int | None = None) -> list[BuildResult]:
    """Read each report and put its graph in the store, replacing that report's graph only.

    A report whose file (sha256), tool version and rules version are all unchanged is skipped, unless ``force``.
    A refused report changes nothing and the others still load. Reports are read and analysed on ``workers``
    processes (default: one per core, at most 2). The first build into a folder with no store bulk-loads a
    new store and moves it into place when whole; later builds write one transaction per report.
    """
    import os

    from .rdf import rules_version
    from .store import default_store_dir, locked, opened

    overrides = load_overrides(overrides_path)
    version = rules_version() + (f"+overrides-{_digest(overrides)}" if overrides else "")
    workers = workers or min(2, os.cpu_count() or 1)
    pool = _worker_pool(workers, len(paths))
    store_dir = Path(store_dir or default_store_dir())
    made = not store_dir.exists()
    try:
        with locked(store_dir, write=True) as folder:
            if not (folder / "CURRENT").exists():
                results = _bulk_build(folder, paths, pool, overrides, version, source_url, progress)
            else:
                with opened(folder, write=True) as store:
                    results = _build_into(store, paths, pool, overrides, version, force, source_url, progress)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if made and not (store_dir / "CURRENT").exists():
            _remove_empty_store_folder(store_dir)  # nothing was built: no store, and no folder left behind
    order = {str(p): i for i, p in enumerate(paths)}
    return sorted(results, key=lambda r: order.get(r.source, len(order)))


def _accepted(prepared_reports, total: int, results: list[BuildResult], progress):
    """The prepared reports to store, in order; failures, and a second file of a report already given in this
    build, go into ``results`` instead."""
    written: dict[str, str] = {}  # report id -> the file it was built from, in this build
    for index, prepared in enumerate(prepared_reports, start=1):
        if progress:
            progress(index, total, Path(prepared.result.source))
        if prepared.result.error:
            results.append(prepared.result)
            continue
        rid = prepared.result.report_id
        if rid in written:
            results.append(replace(prepared.result, status="failed",
                                   error=f"{Path(prepared.result.source).name}: is the same report ({rid}) as "
                                         f"{Path(written[rid]).name}, given earlier in this build; it was not stored"))
            continue
        written[rid] = prepared.result.source
        results.append(prepared.result)
        yield prepared


def _build_into(store, paths, pool, overrides, version, force, source_url, progress) -> list[BuildResult]:
    """Skip unchanged reports, then write each prepared report's graph (and its build record)."""
    import pyoxigraph

    from .store import drop_unused_found, load_static_graphs, replace_graph
    from .vocab import report_iri

    results: list[BuildResult] = []
    load_static_graphs(store)
    built = _build_records(store)
    todo = []
    for path in paths:
        digest = file_sha256(path)
        if not force and not source_url and digest and built.get(digest, ())[:2] == (__version__, version):
            results.append(BuildResult(str(path), built[digest][2], status="unchanged"))
        else:
            todo.append(path)
    url = source_url if len(paths) == 1 else None
    for prepared in _accepted(_prepared_in_order(pool, todo, overrides, url), len(todo), results, progress):
        rid = prepared.result.report_id
        graph = pyoxigraph.NamedNode(report_iri(rid))
        shared = (list(pyoxigraph.parse(prepared.found, format=pyoxigraph.RdfFormat.N_QUADS))
                  + build_run_quads_for(rid, prepared.sha256, version))
        _mark("begin", rid)
        replace_graph(store, graph.value, prepared.own, shared, fresh=not store.contains_named_graph(graph))
        _mark("end", rid)
    if todo:
        drop_unused_found(store)
    return results


#: N-Quads bytes gathered before each bulk load of a first build: a few dozen reports.
BULK_BYTES = 48 * 2**20


def _bulk_build(folder: Path, paths, pool, overrides, version, source_url, progress) -> list[BuildResult]:
    """The first build into ``folder``: bulk-load every report into a new store, then move it into place."""
    import pyoxigraph

    import shutil

    from .store import install_store, load_static_graphs, new_store_folder

    results: list[BuildResult] = []
    building = new_store_folder(folder)
    store = pyoxigraph.Store(str(building))
    stored = 0
    load_static_graphs(store)
    runs, batch, size = [], [], 0
    url = source_url if len(paths) == 1 else None
    for prepared in _accepted(_prepared_in_order(pool, paths, overrides, url), len(paths), results, progress):
        runs += build_run_quads_for(prepared.result.report_id, prepared.sha256, version)
        stored += 1
        batch += [prepared.own, prepared.found]
        size += len(prepared.own) + len(prepared.found)
        if size >= BULK_BYTES:
            store.bulk_load(input=b"".join(batch), format=pyoxigraph.RdfFormat.N_QUADS)
            batch, size = [], 0
    if batch:
        store.bulk_load(input=b"".join(batch), format=pyoxigraph.RdfFormat.N_QUADS)
    store.extend(runs)
    store.flush()
    store.optimize()  # merges the bulk loads' many small files: whole-corpus queries then run about 40% faster
    del store  # closes RocksDB: nothing else holds it
    if stored:
        install_store(building, folder)
    else:  # every input was refused: the folder gets no store
        shutil.rmtree(building, ignore_errors=True)
    return results


def _remove_empty_store_folder(folder: Path) -> None:
    """Remove a store folder this build made, if it holds nothing but the lock file."""
    from .store import LOCK_NAME

    if folder.is_dir() and {p.name for p in folder.iterdir()} <= {LOCK_NAME}:
        (folder / LOCK_NAME).unlink(missing_ok=True)
        folder.rmdir()


def _mark(event: str, report_id: str) -> None:
    """Record entering and leaving a report's write window, where $OFSTED_KG_WRITE_MARKER names a file.

    The kill tests use it to count the kills that landed while the store was being written."""
    import os

    marker = os.environ.get("OFSTED_KG_WRITE_MARKER")
    if marker:
        with open(marker, "a", encoding="utf-8") as handle:
            handle.write(f"{event} {report_id}\n")
            handle.flush()
            os.fsync(handle.fileno())


def build_run_quads_for(report_id: str, sha256: str, version: str):
    """The build record of one report (kept in the builds graph)."""
    from .rdf import build_run_quads
    from .store import now_utc

    return build_run_quads(report_id, sha256, now_utc(), __version__, version)


def _digest(overrides) -> str:
    import hashlib

    return hashlib.sha256(repr(sorted(overrides)).encode()).hexdigest()[:12]


def _build_records(store) -> dict[str, tuple[str, str, str]]:
    """sha256 of each built report's source -> (tool version, rules version, report id) it was built with."""
    from .vocab import GRAPH_BUILDS, report_iri, sparql_prologue

    rows = store.query(sparql_prologue() + f"""SELECT ?sha ?tool ?rules ?report WHERE {{ GRAPH <{GRAPH_BUILDS}> {{
        ?run a ofsted:BuildRun ; ofsted:sha256 ?sha ; ofsted:toolVersion ?tool ; ofsted:rulesVersion ?rules ;
             prov:generated ?report }} }}""")
    return {r["sha"].value: (r["tool"].value, r["rules"].value, r["report"].value[len(report_iri("")):])
            for r in rows}


def default_overrides_path() -> Path:
    """``$OFSTED_KG_OVERRIDES``, else ``$XDG_CONFIG_HOME/ofsted-kg/overrides.csv`` (``~/.config/…``)."""
    import os

    if os.environ.get("OFSTED_KG_OVERRIDES"):
        return Path(os.environ["OFSTED_KG_OVERRIDES"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "ofsted-kg" / "overrides.csv"


OVERRIDE_ACTIONS = ("add", "remove")


def load_overrides(path: Path | None = None) -> tuple[tuple[str, str, str], ...]:
    """An analyst's corrections: CSV rows of target (finding or recommendation IRI), action (add or remove),
    agency (IRI or an unambiguous name), note. A missing default file means no corrections."""
    import csv

    from .agencies import load_gazetteer
    from .queries import valid_iri
    from .template import fold

    explicit = path is not None
    path = Path(path) if explicit else default_overrides_path()
    if not path.exists():
        if explicit:
            raise OfstedKgError(f"overrides file {path} does not exist")
        return ()
    gazetteer = load_gazetteer()
    rows = []
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"target", "action", "agency"} - set(reader.fieldnames or ())
            if missing:
                raise OfstedKgError(f"{path}: the header must name target, action, agency (missing: {', '.join(sorted(missing))})")
            for line, row in enumerate(reader, start=2):
                target, action, agency = ((row.get(k) or "").strip() for k in ("target", "action", "agency"))
                if action not in OVERRIDE_ACTIONS:
                    raise OfstedKgError(f"{path}, line {line}: action {action!r} is not add or remove")
                if not valid_iri(target) or "/finding/" not in target and "/recommendation/" not in target:
                    raise OfstedKgError(f"{path}, line {line}: target {target!r} is not a finding or recommendation IRI")
                if not agency.startswith(("http://", "https://")):
                    nodes = {n for n in gazetteer.alias_nodes.get(fold(agency), ()) if gazetteer.kinds.get(n) == "agency"}
                    if len(nodes) != 1:
                        raise OfstedKgError(f"{path}, line {line}: agency {agency!r} names {len(nodes)} agencies; give its IRI")
                    agency = nodes.pop()
                elif gazetteer.kinds.get(agency) != "agency":
                    raise OfstedKgError(f"{path}, line {line}: agency {agency!r} is not an agency of the reference data")
                rows.append((target, action, agency))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise OfstedKgError(f"{path}: cannot be read as CSV ({exc})") from None
    return tuple(rows)


def stderr_progress(index: int, total: int, path: Path) -> None:
    """A progress bar on a terminal, one line per report otherwise (only when there are several)."""
    if total <= 1:
        return
    if sys.stderr.isatty():
        done = int(30 * index / total)
        end = "\n" if index == total else ""
        print(f"\r[{'#' * done}{'.' * (30 - done)}] {index}/{total} {path.name[:40]:40}", end=end, file=sys.stderr,
              flush=True)
    else:
        print(f"[{index}/{total}] {path.name}", file=sys.stderr, flush=True)


def summary_table(results: list[BuildResult]) -> str:
    """Per report: authority, framework, judgements, findings, warnings, and what happened."""
    header = ("report", "authority", "framework", "judgements", "findings", "warnings", "status")
    rows = [(r.report_id or Path(r.source).name, r.local_authority, r.framework,
             str(r.judgements) if r.status == "built" else "", str(r.findings) if r.status == "built" else "",
             str(len(r.warnings)) if r.status == "built" else "", r.status) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)
