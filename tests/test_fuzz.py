"""Fuzzed inputs: each parses or is refused in one line; none raises anything else or hangs, and a refusal
leaves the store as it was. Hypothesis runs a bounded number of examples in the normal test run."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.cli import main
from graph.errors import ReportRefused
from graph.reader import parse_source
from graph.records import Report
from graph.sources import MAX_TEXT_BYTES, source_from_bytes
from graph.vocab import samples_dir

SAMPLE = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
LINES = SAMPLE.split("\n")
BOUNDED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_refuses(name: str, data: bytes) -> Report | None:
    started = time.perf_counter()
    try:
        return parse_source(source_from_bytes(name, data))
    except ReportRefused as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(name)
        return None
    finally:
        assert time.perf_counter() - started < 30, "no input may hang the reader"


@BOUNDED
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    parses_or_refuses("random.txt", data)


@BOUNDED
@given(st.binary(max_size=4096))
def test_random_bytes_named_pdf(data):
    parses_or_refuses("random.pdf", b"%PDF-1.4\n" + data)


@BOUNDED
@given(st.integers(min_value=0, max_value=len(SAMPLE)))
def test_sample_cut_anywhere(cut):
    parses_or_refuses("cut.txt", SAMPLE[:cut].encode("utf-8"))


@BOUNDED
@given(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "swap"]),
                          st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)), max_size=6))
def test_sample_with_sections_deleted_duplicated_or_shuffled(operations):
    lines = list(LINES)
    for op, a, b in operations:
        a, b = sorted((a % len(lines), b % len(lines)))
        if op == "delete":
            del lines[a:b + 1]
        elif op == "duplicate":
            lines[b:b] = lines[a:b + 1]
        else:
            lines[a], lines[b] = lines[b], lines[a]
        if not lines:
            lines = [""]
    parses_or_refuses("edited.txt", "\n".join(lines).encode("utf-8"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252", "latin-1", "utf-32"])
def test_odd_encodings(encoding):
    report = parses_or_refuses(f"sample-{encoding}.txt", SAMPLE.encode(encoding, errors="replace"))
    if encoding in ("utf-8-sig", "utf-16", "cp1252"):
        assert report is not None and len(report.judgements) == 29


def test_a_50_mb_text_file_is_refused_at_once(tmp_path, capsys):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        for _ in range(50):
            handle.write(b"Lorem ipsum dolor sit amet. " * 37450)
    started = time.perf_counter()
    assert main(["read", str(big)]) == 2
    assert time.perf_counter() - started < 5
    assert f"larger than the {MAX_TEXT_BYTES:,}-byte limit" in capsys.readouterr().err


def test_a_scanned_pdf_with_no_text_layer_is_refused(tmp_path, capsys):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_fill_color(90, 90, 90)
    pdf.rect(20, 20, 170, 250, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    assert main(["read", str(path)]) == 2
    assert "has no text layer" in capsys.readouterr().err


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=2048))
def test_a_refused_fuzzed_file_leaves_the_store_byte_identical(tmp_path_factory, data):
    from graph.ingest import build
    from graph.store import export, open_store

    store_dir = tmp_path_factory.getbasetemp() / "fuzz-store"
    if not store_dir.exists():
        build([samples_dir() / "kent-lac-2013.pdf"], store_dir)
    with open_store(store_dir) as store:
        before = export(store, "nq")
    bad = tmp_path_factory.mktemp("fuzz") / "fuzzed.txt"
    bad.write_bytes(data)
    results = build([bad], store_dir)
    with open_store(store_dir) as store:
        after = export(store, "nq")
    if results[0].error:
        assert after == before
