"""Template parser: normalised report lines -> Report records, driven by the template in ontology/frameworks.ttl.
Pure functions; ``read_report`` is the I/O edge. One parser for every framework, in stages:

1. metadata: which framework, the authority, fieldwork and publication dates;
2. structure: headings, numbered (and, where the framework has them, unnumbered) paragraphs, the grading part;
3. grades: the Record of main findings or the first page's grid, graded headings, grade sentences;
4. lists: the recommended actions;
5. extras: statistics and cited documents;
then the assembly here, which cross-checks every grade the text states against the grading part.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import ReportRefused
from ..records import GradeStatement, Judgement, Paragraph, Report, SectionGrade
from ..sources import SourceText, read_source, word_forms
from ..template import Framework, Template, load_template
from .extras import find_cited_documents, find_statistics
from .grades import grade_words, parse_record, record_area, statement_in
from .lists import find_recommendations, place_displaced_lists
from .metadata import Metadata, add_months, detect_framework, parse_metadata
from .structure import finish_paragraph, first_page_end, scan_structure

__all__ = ["add_months", "parse_source", "read_report"]


def read_report(path: str | Path) -> Report:
    """Read and parse one report file; ReportRefused with one line if it is not a supported report."""
    return parse_source(read_source(path))


def _evidence_paragraph(j: Judgement, paragraphs: tuple[Paragraph, ...], framework: Framework,
                        template: Template) -> str | None:
    """The paragraph stating a judgement, else the first under its area's heading or the heading above that."""
    if j.statement is not None and j.statement.paragraph is not None:
        return j.statement.paragraph
    if framework.grid_end == j.area_key and paragraphs:
        return paragraphs[0].key  # the text after the grid, unheaded, speaks for its last row (ILACS's summary)
    area = template.area(j.area_key)
    for key in (area.notation, area.broader):
        for p in paragraphs:
            if p.section == j.section and any(
                    (found := template.exact_area(h)) is not None and found.notation == key for h in p.section_path):
                return p.key
    return None


def _opening_section(source: SourceText, framework: Framework, template: Template) -> str | None:
    """The section a report opens in: the framework's, unless its first page grades one other section only (a
    stand-alone review of an LSCB)."""
    if not framework.first_page_grades:
        return framework.start_section
    front = list(source.lines[:first_page_end(source.lines, framework, template)])
    sections = {row.section for row in parse_record(front, framework, template)[0] if row.area is not None}
    return sections.pop() if len(sections) == 1 else framework.start_section


def _inspection_type(framework: Framework, meta: Metadata) -> str | None:
    """The shortest kind of inspection whose fieldwork is as long as the report's (ILACS: short or standard)."""
    if not framework.inspection_types or meta.start is None or meta.end is None:
        return None
    days = (meta.end - meta.start).days + 1
    return next((kind for longest, kind in framework.inspection_types if days <= longest), None)


def _preferred(statements: list[GradeStatement]) -> GradeStatement | None:
    """The statement to cite for a grade: a sentence of the text, else a graded heading."""
    return next((s for s in statements if s.heading is None), statements[0] if statements else None)


def _place(s: GradeStatement) -> str:
    return f"paragraph {s.paragraph}" if s.heading is None else f"the heading '{s.heading}'"


def parse_source(source: SourceText, template: Template | None = None) -> Report:
    """Turn a normalised source into a Report; ReportRefused if it is not a supported report."""
    template = template or load_template()
    framework = detect_framework(source, template)
    meta = parse_metadata(source, framework)
    structure = scan_structure(source.lines, framework, template, _opening_section(source, framework, template))
    vocabulary = word_forms(line.text for line in source.lines)
    if not structure.paragraphs and not structure.record:
        raise ReportRefused(f"{source.name}: found a {framework.notation} report title but no numbered paragraphs "
                            "or Record of main findings (a truncated report?)")
    paragraphs = place_displaced_lists(tuple(finish_paragraph(b, vocabulary) for b in structure.paragraphs),
                                       framework, template)
    warnings = list(structure.warnings)
    words = grade_words(framework)
    grading = "the first page" if framework.first_page_grades else "the Record of main findings"

    # Every place the text states a grade, keyed by (section, area).
    stated: dict[tuple[str, str], list[GradeStatement]] = {}
    section_grades: list[SectionGrade] = []
    for h in structure.headings:
        if h.grade is None or h.section is None:
            continue
        area = (record_area(h.text, framework, template, h.section) if framework.first_page_grades
                else template.match_area(h.text, h.section))
        following = h.next_paragraph.key if h.next_paragraph is not None else None
        statement = GradeStatement(h.grade, h.word or "", heading=h.text, paragraph=following, quote=h.printed)
        section = (area.section if area is not None and area.section else None) or h.section
        if area is not None and area.notation in framework.areas_in_record(section):
            stated.setdefault((section, area.notation), []).append(statement)
        else:
            section_grades.append(SectionGrade(h.section, h.text, h.grade, h.word or "", following))
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
                GradeStatement(grade, word, paragraph=p.key, quote=quote))

    # A judgement's word is its grade's name: "require improvement to be good" is "requires improvement".
    named = dict(framework.grade_labels)
    rows, record_warnings = parse_record(structure.record, framework, template)
    warnings.extend(record_warnings)
    judgements: list[Judgement] = []
    recorded: set[tuple[str, str]] = set()
    for row in rows:
        if row.area is None:
            if not framework.first_page_grades:
                warnings.append(f"Record of main findings row '{row.area_text}' ({row.section}) names no known judgement area")
            continue
        key = (row.section, row.area.notation)
        if key in recorded:  # the first page states a grade twice: a grid row and a sentence
            continue
        recorded.add(key)
        statements = stated.get(key, [])
        for s in statements:
            if s.grade is not None and s.grade != row.grade:
                warnings.append(f"{_place(s)} grades '{row.area_text}' ({row.section}) {s.grade} ({s.word}), but "
                                f"{grading} gives {row.grade} ({row.word})")
        best = _preferred(statements)
        judgements.append(Judgement(row.section, row.area_text, row.area.notation, row.grade, named[row.grade],
                                    "record", best))
    for section in framework.sections:
        for notation in sorted(framework.areas_in_record(section)):
            key = (section, notation)
            if key in recorded or key not in stated:
                continue
            s = _preferred(stated[key])
            label = template.area(notation).label
            if not framework.first_page_grades:  # a SIF report grades its LSCB in the LSCB's own section
                warnings.append(f"the Record of main findings has no row for '{label}' ({section}), which "
                                f"{_place(s)} grades {s.grade} ({s.word}); the judgement is taken from the text")
            for other in stated[key]:
                if other.grade != s.grade:
                    warnings.append(f"{_place(other)} grades '{label}' ({section}) {other.grade} ({other.word}), "
                                    f"but {_place(s)} gives {s.grade} ({s.word})")
            judgements.append(Judgement(section, s.heading or label, notation, s.grade, named[s.grade], "text", s))
    if not judgements:
        raise ReportRefused(f"{source.name}: found a {framework.notation} report but no judgements "
                            f"(no grades in {grading} or the text; a truncated report?)")
    if not structure.record:
        warnings.append("the report has no Record of main findings; judgements are taken from the text")
    elif not rows:
        warnings.append(f"no grades were found in {grading}; judgements are taken from the text")
    order = {s: i for i, s in enumerate(framework.sections)}
    judgements = [replace(j, paragraph=_evidence_paragraph(j, paragraphs, framework, template)) for j in judgements]
    judgements.sort(key=lambda j: order[j.section])
    judged = {j.section for j in judgements if j.source == "record"}
    for section in framework.sections:
        if framework.first_page_grades and section not in judged:
            continue  # a re-inspection has no LSCB section, a stand-alone LSCB review no local authority one
        if not any(p.section == section for p in paragraphs):
            warnings.append(f"the section '{section}' is missing from the text")
        elif not any(j.section == section for j in judgements):
            warnings.append(f"the section '{section}' has no judgements in {grading}")

    recommendations, list_warnings = find_recommendations(paragraphs, structure.paragraphs, framework, template,
                                                          meta.published)
    warnings.extend(list_warnings)
    kind = _inspection_type(framework, meta)
    statistics = [s for p in paragraphs if template.statistics_heading(p.section_path) for s in find_statistics(p)]
    return Report(
        local_authority=meta.local_authority, framework=framework.notation,
        inspection_start=meta.start, inspection_end=meta.end, published=meta.published, inspector=meta.inspector,
        source_name=source.name, sha256=source.sha256, paragraphs=paragraphs, judgements=tuple(judgements),
        section_grades=tuple(section_grades), recommendations=tuple(recommendations),
        statistics=tuple(statistics), cited_documents=tuple(find_cited_documents(paragraphs)),
        warnings=tuple(warnings), inspection_type=kind, inspection_type_inferred=kind is not None)

