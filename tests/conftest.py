"""Shared fixtures: the sample reports, their hand-made expectations, and reports parsed once per session."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from graph.reader import read_report
from graph.vocab import samples_dir

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = FIXTURES / "expected"
SUPPORTED = sorted(p.stem for p in EXPECTED.glob("*.json"))


def sample_path(stem: str) -> Path:
    """The bundled sample file for a stem ("kent-lac-2013"), else the real report of that authority and year in
    tests/fixtures/corpus/ ("kent-sif-2017": kent_2017-06-13.pdf)."""
    authority, _, year = stem.rsplit("-", 2)
    return next(iter(sorted(samples_dir().glob(stem + ".*"))), None) or next(
        (FIXTURES / "corpus").glob(f"{authority}_{year}-*.pdf"))


@lru_cache(maxsize=None)
def parsed(stem: str):
    return read_report(sample_path(stem))


@lru_cache(maxsize=None)
def corpus_report(name: str):
    """A real report of tests/fixtures/corpus/, by file name, parsed once per session."""
    return read_report(FIXTURES / "corpus" / name)


def plain(text: str) -> str:
    """Text as the reader normalises it: straight quotes, list items run on (see graph.sources)."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").replace("\n- ", " ").split())


def front_page(report) -> dict:
    """A report's front-page facts, written as the hand-made records write them (ISO dates, None if absent)."""
    def iso(day):
        return day.isoformat() if day else None
    return {"local_authority": report.local_authority, "framework": report.framework,
            "inspection_start": iso(report.inspection_start), "inspection_end": iso(report.inspection_end),
            "published": iso(report.published)}


def report_id(stem: str) -> str:
    """The report id the store gives a sample, from its hand-made record."""
    meta = expected(stem)["report"]
    return f"{meta['local_authority'].lower()}-{meta['published'][:4]}-{meta['framework'].lower()}"


def expected(stem: str) -> dict:
    return json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=SUPPORTED)
def sample(request):
    """(report, expected) for each supported sample."""
    return parsed(request.param), expected(request.param)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """A store built once from the supported samples; tests must not change it."""
    from graph.ingest import build

    path = tmp_path_factory.mktemp("samples-store")
    results = build([sample_path(stem) for stem in SUPPORTED], path)
    assert [r.error for r in results] == [None] * len(SUPPORTED)
    return path


def start_memory_server(store, *args: str, log: Path):
    """`ofsted-kg serve --in-memory` on ``store`` and a free port, its errors written to ``log``: (process, URL,
    the first line it printed)."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with open(log, "wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "graph", "serve", "--in-memory", "--store", str(store),
                                    "--port", str(port), *args], stdout=subprocess.PIPE, stderr=err, text=True)
    banner = process.stdout.readline()
    if not banner:
        process.wait(timeout=20)
        raise AssertionError(f"the server did not start: {Path(log).read_text(encoding='utf-8')}")
    return process, f"http://127.0.0.1:{port}", banner


@pytest.fixture(scope="session")
def memory_server(sample_store, tmp_path_factory):
    """`ofsted-kg serve --in-memory` on the samples' store, on a free port with a 2-second time limit: its URL and
    the first line it printed."""
    import signal

    process, url, banner = start_memory_server(sample_store, "--timeout", "2",
                                               log=tmp_path_factory.mktemp("memory-server") / "stderr.txt")
    try:
        yield url, banner
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0


def pytest_terminal_summary(terminalreporter):
    """Print the attribution figures measured by test_attribution, development sets first."""
    try:
        from test_attribution import FIGURES
    except ImportError:
        return
    if not FIGURES:
        return
    terminalreporter.section("attribution: precision / recall / F1 against the annotations")
    for name in sorted(FIGURES, key=lambda n: (n.startswith("held-out"), n)):
        terminalreporter.write_line(name)
        for kind, (p, r, f) in FIGURES[name].items():
            terminalreporter.write_line(f"    {kind.rstrip():34} P={p:.2f} R={r:.2f} F1={f:.2f}")
