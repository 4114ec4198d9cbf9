"""The report template as data: frameworks, sections, judgement areas, grades and timescales.

Everything here is read from ``ontology/frameworks.ttl``; the reader holds no list of names of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import vocab


def fold(text: str) -> str:
    """Case- and punctuation-insensitive form of a label, for matching names as printed."""
    text = text.lower().replace("wellbeing", "well-being")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _board(folded: str) -> str:
    """A board's own acronym stands for "LSCB": "Key strengths and weaknesses of the SSCB", "The HSCB requires
    improvement"."""
    return re.sub(r"\b[a-z]{1,5}scb\b", "lscb", folded)


def is_label(folded: str, labels: frozenset[str]) -> bool:
    """Whether folded text is one of these heading labels, a board's own acronym standing for "LSCB"."""
    return folded in labels or _board(folded) in labels


@dataclass(frozen=True)
class Framework:
    notation: str
    label: str
    title_phrases: tuple[str, ...]
    supported: bool
    sections: tuple[str, ...]  # section notations, in report order
    record_areas: tuple[tuple[str, frozenset[str]], ...]  # (section, area notations its Record grades)
    grades: tuple[tuple[int, str], ...]  # (notation, word), every word a grade is printed as
    grade_labels: tuple[tuple[int, str], ...]  # (notation, the grade's own name, lower case)
    start_section: str | None = None  # the section the body opens in, before any section heading
    first_page_grades: bool = False  # grades on the first page (a grid), not in a Record of main findings
    unnumbered: bool = False  # unnumbered text is kept as paragraphs of its own
    timed_actions: bool = False  # every action has a timescale
    lead_actions: bool = False  # its actions are the lead agency's unless their head names other bodies
    action_words: frozenset[str] = frozenset()  # how the actions of its lists begin
    empty_list_phrases: tuple[str, ...] = ()  # how a list says it has no actions
    grid_end: str | None = None  # the area whose row ends the first page's grid, where unheaded text follows
    inspection_types: tuple[tuple[int, str], ...] = ()  # (longest fieldwork in days, notation), shortest first
    grade_concepts: tuple[tuple[int, str], ...] = ()  # (notation, IRI) of its scheme's grades (ILACS shares SIF's)

    def grade_concept(self, grade: int) -> str:
        return dict(self.grade_concepts)[grade]

    def areas_in_record(self, section: str) -> frozenset[str]:
        return next((areas for s, areas in self.record_areas if s == section), frozenset())


@dataclass(frozen=True)
class Area:
    notation: str
    label: str
    aliases: tuple[str, ...]  # folded, the label included
    section: str | None  # the only section it belongs to, if limited
    group: bool  # may appear as an ungraded group row of the Record
    broader: str | None = None  # the area whose heading this one sits under


@dataclass(frozen=True)
class Heading:
    notation: str
    labels: tuple[str, ...]  # folded
    list_of: str | None = None  # "recommendations": what follows is a list of recommended actions
    timescale: str | None = None  # the timescale of the actions listed under it
    within_section: bool = False  # a heading inside a section, which does not leave it
    statistics: bool = False  # what follows describes the area in numbers
    boilerplate: bool = False  # what follows explains the grades in general: no findings
    keeps_path: bool = False  # a label under a judgement's heading ("Summary"), which stays the paragraphs' heading


@dataclass(frozen=True)
class Template:
    frameworks: tuple[Framework, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (notation, folded labels)
    section_labels: tuple[tuple[str, str], ...]  # (notation, preferred label)
    areas: tuple[Area, ...]
    headings: tuple[Heading, ...]
    timescales: tuple[tuple[str, int, tuple[str, ...]], ...]  # (notation, months, folded labels)
    body_ends: tuple[str, ...] = ()  # folded words that, opening a line, end the body (the back cover)

    def framework(self, notation: str) -> Framework:
        return next(f for f in self.frameworks if f.notation == notation)

    def area(self, notation: str) -> Area:
        return next(a for a in self.areas if a.notation == notation)

    def match_area(self, text: str, section: str | None = None, opening_only: bool = False) -> Area | None:
        """The area whose longest alias the text opens with (after "the"), else contains (as whole words).

        ``opening_only`` is for sentences, where a name further in ("Educational outcomes for looked after
        children") is not the subject.
        """
        folded = f" {_board(fold(text))} "
        opening = " " + re.sub(r"^the ", "", folded.strip()) + " "
        best: tuple[bool, int, Area] | None = None
        for area in self.areas:
            if section and area.section and area.section != section:
                continue
            for alias in area.aliases:
                if f" {alias} " in folded:
                    # A name the sentence opens with beats a longer one further in.
                    rank = (opening.startswith(f" {alias.removeprefix('the ')} "), len(alias), area)
                    if opening_only and not rank[0]:
                        continue
                    if best is None or rank[:2] > best[:2]:
                        best = rank
        return best[2] if best else None

    def exact_area(self, text: str) -> Area | None:
        folded = _board(fold(text))
        return next((a for a in self.areas if folded in a.aliases), None)

    def section_label(self, notation: str) -> str:
        return next(label for n, label in self.section_labels if n == notation)

    def section_for(self, text: str) -> str | None:
        folded = fold(text)
        return next((s for s, labels in self.sections if folded in labels), None)

    def heading_for(self, text: str) -> Heading | None:
        folded = _board(fold(text))
        return next((h for h in self.headings if folded in h.labels), None)

    def list_heading(self, section_path: tuple[str, ...]) -> Heading | None:
        """The heading of the list of actions a paragraph with this path is under, if any."""
        for text in reversed(section_path):
            heading = self.heading_for(text)
            if heading is not None and heading.list_of:
                return heading
        return None

    def statistics_heading(self, section_path: tuple[str, ...]) -> bool:
        """Whether a paragraph with this path is under a heading of statistics about the area."""
        heading = self.heading_for(section_path[-1]) if section_path else None
        return heading is not None and heading.statistics

    def timescale_for(self, text: str) -> tuple[str, int] | None:
        folded = fold(text)
        return next(((n, m) for n, m, labels in self.timescales if folded in labels), None)

    def ends_body(self, text: str) -> bool:
        folded = fold(text)
        return any(folded.startswith(phrase) for phrase in self.body_ends)

    def all_heading_labels(self) -> frozenset[str]:
        labels = {label for h in self.headings for label in h.labels}
        labels.update(alias for area in self.areas for alias in area.aliases)
        labels.update(label for _, ls in self.sections for label in ls)
        return frozenset(labels)


def _rows(query: str):
    store = vocab.ontology_store("frameworks.ttl")
    return list(store.query(vocab.sparql_prologue() + query))


def _v(term) -> str:
    return term.value if term is not None else ""


@lru_cache(maxsize=1)
def load_template() -> Template:
    """The template, read once from ontology/frameworks.ttl."""
    grades: dict[str, list[tuple[int, str]]] = {}
    grade_labels: dict[str, dict[int, str]] = {}
    concepts: dict[str, dict[int, str]] = {}
    for row in _rows("""SELECT ?f ?g ?n ?label ?pref WHERE { ?f ofsted:gradeScheme ?s . ?g skos:inScheme ?s ;
                        skos:notation ?n ; skos:prefLabel ?pref ; skos:prefLabel|skos:altLabel ?label }"""):
        grades.setdefault(_v(row["f"]), []).append((int(_v(row["n"])), _v(row["label"]).lower()))
        grade_labels.setdefault(_v(row["f"]), {})[int(_v(row["n"]))] = _v(row["pref"]).lower()
        concepts.setdefault(_v(row["f"]), {})[int(_v(row["n"]))] = _v(row["g"])
    record: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for row in _rows("""SELECT ?f ?sn (GROUP_CONCAT(?an; separator=" ") AS ?areas) WHERE {
                        ?f ofsted:recordSection ?r . ?r ofsted:section/skos:notation ?sn ; ofsted:area/skos:notation ?an }
                        GROUP BY ?f ?sn"""):
        record.setdefault(_v(row["f"]), []).append((_v(row["sn"]), frozenset(_v(row["areas"]).split())))
    phrases: dict[str, dict[str, set[str]]] = {}
    for row in _rows("""SELECT ?f ?p ?w WHERE { { VALUES ?p { ofsted:emptyListPhrase } ?f ?p ?w }
                        UNION { ?f ofsted:actionWords ?set . ?set ?p ?w . FILTER (?p = ofsted:actionWord) } }"""):
        phrases.setdefault(_v(row["f"]), {}).setdefault(_v(row["p"]), set()).add(fold(_v(row["w"])))
    kinds: dict[str, list[tuple[int, str]]] = {}
    for row in _rows("""SELECT ?f ?n ?days WHERE { ?f a ofsted:InspectionFramework ; ofsted:inspectionType ?t .
                        ?t skos:notation ?n ; ofsted:maxFieldworkDays ?days }"""):
        kinds.setdefault(_v(row["f"]), []).append((int(_v(row["days"])), _v(row["n"])))
    frameworks = []
    for row in _rows("""SELECT ?f ?n ?label ?supported ?start ?grid ?unnumbered ?timed ?lead ?gridEnd
                        (GROUP_CONCAT(DISTINCT ?phrase; separator="|") AS ?phrases)
                        (GROUP_CONCAT(DISTINCT ?sn; separator=" ") AS ?sections) WHERE {
                        ?f a ofsted:InspectionFramework ; skos:notation ?n ; skos:prefLabel ?label ;
                           ofsted:supported ?supported ; ofsted:titlePhrase ?phrase .
                        OPTIONAL { ?f ofsted:hasSection/skos:notation ?sn }
                        OPTIONAL { ?f ofsted:startSection/skos:notation ?start }
                        OPTIONAL { ?f ofsted:gradesOnFirstPage ?grid } OPTIONAL { ?f ofsted:readsUnnumberedText ?unnumbered }
                        OPTIONAL { ?f ofsted:timedActions ?timed } OPTIONAL { ?f ofsted:gridEndsWith/skos:notation ?gridEnd }
                        OPTIONAL { ?f ofsted:actionsAddressedToLeadAgency ?lead } }
                        GROUP BY ?f ?n ?label ?supported ?start ?grid ?unnumbered ?timed ?lead ?gridEnd ORDER BY ?n"""):
        f = _v(row["f"])
        # Sections in report order: the opening one first (safeguarding before looked after children in 2009-12).
        sections = tuple(sorted(_v(row["sections"]).split(),
                                key=lambda s: (s not in ("safeguarding", "local-authority"), s)))
        frameworks.append(Framework(
            notation=_v(row["n"]), label=_v(row["label"]),
            title_phrases=tuple(sorted(" * ".join(fold(part) for part in p.split("*")).strip()
                                       for p in _v(row["phrases"]).split("|"))),
            supported=_v(row["supported"]) == "true", sections=sections,
            record_areas=tuple(sorted(record.get(f, []), key=lambda r: sections.index(r[0]))),
            grades=tuple(sorted(set(grades.get(f, [])))),
            grade_labels=tuple(sorted(grade_labels.get(f, {}).items())), start_section=_v(row["start"]) or None,
            first_page_grades=_v(row["grid"]) == "true", unnumbered=_v(row["unnumbered"]) == "true",
            timed_actions=_v(row["timed"]) == "true", lead_actions=_v(row["lead"]) == "true",
            action_words=frozenset(phrases.get(f, {}).get(vocab.OFSTED + "actionWord", ())),
            empty_list_phrases=tuple(sorted(phrases.get(f, {}).get(vocab.OFSTED + "emptyListPhrase", ()))),
            grid_end=_v(row["gridEnd"]) or None, inspection_types=tuple(sorted(kinds.get(f, []))),
            grade_concepts=tuple(sorted(concepts.get(f, {}).items())),
        ))
    sections = tuple(
        (_v(row["n"]), tuple(sorted({fold(x) for x in _v(row["labels"]).split("|")})))
        for row in _rows("""SELECT ?n (GROUP_CONCAT(?l; separator="|") AS ?labels) WHERE {
                            ?s a ofsted:ReportSection ; skos:notation ?n . { ?s skos:prefLabel ?l } UNION { ?s skos:altLabel ?l } }
                            GROUP BY ?n ORDER BY ?n""")
    )
    areas = tuple(
        Area(notation=_v(row["n"]), label=_v(row["label"]),
             aliases=tuple(sorted({fold(x) for x in _v(row["aliases"]).split("|") if x} | {fold(_v(row["label"]))})),
             section=_v(row["sn"]) or None, group=_v(row["group"]) == "true", broader=_v(row["b"]) or None)
        for row in _rows("""SELECT ?n ?label ?sn ?group ?b (GROUP_CONCAT(?alt; separator="|") AS ?aliases) WHERE {
                            ?a a ofsted:JudgementArea ; skos:notation ?n ; skos:prefLabel ?label .
                            OPTIONAL { ?a skos:altLabel ?alt } OPTIONAL { ?a ofsted:section/skos:notation ?sn }
                            OPTIONAL { ?a ofsted:groupLabel ?group } OPTIONAL { ?a skos:broader/skos:notation ?b } }
                            GROUP BY ?n ?label ?sn ?group ?b ORDER BY ?n""")
    )
    section_labels = tuple(
        (_v(row["n"]), _v(row["label"]))
        for row in _rows("""SELECT ?n ?label WHERE { ?s a ofsted:ReportSection ; skos:notation ?n ;
                            skos:prefLabel ?label } ORDER BY ?n""")
    )
    headings = tuple(
        Heading(_v(row["n"]), tuple(sorted({fold(x) for x in _v(row["labels"]).split("|")})), _v(row["list"]) or None,
                _v(row["ts"]) or None, _v(row["within"]) == "true", _v(row["stats"]) == "true",
                _v(row["boiler"]) == "true", _v(row["keeps"]) == "true")
        for row in _rows("""SELECT ?n ?list ?ts ?within ?stats ?boiler ?keeps (GROUP_CONCAT(?l; separator="|") AS ?labels) WHERE {
                            ?h a ofsted:TemplateHeading ; skos:notation ?n ; skos:prefLabel|skos:altLabel ?l .
                            OPTIONAL { ?h ofsted:listOf ?list } OPTIONAL { ?h ofsted:timescale/skos:notation ?ts }
                            OPTIONAL { ?h ofsted:withinSection ?within } OPTIONAL { ?h ofsted:statistics ?stats }
                            OPTIONAL { ?h ofsted:boilerplate ?boiler } OPTIONAL { ?h ofsted:keepsPath ?keeps } }
                            GROUP BY ?n ?list ?ts ?within ?stats ?boiler ?keeps ORDER BY ?n""")
    )
    timescales = tuple(
        (_v(row["n"]), int(_v(row["months"])), tuple(sorted({fold(x) for x in _v(row["labels"]).split("|")})))
        for row in _rows("""SELECT ?n ?months (GROUP_CONCAT(?l; separator="|") AS ?labels) WHERE {
                            ?t a ofsted:Timescale ; skos:notation ?n ; ofsted:months ?months .
                            { ?t skos:prefLabel ?l } UNION { ?t skos:altLabel ?l } }
                            GROUP BY ?n ?months ORDER BY ?months""")
    )
    body_ends = tuple(sorted(fold(_v(row["l"])) for row in _rows(
        """SELECT ?l WHERE { ?h ofsted:endsBody true ; skos:prefLabel ?l }""")))
    return Template(tuple(frameworks), sections, section_labels, areas, headings, timescales, body_ends)
