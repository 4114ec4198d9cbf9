"""Template parser: normalised report lines -> Report records. Pure functions; ``read_report`` is the I/O edge."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from . import vocab
from .errors import ReportRefused
from .records import (
    CitedDocument, GradeStatement, Judgement, Paragraph, Recommendation, Report, SectionGrade, Statistic,
)
from .sources import (
    BULLET, Line, SourceText, join_lines, read_source, remove_footnote_markers, strip_superscripts, word_forms,
)
from .template import Area, Framework, Template, fold, load_template

_NUM = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_GRADE_LINE = re.compile(r"^grade\s*([1-4])\s*\(\s*([a-z ]+?)\s*\)\.?$", re.IGNORECASE)
_INLINE_GRADE = re.compile(r"^(.+?)[.\s:\u2013-]*\s+grade\s*([1-4])\s*\(\s*([a-z ]+?)\s*\)\.?$", re.IGNORECASE)
_CLOSED = re.compile(r"[.!?:;]['\")]*$")
_CONTENTS_ENTRY = re.compile(r"\s\d{1,3}$")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_DATE = r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})"


def read_report(path: str | Path) -> Report:
    """Read and parse one report file; ReportRefused with one line if it is not a supported report."""
    return parse_source(read_source(path))


# ----------------------------------------------------------------------------------------------- framework

def detect_framework(source: SourceText, template: Template) -> Framework:
    """The framework named by the report's title; refuses unsupported or unrecognised reports."""
    head = fold(" ".join(line.text for line in source.lines[:60]))
    found = [f for f in template.frameworks for phrase in f.title_phrases if phrase in head]
    supported = ", ".join(f.label for f in template.frameworks if f.supported)
    if not found:
        raise ReportRefused(
            f"{source.name}: not an Ofsted children's services inspection report of a supported framework "
            f"(no report title found); supported: {supported}")
    framework = found[0]
    if not framework.supported:
        raise ReportRefused(
            f"{source.name}: is a {framework.label} report, a framework ofsted-kg does not support yet; "
            f"supported: {supported}")
    return framework


# ----------------------------------------------------------------------------------------------- metadata

def _date(day: str, month: str, year: str) -> dt.date | None:
    number = _MONTHS.get(month.lower())
    try:
        return dt.date(int(year), number, int(day)) if number else None
    except ValueError:
        return None


def add_months(date: dt.date, months: int) -> dt.date:
    """Same day of the month, ``months`` later (clamped to the month's last day)."""
    month0 = date.month - 1 + months
    year, month = date.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class _Metadata:
    local_authority: str
    start: dt.date | None
    end: dt.date | None
    published: dt.date | None
    inspector: str | None


def parse_metadata(source: SourceText, framework: Framework) -> _Metadata:
    """Authority, dates and reporting inspector from the report's front page."""
    head = "\n".join(line.text for line in source.lines[:40])
    flat = re.sub(r"\s+", " ", head)
    start = end = published = None
    m = re.search(r"Inspection dates?:?\s*(\d{1,2})(?:\s+([A-Za-z]+))?(?:\s+(\d{4}))?\s*[\u2013\u2014-]+\s*" + _DATE, flat)
    if m:
        end = _date(m.group(4), m.group(5), m.group(6))
        start = _date(m.group(1), m.group(2) or m.group(5), m.group(3) or m.group(6))
    m = re.search(r"Published:?\s*" + _DATE, flat)
    if m:
        published = _date(*m.groups())
    m = re.search(r"Reporting inspector:?\s*([^\n]+)", head)
    inspector = re.sub(r"\s+(HMI|HM Inspector)$", "", m.group(1).strip()) if m else None
    authority = ""
    phrase_words = framework.title_phrases[0].split()
    pattern = r"\W+".join(map(re.escape, phrase_words)) + r"\W*(.*?)\s*Inspection dates?"
    m = re.search(pattern, flat, re.IGNORECASE)
    if m:
        authority = m.group(1)
    authority = re.sub(r"^(?:the\s+)?(?:London Borough of|Royal Borough of)\s+", "", authority.strip(" :-\u2013"))
    authority = re.sub(r"\s+(?:(?:County|City|Borough|Metropolitan Borough|District)\s+)?Council$", "", authority)
    if not authority:
        raise ReportRefused(f"{source.name}: found the report title but not the local authority's name")
    return _Metadata(authority, start, end, published, inspector)


# ----------------------------------------------------------------------------------------------- structure

@dataclass
class _Part:
    kind: str  # "lead", "item", "sub", or "footnote" (a marker: the lines after a footnote belong to it)
    lines: list[str]
    timescale: str | None = None


@dataclass
class _ParaBuilder:
    number: int
    section: str | None
    path: tuple[str, ...]
    parts: list[_Part]
    pages: set[int] = field(default_factory=set)
    footnotes: list[str] = field(default_factory=list)

    def closed(self) -> bool:
        lines = next((p.lines for p in reversed(self.parts) if p.lines), [])
        return bool(_CLOSED.search(lines[-1])) if lines else True

    def add(self, line: Line, kind: str = "", timescale: str | None = None) -> None:
        if line.page:
            self.pages.add(line.page)
        if kind:
            self.parts.append(_Part(kind, [line.text], timescale))
        else:
            self.parts[-1].lines.append(line.text)


@dataclass
class _Heading:
    text: str
    section: str | None
    grade: int | None = None
    word: str | None = None
    next_paragraph: int | None = None


@dataclass
class _Structure:
    paragraphs: list[_ParaBuilder]
    headings: list[_Heading]
    record: list[Line]
    warnings: list[str]


def _body_start(lines: tuple[Line, ...]) -> int:
    for i, line in enumerate(lines):
        m = _NUM.match(line.text)
        if m and m.group(1) == "1" and not _CONTENTS_ENTRY.search(line.text):
            return i
    return len(lines)


def _inline_graded_heading(lines: tuple[Line, ...], i: int) -> tuple[int, re.Match] | None:
    """A heading that ends in "Grade N (word)", on one line or wrapped over up to three."""
    parts: list[str] = []
    for count, line in enumerate(lines[i:i + 3], start=1):
        if count > 1 and (_NUM.match(line.text) or line.text.startswith(BULLET)):
            return None
        parts.append(line.text)
        joined = join_lines(parts, frozenset())
        match = _INLINE_GRADE.match(joined)
        if match and len(match.group(1)) < 220:
            return count, match
    return None


def scan_structure(lines: tuple[Line, ...], framework: Framework, template: Template) -> _Structure:
    """Split the body into headings, numbered paragraphs (lead text, list items, subheadings) and the Record."""
    labels = template.all_heading_labels()
    out = _Structure([], [], [], [])
    start = _body_start(lines)
    section: str | None = None
    path: list[str] = []
    para: _ParaBuilder | None = None
    expected = 1
    timescale: str | None = None
    buffer: list[Line] = []
    if start < len(lines) and start > 0 and fold(lines[start - 1].text) in labels:
        path = [lines[start - 1].text]

    def open_heading(text: str, grade: int | None = None, word: str | None = None) -> None:
        nonlocal section, path, para, timescale
        para = None
        timescale = None
        folded = fold(text)
        found_section = template.section_for(text)
        heading = template.heading_for(text)
        area = template.exact_area(text)
        if found_section:
            section, path = found_section, [text]
        elif heading and heading != "areas-for-improvement":
            section, path = None, [text]
        elif heading == "areas-for-improvement":
            path = path[:1] + [text] if section else [text]
        else:
            if section is None and len(framework.sections) == 1 and area is not None:
                section = framework.sections[0]
                path = [template.section_label(section)]
            parent = template.exact_area(path[1]) if len(path) > 1 else None
            if area is None and parent is not None and parent.group and grade is not None:
                path = path[:2] + [text]
            else:
                path = path[:1] + [text]
        out.headings.append(_Heading(text, section, grade, word.lower() if word else None))
        del folded

    def flush_buffer_as_text() -> None:
        for held in buffer:
            if para is not None:
                para.add(held)
        buffer.clear()

    i = start
    while i < len(lines):
        line = lines[i]
        text = line.text
        folded = fold(text)
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        closed = para is None or para.closed()
        if folded.startswith("record of main findings") and closed:
            flush_buffer_as_text()
            out.record = list(lines[i + 1:])
            break
        m = _NUM.match(text)
        if m and expected <= int(m.group(1)) <= expected + 2 and not buffer:
            number = int(m.group(1))
            if number != expected:
                out.warnings.append(f"paragraph numbering jumps from {expected - 1} to {number}")
            expected = number + 1
            para = _ParaBuilder(number, section, tuple(path), [])
            out.paragraphs.append(para)
            para.add(Line(m.group(2), line.page), "lead")
            for heading in out.headings:
                if heading.next_paragraph is None:
                    heading.next_paragraph = number
            i += 1
            continue
        g = _GRADE_LINE.match(text)
        if g:
            if buffer:
                open_heading(" ".join(b.text for b in buffer))
                buffer.clear()
            if out.headings and para is None:
                out.headings[-1].grade, out.headings[-1].word = int(g.group(1)), g.group(2).lower()
            i += 1
            continue
        if buffer:
            candidate = join_lines([b.text for b in buffer] + [text], frozenset())
            if fold(candidate) in labels:
                buffer.clear()
                open_heading(candidate)
                i += 1
                continue
            if any(label.startswith(fold(candidate) + " ") for label in labels):
                buffer.append(line)
                i += 1
                continue
            flush_buffer_as_text()
        if nxt and text[:1].isupper() and not _NUM.match(text):
            two = join_lines([text, nxt], frozenset())
            if fold(two) in labels and len(two) < 120:
                flush_buffer_as_text()
                open_heading(two)
                i += 2
                continue
        starts_block = bool(_NUM.match(nxt) or _GRADE_LINE.match(nxt)) and text[:1].isupper()
        if folded in labels and len(text) < 120 and (closed or starts_block):
            flush_buffer_as_text()
            open_heading(text)
            i += 1
            continue
        if closed and not text.startswith(BULLET):
            span = _inline_graded_heading(lines, i) if text[:1].isupper() else None
            if span:
                count, inline = span
                open_heading(inline.group(1).rstrip(". "), int(inline.group(2)), inline.group(3))
                i += count
                continue
            if len(folded.split()) >= 2 and not _CLOSED.search(text) and any(
                    label.startswith(folded + " ") for label in labels):
                buffer.append(line)
                i += 1
                continue
            if _GRADE_LINE.match(nxt) and len(text) < 120 and not _CLOSED.search(text) and text[:1].isupper():
                open_heading(text)
                i += 1
                continue
        if para is None:
            i += 1
            continue
        found_timescale = template.timescale_for(text.rstrip(":"))
        if found_timescale and len(text) < 40:
            timescale = found_timescale[0]
            para.add(Line(text, line.page), "sub")
        elif text.startswith(BULLET):
            para.add(Line(text[len(BULLET):], line.page), "item", timescale)
        elif strip_superscripts(text)[0]:
            para.footnotes.append(strip_superscripts(text)[1])
        elif para.footnotes and para.parts[-1].kind == "footnote":
            para.footnotes[-1] = join_lines([para.footnotes[-1], text], frozenset())
        else:
            para.add(line)
        if para.footnotes and strip_superscripts(text)[0]:
            para.parts.append(_Part("footnote", []))
        i += 1
    flush_buffer_as_text()
    return out


def _finish_paragraph(builder: _ParaBuilder, vocabulary: frozenset[str]) -> Paragraph:
    texts: list[str] = []
    items: list[str] = []
    for part in builder.parts:
        if part.kind == "footnote":
            continue
        joined = remove_footnote_markers(join_lines(part.lines, vocabulary))
        if part.kind == "item":
            items.append(joined)
            texts.append("- " + joined)
        else:
            texts.append(joined)
    return Paragraph(
        number=builder.number, section=builder.section, section_path=builder.path, text="\n".join(texts),
        items=tuple(items), footnotes=tuple(builder.footnotes), pages=tuple(sorted(builder.pages)))


# ----------------------------------------------------------------------------------------------- grades

def _grade_words(framework: Framework) -> dict[str, int]:
    words = {word: n for n, word in framework.grades}
    words.setdefault("satisfactory", 3)
    return words


def _grade_suffix(text: str, words: dict[str, int]) -> tuple[str, int, str] | None:
    """Split "Area   Inadequate", "Area Inadequate Grade 4" or "Area Grade 4 (inadequate)" into its parts."""
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    m = re.match(rf"^(.*?)\s*\b({alternatives})\b\s*(?:\(?\s*grade\s*([1-4])\s*\)?)?\s*$", text, re.IGNORECASE)
    if m:
        return m.group(1).strip(" :"), words[m.group(2).lower()], m.group(2).lower()
    m = re.match(rf"^(.*?)\s*\bgrade\s*([1-4])\s*\(\s*({alternatives})\s*\)\s*$", text, re.IGNORECASE)
    if m:
        return m.group(1).strip(" :"), int(m.group(2)), m.group(3).lower()
    return None


@dataclass(frozen=True)
class _Row:
    section: str
    area_text: str
    area: Area | None
    grade: int
    word: str


def parse_record(lines: list[Line], framework: Framework, template: Template) -> tuple[list[_Row], list[str]]:
    """Rows of the Record of main findings, with the section each falls under."""
    words = _grade_words(framework)
    rows: list[_Row] = []
    warnings: list[str] = []
    section = framework.sections[0] if len(framework.sections) == 1 else None
    pending: list[str] = []
    header: str | None = None
    for line in lines:
        text = line.text
        found_section = template.section_for(text)
        if found_section:
            section, pending, header = found_section, [], None
            continue
        split = _grade_suffix(text, words)
        if split:
            prefix, grade, word = split
            area_text = join_lines(pending + ([prefix] if prefix else []), frozenset()) or header or ""
            pending, header = [], None
            if not area_text or section is None:
                continue
            if words.get(word) != grade:
                warnings.append(f"the Record of main findings gives '{area_text}' both '{word}' and grade {grade}")
            rows.append(_Row(section, area_text, template.match_area(area_text, section), grade, word))
            continue
        exact = template.exact_area(text)
        if exact is not None and exact.group and not pending:
            header = text
            continue
        if header is not None and text[:1].islower():
            pending, header = [header], None
        pending.append(text)
    return rows, warnings


_STATEMENT = re.compile(
    r"^(?P<subject>[^.;]{3,220}?)\s+(?:is|are)\s+(?:(?:now|currently|overall|judged(?: to be)?|at least)\s+)*"
    r"(?P<word>[a-z]+)\b(?:\s+overall)?\s*(?:[.;,:]|$|\s+(?:but|and|with|although|though|while)\b)",
    re.IGNORECASE)


def statement_in(paragraph: Paragraph, words: dict[str, int]) -> tuple[str, int, str, str] | None:
    """(subject, grade, word, quote) where a paragraph opens by stating a grade."""
    first = re.split(r"(?<=[.!?])\s+", paragraph.text, maxsplit=1)[0]
    m = _STATEMENT.match(first)
    if not m or m.group("word").lower() not in words:
        return None
    return m.group("subject"), words[m.group("word").lower()], m.group("word").lower(), first


# ----------------------------------------------------------------------------------------------- extras

_STAT = re.compile(
    r"(?<![\w.,£/-])(?:approximately |about |around |over |just over |some |nearly |almost )?"
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<pct>%| per cent)?(?P<paren>\s*\([^)]{1,40}\))?\s+"
    r"(?:(?:are|were|is|was|had)\s+)?"
    r"(?P<what>(?:of\s+(?:the\s+)?)?(?:children and young people|[A-Za-z][A-Za-z'\-]*(?:\s+(?:[A-Za-z][A-Za-z'\-]*|\d+-\d+))*?))"
    r"(?P<rel>\s+(?:who|which|that)\s+[^,.;:()]{3,80})?(?=\s*[,.;:()]|\s+(?:in|at|from|and|with|compared|as|across|since|to|for|aged|representing|were|was|are|is|had|have)\b|$)")


_RATE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s+per\s+(\d{1,3}(?:,\d{3})+|\d+)\b")


def find_statistics(paragraph: Paragraph) -> list[Statistic]:
    """Numbers in a Service information paragraph and what each counts."""
    stats: list[Statistic] = []
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph.text):
        for m in _STAT.finditer(sentence):
            raw, what = m.group("num"), m.group("what").strip()
            value = float(raw.replace(",", ""))
            is_year = "," not in raw and "." not in raw and 1900 <= value <= 2099 and not m.group("pct")
            if is_year or not what or re.fullmatch(r"of|the|(?:is|are|was|were|had|has|have|placed)\b.*", what, re.IGNORECASE):
                continue
            counts = (what + (m.group("rel") or "")).strip()
            stats.append(Statistic(value=value, unit="percent" if m.group("pct") else "count",
                                   counts=counts, sentence=sentence, paragraph=paragraph.number))
            share = re.search(r"(\d+(?:\.\d+)?)%", m.group("paren") or "")
            if share:
                stats.append(Statistic(value=float(share.group(1)), unit="percent", counts=counts,
                                       sentence=sentence, paragraph=paragraph.number))
        for m in _RATE.finditer(sentence):
            per = m.group(2).replace(",", "")
            stats.append(Statistic(value=float(m.group(1)), unit=f"per {per}", counts=f"rate per {m.group(2)}",
                                   sentence=sentence, paragraph=paragraph.number))
    return stats


@lru_cache(maxsize=1)
def _guidance_aliases() -> tuple[tuple[str, str], ...]:
    store = vocab.ontology_store("guidance.ttl")
    rows = store.query(vocab.sparql_prologue() + """SELECT ?title ?alias WHERE {
        ?g dcterms:title ?title ; skos:altLabel ?alias }""")
    pairs = {(r["alias"].value, r["title"].value) for r in rows}
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


_ACT = re.compile(r"\b((?:[A-Z][A-Za-z']*|\((?:[A-Z][A-Za-z]*\s?)+\))(?:\s+(?:and|of|for|the|[A-Z][A-Za-z']*|\((?:[A-Z][A-Za-z]*\s?)+\)))*\s+Act)\s+((?:18|19|20)\d\d)\b")


def find_cited_documents(paragraphs: tuple[Paragraph, ...]) -> list[CitedDocument]:
    """Legislation and guidance named in the text, first mention of each (title, year)."""
    found: dict[tuple[str, int | None], CitedDocument] = {}
    for p in paragraphs:
        texts = [p.text, *p.footnotes]
        for text in texts:
            taken: list[tuple[int, int]] = []
            for m in _ACT.finditer(text):
                title = re.sub(r"^(?:The|the|Under|under|Of|of)\s+", "", m.group(1))
                key = (f"{title} {m.group(2)}", int(m.group(2)))
                taken.append(m.span())
                found.setdefault(key, CitedDocument(key[0], key[1], p.number, m.group(0)))
            for alias, title in _guidance_aliases():
                for m in re.finditer(r"\b" + re.escape(alias) + r"\b['\"]?(?:[^.;]{0,40}?\(?(\d{4})\)?)?", text, re.IGNORECASE):
                    if any(a <= m.start() < b for a, b in taken):
                        continue
                    if alias.isupper() and not text[m.start():m.end()].startswith(alias):
                        continue
                    year = int(m.group(1)) if m.group(1) else None
                    if year is None and text is not p.text:
                        years = re.findall(r"\b(?:19|20)\d\d\b", text)
                        year = int(years[-1]) if years else None
                    taken.append(m.span())
                    found.setdefault((title, year), CitedDocument(title, year, p.number, m.group(0)))
    dated = {(d.title, d.paragraph) for d in found.values() if d.year is not None}
    kept = [d for d in found.values() if d.year is not None or (d.title, d.paragraph) not in dated]
    return sorted(kept, key=lambda d: (d.paragraph, d.title, d.year or 0))


# ----------------------------------------------------------------------------------------------- assembly

def _evidence_paragraph(j: Judgement, paragraphs: tuple[Paragraph, ...], template: Template) -> int | None:
    """The paragraph stating a judgement, else the first under its area's heading or the heading above that."""
    if j.statement is not None and j.statement.paragraph is not None:
        return j.statement.paragraph
    area = template.area(j.area_key)
    for key in (area.notation, area.broader):
        for p in paragraphs:
            if p.section == j.section and any(
                    (found := template.exact_area(h)) is not None and found.notation == key for h in p.section_path):
                return p.number
    return None


def parse_source(source: SourceText, template: Template | None = None) -> Report:
    """Turn a normalised source into a Report; ReportRefused if it is not a supported report."""
    template = template or load_template()
    framework = detect_framework(source, template)
    meta = parse_metadata(source, framework)
    structure = scan_structure(source.lines, framework, template)
    if not structure.paragraphs and not structure.record:
        raise ReportRefused(f"{source.name}: found a {framework.notation} report title but no numbered paragraphs "
                            "or Record of main findings (a truncated report?)")
    vocabulary = word_forms(line.text for line in source.lines)
    paragraphs = tuple(_finish_paragraph(b, vocabulary) for b in structure.paragraphs)
    warnings = list(structure.warnings)
    words = _grade_words(framework)

    # Every place the text states a grade, keyed by (section, area).
    stated: dict[tuple[str, str], list[GradeStatement]] = {}
    section_grades: list[SectionGrade] = []
    for h in structure.headings:
        if h.grade is None or h.section is None:
            continue
        area = template.match_area(h.text, h.section)
        statement = GradeStatement(h.grade, h.word or "", heading=h.text, paragraph=h.next_paragraph, quote=h.text)
        if area is not None and area.notation in framework.areas_in_record(h.section):
            stated.setdefault((h.section, area.notation), []).append(statement)
        else:
            section_grades.append(SectionGrade(h.section, h.text, h.grade, h.word or "", h.next_paragraph))
    for p in paragraphs:
        if p.section is None:
            continue
        found = statement_in(p, words)
        if not found:
            continue
        subject, grade, word, quote = found
        area = template.match_area(subject, p.section, opening_only=True)
        if area is not None and area.notation in framework.areas_in_record(p.section):
            stated.setdefault((p.section, area.notation), []).append(
                GradeStatement(grade, word, paragraph=p.number, quote=quote))

    rows, record_warnings = parse_record(structure.record, framework, template)
    warnings.extend(record_warnings)
    judgements: list[Judgement] = []
    recorded: set[tuple[str, str]] = set()
    for row in rows:
        if row.area is None:
            warnings.append(f"Record of main findings row '{row.area_text}' ({row.section}) names no known judgement area")
            continue
        key = (row.section, row.area.notation)
        recorded.add(key)
        statements = stated.get(key, [])
        for s in statements:
            if s.grade is not None and s.grade != row.grade:
                where = f"paragraph {s.paragraph}" if s.heading is None else f"the heading '{s.heading}'"
                warnings.append(
                    f"{where} grades '{row.area_text}' ({row.section}) {s.grade} ({s.word}), but the Record of main "
                    f"findings gives {row.grade} ({row.word})")
        best = next((s for s in statements if s.heading is None), statements[0] if statements else None)
        judgements.append(Judgement(row.section, row.area_text, row.area.notation, row.grade, row.word, "record", best))
    for section in framework.sections:
        for notation in sorted(framework.areas_in_record(section)):
            key = (section, notation)
            if key in recorded or key not in stated:
                continue
            s = next((x for x in stated[key] if x.heading is None), stated[key][0])
            place = f"paragraph {s.paragraph}" if s.heading is None else f"the heading '{s.heading}'"
            label = template.area(notation).label
            warnings.append(f"the Record of main findings has no row for '{label}' ({section}), which {place} "
                            f"grades {s.grade} ({s.word}); the judgement is taken from the text")
            judgements.append(Judgement(section, label, notation, s.grade, s.word, "text", s))
    if not judgements:
        raise ReportRefused(f"{source.name}: found a {framework.notation} report but no judgements "
                            "(no Record of main findings and no graded areas; a truncated report?)")
    if not structure.record:
        warnings.append("the report has no Record of main findings; judgements are taken from the text")
    order = {s: i for i, s in enumerate(framework.sections)}
    judgements = [replace(j, paragraph=_evidence_paragraph(j, paragraphs, template)) for j in judgements]
    judgements.sort(key=lambda j: order[j.section])
    for section in framework.sections:
        if not any(p.section == section for p in paragraphs):
            warnings.append(f"the section '{section}' is missing from the text")
        elif not any(j.section == section for j in judgements):
            warnings.append(f"the section '{section}' has no judgements in the Record of main findings")

    recommendations: list[Recommendation] = []
    for p in paragraphs:
        if not p.section_path or fold(p.section_path[-1]) != "areas for improvement":
            continue
        builder = next(b for b in structure.paragraphs if b.number == p.number)
        item_parts = [part for part in builder.parts if part.kind == "item"]
        for part, text in zip(item_parts, p.items):
            months = next((m for n, m, _ in template.timescales if n == part.timescale), None)
            if part.timescale is None:
                warnings.append(f"paragraph {p.number}: the action '{text[:40]}…' has no timescale")
            deadline = add_months(meta.published, months) if meta.published and months is not None else None
            recommendations.append(Recommendation(p.section or "", len(recommendations) + 1,
                                                  part.timescale or "unspecified", deadline, text, p.number))

    statistics = [s for p in paragraphs if p.section_path and fold(p.section_path[-1]) == "service information"
                  for s in find_statistics(p)]
    return Report(
        local_authority=meta.local_authority, framework=framework.notation,
        inspection_start=meta.start, inspection_end=meta.end, published=meta.published, inspector=meta.inspector,
        source_name=source.name, sha256=source.sha256, paragraphs=paragraphs, judgements=tuple(judgements),
        section_grades=tuple(section_grades), recommendations=tuple(recommendations),
        statistics=tuple(statistics), cited_documents=tuple(find_cited_documents(paragraphs)),
        warnings=tuple(warnings))
