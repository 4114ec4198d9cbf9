"""Benchmarks that print figures: ``python -m graph.bench reader|pdf-libraries|http``.

``pdf-libraries`` is how the PDF text library was chosen: it times pypdfium2, pypdf and pdfplumber (the last
two only if installed) on the sample PDFs, and scores text fidelity as the share of hand-copied snippets
(every recommendation, and the first and last words of chosen paragraphs, from tests/fixtures/expected)
found in each library's text once whitespace and quotes are normalised.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from .sources import normalise_chars
from .vocab import samples_dir

_EXPECTED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "expected"


def _pypdfium2(path: Path) -> list[str]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_bounded() for page in doc]
    finally:
        doc.close()


def _pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def _pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


LIBRARIES = {"pypdfium2": _pypdfium2, "pypdf": _pypdf, "pdfplumber": _pdfplumber}


def _flat(text: str) -> str:
    text = re.sub(r"(\w)\x02\s*(\w)", r"\1-\2", text)
    text = re.sub(r"-\s*\n\s*", "-", text)
    return re.sub(r"\s+", " ", normalise_chars(text.replace("\uf0b7", " ").replace("\uf0a7", " ")))


def _snippets(stem: str) -> list[str]:
    path = _EXPECTED / f"{stem}.json"
    if not path.exists():
        return []
    want = json.loads(path.read_text(encoding="utf-8"))
    snippets = [r["text"] for r in want["recommendations"]]
    snippets += [p[k] for p in want["paragraphs"] for k in ("starts", "ends")]
    return snippets


def _median_time(func, *args, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare_pdf_libraries(paths: list[Path]) -> list[dict]:
    """Time and fidelity of each installed PDF text library on each PDF."""
    rows = []
    for name, extract in LIBRARIES.items():
        try:
            extract(paths[0])
        except ImportError:
            rows.append({"library": name, "pdf": "-", "seconds": None, "fidelity": None})
            continue
        for path in paths:
            text = _flat("\n".join(extract(path)))
            snippets = _snippets(path.stem)
            found = sum(1 for s in snippets if _flat(s) in text)
            rows.append({"library": name, "pdf": path.name, "seconds": round(_median_time(extract, path), 4),
                         "fidelity": f"{found}/{len(snippets)}"})
    return rows


def time_reader(paths: list[Path]) -> list[dict]:
    """Seconds to read each report into records (median of 3 runs, template already loaded)."""
    from .reader import read_report
    from .template import load_template

    load_template()
    return [{"report": p.name, "seconds": round(_median_time(read_report, p), 4)} for p in paths]


def http_latency(repeat: int = 50) -> list[dict]:
    """Median time of the judgements query on the embedded store and through ``oxigraph serve-read-only``."""
    import socket
    import tempfile

    from .ingest import build
    from .queries import format_results, load_query, run
    from .remote import Endpoint
    from .server import start, stop
    from .store import open_store

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "store"
        build(sorted(p for p in samples_dir().iterdir() if p.suffix in (".txt", ".pdf") and "sif" not in p.name),
              store_dir)
        query = load_query("judgements")
        with open_store(store_dir) as store:
            embedded = _median_time(lambda: format_results(run(store, query), "csv"), repeat=repeat)
            store.backup(str(Path(tmp) / "copy"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        process = start(Path(tmp) / "copy", "127.0.0.1", port, timeout=30)
        try:
            endpoint = Endpoint(f"http://127.0.0.1:{port}/query")
            http = _median_time(lambda: format_results(run(endpoint, query), "csv"), repeat=repeat)
        finally:
            stop(process)
    rows.append({"query": "judgements (3 reports, csv)", "embedded s": round(embedded, 5),
                 "http s": round(http, 5), "http / embedded": round(http / embedded, 1)})
    return rows


def _print(rows: list[dict]) -> None:
    if not rows:
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  ".join(str(row[k] if row[k] is not None else "not installed").ljust(widths[k]) for k in keys))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.bench", description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("reader", "pdf-libraries", "http"))
    args = parser.parse_args(argv)
    pdfs = sorted(p for p in samples_dir().glob("*.pdf") if "sif" not in p.name)
    if args.which == "pdf-libraries":
        _print(compare_pdf_libraries(pdfs))
    elif args.which == "http":
        _print(http_latency())
    else:
        _print(time_reader(sorted(p for p in samples_dir().iterdir() if "sif" not in p.name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
