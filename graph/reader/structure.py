"""Reader stage 2: the document's structure: headings (graded or not), numbered paragraphs with their list items,
subheadings and footnotes, unnumbered text where the framework keeps it, and the part that states the grades (the
Record of main findings at the end, or the first page)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records import Paragraph
from ..sources import BULLET, Line, join_lines, remove_footnote_markers, strip_superscripts
from ..template import Framework, Template, fold, is_label
from .grades import FRONT_MATTER, grade_suffix, grade_words, record_area, subject_of

_NUM = re.compile(r"^(\d{1,3})\.(?:\s+|(?=[A-Z]))(\S.*)$")
_GRADE_LINE = re.compile(r"^grade\s*([1-4])\s*\(\s*([a-z ]+?)\s*\)\.?$", re.IGNORECASE)
_INLINE_GRADE = re.compile(r"^(.+?)[.\s:\u2013-]*\s+grade\s*([1-4])\s*\(\s*([a-z ]+?)\s*\)\.?$", re.IGNORECASE)
#: A paragraph number printed without its full stop ("34 Most children …"), taken only where it is the one due.
_NUM_BARE = re.compile(r"^(\d{1,3})\s+([A-Z][a-z]*\s.*)$")
_CLOSED = re.compile(r"[.!?:;]['\")]*$")
_CONTENTS_ENTRY = re.compile(r"\s\d{1,3}$")
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z)])\d{1,2}$")
#: A paragraph the report itself links to its recommendations.
_TAG = re.compile(r"\s*\(Recommendations?\)\s*$", re.IGNORECASE)


@dataclass
class Part:
    kind: str  # "lead", "item", "sub", or "footnote" (a marker: the lines after a footnote belong to it)
    lines: list[str]
    timescale: str | None = None


@dataclass
class ParaBuilder:
    number: int | None
    key: str
    section: str | None
    path: tuple[str, ...]
    parts: list[Part]
    pages: set[int] = field(default_factory=set)
    footnotes: list[str] = field(default_factory=list)
    tagged: bool = False

    def closed(self) -> bool:
        lines = next((p.lines for p in reversed(self.parts) if p.lines), [])
        return bool(_CLOSED.search(lines[-1])) if lines else True

    def add(self, line: Line, kind: str = "", timescale: str | None = None) -> None:
        if line.page:
            self.pages.add(line.page)
        text = line.text
        if _TAG.search(text):
            self.tagged = True
            text = _TAG.sub("", text)
            if not text and self.parts:  # the tag on a line of its own: the paragraph's last line stays its end
                return
        if kind or not self.parts:
            self.parts.append(Part(kind or "lead", [text], timescale))
        else:
            self.parts[-1].lines.append(text)


@dataclass
class Heading:
    text: str  # the heading, or the area a graded heading names
    section: str | None
    grade: int | None = None
    word: str | None = None
    next_paragraph: ParaBuilder | None = None
    printed: str = ""  # the whole heading as printed, if it says more than the area ("… is that it is good")


@dataclass
class Structure:
    paragraphs: list[ParaBuilder]
    headings: list[Heading]
    record: list[Line]
    warnings: list[str]


def _body_start(lines: tuple[Line, ...]) -> int:
    for i, line in enumerate(lines):
        m = _NUM.match(line.text)
        if m and m.group(1) == "1" and not _CONTENTS_ENTRY.search(line.text):
            return i
    return len(lines)


def _grid_end(lines: tuple[Line, ...], start: int, framework: Framework, template: Template) -> int | None:
    """The line after the grid's last row (the framework's ``grid_end`` area and its grade, which may wrap:
    "Overall effectiveness Requires improvement to" / "be good"), where unheaded text follows the grid."""
    words = grade_words(framework)
    last = template.area(framework.grid_end)
    for i in range(start, min(len(lines), start + 40)):
        best = grade_suffix(lines[i].text, words)
        # "Overall effectiveness Good", or a row whose grade wraps ("… Requires improvement to" / "be good").
        if (template.exact_area(best[0]) if best else record_area(subject_of(lines[i].text), framework, template)) \
                is not last:
            continue
        parts, end = [lines[i].text], i + 1
        while end < len(lines) and end < i + 3:
            longer = grade_suffix(join_lines(parts + [lines[end].text], frozenset()), words)
            if longer is None or (best is not None and len(longer[2]) <= len(best[2])):
                break
            parts.append(lines[end].text)
            best, end = longer, end + 1
        return end if best is not None else None
    return None


def first_page_end(lines: tuple[Line, ...], framework: Framework, template: Template) -> int:
    """Where the first page (title, dates, grades) ends: the end of its grid where text follows it unheaded, else
    the first template heading after the fieldwork dates."""
    dates = next((i for i, line in enumerate(lines[:60]) if fold(line.text).startswith("inspection date")), 0)
    if framework.grid_end is not None:
        end = _grid_end(lines, dates + 1, framework, template)
        if end is not None:
            return end
    for i in range(dates + 1, len(lines)):
        text = _FOOTNOTE_MARK.sub("", lines[i].text)
        if template.heading_for(text) is not None or template.section_for(text) is not None:
            return i
    return len(lines)


def _after_contents(lines: tuple[Line, ...], i: int) -> int:
    """The first line after a contents list (entries end with a page number, and may wrap onto a second line)."""
    while i < len(lines):
        if _CONTENTS_ENTRY.search(lines[i].text):
            i += 1
        elif i + 1 < len(lines) and _CONTENTS_ENTRY.search(lines[i + 1].text) and not _NUM.match(lines[i].text):
            i += 2
        else:
            break
    return i


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


def _graded_area_heading(lines: tuple[Line, ...], i: int, framework: Framework, template: Template,
                         words: dict[str, int]) -> tuple[int, str, int, str, str] | None:
    """A heading that names a judged area and its grade in words, on one line or wrapped over up to three:
    "The experiences and progress of children who need help and protection Requires improvement", "The graded
    judgement for adoption performance is that it is good". Returns (lines, area as printed, grade, word, the
    heading as printed)."""
    parts: list[str] = []
    for count, line in enumerate(lines[i:i + 3], start=1):
        if count > 1 and (_NUM.match(line.text) or line.text.startswith(BULLET)):
            return None
        parts.append(line.text)
        split = grade_suffix(join_lines(parts, frozenset()).removesuffix("."), words)
        if split:
            subject = subject_of(split[0])
            area = record_area(subject, framework, template)
            if area is not None and template.exact_area(subject) is area:
                # A sentence ("… is that it requires improvement") is the heading; a grade in the next cell is not.
                printed = join_lines(parts, frozenset()) if subject != split[0].strip(" :") else subject
                return count, subject, split[1], split[2], printed
    return None


def _bare_grade(text: str, nxt: str, words: dict[str, int]) -> tuple[int, str] | None:
    """(lines, grade word) of a grade printed alone under its heading ("protection" / "Inadequate" / "Summary"),
    on one line or wrapped over two ("Requires" / "improvement")."""
    for count, word in ((1, fold(text)), (2, fold(f"{text} {nxt}"))):
        if word in words:
            return count, word
    return None


def line_width(lines: tuple[Line, ...]) -> int:
    """The length of a full line of text in this report (the 90th percentile of line lengths)."""
    lengths = sorted(len(line.text) for line in lines if len(line.text) > 20)
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


#: How a statement, not an action, begins: "The board is …", "Children are …", "There has been …".
_DETERMINER = frozenset("the this these those there it its a an they their we our inspectors".split())
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|remains?|continues?|does|do|did|can|cannot|will|"
                     r"would|may)\b", re.I)


def begins_with_action(text: str, framework: Framework) -> bool:
    """Whether a text's first word is an action word of the template ("Ensure", "Re-establish")."""
    first = text.split(maxsplit=1)[:1]
    return bool(first) and fold(first[0].rsplit("-", 1)[-1]) in framework.action_words


def is_action(text: str, framework: Framework) -> bool:
    """Whether a numbered paragraph under a list's heading reads as a recommended action rather than a finding the
    list ran into: it begins with an action word ("Ensure", "Re-establish", "In partnership with the board,
    improve …"), names who is to act ("The local authority to work …", "The board should …"), or at least does
    not begin as a statement does ("The board is …", "Children are …")."""
    def acts(word: str) -> bool:
        return fold(word.rsplit("-", 1)[-1]) in framework.action_words  # "Re-establish", "Co-ordinate"

    words = text.split()[:15]
    if not words:
        return False
    opening = " ".join(words)
    clause = re.match(r"[^,.;]*,\s*(\S+)", opening)
    infinitive = re.match(r"(?:[\w'’-]+\s+){1,6}?to\s+(\S+)", opening)
    if begins_with_action(text, framework) or (clause and acts(clause.group(1))) \
            or re.search(r"\b(?:should|must)\b", opening) \
            or (infinitive and acts(infinitive.group(1)) and not _FINITE.search(infinitive.group(0))):
        return True
    return fold(words[0]) not in _DETERMINER and not _FINITE.search(" ".join(words[1:7]))


def scan_structure(lines: tuple[Line, ...], framework: Framework, template: Template,
                   start_section: str | None = None) -> Structure:
    """Split the body into headings, paragraphs (lead text, list items, subheadings) and the part that grades.
    ``start_section`` is the section the body opens in (the framework's, unless the first page says otherwise)."""
    labels = template.all_heading_labels()
    words = grade_words(framework)
    out = Structure([], [], [], [])
    if framework.first_page_grades:
        start = first_page_end(lines, framework, template)
        out.record = list(lines[:start])
    else:
        start = _body_start(lines)
    width = line_width(lines)
    section: str | None = start_section or framework.start_section
    path: list[str] = []
    boilerplate = False  # under a heading whose text explains the grades in general
    para: ParaBuilder | None = None
    expected = 1
    unnumbered = 0
    # A report bound into the same file (an LSCB's inspection after the local authority's) numbers its
    # paragraphs from 1 again; their keys then carry its section's name.
    restart: str | None = None
    prefix = ""
    timescale: str | None = None
    buffer: list[Line] = []
    back_cover = False
    if start < len(lines) and start > 0 and is_label(fold(lines[start - 1].text), labels):
        path = [lines[start - 1].text]

    def new_paragraph(number: int | None, line: Line, kind: str = "lead") -> ParaBuilder:
        nonlocal para, unnumbered
        if number is None:
            unnumbered += 1
        key = f"{prefix}{number}" if number is not None else f"u{unnumbered}"
        para = ParaBuilder(number, key, section, tuple(path), [])
        out.paragraphs.append(para)
        para.add(line, kind)
        for heading in out.headings:
            if heading.next_paragraph is None:
                heading.next_paragraph = para
        return para

    def open_heading(text: str, grade: int | None = None, word: str | None = None, printed: str = "") -> None:
        nonlocal section, path, para, timescale, boilerplate, restart
        para = None
        timescale = None
        found_section = template.section_for(text)
        heading = template.heading_for(text)
        area = template.exact_area(text)
        if found_section and found_section != section:
            restart = found_section
        if found_section:
            section, path, boilerplate = found_section, [text], False
        elif heading is not None and heading.keeps_path:
            return
        elif heading is not None and (heading.within_section or heading.list_of):
            path = path[:1] + [text] if section and path else [text]
        elif heading is not None:
            section, path, boilerplate = None, [text], heading.boilerplate
        else:
            if section is None and area is not None and not boilerplate:
                section = area.section or (framework.sections[0] if len(framework.sections) == 1 else None)
                if section:
                    path = [template.section_label(section)]
            parent = template.exact_area(path[1]) if len(path) > 1 else None
            # Under the section's own heading, where the report has one (ILACS has none).
            top = path[:1] if path and template.section_for(path[0]) else []
            if area is None and parent is not None and parent.group and grade is not None:
                path = path[:2] + [printed or text]
            else:
                path = top + [printed or text]
        out.headings.append(Heading(text, section, grade, word.lower() if word else None, printed=printed or text))

    def in_list() -> int | None:
        """The depth of the list heading the current path is under, if any."""
        for depth in range(len(path) - 1, -1, -1):
            heading = template.heading_for(path[depth])
            if heading is not None and heading.list_of:
                return depth
        return None

    def flush_buffer_as_text() -> None:
        for held in buffer:
            if para is not None:
                para.add(held)
        buffer.clear()

    i = start
    previous = ""
    while i < len(lines):
        line = lines[i]
        text = line.text
        folded = fold(_FOOTNOTE_MARK.sub("", text))
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        closed = para is None or para.closed()
        if folded.startswith("record of main findings") and closed and not framework.first_page_grades:
            flush_buffer_as_text()
            out.record = list(lines[i + 1:])
            break
        if back_cover or (closed and template.ends_body(text)):
            # Ofsted's back cover ends the body, unless another report bound into the file follows it.
            two = join_lines([text, nxt], frozenset()) if nxt else text
            back_cover = template.section_for(text) is None and template.section_for(two) is None
            if back_cover:
                para = None
                i += 1
                continue
        if closed and FRONT_MATTER.match(folded):
            i += 1  # the dates on the title page of a report bound into the same file
            continue
        if folded == "contents" and closed:
            flush_buffer_as_text()
            para = None
            i = _after_contents(lines, i + 1)
            continue
        m = _NUM.match(text)
        if m is None and closed and expected > 1:
            bare = _NUM_BARE.match(text)
            m = bare if bare and int(bare.group(1)) == expected else None
        if m and not buffer and int(m.group(1)) == 1 < expected and restart == section:
            expected, prefix = 1, f"{section}-"
        if m and expected <= int(m.group(1)) <= expected + 2 and not buffer:
            number = int(m.group(1))
            restart = None
            if number != expected:
                out.warnings.append(f"paragraph numbering jumps from {expected - 1} to {number}")
            expected = number + 1
            new_paragraph(number, Line(m.group(2), line.page))
            i += 1
            previous = text
            continue
        bare_grade = _bare_grade(text, nxt, words) if para is None and out.headings else None
        if bare_grade and out.headings[-1].grade is None:
            count, word = bare_grade
            out.headings[-1].grade, out.headings[-1].word = words[word], word
            i += count
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
        if closed and not buffer and text[:1].isupper() and not text.startswith(BULLET) and framework.first_page_grades:
            graded = _graded_area_heading(lines, i, framework, template, words)
            if graded:
                count, area_text, grade, word, printed = graded
                open_heading(area_text, grade, word, printed)
                i += count
                continue
            depth = in_list()
            numbered = _NUM.match(nxt)
            if (depth is not None and numbered and len(text) < 90 and not _CLOSED.search(text)
                    and template.heading_for(text) is None and template.section_for(text) is None
                    and is_action(numbered.group(2), framework)):
                # A theme heading inside a list of actions ("Quality of practice", even "Leadership, management
                # and governance"): the list goes on under it.
                path = path[:depth + 1] + [text]
                para = None
                out.headings.append(Heading(text, section))
                i += 1
                continue
        if buffer:
            candidate = join_lines([b.text for b in buffer] + [text], frozenset())
            if is_label(fold(candidate), labels):
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
            two = join_lines([text, _FOOTNOTE_MARK.sub("", nxt)], frozenset())
            if is_label(fold(two), labels) and len(two) < 120:
                flush_buffer_as_text()
                open_heading(two)
                i += 2
                continue
        starts_block = bool(_NUM.match(nxt) or _GRADE_LINE.match(nxt)) and text[:1].isupper()
        # A heading of four words or more is one wherever it stands; a shorter one only where a paragraph ends. A
        # line in lower case that goes on with an open paragraph is its text ("… to drive improvements and" /
        # "outcomes for children and young people.").
        if is_label(folded, labels) and len(text) < 120 and (
                closed or starts_block or len(folded.split()) >= 4 and not text[:1].islower()):
            flush_buffer_as_text()
            open_heading(_FOOTNOTE_MARK.sub("", text))
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
        if para is None or (para.number is None and closed and not text.startswith(BULLET) and text[:1].isupper()
                            and len(previous) < 0.8 * width):
            if framework.unnumbered:
                # Unnumbered text (an executive summary, a list of bullets) is a paragraph of its own; a short line
                # that ends a sentence ends one.
                if text.startswith(BULLET):
                    new_paragraph(None, Line(text[len(BULLET):], line.page), "item")
                else:
                    new_paragraph(None, line)
                previous = text
            elif para is None:
                previous = text
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
            para.parts.append(Part("footnote", []))
        previous = text
        i += 1
    flush_buffer_as_text()
    return out


def finish_paragraph(builder: ParaBuilder, vocabulary: frozenset[str]) -> Paragraph:
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
        items=tuple(items), footnotes=tuple(builder.footnotes), pages=tuple(sorted(builder.pages)),
        key=builder.key, recommendation_tag=builder.tagged)
