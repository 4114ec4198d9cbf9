"""Normalisation of report text, and the PDF route giving the same records as the text route."""

from __future__ import annotations

import pytest

from graph.reader import read_report
from graph.sources import BULLET, join_lines, normalise_chars, normalise_pages, word_forms
from graph.vocab import samples_dir

from graph.synthetic import FONT, text_to_pdf


@pytest.mark.parametrize("raw, clean", [
    ("\u2018Who cares?\u2019 \u201cWe care\u201d", "'Who cares?' \"We care\""),
    ("non\u00a0breaking  and   runs", "non breaking and runs"),
    ("\ufb01rst e\ufb00ort", "first effort"),
    ("soft\u00adhyphen", "softhyphen"),
    ("*'Achieving Best Evidence'* guidance", "'Achieving Best Evidence' guidance"),
])
def test_characters(raw, clean):
    assert normalise_chars(raw) == clean


def test_regression_gcse_grade_asterisk_kept():
    """'A*-C' is a grade, not Markdown emphasis (it was once stripped from the text export only)."""
    assert normalise_chars("5 GCSEs A*-C or equivalent, one GCSE A*-G") == "5 GCSEs A*-C or equivalent, one GCSE A*-G"


@pytest.mark.parametrize("bullet", ["\u2022", "\uf0a7", "\uf0b7", "-"])
def test_bullets_unified(bullet):
    lines = normalise_pages([f"{bullet} improve the timeliness of care proceedings"], pdf=True)
    assert lines[0].text == BULLET + "improve the timeliness of care proceedings"


def test_bullet_alone_on_its_line_joins_the_next():
    lines = normalise_pages(["\uf0b7\nensure that all children have a care plan"], pdf=True)
    assert [ln.text for ln in lines] == [BULLET + "ensure that all children have a care plan"]


def test_running_headers_footers_and_page_numbers_dropped():
    body = ["Placements are stable.", "Care plans are weak.", "Visits are timely.", "Reviews are late.",
            "Health assessments are done.", "Care leavers are supported.", "Complaints are answered."]
    pages = [f"Kent County Council Inspection of looked after children services {n}\n{line}\n{n}"
             for n, line in enumerate(body, start=1)]
    lines = normalise_pages(pages, pdf=True)
    assert [ln.text for ln in lines] == body
    assert [ln.page for ln in lines] == list(range(1, 8))


def test_hyphenation_mended_only_where_the_report_agrees():
    vocab = word_forms(["the wellbeing of children", "a multi-agency meeting"])
    assert join_lines(["their well-", "being matters"], vocab) == "their wellbeing matters"
    assert join_lines(["a multi-", "agency meeting"], vocab) == "a multi-agency meeting"
    assert join_lines(["wrapped", "line"], vocab) == "wrapped line"


def test_pdfium_soft_hyphen_marker_restored():
    lines = normalise_pages(["a good multi\x02agency partnership and multi-agency work\nin mid\x022012"], pdf=True)
    assert lines[0].text == "a good multi-agency partnership and multi-agency work"
    assert lines[1].text == "in mid-2012"


@pytest.fixture(scope="module")
def worcestershire_pdf(tmp_path_factory):
    if not FONT.exists():
        pytest.fail(f"{FONT} is missing: install Debian's fonts-dejavu-core (.ci/run does)")
    text = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    target = tmp_path_factory.mktemp("pdf") / "worcestershire-slac-2010.pdf"
    return text_to_pdf(text, target, "Inspection of safeguarding and looked after children services: Worcestershire")


def test_text_and_pdf_give_the_same_records(worcestershire_pdf):
    from_text = read_report(samples_dir() / "worcestershire-slac-2010.txt")
    from_pdf = read_report(worcestershire_pdf)
    assert from_pdf.warnings == ()
    for field in ("local_authority", "framework", "inspection_start", "inspection_end", "published", "inspector",
                  "judgements", "section_grades", "recommendations", "statistics", "cited_documents"):
        assert getattr(from_pdf, field) == getattr(from_text, field), field
    assert [(p.number, p.section, p.section_path, p.text, p.items) for p in from_pdf.paragraphs] == \
        [(p.number, p.section, p.section_path, p.text, p.items) for p in from_text.paragraphs]
    assert all(p.pages for p in from_pdf.paragraphs)
    assert any(len(p.pages) == 2 for p in from_pdf.paragraphs)
