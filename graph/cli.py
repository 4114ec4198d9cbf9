"""The ``ofsted-kg`` command. Each command is a few lines over the library; errors are one line on stderr."""

from __future__ import annotations

import argparse
import json
import sys

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
    lines = [
        f"{report.source_name}: {report.local_authority}, {report.framework}, inspected "
        f"{report.inspection_start} to {report.inspection_end}, published {report.published}, by {report.inspector}",
        f"  {len(report.paragraphs)} paragraphs, {len(report.judgements)} judgements, "
        f"{len(report.recommendations)} recommendations, {len(report.statistics)} statistics, "
        f"{len(report.cited_documents)} cited documents",
    ]
    lines += [f"  warning: {w}" for w in report.warnings]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ofsted-kg", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    read = sub.add_parser("read", help="read reports and print what was found")
    read.add_argument("reports", nargs="+", metavar="REPORT", help="a report file (.txt or .pdf)")
    read.add_argument("--format", choices=("summary", "json"), default="summary")
    read.set_defaults(func=_cmd_read)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ofsted-kg`` and ``python -m graph``."""
    args = build_parser().parse_args(argv)
    try:
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
