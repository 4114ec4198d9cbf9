"""Typed records of what an inspection report says. Frozen dataclasses, no I/O.

Text offsets: every ``Paragraph.text`` is the paragraph's normalised text (see ``graph.sources``), and
offsets into it count Unicode code points from 0, end exclusive, as Python string slicing does and as
``oa:TextPositionSelector`` expects. The text is the lead prose, then one line per list item written
``"- item"``, and one line per in-list subheading (such as ``"Within three months:"``), joined by ``"\\n"``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, with where it sits in the report and which PDF pages it is on.

    Its ``key`` names it in the report: its printed number ("25"), or for unnumbered text (an executive summary, a
    list of bullets) "u" and its place among the unnumbered paragraphs in reading order ("u3"). A report bound into
    the same file that numbers from 1 again (an LSCB's inspection after the local authority's) prefixes its
    section's name ("lscb-3")."""

    number: int | None  # as printed; None for unnumbered text
    section: str | None  # "safeguarding", "local-authority", …, or None outside the judged sections
    section_path: tuple[str, ...]  # headings from the top, as printed
    text: str
    items: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()  # 1-based physical PDF pages; empty for text files, which have none
    key: str = ""
    recommendation_tag: bool = False  # ends with "(Recommendation)": the report links it to an action

    def span(self, quote: str, start: int | None = None) -> tuple[int, int]:
        """Start and end offsets of ``quote`` in the paragraph text (at ``start`` if given, else its first
        occurrence); ValueError if it is not there."""
        if start is None:
            start = self.text.index(quote)
        elif self.text[start:start + len(quote)] != quote:
            raise ValueError(f"{quote!r} is not at offset {start}")
        return start, start + len(quote)


@dataclass(frozen=True)
class GradeStatement:
    """A place in the text that states a grade: a graded heading or a paragraph's opening sentence."""

    grade: int | None
    word: str
    heading: str | None = None  # the graded heading, as printed
    paragraph: str | None = None  # key of the paragraph whose opening sentence states it
    quote: str = ""


@dataclass(frozen=True)
class Judgement:
    """One graded row of the Record of main findings (or, failing that, a grade the text states)."""

    section: str
    area: str  # as written
    area_key: str  # the judgement area's notation in ontology/frameworks.ttl
    grade: int
    word: str
    source: str = "record"  # "record", or "text" when the Record lacks the row
    statement: GradeStatement | None = None
    paragraph: str | None = None  # key of the paragraph that states it, else of the first under its heading


@dataclass(frozen=True)
class SectionGrade:
    """A graded heading that has no row of its own in the Record, e.g. "The quality of provision  Grade 4"."""

    section: str
    heading: str
    grade: int
    word: str
    paragraph: str | None = None  # key of the first paragraph under the heading


@dataclass(frozen=True)
class Recommendation:
    """A recommended action, from a list such as "Areas for improvement", "Recommendations" or "Priority and
    immediate action"."""

    section: str
    number: int  # 1-based position in the report
    timescale: str  # notation: immediately / within-three-months / within-six-months, or "unspecified"
    deadline: dt.date | None
    text: str
    paragraph: str  # key of the paragraph it is printed in
    references: tuple[str, ...] = ()  # keys of the paragraphs it cites ("(paragraphs 33, 34)")


@dataclass(frozen=True)
class Statistic:
    """A number from "Service information" and what it counts."""

    value: float
    unit: str  # "count" or "percent"
    counts: str
    sentence: str
    paragraph: str


@dataclass(frozen=True)
class CitedDocument:
    """A piece of legislation or guidance the report names."""

    title: str
    year: int | None
    paragraph: str
    quote: str


@dataclass(frozen=True)
class Report:
    """One inspection report and everything read from it."""

    local_authority: str
    framework: str  # notation: SLAC, LAC, SIF or ILACS
    inspection_start: dt.date | None
    inspection_end: dt.date | None
    published: dt.date | None
    inspector: str | None
    source_name: str
    sha256: str
    paragraphs: tuple[Paragraph, ...] = ()
    judgements: tuple[Judgement, ...] = ()
    section_grades: tuple[SectionGrade, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    statistics: tuple[Statistic, ...] = ()
    cited_documents: tuple[CitedDocument, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    inspection_type: str | None = None  # notation within the framework ("standard", "short"), where it has kinds
    inspection_type_inferred: bool = False  # the report does not say; inferred from the fieldwork's length

    @property
    def date(self) -> dt.date | None:
        """The date the report speaks for, by which its authority and partners are resolved: its publication,
        else the end of its fieldwork."""
        return self.published or self.inspection_end

    @property
    def report_id(self) -> str:
        """Short id, e.g. "worcestershire-2010-slac"."""
        from .vocab import slug

        year = (self.published or self.inspection_end or self.inspection_start)
        return f"{slug(self.local_authority)}-{year.year if year else 'undated'}-{self.framework.lower()}"

    def paragraph(self, key: str | int) -> Paragraph:
        """The paragraph with this key or printed number; KeyError if the report has none."""
        for p in self.paragraphs:
            if p.key == str(key):
                return p
        raise KeyError(key)


def to_jsonable(value):
    """Records as plain JSON-ready values (dates as ISO strings), for ``ofsted-kg read --format json``."""
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Attribution:
    """Who owns a finding or an action, how that was decided, and how sure it is."""

    agency: str  # IRI
    method: str  # mention, mention-generic, mention-part, rule:{name}, inherited:…, default:lead-agency or manual
    confidence: float


@dataclass(frozen=True)
class Finding:
    """A sentence, or a clause of one, from a judgement paragraph."""

    paragraph: str  # key of its paragraph
    index: int  # 1-based position within the paragraph
    quote: str  # exact substring of the paragraph's text
    polarity: str  # strength, weakness, improvement or context
    theme: str  # theme notation (ontology/findings.ttl)
    services: tuple[str, ...] = ()  # service IRIs
    attributions: tuple[Attribution, ...] = ()
    duties: tuple[str, ...] = ()  # duty IRIs
    start: int | None = None  # offset of the quote in the paragraph text (it may occur there more than once)

    @property
    def key(self) -> str:
        return f"{self.paragraph}-{self.index}"


@dataclass(frozen=True)
class NewAgency:
    """A named agency found in a report that the reference data lacks."""

    iri: str
    label: str
    agency_class: str  # class IRI


@dataclass(frozen=True)
class Analysis:
    """Findings and responsibility for one report."""

    findings: tuple[Finding, ...]
    owners: tuple[tuple[int, tuple[Attribution, ...]], ...]  # recommendation number -> owners
    answers: tuple[tuple[int, str, str], ...]  # (recommendation number, finding key, method)
    new_agencies: tuple[NewAgency, ...] = ()
    notes: tuple[str, ...] = ()  # what the reference data lacked for this report (graph.findings._notes)
    judged: tuple[tuple[str, str], ...] = ()  # (section, agency): the partner a section judges on its own
    themes: tuple[tuple[int, str], ...] = ()  # recommendation number -> theme notation
    #: Each owner of a weakness or an action: (agency, its name, the role it fills for the authority, "" if none).
    owner_facts: tuple[tuple[str, str, str], ...] = ()
