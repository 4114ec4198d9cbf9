"""The national reference data: every English local authority with children's services since April 2009 and
the partners that served it over time, generated from the tables in ontology/sources/ into two Turtle files.

    python -m graph.reference        # after editing a table in ontology/sources/

- ontology/authorities.ttl: the authorities (GSS code, DfE code, Ofsted URN, region, names, start and end) and the
  reorganisations between them (org:ChangeEvent);
- ontology/partners.ttl: police forces, health commissioners (PCTs, CCGs, ICBs), safeguarding boards and
  partnerships, and one ofsted:LocalPartnerRole per (authority, role, body, period). Where a table gives no name,
  the role is filled by a node that says so ("the clinical commissioning group(s) for Medway, 2013-22"), typed
  ofsted:RoleHolder: never a guessed name.

The tables say where each name came from (ontology/sources/SOURCES.md). Generation is deterministic: the same
tables give byte-identical files, which tests/test_reference.py checks against the shipped ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import vocab
from .vocab import slug

#: The first day the reference data covers: the earliest inspections in scope began in mid-2009.
START = "2009-04-01"
#: Statutory dates that bound the roles every authority had (see shared/DOMAIN.md, "After 2013").
PCT_END = "2013-03-31"
HWB_START = "2013-04-01"
CHILDRENS_TRUST_END = "2013-03-31"

#: Health commissioners: the class and the words for each kind, and the short forms datasets write.
HEALTH_KINDS = {
    "pct": ("ofsted:PrimaryCareTrust", "primary care trust", "PCT", "Primary Care Trust"),
    "ccg": ("ofsted:ClinicalCommissioningGroup", "clinical commissioning group(s)", "CCG", "Clinical Commissioning Group"),
    "icb": ("ofsted:IntegratedCareBoard", "integrated care board", "ICB", "Integrated Care Board"),
}
SAFEGUARDING_KINDS = {
    "lscb": ("ofsted:SafeguardingChildrenBoard", "Local Safeguarding Children Board"),
    "lscp": ("ofsted:SafeguardingPartnership", "local safeguarding children partnership"),
}
#: Roles every authority has, filled by a role node unless local data names the body (graph.agencies prefers a
#: named holder): (role, class, words, first day, last day, the kinds of authority that have it).
ALL_KINDS = ("county", "unitary", "metropolitan-district", "london-borough")
ROLE_NODES = (
    ("health-and-wellbeing-board", "ofsted:HealthAndWellbeingBoard", "health and wellbeing board", HWB_START, "",
     ALL_KINDS),
    ("childrens-trust", "ofsted:ChildrensTrust", "children's trust board", START, CHILDRENS_TRUST_END, ALL_KINDS),
    ("acute-trust", "ofsted:AcuteTrust", "acute hospital trust(s)", START, "", ALL_KINDS),
    ("community-health", "ofsted:CommunityHealthProvider", "community health provider(s)", START, "", ALL_KINDS),
    ("mental-health", "ofsted:MentalHealthTrust", "mental health trust(s) providing CAMHS", START, "", ALL_KINDS),
    ("probation", "ofsted:ProbationService", "probation service", START, "", ALL_KINDS),
    ("schools", "ofsted:School", "schools and academies", START, "", ALL_KINDS),
    # Only a two-tier county has district councils: a unitary, metropolitan or London council is its own housing
    # authority.
    ("district-councils", "ofsted:DistrictCouncil", "district and borough councils", START, "", ("county",)),
)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _latest(*dates: str) -> str:
    return max((d for d in dates if d), default="")


def _earliest(*dates: str) -> str:
    return min((d for d in dates if d), default="")


def _years(start: str, end: str) -> str:
    """ "2013-22", "from 2022", "to 2013" for a period."""
    if start and end:
        return f"{start[:4]}-{end[2:4]}" if start[:4] != end[:4] else start[:4]
    return f"from {start[:4]}" if start else f"to {end[:4]}" if end else "at any date"


@dataclass(frozen=True)
class Authority:
    dfe: str
    council: str
    areas: tuple[str, ...]
    kind: str  # county, unitary, metropolitan-district or london-borough
    gss: str
    former_gss: tuple[str, ...]
    former_names: tuple[tuple[str, str], ...]  # (name, last day)
    region: str
    region_name: str
    urn: str
    start: str
    end: str
    successors: tuple[str, ...]
    note: str

    @property
    def area(self) -> str:
        return self.areas[0]

    @property
    def iri(self) -> str:
        return vocab.org_iri(self.council)

    @property
    def key(self) -> str:
        """Unique among authorities (two Dorsets), for minting the IRIs of its roles."""
        return slug(self.council)

    def clip(self, start: str, end: str) -> tuple[str, str] | None:
        """The part of a period inside the authority's life, or None."""
        s, e = _latest(start, self.start), _earliest(end, self.end)
        return None if s and e and s > e else (s, e)


def load_authorities(folder: Path) -> list[Authority]:
    """The authorities: ontology/sources/authorities.csv joined with the 2023 lookup (la-lookup.csv) by DfE code."""
    lookup = {r["la_code"]: r for r in _rows(folder / "la-lookup.csv")}
    regions = {r["rgn22cd"]: r["rgn22nm"] for r in lookup.values() if r["rgn22cd"]}
    out = []
    for row in _rows(folder / "authorities.csv"):
        known = lookup.get(row["dfe_code"], {})
        former = []
        for entry in filter(None, row["former_names"].split(";")):
            name, _, until = entry.partition("|until ")
            former.append((name.strip(), until.strip()))
        region = row["region_code"] or known.get("rgn22cd", "")
        out.append(Authority(
            dfe=row["dfe_code"], council=row["council"], areas=_split(row["area_names"]), kind=row["kind"],
            gss=row["gss_code"] or known.get("la_code_new", ""), former_gss=_split(row["former_gss_codes"]),
            former_names=tuple(former), region=region, region_name=regions.get(region, ""),
            urn=known.get("urn", ""), start=row["valid_from"], end=row["valid_until"],
            successors=_split(row["succeeded_by"]), note=row["notes"]))
    return out


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# ----------------------------------------------------------------------------------------------- a Turtle writer

def _literal(value: str, lang: str | None = "en", datatype: str | None = None) -> str:
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if datatype:
        return f'"{text}"^^{datatype}'
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def _date(value: str) -> str:
    return _literal(value, datatype="xsd:date")


@dataclass
class _Node:
    types: set = field(default_factory=set)
    values: dict = field(default_factory=dict)  # predicate -> set of object strings

    def add(self, predicate: str, obj: str) -> None:
        self.values.setdefault(predicate, set()).add(obj)


class _Graph:
    """Subjects with their predicates and objects, written as sorted Turtle."""

    def __init__(self):
        self.nodes: dict[str, _Node] = {}

    def node(self, iri: str, *types: str) -> _Node:
        node = self.nodes.setdefault(iri, _Node())
        node.types.update(types)
        return node

    def turtle(self, header: str) -> str:
        prefixes = ("ofsted", "org", "skos", "skosxl", "dcterms", "prov", "xsd")
        lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
        lines += [""] + [f"@prefix {p}: <{vocab.PREFIXES[p]}> ." for p in prefixes] + [""]
        for iri in sorted(self.nodes):
            node = self.nodes[iri]
            parts = [f"a {', '.join(sorted(node.types))}"] if node.types else []
            parts += [f"{p} {', '.join(sorted(objs))}" for p, objs in sorted(node.values.items())]
            lines.append(f"<{iri}>\n    " + " ;\n    ".join(parts) + " .\n")
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- the data

@dataclass(frozen=True)
class Holding:
    """That a body fills a role for an authority during a period."""

    authority: Authority
    role: str
    agency: str
    start: str
    end: str


class _Builder:
    def __init__(self, authorities: list[Authority]):
        self.authorities = {a.dfe: a for a in authorities}
        self.graph = _Graph()
        self.holdings: list[Holding] = []

    def body(self, iri: str, label: str, *types: str, source: str = "", note: str = "") -> _Node:
        node = self.graph.node(iri, "ofsted:Agency", "org:Organization", *types)
        node.add("skos:prefLabel", _literal(label))
        if source:
            node.add("dcterms:source", _literal(source, lang=None))
        if note:
            node.add("skos:note", _literal(note))
        return node

    def role_node(self, authorities: list[Authority], role: str, cls: str, words: str, start: str, end: str,
                  source: str = "") -> str:
        """A node for a role whose holder's name is not recorded."""
        areas = " and ".join(a.area for a in authorities)
        iri = vocab.holder_iri(authorities[0].key, role, start or "open", end or "open")
        self.body(iri, f"the {words} for {areas}, {_years(start, end)}", "ofsted:RoleHolder", cls,
                  note="The name of this body is not recorded in the reference data; this node stands for the role.",
                  source=source)
        return iri

    def hold(self, authority: Authority, role: str, agency: str, start: str, end: str) -> None:
        period = authority.clip(start, end)
        if period:
            self.holdings.append(Holding(authority, role, agency, *period))

    # ------------------------------------------------------------------------------------- authorities

    def authorities_graph(self) -> _Graph:
        g = _Graph()
        scheme = vocab.concept_iri("scheme", "region")
        g.node(scheme, "skos:ConceptScheme").add("skos:prefLabel", _literal("English regions"))
        for a in self.authorities.values():
            node = g.node(a.iri, "ofsted:LocalAuthority", "ofsted:Agency", "org:Organization")
            node.add("skos:prefLabel", _literal(a.council))
            for area in a.areas:
                node.add("ofsted:areaName", _literal(area, lang=None))
            node.add("ofsted:dfeCode", _literal(a.dfe, lang=None))
            if a.gss:
                node.add("ofsted:gssCode", _literal(a.gss, lang=None))
            for code in a.former_gss:
                node.add("ofsted:formerGssCode", _literal(code, lang=None))
            if a.urn:
                node.add("ofsted:ofstedUrn", _literal(a.urn, lang=None))
            if a.start:
                node.add("ofsted:validFrom", _date(a.start))
            if a.end:
                node.add("ofsted:validUntil", _date(a.end))
            if a.note:
                node.add("skos:note", _literal(a.note))
            if a.region:
                region = vocab.concept_iri("region", a.region)
                node.add("ofsted:region", f"<{region}>")
                concept = g.node(region, "skos:Concept")
                concept.add("skos:inScheme", f"<{scheme}>")
                concept.add("skos:notation", _literal(a.region, lang=None))
                concept.add("skos:prefLabel", _literal(a.region_name))
            self._former_names(g, a.iri, a.former_names)
            if a.successors:
                event = vocab.concept_iri("event", f"{a.key}-{a.end}")
                change = g.node(event, "org:ChangeEvent")
                change.add("org:originalOrganization", f"<{a.iri}>")
                change.add("dcterms:date", _date(a.end))
                change.add("skos:prefLabel", _literal(f"Reorganisation of {a.council}, {a.end}"))
                for dfe in a.successors:
                    change.add("org:resultingOrganization", f"<{self.authorities[dfe].iri}>")
        return g

    @staticmethod
    def _former_names(g: _Graph, iri: str, names) -> None:
        """A name used until a date, as a SKOS-XL label with its last day (and a plain altLabel, for matching)."""
        for n, (name, until) in enumerate(names, start=1):
            g.node(iri).add("skos:altLabel", _literal(name))
            label = f"{iri}/name/{n}"
            g.node(iri).add("skosxl:altLabel", f"<{label}>")
            node = g.node(label, "skosxl:Label")
            node.add("skosxl:literalForm", _literal(name))
            node.add("ofsted:validUntil", _date(until))

    # ------------------------------------------------------------------------------------- partners

    def police(self, rows: list[dict]) -> None:
        for row in rows:
            iri = vocab.org_iri(row["force"])
            node = self.body(iri, row["force"], "ofsted:PoliceForce", note=row["notes"])
            for name in _split(row["other_names"]):
                node.add("skos:altLabel", _literal(name))
            former = []
            for entry in filter(None, row["former_names"].split(";")):
                name, _, until = entry.partition("|until ")
                former.append((name.strip(), until.strip()))
            self._former_names(self.graph, iri, former)
            for dfe in _split(row["dfe_codes"]):
                authority = self.authorities[dfe]
                self.hold(authority, "police", iri, authority.start, authority.end)

    def health(self, rows: list[dict]) -> None:
        for row in rows:
            authority = self.authorities[row["dfe_code"]]
            cls, words, short, long = HEALTH_KINDS[row["kind"]]
            start, end = _latest(row["valid_from"], START), row["valid_until"]
            if row["name"].strip():
                name = row["name"].strip()
                short_name = re.sub(rf"\s+{long}$", f" {short}", name)
                iri = vocab.org_iri(short_name)
                node = self.body(iri, re.sub(rf"\s+{short}$", f" {long}", short_name), "ofsted:HealthCommissioner",
                                 cls, source=row["source"])
                node.add("skos:altLabel", _literal(short_name))
                if row["code"]:
                    node.add("org:identifier", _literal(row["code"], lang=None))
            else:
                iri = self.role_node([authority], f"health-commissioner-{row['kind']}", cls, words, start, end,
                                     source=row["source"])
                self.graph.node(iri, "ofsted:HealthCommissioner")
            self.hold(authority, "health-commissioner", iri, start, end)

    def joint_health(self) -> None:
        """Where an authority has several health commissioners at once, a node for them acting together, so that
        "health" in a Norfolk report is one owner, not five (its members are dated org:Memberships)."""
        by_authority: dict[str, list[Holding]] = {}
        for h in self.holdings:
            if h.role == "health-commissioner":
                by_authority.setdefault(h.authority.dfe, []).append(h)
        for dfe, holdings in sorted(by_authority.items()):
            authority = self.authorities[dfe]
            spans = _crowded_spans([(h.start, h.end) for h in holdings])
            if not spans:
                continue
            joint = vocab.org_iri(f"{authority.council} health commissioners")
            self.body(joint, f"{authority.area} health commissioners (acting together)",
                      "ofsted:HealthCommissioner", "org:OrganizationalCollaboration",
                      note="The several health commissioners of the area at once, as reports speak of them "
                           "together (\"health\", \"the CCGs\"); its members are dated memberships.")
            for s, e in spans:
                self.hold(authority, "health-commissioner", joint, s, e)
                for h in holdings:
                    if h.start > (e or h.start) or (h.end and h.end < s):
                        continue
                    start, end = _latest(h.start, s), _earliest(h.end, e)
                    member = self.graph.node(f"{vocab.ID}membership/{slug(joint[len(vocab.ID):])}/"
                                             f"{slug(h.agency[len(vocab.ID):])}/{start}", "org:Membership")
                    member.add("org:organization", f"<{joint}>")
                    member.add("org:member", f"<{h.agency}>")
                    member.add("ofsted:validFrom", _date(start))
                    if end:
                        member.add("ofsted:validUntil", _date(end))

    def safeguarding(self, rows: list[dict]) -> None:
        for row in rows:
            authorities = [self.authorities[d] for d in _split(row["dfe_codes"])]
            cls, words = SAFEGUARDING_KINDS[row["kind"]]
            start, end = _latest(row["valid_from"], START), row["valid_until"]
            if row["name"].strip():
                iri = vocab.org_iri(row["name"].strip())
                node = self.body(iri, row["name"].strip(), cls, "org:OrganizationalCollaboration",
                                 source=row["source"])
                if row["acronym"].strip():
                    node.add("skos:altLabel", _literal(row["acronym"].strip()))
            else:
                iri = self.role_node(authorities, row["kind"], cls, words, start, end, source=row["source"])
                self.graph.node(iri, "org:OrganizationalCollaboration")
            for authority in authorities:
                self.hold(authority, "safeguarding-partnership", iri, start, end)

    def statutory_roles(self) -> None:
        """The council itself, and the roles every authority had that no table names."""
        for authority in self.authorities.values():
            self.hold(authority, "local-authority", authority.iri, authority.start, authority.end)
            for role, cls, words, start, end, kinds in ROLE_NODES:
                period = authority.clip(_latest(start, authority.start), end)
                if period and authority.kind in kinds:
                    iri = self.role_node([authority], role, cls, words, *period)
                    self.hold(authority, role, iri, *period)
                elif period and role == "district-councils":
                    # Outside a two-tier county the council is its own housing authority.
                    self.hold(authority, role, authority.iri, *period)

    def partners_graph(self) -> _Graph:
        for h in sorted(self.holdings, key=lambda h: (h.authority.key, h.role, h.start, h.agency)):
            iri = vocab.partner_role_iri(h.authority.key, h.role, h.agency, h.start or "open")
            node = self.graph.node(iri, "ofsted:LocalPartnerRole")
            node.add("ofsted:forAuthority", f"<{h.authority.iri}>")
            node.add("ofsted:partnerRole", f"<{vocab.role_iri(h.role)}>")
            node.add("ofsted:agency", f"<{h.agency}>")
            if h.start:
                node.add("ofsted:validFrom", _date(h.start))
            if h.end:
                node.add("ofsted:validUntil", _date(h.end))
        return self.graph


def _crowded_spans(periods: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The periods (first day, last day or "") in which more than one of the given periods is in force."""
    cuts = sorted({s for s, _ in periods} | {_next_day(e) for _, e in periods if e})
    spans: list[tuple[str, str]] = []
    for i, day in enumerate(cuts):
        last = _previous_day(cuts[i + 1]) if i + 1 < len(cuts) else ""
        if sum(1 for s, e in periods if s <= day and (not e or e >= day)) < 2:
            continue
        if spans and spans[-1][1] and _next_day(spans[-1][1]) == day:
            spans[-1] = (spans[-1][0], last)
        else:
            spans.append((day, last))
    return spans


def _next_day(date: str) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()


def _previous_day(date: str) -> str:
    return (dt.date.fromisoformat(date) - dt.timedelta(days=1)).isoformat()


HEADER = """{what}
Generated by `python -m graph.reference` from the tables in ontology/sources/ (see ontology/sources/SOURCES.md for
where each set of names came from and its terms). Do not edit by hand: edit the tables and generate again."""


def generate(folder: Path) -> dict[str, str]:
    """The text of each generated file, from the tables in ``folder`` (ontology/sources)."""
    builder = _Builder(load_authorities(folder))
    authorities = builder.authorities_graph().turtle(HEADER.format(
        what="Every English local authority with children's services since April 2009: names, codes, region, dates."))
    builder.police(_rows(folder / "police.csv"))
    builder.health(_rows(folder / "health-commissioners.csv"))
    builder.safeguarding(_rows(folder / "safeguarding.csv"))
    builder.statutory_roles()
    builder.joint_health()
    partners = builder.partners_graph().turtle(HEADER.format(
        what="The partners of every English local authority over time, and the role each fills (ofsted:LocalPartnerRole)."))
    return {"authorities.ttl": authorities, "partners.ttl": partners}


def write(target: Path, texts: dict[str, str]) -> None:
    """Write each file atomically (a temporary file renamed into place)."""
    for name, text in texts.items():
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target / name)


def main() -> int:
    folder = vocab.data_dir("ontology")
    texts = generate(folder / "sources")
    write(folder, texts)
    for name, text in texts.items():
        print(f"{name}: {text.count(' .' + chr(10))} subjects", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
