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
from . import vocab
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


# ----------------------------------------------------------------------------------------------- corpus benchmark

#: rdflib holds about 4 KB a triple in memory: above this the comparison would not fit in this machine's memory.
RDFLIB_MAX_TRIPLES = 3_000_000
#: The five queries of the query contract (shared/DESIGN.md, "Query contract").
CONTRACT = ("reports", "judgements", "recommendations", "weaknesses-by-agency", "overlaps")
#: The quick benchmark's rdflib comparison: this many reports' graphs (with the shared graphs), each query capped.
QUICK_RDFLIB_REPORTS = 10
#: rdflib's cap per query by default, in seconds: quick, and full (where the contract queries run uncapped).
DEFAULT_CAP = {"quick": 1.0, "full": 5.0}


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Read from /proc (VmHWM), because getrusage's ru_maxrss survives
    exec: a child started by a large parent would report the parent's peak as its own."""
    from .store import process_memory_mb

    peak = process_memory_mb("VmHWM")
    if peak is not None:
        return peak
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def _query_params(store) -> dict[str, dict[str, str]]:
    """A parameter set for every named query, chosen from what the store holds, as the RDF terms the query
    binds (N-Triples), so that both engines get the same terms (an agency's name is resolved to its IRI)."""
    from .queries import bind, named_queries
    from .store import report_ids
    from .vocab import item_iri, report_iri, sparql_prologue

    first = report_ids(store)[0]
    row = next(iter(store.query(sparql_prologue() + f"""SELECT ?la ?n WHERE {{
        GRAPH <{report_iri(first)}> {{ ?r ofsted:localAuthority ?la }} GRAPH ?g {{ ?la ofsted:areaName ?n }} }}
        ORDER BY ?n LIMIT 1""")))
    values = {"report": first, "date": "2012-12-31", "localAuthority": row["n"].value, "contains": "care plan",
              "subject": item_iri(first, "recommendation", 1), "agency": row["la"].value, "theme": "care-planning",
              "polarity": "weakness"}
    return {name: {variable.value: str(term) for variable, term in
                   bind(store, q, {p.name: values[p.name] for p in q.params if p.required}).items()}
            for name, q in named_queries().items()}


def _term(ntriples: str):
    """A pyoxigraph term from its N-Triples form."""
    import pyoxigraph

    return next(iter(pyoxigraph.parse(f"<urn:s> <urn:p> {ntriples} .", format=pyoxigraph.RdfFormat.N_TRIPLES))).object


def engine_timings(kind: str, source: str, params: dict, cap: float, repeat: int = 3,
                   uncapped: tuple[str, ...] = ()) -> dict:
    """Time every named query on one engine (run in its own process): "oxigraph" on a store folder, or "rdflib"
    on an N-Quads file loaded into memory; or the contract queries, in their in-memory shape, on an in-memory copy
    of a store folder ("memory"). rdflib queries stop at ``cap`` seconds, but for those ``uncapped``."""
    import signal

    from .queries import named_queries

    timings: dict[str, dict] = {}
    if kind == "oxigraph":
        import pyoxigraph

        from .store import open_store

        with open_store(Path(source)) as store:
            repeat = repeat if len(store) < 1_000_000 else 1  # a large corpus: one timed run per query
            for name, query in named_queries().items():
                subs = {pyoxigraph.Variable(k): _term(v) for k, v in params[name].items()}
                run = lambda: len(list(store.query(query.text, substitutions=subs or None)))  # noqa: E731
                rows = run()
                timings[name] = {"ms": round(1000 * _median_time(run, repeat=repeat), 2), "rows": rows}
        return {"queries": timings, "peak_rss_mb": _peak_rss_mb()}
    if kind == "memory":
        from .queries import run
        from .store import memory_copy

        started = time.perf_counter()
        store, megabytes = memory_copy(Path(source))
        copy_s = time.perf_counter() - started
        for name in CONTRACT:
            query = named_queries()[name]
            run_once = lambda: len(list(run(store, query)))  # noqa: E731
            rows = run_once()
            timings[name] = {"ms": round(1000 * _median_time(run_once, repeat=repeat), 2), "rows": rows}
        return {"queries": timings, "copy_s": round(copy_s, 1), "memory_mb": megabytes,
                "peak_rss_mb": _peak_rss_mb()}
    import rdflib
    from rdflib.util import from_n3

    started = time.perf_counter()
    dataset = rdflib.Dataset()
    dataset.parse(source, format="nquads")
    load_s = time.perf_counter() - started

    def expired(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, expired)
    for name, query in named_queries().items():
        bindings = {k: from_n3(v) for k, v in params[name].items()}
        signal.setitimer(signal.ITIMER_REAL, 0 if name in uncapped else cap)
        try:
            started = time.perf_counter()
            # rdflib holds its graph in memory, so the in-memory shape suits it: with the on-disk shapes, rdflib had
            # not finished after 12 minutes at 150 reports.
            rows = len(list(dataset.query(query.memory_text or query.text, initBindings=bindings)))
            timings[name] = {"ms": round(1000 * (time.perf_counter() - started), 2), "rows": rows}
        except TimeoutError:
            timings[name] = {"ms": None, "capped_s": cap}
        except Exception as exc:  # rdflib fails some valid SPARQL (e.g. GROUP_CONCAT over unbound values)
            timings[name] = {"ms": None, "error": f"{type(exc).__name__}: {str(exc)[:80]}"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return {"queries": timings, "load_s": round(load_s, 2), "peak_rss_mb": _peak_rss_mb()}


def bulk_load_timing(source: str, target: str) -> dict:
    """Seconds to load an N-Quads file into a new store the way a first build does (run in its own process):
    bulk loads of about ``BULK_BYTES`` each, then one compaction. Whole-file bulk loading is a quarter faster
    but holds four times the memory (1.5 GB at 150 reports)."""
    import pyoxigraph

    from .ingest import BULK_BYTES

    started = time.perf_counter()
    store = pyoxigraph.Store(target)
    with open(source, "rb") as handle:
        rest = b""
        while block := handle.read(BULK_BYTES):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            store.bulk_load(input=data[:cut], format=pyoxigraph.RdfFormat.N_QUADS)
        if rest.strip():
            store.bulk_load(input=rest, format=pyoxigraph.RdfFormat.N_QUADS)
    store.optimize()
    return {"load_s": round(time.perf_counter() - started, 2), "peak_rss_mb": _peak_rss_mb()}


def _export_for_rdflib(store, path: Path, reports: int | None) -> int:
    """Write the store as N-Quads for rdflib: every graph, or the shared graphs and the first ``reports`` report
    graphs. Returns how many report graphs were written."""
    import pyoxigraph

    from .store import report_ids

    every_report = [vocab.report_iri(r) for r in report_ids(store)]
    if reports is None:
        store.dump(str(path), format=pyoxigraph.RdfFormat.N_QUADS)  # streamed, not held
        return len(every_report)
    chosen, reported = every_report[:reports], set(every_report)
    shared = sorted(g.value for g in store.named_graphs() if g.value not in reported)
    with open(path, "wb") as handle:
        for graph in shared + chosen:
            handle.write(pyoxigraph.serialize(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)),
                                              format=pyoxigraph.RdfFormat.N_QUADS))
    return len(chosen)


def _cold_query_ms(store_dir: Path, runs: int = 5) -> float:
    """The median wall time of ``ofsted-kg query judgements`` in a new process, after one run that leaves the
    package's bytecode cached, as an installed package has it."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "graph", "query", "judgements", "--store", str(store_dir), "--format", "csv"]
    subprocess.run(command, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - started)
    return round(1000 * statistics.median(times), 1)


def _subprocess_json(args: list[str]) -> dict:
    import subprocess

    out = subprocess.run([sys.executable, "-m", "graph.bench", "engine", *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def _ingest_rates(reports: int, tmp_path: Path, pdfs: int, progress,
                  corpus: list[Path] | None = None) -> tuple[dict, list[Path], Path]:
    """Ingest the corpus (real reports, else ``reports`` synthetic ones) into a new store, then time removing a few
    from a copy and adding them back (the way reports are added to an existing store), and ingesting a few
    synthetic PDFs."""
    from . import synthetic
    from .ingest import build
    from .store import open_store, remove_report

    out: dict = {}
    if corpus is None:
        progress(f"writing {reports} synthetic reports …")
        texts = synthetic.write_corpus(reports, tmp_path / "corpus")
    else:
        texts = corpus
    store_dir = tmp_path / "store"
    progress("ingesting them into a new store …")
    started = time.perf_counter()
    results = build(texts, store_dir)
    ingest_s = time.perf_counter() - started
    out["ingest_s"] = round(ingest_s, 2)
    out["ingest_reports_per_s"] = round(len(texts) / ingest_s, 2)
    out["failed"] = sum(1 for r in results if r.error)
    out["ingest_peak_rss_mb"] = _peak_rss_mb()
    again = texts[-max(1, min(5, reports // 10)):]
    progress(f"removing {len(again)} from a copy of the store and adding them back, one transaction each …")
    copy = tmp_path / "store-copy"  # the deletes leave tombstones that would slow the timed store's queries
    with open_store(store_dir) as store:
        store.backup(str(copy))
    with open_store(copy, write=True) as store:
        for result in results[-len(again):]:
            if result.report_id:
                remove_report(store, result.report_id)
    started = time.perf_counter()
    build(again, copy)
    out["add_reports_per_s"] = round(len(again) / (time.perf_counter() - started), 2)
    if pdfs and synthetic.FONT.exists():
        progress(f"making and ingesting {pdfs} synthetic PDFs …")
        pdf_paths = [synthetic.text_to_pdf(p.read_text(encoding="utf-8"), tmp_path / f"{p.stem}.pdf",
                                           "SYNTHETIC inspection report") for p in texts[:pdfs]]
        started = time.perf_counter()
        build(pdf_paths, tmp_path / "pdf-store")
        out["pdf_ingest_reports_per_s"] = round(pdfs / (time.perf_counter() - started), 2)
    return out, texts, store_dir


def corpus_benchmark(reports: int, rdflib_cap: float | None = None, pdfs: int = 4, progress=print,
                     corpus: list[Path] | None = None, mode: str = "quick") -> dict:
    """Build a corpus, the real reports given or ``reports`` synthetic ones, and measure ingest, store, queries,
    network and map.

    ``mode`` "quick" leaves out the bulk reload and the PDFs, and compares with rdflib on QUICK_RDFLIB_REPORTS
    reports with every query capped (default 1 s); "full" measures everything, rdflib on the whole corpus with the
    contract queries uncapped and the others capped (default 5 s). Each engine runs in its own process; rdflib
    runs last, alone."""
    import tempfile

    from .network import bipartite_weaknesses, fetch, metrics_text, overlap_graph
    from .reader import read_report
    from .store import open_store
    from .viz import build_view, write_html

    started_all = time.perf_counter()
    cap = DEFAULT_CAP[mode] if rdflib_cap is None else rdflib_cap
    quick = mode == "quick"
    out: dict = {"reports": reports if corpus is None else len(corpus), "corpus": "synthetic" if corpus is None
                 else "real", "mode": mode}
    with tempfile.TemporaryDirectory(prefix="ofsted-kg-bench-") as tmp:
        tmp_path = Path(tmp)
        ingest, texts, store_dir = _ingest_rates(reports, tmp_path, pdfs if corpus is None and not quick else 0,
                                                 progress, corpus)
        out.update(ingest)
        largest = max(samples_dir().glob("*lac*.pdf"), key=lambda p: p.stat().st_size)
        out["pdf_read_s"] = round(_median_time(read_report, largest), 3)
        with open_store(store_dir) as store:
            out["triples"] = len(store)
            params = _query_params(store)
            (tmp_path / "params.json").write_text(json.dumps(params))
            progress("exporting the corpus as N-Quads …")
            rdflib_nq = tmp_path / ("sample.nq" if quick else "all.nq")
            rdflib_reports = _export_for_rdflib(store, rdflib_nq, QUICK_RDFLIB_REPORTS if quick else None)
        out["store_mb"] = _dir_mb(store_dir)
        if not quick:
            progress("bulk-loading the whole corpus into a new store (own process) …")
            loaded = _subprocess_json(["load", str(rdflib_nq), str(tmp_path / "loaded")])
            out["load_s"], out["load_peak_rss_mb"] = loaded["load_s"], loaded["peak_rss_mb"]
        out["open_store_ms"] = _subprocess_json(["open", str(store_dir)])["open_ms"]
        progress("timing every query on the store (own process) …")
        oxigraph = _subprocess_json(["oxigraph", str(store_dir), str(tmp_path / "params.json")])
        out["oxigraph_peak_rss_mb"] = oxigraph["peak_rss_mb"]
        progress("timing the contract queries on an in-memory copy (own process) …")
        memory = _subprocess_json(["memory", str(store_dir), str(tmp_path / "params.json")])
        out["memory_copy_s"], out["memory_copy_mb"] = memory["copy_s"], memory["memory_mb"]
        out["contract_total_memory_ms"] = round(sum(q["ms"] for q in memory["queries"].values()), 1)
        out["cold_query_ms"] = _cold_query_ms(store_dir)
        progress("building the bundled series for its cold query …")
        from .ingest import build, default_inputs

        build(default_inputs(), tmp_path / "series")
        out["cold_query_series_ms"] = _cold_query_ms(tmp_path / "series")
        progress("networkx and the map …")
        with open_store(store_dir) as store:
            started = time.perf_counter()
            data = fetch(store)
            fetch_s = time.perf_counter() - started
        started = time.perf_counter()
        bipartite_weaknesses(data), overlap_graph(data), metrics_text(data)
        out["network_fetch_s"] = round(fetch_s, 2)
        out["network_metrics_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        vis = build_view(data, "overview")
        write_html(vis, tmp_path / "map.html")
        out["map_s"] = round(time.perf_counter() - started, 2)
        out["map_nodes"] = len(vis.nodes)
        # rdflib runs last, alone: run beside the store's timings, it slowed them by a third.
        rdflib_run = {"queries": {}}
        if cap > 0 and (quick or out["triples"] <= RDFLIB_MAX_TRIPLES):
            out["rdflib_scope"] = (f"{rdflib_reports} of {out['reports']} reports, every query capped at {cap:g} s "
                                   "(not like for like: --mode full compares on the whole corpus)" if quick else
                                   f"all {out['reports']} reports; the contract queries uncapped, the others capped "
                                   f"at {cap:g} s")
            progress(f"rdflib loads {out['rdflib_scope']} and runs every query (own process) …")
            rdflib_run = _subprocess_json(["rdflib", str(rdflib_nq), str(tmp_path / "params.json"), "--cap", str(cap)]
                                          + ([] if quick else ["--uncapped-contract"]))
        else:
            out["rdflib_skipped"] = (f"{out['triples']:,} triples; rdflib needs about 4 KB a triple, so the comparison "
                                     f"runs up to {RDFLIB_MAX_TRIPLES:,}") if cap > 0 else "--rdflib-cap 0"
        out["queries"] = {name: {"ms": t["ms"], "rows": t["rows"],
                                 "memory_ms": memory["queries"].get(name, {}).get("ms"),
                                 "rdflib_ms": rdflib_run["queries"].get(name, {}).get("ms"),
                                 "rdflib_note": ("> cap" if "capped_s" in rdflib_run["queries"].get(name, {}) else
                                                 rdflib_run["queries"].get(name, {}).get("error", ""))}
                          for name, t in oxigraph["queries"].items()}
        out["contract_total_ms"] = round(sum(out["queries"][n]["ms"] for n in CONTRACT), 1)
        out["rdflib_load_s"] = rdflib_run.get("load_s")
        out["rdflib_peak_rss_mb"] = rdflib_run.get("peak_rss_mb")
    out["peak_rss_mb"] = max([_peak_rss_mb()] + [v for k, v in out.items() if k.endswith("peak_rss_mb") and v])
    out["bench_s"] = round(time.perf_counter() - started_all, 1)
    return out


def print_corpus(result: dict) -> None:
    """The benchmark as a table for people."""
    scalar = [(k, v) for k, v in result.items() if not isinstance(v, dict)]
    width = max(len(k) for k, _ in scalar)
    for key, value in scalar:
        print(f"{key:{width}}  {value}")
    print()
    rows = [{"query": name, "oxigraph ms": q["ms"], "rows": q["rows"], "in memory ms": q.get("memory_ms") or "-",
             "rdflib ms": q["rdflib_ms"] if q["rdflib_ms"] is not None else (q["rdflib_note"] or "-")[:40],
             "rdflib / oxigraph": (round(q["rdflib_ms"] / q["ms"], 1) if q["rdflib_ms"] and q["ms"] else "-")}
            for name, q in result["queries"].items()]
    _print(rows)


def _print(rows: list[dict]) -> None:
    if not rows:
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  ".join(str(row[k] if row[k] is not None else "not installed").ljust(widths[k]) for k in keys))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["engine"]:  # one engine in its own process, for clean timings and memory figures
        kind, source = args[1], args[2]
        if kind == "load":
            print(json.dumps(bulk_load_timing(source, args[3])))
            return 0
        if kind == "open":
            import pyoxigraph

            started = time.perf_counter()
            store = pyoxigraph.Store.read_only(source)
            bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
            print(json.dumps({"open_ms": round(1000 * (time.perf_counter() - started), 1)}))
            return 0
        params = json.loads(Path(args[3]).read_text())
        cap = float(args[args.index("--cap") + 1]) if "--cap" in args else 10.0
        uncapped = CONTRACT if "--uncapped-contract" in args else ()
        print(json.dumps(engine_timings(kind, source, params, cap, uncapped=uncapped)))
        return 0
    parser = argparse.ArgumentParser(prog="python -m graph.bench", description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("reader", "pdf-libraries", "http"))
    parsed = parser.parse_args(args)
    pdfs = sorted(p for p in samples_dir().glob("*.pdf") if "sif" not in p.name)
    if parsed.which == "pdf-libraries":
        _print(compare_pdf_libraries(pdfs))
    elif parsed.which == "http":
        _print(http_latency())
    else:
        _print(time_reader(sorted(p for p in samples_dir().iterdir() if p.suffix in (".txt", ".pdf"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
