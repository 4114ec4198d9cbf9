"""Inputs that are not supported reports are refused in one line, with a non-zero exit and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.cli import main

BAD = Path(__file__).parent / "fixtures" / "bad"
EXPECTED = json.loads((BAD / "expected-errors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_refused_in_one_line(name, capsys):
    code = main(["read", str(BAD / name)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("ofsted-kg: error: ")
    assert EXPECTED[name] in err
    if "visit" in name:
        assert "supported: " in err and "LAC" in err and "SLAC" in err


def test_missing_file_and_folder(tmp_path, capsys):
    assert main(["read", str(tmp_path / "nope.pdf")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["read", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_cp1252_text_is_read(tmp_path):
    """A text export saved as Windows-1252 reads the same as UTF-8."""
    from graph.reader import read_report
    from graph.vocab import samples_dir

    text = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    target = tmp_path / "worcestershire-cp1252.txt"
    target.write_bytes(text.encode("cp1252", errors="replace"))
    utf8, cp1252 = read_report(samples_dir() / "worcestershire-slac-2010.txt"), read_report(target)
    assert [j.grade for j in cp1252.judgements] == [j.grade for j in utf8.judgements]
    assert [r.text for r in cp1252.recommendations] == [r.text for r in utf8.recommendations]


def test_no_traceback_from_the_command(tmp_path):
    """The installed entry point prints one line, not a traceback."""
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02garbage")
    result = subprocess.run([sys.executable, "-m", "graph", "read", str(bad)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_regression_a_utf16_mark_on_bytes_that_are_not_utf16_is_refused_in_one_line(tmp_path, capsys):
    """Found by the fuzz test: a UTF-16 byte-order mark before an odd number of bytes raised UnicodeDecodeError."""
    bad = tmp_path / "odd.txt"
    bad.write_bytes(b"\xfe\xff\x00\x00\x00\x00\x00\x00\x00")
    assert main(["read", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is marked as UTF-16 text but is not" in err
