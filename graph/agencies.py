"""The agency gazetteer and the attribution data, read from ontology/ (authorities.ttl, partners.ttl, agencies.ttl,
local.ttl, attribution.ttl), and their resolution for one report: its authority at its date.

A body is named in three ways:
- by its own name or alias ("NHS Worcestershire", "WSCB", "the Redditch hospital"): the node, kept only if it is
  tied to the report's authority at the report's date, or is a national body; a team or site stands for its agency,
  a service for the role that answers for it;
- by its role ("the police", "health", "the LSCB", any "xSCB"): whoever fills the role for the authority then;
- by a name the reference data does not hold ("Derby Safeguarding Children Board"): through the name patterns.
Words around a name can make the body the source or the forum of a finding, not its owner (ownership cues).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from . import vocab
from .phrases import PhraseMatcher, words
from .template import fold

#: Labels of the alias matcher: an alias of named nodes, or a generic mention of roles.
_ALIAS, _GENERIC = "a:", "g:"
#: Words that may stand between a forum cue and the body's name: "presented to the board".
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "this", "each"})


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    roles: tuple[str, ...]
    confidence: float
    lead_alone_in: tuple[str, ...] = ()  # frameworks in whose reports the rule gives the lead agency alone


@dataclass(frozen=True)
class NamePattern:
    pattern: re.Pattern
    agency_class: str
    anchors: tuple[str, ...]  # a match contains one of these, checked before the regex runs
    roles: tuple[str, ...]  # the roles a body of this kind named after the report's own area fills


@dataclass(frozen=True)
class Gazetteer:
    """Everything attribution needs from the reference data, loaded once."""

    kinds: dict  # node -> "agency" | "team" | "site" | "service"
    labels: dict  # node -> prefLabel
    alias_nodes: dict  # folded alias -> frozenset(nodes)
    generic: dict  # folded generic words -> roles
    generic_patterns: tuple  # (regex, roles): "xSCB"
    matcher: PhraseMatcher  # aliases ("a:" + folded alias) and generic words ("g:" + folded words)
    parents: dict  # team/site/sub-organisation -> agencies it belongs to (org:unitOf, org:siteOf, …)
    accountable: dict  # service -> roles that answer for it
    area_names: dict  # node -> frozenset of folded area names
    authorities: frozenset  # local authorities
    roles: tuple  # (authority, role, agency, valid_from, valid_until)
    role_holders: frozenset  # nodes that stand for a role, their names not recorded
    national: frozenset  # bodies that any report may name as owners
    memberships: tuple  # (board, member, valid_from, valid_until)
    rules: tuple[Rule, ...]
    rule_matcher: PhraseMatcher  # labels are rule names
    name_patterns: tuple[NamePattern, ...]
    method_confidence: dict  # method notation -> confidence
    never_owners: frozenset  # inspectorates: they write the report and own no finding
    cues: dict  # "source" | "forum" -> PhraseMatcher of the cue words
    section_roles: dict  # report section notation -> the role of the partner that section judges on its own
    headed_roles: frozenset  # roles whose holders own only what they are the subject of (ofsted:ownsOnlyWhatItHeads)

    def services(self, text: str) -> tuple[str, ...]:
        """The services a text names."""
        found = set()
        for m in self.matcher.find_longest(text):
            if m.label.startswith(_ALIAS):
                found |= {n for n in self.alias_nodes.get(m.label[len(_ALIAS):], ()) if self.kinds.get(n) == "service"}
        return tuple(sorted(found))

    def owner_agencies(self, node: str) -> frozenset[str]:
        """The agencies a team, site or sub-organisation stands for (an agency stands for itself)."""
        if self.kinds.get(node) == "agency" and not self.parents.get(node):
            return frozenset({node})
        found: set[str] = set()
        for parent in self.parents.get(node, ()):
            found |= self.owner_agencies(parent) if parent != node else set()
        return frozenset(found)


def _date(term) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


def _valid(on: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if on is None:
        return True
    return (start is None or start <= on) and (end is None or on <= end)


@lru_cache(maxsize=4)
def load_gazetteer(files: tuple[str, ...] = vocab.NATIONAL_FILES + vocab.LOCAL_FILES) -> Gazetteer:
    """Read the gazetteer and the attribution data from the shipped data files (by default all of them; the
    national files alone serve an authority as the national data would)."""
    store = vocab.ontology_store(*files, "attribution.ttl")

    def rows(query: str):
        return list(store.query(vocab.sparql_prologue() + query))

    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}
    for kind, cls in (("agency", "ofsted:Agency"), ("team", "ofsted:Team"), ("site", "ofsted:Site"),
                      ("service", "ofsted:Service")):
        for row in rows(f"SELECT ?n ?l WHERE {{ ?n a {cls} ; skos:prefLabel ?l }} ORDER BY ?n"):
            kinds.setdefault(row["n"].value, kind)
            labels.setdefault(row["n"].value, row["l"].value)
    aliases: dict[str, set[str]] = {}
    phrases: set[tuple[str, str]] = set()  # (words as written, label): the matcher splits words as it splits text
    # A node that stands for a role has a description, not a name: no report says "the acute hospital trust(s)
    # for Derby, from 2009".
    for row in rows("""SELECT ?n ?l WHERE { ?n skos:prefLabel|skos:altLabel ?l
                       FILTER NOT EXISTS { ?n a ofsted:RoleHolder } }"""):
        if row["n"].value in kinds and fold(row["l"].value):
            aliases.setdefault(fold(row["l"].value), set()).add(row["n"].value)
            phrases.add((row["l"].value, _ALIAS + fold(row["l"].value)))
    generic: dict[str, tuple[str, ...]] = {}
    patterns = []
    for r in rows("""SELECT ?k ?re (GROUP_CONCAT(DISTINCT ?role; separator="|") AS ?roles) WHERE {
                     ?g a ofsted:GenericMention ; ofsted:assignsRole/skos:notation ?role .
                     OPTIONAL { ?g ofsted:keyword|ofsted:domainKeyword ?k } OPTIONAL { ?g ofsted:regex ?re } } GROUP BY ?k ?re"""):
        roles = tuple(sorted(r["roles"].value.split("|")))
        if r["k"] is not None:
            generic[fold(r["k"].value)] = tuple(sorted(set(generic.get(fold(r["k"].value), ())) | set(roles)))
            phrases.add((r["k"].value, _GENERIC + fold(r["k"].value)))
        if r["re"] is not None:
            patterns.append((re.compile(r["re"].value), roles))
    parents: dict[str, tuple[str, ...]] = {}
    for row in rows("SELECT ?n ?p WHERE { ?n org:unitOf|org:siteOf|org:subOrganizationOf ?p } ORDER BY ?n ?p"):
        parents[row["n"].value] = parents.get(row["n"].value, ()) + (row["p"].value,)
    accountable: dict[str, tuple[str, ...]] = {}
    for row in rows("SELECT ?n ?r WHERE { ?n ofsted:accountableRole/skos:notation ?r } ORDER BY ?n ?r"):
        accountable[row["n"].value] = accountable.get(row["n"].value, ()) + (row["r"].value,)
    area_names: dict[str, frozenset] = {}
    for row in rows("SELECT ?n ?a WHERE { ?n ofsted:areaName ?a }"):
        area_names[row["n"].value] = area_names.get(row["n"].value, frozenset()) | {fold(row["a"].value)}
    roles = tuple(sorted((
        (r["la"].value, r["role"].value, r["ag"].value, _date(r["f"]), _date(r["u"]))
        for r in rows("""SELECT ?la ?role ?ag ?f ?u WHERE { ?r a ofsted:LocalPartnerRole ; ofsted:forAuthority ?la ;
                          ofsted:partnerRole/skos:notation ?role ; ofsted:agency ?ag .
                          OPTIONAL { ?r ofsted:validFrom ?f } OPTIONAL { ?r ofsted:validUntil ?u } }""")), key=str))
    memberships = tuple(sorted((
        (r["b"].value, r["m"].value, _date(r["f"]), _date(r["u"]))
        for r in rows("""SELECT ?b ?m ?f ?u WHERE { ?x a org:Membership ; org:organization ?b ; org:member ?m .
                          OPTIONAL { ?x ofsted:validFrom ?f } OPTIONAL { ?x ofsted:validUntil ?u } }""")), key=str))
    rules, keywords = [], []
    for r in rows("""SELECT ?n ?l ?c (GROUP_CONCAT(DISTINCT ?role; separator="|") AS ?roles)
                      (GROUP_CONCAT(DISTINCT ?k; separator="|") AS ?kws)
                      (GROUP_CONCAT(DISTINCT ?fw; separator="|") AS ?alone) WHERE {
                      ?x a ofsted:AttributionRule ; skos:notation ?n ; skos:prefLabel ?l ; ofsted:confidence ?c ;
                         ofsted:assignsRole/skos:notation ?role ; ofsted:keyword|ofsted:domainKeyword ?k .
                         OPTIONAL { ?x ofsted:leadAgencyAloneIn ?fw } } GROUP BY ?n ?l ?c ORDER BY ?n"""):
        rules.append(Rule(r["n"].value, r["l"].value, tuple(sorted(r["roles"].value.split("|"))), float(r["c"].value),
                          tuple(r["alone"].value.split("|")) if r["alone"] and r["alone"].value else ()))
        keywords += [(k, r["n"].value) for k in r["kws"].value.split("|")]
    name_patterns = tuple(
        NamePattern(re.compile(r["re"].value), r["cls"].value, tuple(r["anchors"].value.split("|")),
                    tuple(filter(None, r["roles"].value.split("|"))) if r["roles"] else ())
        for r in rows("""SELECT ?re ?cls (GROUP_CONCAT(DISTINCT ?anchor; separator="|") AS ?anchors)
                         (GROUP_CONCAT(DISTINCT ?role; separator="|") AS ?roles) WHERE {
                         ?p a ofsted:AgencyNamePattern ; ofsted:regex ?re ; ofsted:agencyClass ?cls ;
                            ofsted:keyword|ofsted:domainKeyword ?anchor . OPTIONAL { ?p ofsted:assignsRole/skos:notation ?role } }
                         GROUP BY ?p ?re ?cls ORDER BY ?p"""))
    confidence = {r["n"].value: float(r["c"].value)
                  for r in rows("SELECT ?n ?c WHERE { ?m a ofsted:AttributionMethod ; skos:notation ?n ; ofsted:confidence ?c }")}
    cues: dict[str, list] = {}
    for r in rows("SELECT ?n ?k WHERE { ?c a ofsted:OwnershipCue ; skos:notation ?n ; ofsted:keyword|ofsted:domainKeyword ?k }"):
        cues.setdefault(r["n"].value, []).append((r["k"].value, r["n"].value))

    section_roles = {r["s"].value.removeprefix(vocab.concept_iri("section", "")): r["r"].value
                     for r in rows("SELECT ?s ?r WHERE { ?s ofsted:judgesRole/skos:notation ?r }")}

    def of_class(cls: str) -> frozenset:
        return frozenset(r["n"].value for r in rows(f"SELECT ?n WHERE {{ ?n a {cls} }}"))

    return Gazetteer(
        kinds, labels, {a: frozenset(n) for a, n in aliases.items()}, generic, tuple(patterns),
        PhraseMatcher(sorted(phrases)), parents, accountable, area_names, of_class("ofsted:LocalAuthority"), roles,
        of_class("ofsted:RoleHolder"), of_class("ofsted:NationalBody"), memberships, tuple(rules),
        PhraseMatcher(keywords), name_patterns, confidence, of_class("ofsted:Inspectorate"),
        {n: PhraseMatcher(sorted(p)) for n, p in cues.items()}, section_roles,
        frozenset(r["r"].value for r in rows("SELECT ?r WHERE { ?x ofsted:ownsOnlyWhatItHeads true ; skos:notation ?r }")))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    agencies: frozenset[str]
    method: str  # mention, mention-generic or mention-part


def _restated(text: str, cued_ends: set[int], start: int, end: int) -> bool:
    """Whether start:end is a short name in brackets just after a cued name ("through the Local Safeguarding
    Children Board (LSCB)"): the same body, and as much the forum or the source."""
    return text[end:end + 1] == ")" and any(re.fullmatch(r"\s*\(", text[e:start]) for e in cued_ends if e < start)


class Resolver:
    """Mentions and roles resolved for one report: its authority and its date."""

    def __init__(self, gazetteer: Gazetteer, authority: str, on: dt.date | None):
        self.g = gazetteer
        self.authority = authority
        self.on = on
        self.areas = gazetteer.area_names.get(authority, frozenset())
        self.missing_roles: set[str] = set()  # roles asked for that nobody fills at this date
        self._holders: dict[str, set[str]] = {}  # role -> agencies that fill it for this authority at this date
        for la, role, ag, f, u in gazetteer.roles:
            if la == authority and _valid(on, f, u):
                self._holders.setdefault(role, set()).add(ag)
        self._members = {}  # joint body -> its members at this date
        for b, m, f, u in gazetteer.memberships:
            if _valid(on, f, u):
                self._members.setdefault(b, set()).add(m)
        self._roles: dict[str, frozenset[str]] = {}
        holding = set().union(*self._holders.values()) if self._holders else set()
        anchored = {n for n, areas in gazetteer.area_names.items()
                    if areas & self.areas and n not in gazetteer.authorities}
        tied = self._with_parts(anchored | holding | {authority})
        tied |= {m for b in tied for m in self._members.get(b, ())}
        self.tied = frozenset(self._with_parts(tied))
        self.national = frozenset(self._with_parts(set(gazetteer.national)))
        self._other_areas = tuple(sorted(
            {a for n in gazetteer.authorities for a in gazetteer.area_names.get(n, ())} - self.areas))

    def partner_role(self, agency: str) -> str:
        """The role an agency fills for this authority at any date (the first by notation, as the queries have
        always read it), "local-authority" for the authority itself, or "" if it fills none."""
        if agency == self.authority:
            return "local-authority"
        return min((role for la, role, ag, _, _ in self.g.roles if la == self.authority and ag == agency), default="")

    def _with_parts(self, nodes: set[str]) -> set[str]:
        """Add the teams, sites and sub-organisations of the nodes."""
        found = set(nodes)
        changed = True
        while changed:
            changed = False
            for child, parents in self.g.parents.items():
                if child not in found and any(p in found for p in parents):
                    found.add(child)
                    changed = True
        return found

    def local(self, nodes) -> frozenset[str]:
        """The nodes tied to this report's authority, else the national ones, else none."""
        tied = frozenset(n for n in nodes if n in self.tied)
        return tied or frozenset(n for n in nodes if n in self.national)

    def role(self, role: str) -> frozenset[str]:
        """The agencies that fill a role for the authority at the report's date: named bodies before role nodes,
        and bodies that act together in the role (CCGs) as their joint node."""
        if role == "local-authority":
            return frozenset({self.authority})
        if role not in self._roles:
            holders = self._holders.get(role, set())
            holders = (holders - self.g.role_holders) or holders
            joint = {m for b in holders for m in self._members.get(b, ())}
            self._roles[role] = frozenset(holders - joint)
        if not self._roles[role]:
            self.missing_roles.add(role)
        return self._roles[role]

    def names_other_area(self, name: str) -> bool:
        """Whether a body's name carries another authority's area ("Suffolk Constabulary" in a Norfolk report)."""
        folded = f" {fold(name)} "
        return any(f" {a} " in folded for a in self._other_areas) and not self.names_own_area(name)

    def names_own_area(self, name: str) -> bool:
        folded = f" {fold(name)} "
        return any(f" {a} " in folded for a in self.areas)

    def cued(self, text: str, start: int, end: int) -> bool:
        """Whether the name at start:end is the source ("… reports that") or the forum ("presented to …"), or part
        of words for a person's condition ("parental mental health")."""
        condition = self.g.cues.get("condition")
        if condition and any(m.start <= start and end <= m.end for m in condition.find_all(text)):
            return True
        after = self.g.cues.get("source")
        # "The medical adviser's reports are delayed": a possessive's noun is no verb of reporting.
        if after and not re.match(r"['\u2019]s?\b", text[end:end + 2]):
            tail = words(text[end:end + 80])[:7]
            # Up to two words may come between ("health staff report that …"), or four when the name is the first
            # of two sources ("social workers and foster carers report", "health staff and foster carers report").
            between = 5 if "and" in tail[:2] else 3
            starts = {len(" ".join(tail[:i])) + (1 if i else 0) for i in range(between)}
            if any(m.start in starts for m in after.find_all(" ".join(tail))):
                return True
        before = self.g.cues.get("forum")
        if before:
            head = words(text[max(0, start - 80):start])[-6:]
            while head and head[-1] in _DETERMINERS:
                head.pop()
            joined = " ".join(head)
            return any(m.end == len(joined) for m in before.find_all(joined))
        return False

    def mentions(self, text: str) -> list[Mention]:
        """Bodies named in a text, by name or by role, longest first and not overlapping."""
        found = []
        cued_ends: set[int] = set()
        for m in self.g.matcher.find_longest(text):  # left to right, so a cued name comes before its short name
            if m.label.startswith(_GENERIC):
                agencies = frozenset().union(*(self.role(r) for r in self.g.generic[m.label[len(_GENERIC):]]))
                method = "mention-generic"
            else:
                agencies, method = self._named(m.label[len(_ALIAS):])
            agencies -= self.g.never_owners
            if self.cued(text, m.start, m.end) or _restated(text, cued_ends, m.start, m.end):
                cued_ends.add(m.end)
            elif agencies:
                found.append(Mention(m.start, m.end, text[m.start:m.end], agencies, method))
        taken = [(m.start, m.end) for m in found]
        for pattern, roles in self.g.generic_patterns:
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken) or self.cued(text, m.start(), m.end()) \
                        or _restated(text, cued_ends, m.start(), m.end()):
                    continue
                agencies = frozenset().union(*(self.role(r) for r in roles))
                if agencies:
                    found.append(Mention(m.start(), m.end(), m.group(), agencies, "mention-generic"))
                    taken.append((m.start(), m.end()))
        return sorted(found, key=lambda m: m.start)

    def _named(self, alias: str) -> tuple[frozenset[str], str]:
        agencies: set[str] = set()
        part = False
        nodes = self.g.alias_nodes.get(alias, frozenset())
        # A service is everyone's kind of work: whoever fills the role that answers for it here.
        services = {n for n in nodes if self.g.kinds.get(n) == "service"}
        for node in sorted(services) + sorted(self.local(nodes - services)):
            kind = self.g.kinds.get(node)
            if kind == "service":
                part = True
                for role in self.g.accountable.get(node, ()):
                    agencies |= self.role(role)
            elif kind == "agency" and not self.g.parents.get(node):
                agencies.add(node)
            else:
                part = True
                owners = self.g.owner_agencies(node)
                agencies |= self.local(owners) or owners
        return frozenset(agencies), "mention-part" if part else "mention"
