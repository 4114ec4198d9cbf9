"""Records -> RDF quads (pyoxigraph terms). Pure functions: the same Report gives the same quads.

The model is documented in ontology/MODEL.md. Every node has a minted IRI (no blank nodes), so a report's
graph serialises to byte-identical sorted N-Quads on every build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from . import vocab
from .records import Paragraph, Report
from .template import fold, load_template
from .vocab import slug, term

_XSD_DATE = NamedNode(vocab.XSD + "date")
_XSD_INT = NamedNode(vocab.XSD + "integer")
_XSD_DECIMAL = NamedNode(vocab.XSD + "decimal")
_XSD_DATETIME = NamedNode(vocab.XSD + "dateTime")
_XSD_BOOLEAN = NamedNode(vocab.XSD + "boolean")
_CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector


@lru_cache(maxsize=None)
def P(prefixed: str) -> NamedNode:
    """The NamedNode for "ofsted:text", "prov:wasDerivedFrom", …"""
    return NamedNode(term(prefixed))


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=_XSD_DATE)


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=_XSD_INT)


@dataclass(frozen=True)
class Reference:
    """What the builder needs from the reference data: authorities by area name and date, guidance by title."""

    authorities: tuple[tuple[str, str, str, str], ...]  # (folded area name, IRI, first day, last day; "" if open)
    guidance: tuple[tuple[str, str], ...]  # (folded title, IRI)

    def authority(self, name: str, on: dt.date | None = None) -> str | None:
        """The authority that a report names, on the report's date (two councils have been "Dorset")."""
        day = on.isoformat() if on else ""
        found = [(start, iri) for area, iri, start, end in self.authorities if area == fold(name)
                 and (not day or ((not start or start <= day) and (not end or day <= end)))]
        return max(found)[1] if found else None

    def document(self, title: str) -> str | None:
        return dict(self.guidance).get(fold(title))


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    """Authorities and guidance from the shipped reference data."""
    store = vocab.ontology_store("authorities.ttl", "duties.ttl", "guidance.ttl")
    prologue = vocab.sparql_prologue()
    authorities = tuple(sorted(
        (fold(row["name"].value), row["la"].value, row["f"].value if row["f"] else "", row["u"].value if row["u"] else "")
        for row in store.query(prologue + """SELECT ?la ?name ?f ?u WHERE { ?la a ofsted:LocalAuthority ;
            ofsted:areaName ?name . OPTIONAL { ?la ofsted:validFrom ?f } OPTIONAL { ?la ofsted:validUntil ?u } }""")))
    guidance = tuple(sorted(
        (fold(row["title"].value), row["doc"].value)
        for row in store.query(prologue + """SELECT ?doc ?title WHERE {
            { ?doc a ofsted:StatutoryGuidance } UNION { ?doc a ofsted:Legislation } ?doc dcterms:title ?title }""")))
    return Reference(authorities, guidance)


def authority_iri(report: Report, reference: Reference | None = None) -> str:
    """The report's local authority: from the reference data, else minted from its name."""
    reference = reference or load_reference()
    return (reference.authority(report.local_authority, report.date)
            or vocab.org_iri(report.local_authority + " council"))


def rules_version() -> str:
    """A digest of the data files that decide what a build writes (template, reference data, ontology)."""
    digest = hashlib.sha256()
    folder = vocab.data_dir("ontology")
    for name in sorted(set(vocab.ONTOLOGY_FILES + vocab.REFERENCE_FILES)):
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()[:16]


class _Writer:
    """Collects the quads of one report graph."""

    def __init__(self, report: Report):
        self.report = report
        self.rid = report.report_id
        self.graph = NamedNode(vocab.report_iri(self.rid))
        self.quads: list[Quad] = []
        self.sort_base = report_sort_key(report) * 10**6  # plus a row's place in the report: ofsted:sortKey

    def add(self, s: str | NamedNode, p: str, o) -> None:
        subject = s if isinstance(s, NamedNode) else NamedNode(s)
        obj = o if isinstance(o, (NamedNode, Literal)) else Literal(str(o))
        self.quads.append(Quad(subject, P(p), obj, self.graph))

    def typed(self, s: str, *classes: str) -> str:
        for c in classes:
            self.add(s, "rdf:type", P(c))
        return s

    def quote(self, paragraph: Paragraph, exact: str, at: int | None = None) -> NamedNode | None:
        """An oa:Annotation selecting ``exact`` in the paragraph's text (at offset ``at`` if known), or None if
        the text lacks it."""
        try:
            start, end = paragraph.span(exact, at)
        except ValueError:
            return None
        para = vocab.paragraph_iri(self.rid, paragraph.key)
        ann = vocab.quote_iri(self.rid, paragraph.key, start, end)
        target, quote_sel, pos_sel = ann + "/target", ann + "/exact", ann + "/position"
        self.typed(ann, "oa:Annotation")
        self.add(ann, "oa:hasTarget", NamedNode(target))
        self.add(ann, "oa:motivatedBy", P("oa:describing"))
        self.typed(target, "oa:SpecificResource")
        self.add(target, "oa:hasSource", NamedNode(para))
        self.add(target, "oa:hasSelector", NamedNode(quote_sel))
        self.add(target, "oa:hasSelector", NamedNode(pos_sel))
        self.typed(quote_sel, "oa:TextQuoteSelector")
        self.add(quote_sel, "oa:exact", exact)
        self.add(quote_sel, "oa:prefix", paragraph.text[max(0, start - _CONTEXT):start])
        self.add(quote_sel, "oa:suffix", paragraph.text[end:end + _CONTEXT])
        self.typed(pos_sel, "oa:TextPositionSelector")
        self.add(pos_sel, "oa:start", _int(start))
        self.add(pos_sel, "oa:end", _int(end))
        return NamedNode(ann)

    def evidence(self, subject: str, key: str | None, exact: str | None, at: int | None = None) -> NamedNode | None:
        """Link a statement to its paragraph and, where the words are in it, to the exact quote (returned)."""
        if key is None:
            return None
        paragraph = self.report.paragraph(key)
        self.add(subject, "prov:wasDerivedFrom", NamedNode(vocab.paragraph_iri(self.rid, key)))
        annotation = self.quote(paragraph, exact, at) if exact else None
        if annotation is not None:
            self.add(subject, "ofsted:evidence", annotation)
        return annotation


def report_quads(report: Report, reference: Reference | None = None, source_url: str | None = None,
                 analysis=None) -> list[Quad]:
    """Every quad of a report's own graph, sorted; with findings and owners when an Analysis is given."""
    reference = reference or load_reference()
    w = _Writer(report)
    rid, fw = w.rid, report.framework.lower()
    framework = load_template().framework(report.framework)
    rep = w.typed(vocab.report_iri(rid), "ofsted:InspectionReport", "prov:Entity")
    w.add(rep, "dcterms:identifier", rid)
    w.add(rep, "dcterms:title", f"{report.local_authority} {report.framework} inspection report"
                               f"{' ' + str(report.date.year) if report.date else ''}")
    w.add(rep, "ofsted:framework", NamedNode(vocab.concept_iri("framework", fw)))
    w.add(rep, "ofsted:localAuthority", NamedNode(authority_iri(report, reference)))
    for prop, value in (("ofsted:inspectionStart", report.inspection_start),
                        ("ofsted:inspectionEnd", report.inspection_end), ("dcterms:issued", report.published)):
        if value:
            w.add(rep, prop, _date(value))
    if report.date:
        w.add(rep, "dcterms:date", _date(report.date))  # publication, else the end of fieldwork: for ordering
    if report.inspection_type:
        w.add(rep, "ofsted:inspectionType", NamedNode(vocab.concept_iri("inspection-type", report.inspection_type)))
        w.add(rep, "ofsted:inspectionTypeInferred",
              Literal("true" if report.inspection_type_inferred else "false", datatype=_XSD_BOOLEAN))
    if report.inspector:
        w.add(rep, "ofsted:reportingInspector", report.inspector)
    w.add(rep, "ofsted:sourceFile", report.source_name)
    w.add(rep, "ofsted:sha256", report.sha256)
    if source_url:
        w.add(rep, "dcterms:source", NamedNode(source_url))
    for warning in report.warnings:
        w.add(rep, "ofsted:warning", warning)

    for p in report.paragraphs:
        para = w.typed(vocab.paragraph_iri(rid, p.key), "ofsted:Paragraph")
        w.add(para, "dcterms:isPartOf", NamedNode(rep))
        w.add(para, "dcterms:identifier", p.key)
        if p.number is not None:
            w.add(para, "ofsted:number", _int(p.number))
        if p.section:
            w.add(para, "ofsted:section", NamedNode(vocab.concept_iri("section", p.section)))
        w.add(para, "ofsted:sectionPath", " \u203a ".join(p.section_path))
        w.add(para, "ofsted:text", p.text)
        for page in p.pages:
            w.add(para, "ofsted:page", _int(page))
        for note in p.footnotes:
            w.add(para, "ofsted:footnote", note)

    for n, j in enumerate(report.judgements, start=1):
        node = w.typed(vocab.item_iri(rid, "judgement", j.section, j.area_key), "ofsted:Judgement")
        w.add(node, "ofsted:report", NamedNode(rep))
        w.add(node, "ofsted:number", _int(n))
        w.add(node, "ofsted:sortKey", _int(w.sort_base + n))
        w.add(node, "ofsted:section", NamedNode(vocab.concept_iri("section", j.section)))
        w.add(node, "ofsted:area", NamedNode(vocab.concept_iri("area", j.area_key)))
        w.add(node, "ofsted:areaAsWritten", j.area)
        w.add(node, "ofsted:grade", NamedNode(framework.grade_concept(j.grade)))
        w.add(node, "ofsted:gradeSource", j.source)
        stated = j.statement is not None and j.statement.heading is None and j.statement.paragraph == j.paragraph
        w.evidence(node, j.paragraph, j.statement.quote if stated else None)

    for g in report.section_grades:
        node = w.typed(vocab.item_iri(rid, "section-grade", g.section, slug(g.heading)), "ofsted:SectionGrade")
        w.add(node, "ofsted:report", NamedNode(rep))
        w.add(node, "ofsted:section", NamedNode(vocab.concept_iri("section", g.section)))
        w.add(node, "ofsted:heading", g.heading)
        w.add(node, "ofsted:grade", NamedNode(framework.grade_concept(g.grade)))
        w.evidence(node, g.paragraph, None)

    for r in report.recommendations:
        node = w.typed(vocab.item_iri(rid, "recommendation", r.number), "ofsted:Recommendation")
        w.add(node, "ofsted:report", NamedNode(rep))
        w.add(node, "ofsted:number", _int(r.number))
        w.add(node, "ofsted:sortKey", _int(w.sort_base + r.number))
        w.add(node, "ofsted:section", NamedNode(vocab.concept_iri("section", r.section)))
        if r.timescale != "unspecified":
            w.add(node, "ofsted:timescale", NamedNode(vocab.concept_iri("timescale", r.timescale)))
        if r.deadline:
            w.add(node, "ofsted:deadline", _date(r.deadline))
        w.add(node, "ofsted:text", r.text)
        w.evidence(node, r.paragraph, r.text)

    for i, s in enumerate(report.statistics, start=1):
        node = w.typed(vocab.item_iri(rid, "statistic", i), "ofsted:Statistic")
        w.add(node, "ofsted:report", NamedNode(rep))
        w.add(node, "rdf:value", Literal(format(s.value, "f").rstrip("0").rstrip(".") or "0", datatype=_XSD_DECIMAL))
        w.add(node, "ofsted:unit", s.unit)
        w.add(node, "ofsted:counts", s.counts)
        w.evidence(node, s.paragraph, s.sentence)

    for i, c in enumerate(report.cited_documents, start=1):
        node = w.typed(vocab.item_iri(rid, "citation", i), "ofsted:Citation")
        w.add(node, "ofsted:report", NamedNode(rep))
        document = reference.document(c.title)
        if document is None:
            document = w.typed(vocab.concept_iri("legislation", slug(c.title)), "ofsted:Legislation")
            w.add(document, "dcterms:title", c.title)
        w.add(node, "ofsted:citedDocument", NamedNode(document))
        if c.year:
            w.add(node, "ofsted:year", _int(c.year))
        w.evidence(node, c.paragraph, c.quote)
    if analysis is not None:
        _analysis_quads(w, analysis)
    return sorted(set(w.quads), key=str)


def _agency_slug(agency: str) -> str:
    """An agency's IRI as a path segment, for the nodes that stand for one agency's part in something."""
    return slug(agency[len(vocab.ID):] if agency.startswith(vocab.ID) else agency)


def _attributions(w: _Writer, node: str, attributions, owner_property: str) -> None:
    for a in attributions:
        w.add(node, owner_property, NamedNode(a.agency))
        att = w.typed(f"{node}/attribution/{_agency_slug(a.agency)}", "ofsted:Attribution")
        w.add(node, "ofsted:attribution", NamedNode(att))
        w.add(att, "ofsted:agency", NamedNode(a.agency))
        w.add(att, "ofsted:attributionMethod", a.method)
        w.add(att, "ofsted:confidence", Literal(f"{a.confidence:.2f}", datatype=_XSD_DECIMAL))


def _analysis_quads(w: _Writer, analysis) -> None:
    """Findings, their owners, the owners of recommendations and what each answers."""
    rid = w.rid
    quoted = {}  # finding key -> its annotation, for the findings whose words are in their paragraph
    for f in analysis.findings:
        node = w.typed(vocab.item_iri(rid, "finding", f.key), "ofsted:Finding")
        w.add(node, "ofsted:report", NamedNode(vocab.report_iri(rid)))
        annotation = w.evidence(node, f.paragraph, f.quote, f.start)
        if annotation is not None:
            quoted[f.key] = annotation
        w.add(node, "ofsted:polarity", NamedNode(vocab.concept_iri("polarity", f.polarity)))
        w.add(node, "ofsted:theme", NamedNode(vocab.concept_iri("theme", f.theme)))
        for service in f.services:
            w.add(node, "ofsted:concernsService", NamedNode(service))
        for duty in f.duties:
            w.add(node, "ofsted:citesDuty", NamedNode(duty))
        _attributions(w, node, f.attributions, "ofsted:responsibleAgency")
    for section, agency in analysis.judged:
        for j in w.report.judgements:
            if j.section == section:
                w.add(vocab.item_iri(rid, "judgement", j.section, j.area_key), "ofsted:judgedPartner", NamedNode(agency))
    for number, attributions in analysis.owners:
        _attributions(w, vocab.item_iri(rid, "recommendation", number), attributions, "ofsted:owner")
    for number, notation in analysis.themes:
        w.add(vocab.item_iri(rid, "recommendation", number), "ofsted:theme",
              NamedNode(vocab.concept_iri("theme", notation)))
    for number, key, method in analysis.answers:
        rec = vocab.item_iri(rid, "recommendation", number)
        finding = NamedNode(vocab.item_iri(rid, "finding", key))
        link = w.typed(f"{rec}/answers/{key}", "ofsted:AnswerLink")
        w.add(rec, "ofsted:answers", finding)
        w.add(rec, "ofsted:answerLink", NamedNode(link))
        w.add(link, "ofsted:finding", finding)
        w.add(link, "ofsted:linkMethod", method)
    _projection_quads(w, analysis, quoted)


#: How a report speaks of the inspection before it: the sentences recommendation-follow-up quotes.
_PREVIOUS_INSPECTION = re.compile(r"(last|previous|prior|earlier) inspection", re.IGNORECASE)


def report_sort_key(report: Report) -> int:
    """An integer that orders reports by date (publication, else the end of fieldwork), then by a checksum of the
    report's id: deterministic, and cheap for a store to sort by where an IRI is not."""
    import zlib

    return int(report.date.strftime("%Y%m%d")) * 10**4 + zlib.crc32(report.report_id.encode("utf-8")) % 10**4


def _projection_quads(w: _Writer, analysis, quoted: dict) -> None:
    """The analytics projection (ontology/MODEL.md): direct rows that whole-corpus queries read instead of walking
    findings, attributions and annotations, each linked to its findings and quotes. Only quoted findings count,
    as the quote is what an analyst checks."""
    rid = w.rid
    numbers = {p.key: p.number for p in w.report.paragraphs}
    facts = {agency: (label, role) for agency, label, role in analysis.owner_facts}
    rows = []  # (sort key, finding, its IRI, its paragraph's number, owner or None)
    for f in analysis.findings:
        if f.polarity == "weakness" and f.key in quoted:
            finding = vocab.item_iri(rid, "finding", f.key)
            number = numbers.get(f.paragraph)
            # Nobody owns it (an analyst's override removed every owner): one row, unowned.
            for a in f.attributions or (None,):
                rows.append(((facts[a.agency][0] if a else "", number is not None, number or 0, finding),
                             f, finding, number, a))
    for rank, (_, f, finding, number, a) in enumerate(sorted(rows, key=lambda row: row[0]), start=1):
        row = w.typed(f"{finding}/owner-row/{_agency_slug(a.agency) if a else 'none'}", "ofsted:WeaknessRow")
        if a is not None:
            w.add(row, "ofsted:agency", NamedNode(a.agency))
            w.add(row, "ofsted:attributionMethod", a.method)
            w.add(row, "ofsted:confidence", Literal(f"{a.confidence:.2f}", datatype=_XSD_DECIMAL))
            if facts[a.agency][1]:
                w.add(row, "ofsted:partnerRole", NamedNode(vocab.role_iri(facts[a.agency][1])))
        w.add(row, "ofsted:sortKey", _int(w.sort_base + rank))
        w.add(row, "ofsted:finding", NamedNode(finding))
        w.add(row, "ofsted:theme", NamedNode(vocab.concept_iri("theme", f.theme)))
        w.add(row, "ofsted:evidence", quoted[f.key])
        w.add(row, "ofsted:quote", f.quote)
        if number is not None:
            w.add(row, "ofsted:number", _int(number))
    by_theme: dict[str, list] = {}
    for f in analysis.findings:
        if f.key in quoted:
            by_theme.setdefault(f.theme, []).append(f)
    for notation, findings in sorted(by_theme.items()):
        summary = w.typed(vocab.item_iri(rid, "theme-summary", notation), "ofsted:ThemeSummary")
        w.add(summary, "ofsted:theme", NamedNode(vocab.concept_iri("theme", notation)))
        weak = [f.quote for f in findings if f.polarity == "weakness"]
        strong = [f.quote for f in findings if f.polarity in ("strength", "improvement")]
        w.add(summary, "ofsted:weaknessCount", _int(len(weak)))
        w.add(summary, "ofsted:strengthCount", _int(len(strong)))
        if weak:
            w.add(summary, "ofsted:weaknessQuote", min(weak))
        if strong:
            w.add(summary, "ofsted:strengthQuote", min(strong))
        earlier = [f.quote for f in findings if _PREVIOUS_INSPECTION.search(f.quote)]
        if earlier:
            w.add(summary, "ofsted:previousInspectionQuote", min(earlier))
        for f in findings:
            w.add(summary, "prov:wasDerivedFrom", NamedNode(vocab.item_iri(rid, "finding", f.key)))
    _overlap_rows(w, analysis, facts)


def _overlap_rows(w: _Writer, analysis, facts: dict) -> None:
    """One row per pair of agencies that own the same weaknesses or actions in the report, with how many they
    share, ranked by that count (most first) and the two agencies' names; each derived from what it counts."""
    shared: dict[tuple[str, str], set[str]] = {}
    items = [(vocab.item_iri(w.rid, "finding", f.key), f.attributions)
             for f in analysis.findings if f.polarity == "weakness"]
    items += [(vocab.item_iri(w.rid, "recommendation", number), owners) for number, owners in analysis.owners]
    for item, attributions in items:
        agencies = sorted({a.agency for a in attributions})
        for i, a in enumerate(agencies):
            for b in agencies[i + 1:]:
                shared.setdefault((a, b), set()).add(item)
    ranked = sorted(shared.items(), key=lambda pair: (-len(pair[1]), facts[pair[0][0]][0], facts[pair[0][1]][0]))
    for rank, ((a, b), counted) in enumerate(ranked, start=1):
        row = w.typed(f"{vocab.report_iri(w.rid)}/overlap/{_agency_slug(a)}/{_agency_slug(b)}", "ofsted:OverlapRow")
        w.add(row, "ofsted:sortKey", _int(w.sort_base + rank))
        w.add(row, "ofsted:agencyA", NamedNode(a))
        w.add(row, "ofsted:agencyB", NamedNode(b))
        w.add(row, "ofsted:shared", _int(len(counted)))
        for item in sorted(counted):
            w.add(row, "prov:wasDerivedFrom", NamedNode(item))


def found_quads(report: Report, analysis=None, reference: Reference | None = None) -> list[Quad]:
    """The bodies a report names that the reference data lacks (its authority, if unknown, and agencies found by
    the name patterns), for the shared graph id:graph/found: each is described there once, never restated in the
    report graphs that name it, so that queries give one row per answer."""
    reference = reference or load_reference()
    graph = NamedNode(vocab.GRAPH_FOUND)
    quads = []

    def add(s: str, p: str, o) -> None:
        quads.append(Quad(NamedNode(s), P(p), o if isinstance(o, NamedNode) else Literal(o), graph))

    if reference.authority(report.local_authority, report.date) is None:
        iri = authority_iri(report, reference)
        for cls in ("ofsted:LocalAuthority", "ofsted:Agency", "org:Organization"):
            add(iri, "rdf:type", P(cls))
        add(iri, "skos:prefLabel", f"{report.local_authority} Council")
        add(iri, "ofsted:areaName", report.local_authority)
    for agency in analysis.new_agencies if analysis is not None else ():
        for cls in ("ofsted:Agency", "org:Organization"):
            add(agency.iri, "rdf:type", P(cls))
        add(agency.iri, "rdf:type", NamedNode(agency.agency_class))
        add(agency.iri, "skos:prefLabel", agency.label)
    return sorted(set(quads), key=str)


def build_run_quads(report_id: str, sha256: str, ended: dt.datetime, tool_version: str,
                    version: str) -> list[Quad]:
    """The PROV record of one build of a report, for the separate builds graph."""
    graph = NamedNode(vocab.GRAPH_BUILDS)
    run = NamedNode(vocab.build_iri(report_id))
    return [
        Quad(run, P("rdf:type"), P("ofsted:BuildRun"), graph),
        Quad(run, P("rdf:type"), P("prov:Activity"), graph),
        Quad(run, P("prov:generated"), NamedNode(vocab.report_iri(report_id)), graph),
        Quad(run, P("ofsted:toolVersion"), Literal(tool_version), graph),
        Quad(run, P("ofsted:rulesVersion"), Literal(version), graph),
        Quad(run, P("ofsted:sha256"), Literal(sha256), graph),
        Quad(run, P("prov:endedAtTime"), Literal(ended.isoformat(timespec="seconds"), datatype=_XSD_DATETIME), graph),
    ]
