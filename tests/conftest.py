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
    """The bundled sample file for an expected-records stem."""
    return next(samples_dir().glob(stem + ".*"))


@lru_cache(maxsize=None)
def parsed(stem: str):
    return read_report(sample_path(stem))


def expected(stem: str) -> dict:
    return json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=SUPPORTED)
def sample(request):
    """(report, expected) for each supported sample."""
    return parsed(request.param), expected(request.param)
