"""Build: report files -> records -> quads -> the store, one report graph replaced per report."""

from __future__ import annotations

import glob
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import OfstedKgError, ReportRefused

REPORT_SUFFIXES = (".pdf", ".txt")


@dataclass(frozen=True)
class BuildResult:
    source: str
    report_id: str | None = None
    judgements: int = 0
    paragraphs: int = 0
    recommendations: int = 0
    triples: int = 0
    warnings: tuple[str, ...] = ()
    error: str | None = None


def default_inputs() -> list[Path]:
    """The bundled Worcestershire 2010 sample."""
    from .vocab import samples_dir

    return [samples_dir() / "worcestershire-slac-2010.txt"]


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


def build(paths: list[Path], store_dir: Path | None = None, source_url: str | None = None,
          progress=None, overrides_path: Path | None = None) -> list[BuildResult]:
    """Read each report and replace its graph in the store. A report that is refused changes nothing."""
    overrides = load_overrides(overrides_path)
    from .findings import analyse
    from .rdf import authority_iri, build_run_quads, report_quads
    from .reader import read_report
    from .store import load_static_graphs, now_utc, open_store, replace_graph
    from .vocab import report_iri

    results: list[BuildResult] = []
    with open_store(store_dir, write=True) as store:
        load_static_graphs(store)
        for index, path in enumerate(paths, start=1):
            if progress:
                progress(index, len(paths), path)
            try:
                report = read_report(path)
            except OfstedKgError as exc:
                results.append(BuildResult(str(path), error=str(exc)))
                continue
            analysis = analyse(report, authority_iri(report), overrides)
            quads = report_quads(report, source_url=source_url if len(paths) == 1 else None, analysis=analysis)
            run = build_run_quads(report, now_utc(), __version__)
            replace_graph(store, report_iri(report.report_id), quads, run[0].graph_name.value, run)
            results.append(BuildResult(str(path), report.report_id, len(report.judgements), len(report.paragraphs),
                                       len(report.recommendations), len(quads), report.warnings))
    return results


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
                target, action, agency = (row[k].strip() for k in ("target", "action", "agency"))
                if action not in OVERRIDE_ACTIONS:
                    raise OfstedKgError(f"{path}, line {line}: action {action!r} is not add or remove")
                if not target.startswith(("http://", "https://")):
                    raise OfstedKgError(f"{path}, line {line}: target {target!r} is not a finding or recommendation IRI")
                if not agency.startswith(("http://", "https://")):
                    nodes = {n for n in gazetteer.alias_nodes.get(fold(agency), ()) if gazetteer.kinds.get(n) == "agency"}
                    if len(nodes) != 1:
                        raise OfstedKgError(f"{path}, line {line}: agency {agency!r} names {len(nodes)} agencies; give its IRI")
                    agency = nodes.pop()
                rows.append((target, action, agency))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise OfstedKgError(f"{path}: cannot be read as CSV ({exc})") from None
    return tuple(rows)


def stderr_progress(index: int, total: int, path: Path) -> None:
    """One line per report on stderr when several are built."""
    if total > 1:
        print(f"[{index}/{total}] {path.name}", file=sys.stderr, flush=True)
