"""Reader stage 3: grades as the report states them: the Record of main findings (2009-13) or the first page's
grid and sentences (from 2013), graded headings, and paragraphs that open by stating a grade."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Paragraph
from ..sources import Line, join_lines
from ..template import Area, Framework, Template, fold

#: The dates on a title page ("Inspection date: …", "Report published: …"), folded.
FRONT_MATTER = re.compile(r"(?:inspection dates?|report published|date of publication)\b.*\d{4}$")


def grade_words(framework: Framework) -> dict[str, int]:
    """Every word or phrase a grade of the framework is printed as ("requires improvement to be good": 3)."""
    words = {word: n for n, word in framework.grades}
    if not framework.first_page_grades:
        words.setdefault("satisfactory", 3)
    return words


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def grade_suffix(text: str, words: dict[str, int]) -> tuple[str, int, str] | None:
    """Split "Area   Inadequate", "Area Inadequate Grade 4", "Area Grade 4 (inadequate)" or "Area Requires
    improvement" into (area, grade, word)."""
    alternatives = _alternatives(words)
    m = re.match(rf"^(.*?)\s*\b({alternatives})\b\s*(?:\(?\s*grade\s*([1-4])\s*\)?)?\s*$", text, re.IGNORECASE)
    if m:
        word = " ".join(m.group(2).lower().split())
        return m.group(1).strip(" :"), words[word], word
    m = re.match(rf"^(.*?)\s*\bgrade\s*([1-4])\s*\(\s*({alternatives})\s*\)\s*$", text, re.IGNORECASE)
    if m:
        return m.group(1).strip(" :"), int(m.group(2)), " ".join(m.group(3).lower().split())
    return None


#: What comes between a subject and its grade in a grade sentence: "is", "are", "is that it is", …
_VERB = re.compile(r"\s+(?:is|are)\b.*$", re.IGNORECASE)
_NUMBERING = re.compile(r"^\d+(?:\.\d+)*\.?\s+")


def subject_of(text: str) -> str:
    """The area a grade sentence or grid row names: "2.1 Adoption performance" -> "Adoption performance",
    "The graded judgement for adoption performance is that it is" -> "The graded judgement for adoption performance"."""
    return _VERB.sub("", _NUMBERING.sub("", text.strip())).strip(" :")


def record_area(text: str, framework: Framework, template: Template, section: str | None = None) -> Area | None:
    """The judgement area of the framework's Record (or first-page grid) that a row or heading names."""
    areas = {a for _, s in framework.record_areas for a in s}
    found = template.match_area(text, section)
    if found is not None and found.notation in areas:
        return found
    if framework.first_page_grades:  # a grid row may also name its area in other words than the best match
        candidates = [a for a in template.areas if a.notation in areas and (section is None or a.section in (None, section))]
        return next((a for a in candidates if template.exact_area(text) is a), None)
    return None


#: Lines between the dates and the grid: the lead inspector ("Lead inspector: …", "His Majesty's Inspector").
_ABOVE_GRID = re.compile(r"^(?:lead|reporting) inspector\b|\binspector$")


@dataclass(frozen=True)
class Row:
    section: str
    area_text: str
    area: Area | None
    grade: int
    word: str


def parse_record(lines: list[Line], framework: Framework, template: Template) -> tuple[list[Row], list[str]]:
    """Graded rows of the Record of main findings, or of the first page's grid and grade sentences, each with
    the section it falls under."""
    words = grade_words(framework)
    rows: list[Row] = []
    warnings: list[str] = []
    section = framework.sections[0] if len(framework.sections) == 1 else None
    pending: list[str] = []
    header: str | None = None
    for line in lines:
        text = line.text
        found_section = template.section_for(text)
        if found_section and not framework.first_page_grades:
            section, pending, header = found_section, [], None
            continue
        if framework.first_page_grades and _NUMBERING.match(text):
            pending = []  # a numbered row of the grid starts
        joined = False
        split = None
        if pending and framework.first_page_grades:
            # A grade split over lines: "... protection Requires" / "Improvement", "... require improvement to be" /
            # "good": the longest reading across the break wins.
            split = grade_suffix(join_lines(pending + [text], frozenset()), words)
            joined = split is not None
        if split is None:
            split = grade_suffix(text, words)
            joined = False
        if split:
            prefix, grade, word = split
            if joined:
                area_text = prefix
            else:
                area_text = join_lines(pending + ([prefix] if prefix else []), frozenset()) or header or ""
            pending, header = [], None
            if framework.first_page_grades:
                area_text = subject_of(area_text)
                area = record_area(area_text, framework, template)
                row_section = (area.section if area else None) or section or framework.start_section
            else:
                area, row_section = template.match_area(area_text, section), section
            if not area_text or row_section is None:
                continue
            if words.get(word) != grade:
                warnings.append(f"the Record of main findings gives '{area_text}' both '{word}' and grade {grade}")
            rows.append(Row(row_section, area_text, area, grade, word))
            continue
        if framework.first_page_grades and (re.search(r"[.!?:]['\")]*$", text) or FRONT_MATTER.match(fold(text))
                                            or _ABOVE_GRID.search(fold(text)) or template.heading_for(text)):
            pending = []  # a sentence, the inspector or the grid's header, not the start of an area's name
            continue
        exact = template.exact_area(text)
        if exact is not None and exact.group and not pending:
            header = text
            continue
        if header is not None and text[:1].islower():
            pending, header = [header], None
        pending.append(text)
    return rows, warnings


def statement_in(paragraph: Paragraph, words: dict[str, int]) -> tuple[str, int, str, str] | None:
    """(subject, grade, word, quote) where a paragraph opens by stating a grade: "Service responsiveness is
    inadequate", "The LSCB in Norfolk requires improvement"."""
    first = re.split(r"(?<=[.!?])\s+", paragraph.text, maxsplit=1)[0]
    m = re.match(
        rf"^(?P<subject>[^.;]{{3,220}}?)\s+(?P<verb>(?:is|are)\s+(?:(?:now|currently|overall|judged(?: to be)?|"
        rf"at least|that (?:it|they)(?: is| are)?)\s+)*)?(?P<word>{_alternatives(words)})\b(?:\s+overall)?\s*"
        r"(?:[.;,:]|$|\s+(?:but|and|with|although|though|while|because)\b)", first, re.IGNORECASE)
    if not m:
        return None
    word = " ".join(m.group("word").lower().split())
    # Without "is"/"are", only the verb of the grade itself states it: "The LSCB requires improvement".
    if not m.group("verb") and not word.startswith("requires"):
        return None
    return m.group("subject"), words[word], word, first
