"""The ``ofsted-kg`` command. Each command is a few lines over the library; errors are one line on stderr."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
from pathlib import Path

from . import __version__
from .errors import OfstedKgError


def _cmd_read(args: argparse.Namespace) -> int:
    from .reader import read_report
    from .records import to_jsonable

    failed = 0
    for path in args.reports:
        try:
            report = read_report(path)
        except OfstedKgError as exc:
            print(f"ofsted-kg: error: {exc}", file=sys.stderr)
            failed = exc.exit_code
            continue
        if args.format == "json":
            json.dump(to_jsonable(report), sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(summary(report) + "\n")
    return failed


def summary(report) -> str:
    """A few lines on what was read from a report."""
    from .formats import counted

    lines = [
        f"{report.source_name}: {report.local_authority}, {report.framework}"
        + (f" ({report.inspection_type}, inferred from the fieldwork)" if report.inspection_type_inferred
           else f" ({report.inspection_type})" if report.inspection_type else "")
        + f", inspected {report.inspection_start} to {report.inspection_end}, "
        + (f"published {report.published}" if report.published else "no publication date printed")
        + (f", by {report.inspector}" if report.inspector else ""),
        "  " + ", ".join(counted(len(items), noun) for noun, items in (
            ("paragraph", report.paragraphs), ("judgement", report.judgements),
            ("recommendation", report.recommendations), ("statistic", report.statistics),
            ("cited document", report.cited_documents))),
    ]
    lines += [f"  warning: {w}" for w in report.warnings]
    return "\n".join(lines)


#: The longest time limit taken, a week: the servers back a time limit with signal.alarm, which overflows past 2**31 s.
MAX_SECONDS = 7 * 24 * 3600


def seconds(text: str) -> float:
    """An argparse type: a positive number of seconds, at most a week."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive, finite number of seconds")
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r} seconds is over a week ({MAX_SECONDS} s), the longest time limit")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _store_dir(args: argparse.Namespace):
    from .store import default_store_dir

    return args.store or default_store_dir()


def _cmd_build(args: argparse.Namespace) -> int:
    from .ingest import build, default_inputs, expand_inputs, stderr_progress, summary_table

    paths = expand_inputs(args.reports) if args.reports else default_inputs()
    if args.source_url:
        from .queries import valid_iri

        if len(paths) != 1 or not valid_iri(args.source_url):
            raise OfstedKgError("--source-url takes one http(s) address, for a build of one report")
    results = build(paths, _store_dir(args), args.source_url, stderr_progress, args.overrides, args.force)
    for r in results:
        if r.error:
            print(f"ofsted-kg: error: {r.error}", file=sys.stderr)
        for w in r.warnings:
            print(f"warning: {r.report_id}: {w}", file=sys.stderr)
        for note in r.notes:
            print(f"note: {r.report_id}: {note}", file=sys.stderr)
    print(summary_table(results))
    store = _store_dir(args)
    print(f"store: {store}" if (store / "CURRENT").exists() else f"no store made at {store}: nothing was built",
          file=sys.stderr)
    return 2 if any(r.error for r in results) else 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from .store import open_store, remove_report

    with open_store(_store_dir(args), write=True, create=False) as store:
        print(f"removed {remove_report(store, args.report)}")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from .queries import format_results, load_query, named_queries, parse_params, run

    if not args.name:
        for q in named_queries().values():
            params = " ".join(f"{p.name}={p.type}" + ("" if p.required else "?") for p in q.params)
            print(f"{q.name:22} {q.question}" + (f"  [{params}]" if params else ""))
        return 0
    query = load_query(args.name)
    values = parse_params(args.param)
    if args.endpoint:
        from .remote import Endpoint

        data = format_results(run(Endpoint(args.endpoint, args.timeout), query, values), args.format, args.width)
    else:
        from .store import open_store

        with open_store(_store_dir(args)) as store:
            data = format_results(run(store, query, values), args.format, args.width)
    sys.stdout.buffer.write(data)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve, serve_in_memory

    return (serve_in_memory if args.in_memory else serve)(_store_dir(args), args.host, args.port, args.timeout)


def _cmd_push(args: argparse.Namespace) -> int:
    from .remote import Endpoint, graphs_to_push, push, remote_counts
    from .store import open_store

    with open_store(_store_dir(args)) as store:  # released before the upload, so builds can go on
        graphs = graphs_to_push(store)
    pushed = push(graphs, args.graph_store, args.timeout,
                  lambda i, n, g: print(f"[{i}/{n}] {g}", file=sys.stderr, flush=True))
    checked = remote_counts(Endpoint(args.query_endpoint, args.timeout), [g for g, _ in pushed]) \
        if args.query_endpoint else {}
    for graph, triples in pushed:
        seen = f", {checked[graph]} on the server" if graph in checked else ""
        print(f"{graph}: {triples} triples{seen}")
    mismatched = [g for g, n in pushed if g in checked and checked[g] != n]
    if mismatched:
        raise OfstedKgError(f"the server holds a different number of triples for {len(mismatched)} graphs, "
                            f"e.g. {mismatched[0]}")
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from .queries import format_results, load_query, run
    from .store import open_store

    values = {"report": args.report} if args.report else {}
    with open_store(_store_dir(args)) as store:
        sys.stdout.buffer.write(format_results(run(store, load_query("review"), values), args.format, args.width))
    return 0


def _cmd_network(args: argparse.Namespace) -> int:
    from .network import combined_graph, export_graph, fetch, metrics_text
    from .store import open_store

    with open_store(_store_dir(args)) as store:
        data = fetch(store, args.report)
    if args.export:
        export_graph(combined_graph(data), args.export)
        print(f"wrote {args.export}", file=sys.stderr)
    if args.metrics or not args.export:
        sys.stdout.write(metrics_text(data))
    return 0


def _cmd_viz(args: argparse.Namespace) -> int:
    from .network import fetch, fetch_history
    from .store import open_store
    from .viz import VizError, build_view, history_view, write_html

    if args.view == "history" and not args.authority:
        raise OfstedKgError("the history view needs --authority NAME")
    with open_store(_store_dir(args)) as store:
        data = fetch_history(store, args.authority) if args.view == "history" else fetch(store, args.report)
    try:
        vis = history_view(data) if args.view == "history" else build_view(data, args.view, args.agency)
    except VizError as exc:
        raise OfstedKgError(str(exc)) from None
    write_html(vis, args.output)
    print(f"wrote {args.output}: {len(vis.nodes)} nodes, {len(vis.edges)} links", file=sys.stderr)
    return 0


def _cmd_card(args: argparse.Namespace) -> int:
    from .card import card_data, render_csv, render_html, render_markdown
    from .store import open_store, write_atomic

    if args.national:
        return _national_page(args)
    if not args.authority:
        raise OfstedKgError("card needs an AUTHORITY (e.g. Worcestershire), or --national for every authority")
    with open_store(_store_dir(args)) as store:
        card = card_data(store, args.authority, args.report)
    if args.output.suffix.lower() == ".csv":
        raise OfstedKgError(f"{args.output}: give the page's name (.md or .html); the CSV is written beside it")
    fmt = args.format or ("html" if args.output.suffix.lower() in (".html", ".htm") else "md")
    page = render_html(card) if fmt == "html" else render_markdown(card)
    write_atomic(args.output, page.encode("utf-8"))
    write_atomic(args.output.with_suffix(".csv"), render_csv(card).encode("utf-8"))
    print(f"wrote {args.output} and {args.output.with_suffix('.csv')}", file=sys.stderr)
    return 0


def _national_page(args: argparse.Namespace) -> int:
    from .national import national_view, write_html
    from .store import open_store

    if args.authority or args.report or args.format:
        raise OfstedKgError("--national draws every authority: give it no AUTHORITY, --report or --format")
    if args.output.suffix.lower() not in (".html", ".htm"):
        raise OfstedKgError(f"{args.output}: the national page is HTML; give FILE.html")
    with open_store(_store_dir(args)) as store:
        view = national_view(store)
    write_html(view, args.output)
    print(f"wrote {args.output}: {len(view.standings)} authorities drawn", file=sys.stderr)
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from .bench import corpus_benchmark, print_corpus
    from .store import write_atomic

    from .ingest import expand_inputs

    corpus = expand_inputs([str(args.corpus)]) if args.corpus else None
    if corpus == []:
        raise OfstedKgError(f"{args.corpus}: holds no .pdf or .txt reports")
    result = corpus_benchmark(args.reports, args.rdflib_cap, progress=lambda m: print(m, file=sys.stderr, flush=True),
                              corpus=corpus, mode=args.mode)
    print_corpus(result)
    if args.json:
        write_atomic(args.json, (json.dumps(result, indent=2) + "\n").encode("utf-8"))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .store import export, open_store, resolve_report, write_atomic

    with open_store(_store_dir(args)) as store:
        graph = resolve_report(store, args.report) if args.report else None
        data = export(store, args.format, graph)
    if args.output:
        write_atomic(args.output, data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .store import open_store
    from .validate import validate_store

    with open_store(_store_dir(args)) as store:
        conforms, violations = validate_store(store, full=args.full)
    for v in violations:
        print(v)
    errors = sum(1 for v in violations if v.severity == "Violation")
    print(f"{'conforms' if conforms else 'does not conform'}: {errors} violations, "
          f"{len(violations) - errors} warnings")
    return 0 if conforms else 1


def _cmd_info(args: argparse.Namespace) -> int:
    from .queries import format_results, load_query, run
    from .store import open_store

    with open_store(_store_dir(args)) as store:
        print(f"store: {_store_dir(args)}")
        print(f"quads: {len(store)}")
        sys.stdout.buffer.write(format_results(run(store, load_query("reports")), "table"))
    return 0


WIDTH_HELP = "the table's width in characters (default: the terminal's); long cells wrap"

#: Seconds a command that runs SPARQL may take (``--timeout``).
DEFAULT_TIME_LIMIT = 60.0


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """End this process with a one-line error (exit 4) if the block runs longer than ``seconds``.

    pyoxigraph cannot cancel a query, but it releases the GIL while it evaluates one, so a timer thread can end the
    process: the command has opened the store read-only and written nothing yet. A thread is cheap to start,
    where a child process per query cost 45 ms."""
    def expire() -> None:
        sys.stderr.write(f"ofsted-kg: error: {what} stopped after {seconds:g} s "
                         "(the time limit; raise it with --timeout)\n")
        sys.stderr.flush()
        os._exit(4)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def build_parser() -> argparse.ArgumentParser:
    from .formats import RDF_FORMATS, RESULT_FORMATS

    VIEWS = ("overview", "agency", "overlaps", "report", "history")  # graph.viz's, without importing networkx

    parser = argparse.ArgumentParser(prog="ofsted-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help: str, store: bool = True, limited: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if store:
            p.add_argument("--store", type=Path, metavar="DIR",
                           help="the store folder (default: $OFSTED_KG_STORE or ~/.local/share/ofsted-kg/store)")
        if limited:
            p.add_argument("--timeout", type=seconds, default=DEFAULT_TIME_LIMIT, metavar="S",
                           help=f"stop after S seconds (default {DEFAULT_TIME_LIMIT:g})")
        p.set_defaults(func=func, limited=limited)
        return p

    read = command("read", _cmd_read, "read reports and print what was found, without storing it", store=False)
    read.add_argument("reports", nargs="+", metavar="REPORT", help="a report file (.txt or .pdf)")
    read.add_argument("--format", choices=("summary", "json"), default="summary")
    build = command("build", _cmd_build, "read reports into the store (default: the bundled Worcestershire series, 2010-2023)")
    build.add_argument("reports", nargs="*", metavar="PATH", help="report files, folders or globs")
    build.add_argument("--source-url", metavar="URL", help="the report's address on the Ofsted website")
    build.add_argument("--force", action="store_true", help="rebuild reports even if they are unchanged")
    build.add_argument("--overrides", type=Path, metavar="FILE.csv",
                       help="corrections to owners (default: $OFSTED_KG_OVERRIDES or ~/.config/ofsted-kg/overrides.csv)")
    remove = command("remove", _cmd_remove, "delete one report from the store")
    remove.add_argument("report", metavar="REPORT", help="the report's IRI or short id, e.g. worcestershire-2010-slac")
    query = command("query", _cmd_query, "run a named query or a .rq file (no NAME: list the named queries)",
                    limited=True)
    query.add_argument("name", nargs="?", metavar="NAME|FILE.rq")
    query.add_argument("--format", choices=RESULT_FORMATS, default="table")
    query.add_argument("--width", type=positive_int, metavar="N", help=WIDTH_HELP)
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="bind a query parameter")
    query.add_argument("--endpoint", metavar="URL", help="ask this SPARQL 1.1 endpoint instead of the local store")
    serve = command("serve", _cmd_serve, "serve the store read-only over HTTP (SPARQL endpoint and query page)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=7878)
    serve.add_argument("--timeout", type=seconds, default=30.0, metavar="S", help="stop a query after S seconds (default 30)")
    serve.add_argument("--in-memory", action="store_true",
                       help="answer from an in-memory copy of the store (faster whole-corpus queries; needs about "
                            "400 MB a million triples, printed at start; no [server] extra needed)")
    push = command("push", _cmd_push, "upload every report graph, the ontology and reference data to a SPARQL server")
    push.add_argument("--graph-store", required=True, metavar="URL", help="its SPARQL 1.1 Graph Store endpoint")
    push.add_argument("--query-endpoint", metavar="URL", help="its query endpoint, to check the upload")
    push.add_argument("--timeout", type=seconds, default=120.0, metavar="S", help="seconds per request (default 120)")
    review = command("review", _cmd_review, "list weaknesses with no owner or only a low-confidence one",
                       limited=True)
    review.add_argument("--report", metavar="REPORT", help="only this report")
    review.add_argument("--format", choices=RESULT_FORMATS, default="table")
    review.add_argument("--width", type=positive_int, metavar="N", help=WIDTH_HELP)
    export = command("export", _cmd_export, "write the store (or one report) as RDF")
    export.add_argument("--format", choices=tuple(RDF_FORMATS), default="nq")
    export.add_argument("--report", metavar="REPORT", help="only this report's graph")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (atomically)")
    network = command("network", _cmd_network, "networkx metrics, or export to GraphML/GEXF for Gephi",
                        limited=True)
    network.add_argument("--metrics", action="store_true", help="print the agency ranking, centrality and overlaps")
    network.add_argument("--export", type=Path, metavar="FILE.graphml|FILE.gexf", help="write the graph")
    network.add_argument("--report", metavar="REPORT", help="only this report")
    viz = command("viz", _cmd_viz, "draw an interactive map (HTML, works offline)",
                    limited=True)
    viz.add_argument("--view", choices=VIEWS, default="overview")
    viz.add_argument("--agency", metavar="LABEL|IRI", help="the agency, for --view agency")
    viz.add_argument("--authority", metavar="NAME", help="the authority, for --view history (e.g. Worcestershire)")
    viz.add_argument("--report", metavar="REPORT", help="only this report")
    viz.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html")
    card = command("card", _cmd_card, "write a one-page report card for an authority (Markdown or HTML, plus CSV), "
                                        "or with --national a page of maps of every authority", limited=True)
    card.add_argument("authority", nargs="?", metavar="AUTHORITY", help="the authority's area name, e.g. Worcestershire")
    card.add_argument("--national", action="store_true",
                      help="instead, two maps of England: each authority's latest overall grade, and the share of its "
                           "weaknesses owned by partners other than the council (HTML)")
    card.add_argument("--report", metavar="REPORT", help="this report rather than the authority's latest")
    card.add_argument("--format", choices=("md", "html"), help="default: from the suffix of -o")
    card.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.md|FILE.html")
    bench = command("bench", _cmd_bench, "benchmark a corpus (synthetic, or real reports with --corpus): ingest, "
                                          "store, every query, network, map", store=False)
    bench.add_argument("--reports", type=positive_int, default=150, metavar="N", help="synthetic reports (default 150)")
    bench.add_argument("--corpus", type=Path, metavar="DIR", help="a folder of real reports, instead of synthetic ones")
    bench.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    bench.add_argument("--mode", choices=("quick", "full"), default="quick",
                       help="quick (default): no bulk reload or PDFs, rdflib on 10 reports with every query capped; "
                            "full: everything, rdflib on the whole corpus with the five contract queries uncapped")
    bench.add_argument("--rdflib-cap", type=float, metavar="S",
                       help="stop each capped rdflib query after S seconds (default 1 quick, 5 full; 0: skip rdflib)")
    validate = command("validate", _cmd_validate, "check the store against the SHACL shapes")
    validate.add_argument("--full", action="store_true",
                          help="also check the whole reference data, not only the nodes the reports use")
    command("info", _cmd_info, "where the store is and what it holds")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ofsted-kg`` and ``python -m graph``."""
    args = build_parser().parse_args(argv)
    try:
        if args.limited:
            what = f"query {Path(args.name).stem!r}" if args.command == "query" and args.name else args.command
            with time_limit(args.timeout, what):
                return args.func(args)
        return args.func(args)
    except OfstedKgError as exc:
        print(f"ofsted-kg: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ofsted-kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
