"""The agency gazetteer and attribution rules, both read from data (ontology/agencies.ttl, attribution.ttl).

A mention is found through the aliases of agencies, teams, sites and services, and resolved for one report: an
alias shared by several bodies ("the police", "health") keeps the bodies tied to the report's authority at the
report's date (see the header of agencies.ttl). A team, site or service stands for the agency it belongs to.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from . import vocab
from .phrases import PhraseMatcher
from .template import fold

_DATA = ("agencies.ttl", "attribution.ttl")
#: "Health staff report that …": the body named is the source of the finding, not its owner.
SOURCE = re.compile(r"(?:\s+\w+){0,2}?\s+(?:reports?|reported|say|says|said|told|confirm(?:s|ed)?|feel|felt|spoke)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    roles: tuple[str, ...]
    confidence: float


@dataclass(frozen=True)
class NamePattern:
    pattern: re.Pattern
    agency_class: str
    anchors: tuple[str, ...]  # a match contains one of these, checked before the regex runs


@dataclass(frozen=True)
class Gazetteer:
    """Everything attribution needs from the reference data, loaded once."""

    kinds: dict  # node -> "agency" | "team" | "site" | "service"
    labels: dict  # node -> prefLabel
    alias_nodes: dict  # folded alias -> frozenset(nodes)
    alias_matcher: PhraseMatcher  # labels are folded aliases
    parents: dict  # team/site/sub-organisation -> agencies it belongs to (org:unitOf, org:siteOf, …)
    providers: dict  # service -> agencies that provide it
    area_names: dict  # node -> area name
    roles: tuple  # (authority, role, agency, valid_from, valid_until)
    memberships: tuple  # (board, member, valid_from, valid_until)
    rules: tuple[Rule, ...]
    rule_matcher: PhraseMatcher  # labels are rule names
    name_patterns: tuple[NamePattern, ...]
    method_confidence: dict  # method notation -> confidence
    never_owners: frozenset  # inspectorates: they write the report and own no finding

    def owner_agencies(self, node: str) -> frozenset[str]:
        """The agencies a mentioned node stands for."""
        kind = self.kinds.get(node)
        if kind == "agency" and not self.parents.get(node):
            return frozenset({node})
        found: set[str] = set()
        for parent in self.parents.get(node, ()) + self.providers.get(node, ()):
            found |= self.owner_agencies(parent) if parent != node else set()
        return frozenset(found)


def _rows(query: str):
    store = vocab.ontology_store(*_DATA)
    return list(store.query(vocab.sparql_prologue() + query))


def _date(term) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Read the gazetteer and rules from the shipped data."""
    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}
    for kind, cls in (("agency", "ofsted:Agency"), ("team", "ofsted:Team"), ("site", "ofsted:Site"),
                      ("service", "ofsted:Service")):
        for row in _rows(f"SELECT ?n ?l WHERE {{ ?n a {cls} ; skos:prefLabel ?l }}"):
            kinds.setdefault(row["n"].value, kind)
            labels.setdefault(row["n"].value, row["l"].value)
    aliases: dict[str, set[str]] = {}
    written: set[tuple[str, str]] = set()
    for row in _rows("SELECT ?n ?l WHERE { ?n skos:prefLabel|skos:altLabel ?l }"):
        if row["n"].value in kinds and fold(row["l"].value):
            aliases.setdefault(fold(row["l"].value), set()).add(row["n"].value)
            written.add((row["l"].value, fold(row["l"].value)))
    parents: dict[str, tuple[str, ...]] = {}
    for row in _rows("SELECT ?n ?p WHERE { ?n org:unitOf|org:siteOf|org:subOrganizationOf ?p }"):
        parents[row["n"].value] = parents.get(row["n"].value, ()) + (row["p"].value,)
    providers: dict[str, tuple[str, ...]] = {}
    for row in _rows("SELECT ?n ?p WHERE { ?n ofsted:providedBy ?p }"):
        providers[row["n"].value] = providers.get(row["n"].value, ()) + (row["p"].value,)
    area_names = {row["n"].value: row["a"].value for row in _rows("SELECT ?n ?a WHERE { ?n ofsted:areaName ?a }")}
    roles = tuple(sorted((
        (r["la"].value, r["role"].value, r["ag"].value, _date(r["f"]), _date(r["u"]))
        for r in _rows("""SELECT ?la ?role ?ag ?f ?u WHERE { ?r a ofsted:LocalPartnerRole ; ofsted:forAuthority ?la ;
                          ofsted:role ?role ; ofsted:agency ?ag . OPTIONAL { ?r ofsted:validFrom ?f }
                          OPTIONAL { ?r ofsted:validUntil ?u } }""")), key=str))
    memberships = tuple(sorted((
        (r["b"].value, r["m"].value, _date(r["f"]), _date(r["u"]))
        for r in _rows("""SELECT ?b ?m ?f ?u WHERE { ?x a org:Membership ; org:organization ?b ; org:member ?m .
                          OPTIONAL { ?x ofsted:validFrom ?f } OPTIONAL { ?x ofsted:validUntil ?u } }""")), key=str))
    rules, keywords = [], []
    for r in _rows("""SELECT ?n ?l ?c (GROUP_CONCAT(DISTINCT ?role; separator="|") AS ?roles)
                      (GROUP_CONCAT(DISTINCT ?k; separator="|") AS ?kws) WHERE {
                      ?x a ofsted:AttributionRule ; skos:notation ?n ; skos:prefLabel ?l ; ofsted:confidence ?c ;
                         ofsted:assignsRole ?role ; ofsted:keyword ?k } GROUP BY ?n ?l ?c ORDER BY ?n"""):
        rules.append(Rule(r["n"].value, r["l"].value, tuple(sorted(r["roles"].value.split("|"))), float(r["c"].value)))
        keywords += [(k, r["n"].value) for k in r["kws"].value.split("|")]
    patterns = tuple(NamePattern(re.compile(r["re"].value), r["cls"].value, tuple(r["anchors"].value.split("|")))
                     for r in _rows("""SELECT ?re ?cls (GROUP_CONCAT(?anchor; separator="|") AS ?anchors) WHERE {
                                       ?p a ofsted:AgencyNamePattern ; ofsted:regex ?re ; ofsted:agencyClass ?cls ;
                                       ofsted:keyword ?anchor } GROUP BY ?p ?re ?cls ORDER BY ?p"""))
    confidence = {r["n"].value: float(r["c"].value)
                  for r in _rows("SELECT ?n ?c WHERE { ?m a ofsted:AttributionMethod ; skos:notation ?n ; ofsted:confidence ?c }")}
    inspectorates = frozenset(r["n"].value for r in _rows("SELECT ?n WHERE { ?n a ofsted:Inspectorate }"))
    return Gazetteer(kinds, labels, {a: frozenset(n) for a, n in aliases.items()}, PhraseMatcher(sorted(written)),
                     parents, providers, area_names, roles, memberships, tuple(rules), PhraseMatcher(keywords),
                     patterns, confidence, inspectorates)


def _valid(on: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if on is None:
        return True
    return (start is None or start <= on) and (end is None or on <= end)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    agencies: frozenset[str]
    method: str  # mention, mention-generic or mention-part


class Resolver:
    """Mentions and roles resolved for one report: its authority and its date."""

    def __init__(self, gazetteer: Gazetteer, authority: str, area: str, on: dt.date | None):
        self.g = gazetteer
        self.authority = authority
        self.on = on
        anchored = {n for n, a in gazetteer.area_names.items() if fold(a) == fold(area)}
        anchored.add(authority)
        anchored |= {ag for la, _, ag, f, u in gazetteer.roles if la == authority and _valid(on, f, u)}
        anchored = self._with_parts(anchored)
        tied = set(anchored)
        tied |= {m for b, m, f, u in gazetteer.memberships if b in anchored and _valid(on, f, u)}
        anchored_anywhere = self._with_parts(set(gazetteer.area_names) | {ag for _, _, ag, _, _ in gazetteer.roles})
        self.tied = frozenset(self._with_parts(tied))
        self.national = frozenset(set(gazetteer.kinds) - anchored_anywhere)

    def _with_parts(self, nodes: set[str]) -> set[str]:
        """Add the teams, sites and sub-organisations of the nodes, and the services they provide."""
        found = set(nodes)
        changed = True
        while changed:
            changed = False
            for child, parents in list(self.g.parents.items()) + list(self.g.providers.items()):
                if child not in found and any(p in found for p in parents):
                    found.add(child)
                    changed = True
        return found

    def local(self, nodes) -> frozenset[str]:
        """The nodes tied to this report's authority, else the national ones, else none."""
        tied = frozenset(n for n in nodes if n in self.tied)
        return tied or frozenset(n for n in nodes if n in self.national)

    def role(self, role: str) -> frozenset[str]:
        """The agencies that fill a role for the authority at the report's date."""
        if role == "local-authority":
            return frozenset({self.authority})
        holders = {ag for la, r, ag, f, u in self.g.roles if la == self.authority and r == role and _valid(self.on, f, u)}
        # Bodies that act together through a joint body in the same role (CCGs) are named by the joint body.
        joint = {m for b, m, f, u in self.g.memberships if b in holders and _valid(self.on, f, u)}
        return frozenset(holders - joint)

    def mentions(self, text: str) -> list[Mention]:
        """Agencies named in a text, through aliases, longest first and not overlapping."""
        found = []
        for m in self.g.alias_matcher.find_longest(text):
            nodes = self.g.alias_nodes.get(m.label, frozenset())
            local = self.local(nodes)
            agencies: set[str] = set()
            parts = False
            for node in local:
                owners = self.g.owner_agencies(node)
                if self.g.kinds.get(node) != "agency":
                    parts = True
                    owners = self.local(owners) or owners
                    # A service several local bodies provide (CAMHS) says nothing about which one is at fault.
                    if self.g.kinds.get(node) == "service" and len(owners) != 1:
                        continue
                agencies |= owners
            agencies -= self.g.never_owners
            if not agencies or SOURCE.match(text, m.end):
                continue
            method = "mention-part" if parts else ("mention-generic" if len(nodes) > 1 else "mention")
            found.append(Mention(m.start, m.end, text[m.start:m.end], frozenset(agencies), method))
        return found
