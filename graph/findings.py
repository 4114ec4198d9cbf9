"""Findings and responsibility: judgement paragraphs -> findings with polarity, theme, services, owners, duties;
recommendations -> owners and the weaknesses they answer. Pure functions over records and loaded data.

A finding is a sentence, or a clause where the sentence turns on "although", "though", "albeit", "however", "while",
"but" or "despite". Its owners come from the bodies it names (by name, by role or by a team, site or service of
theirs; see graph.agencies) and from attribution rules (attribution.ttl), resolved for the report's authority and
date. A clause that names nobody borrows the owners of its whole sentence, or of the finding it points back to; a
weakness that nothing attributes goes to the local authority, the lead agency. Each way is a method with its own
confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from . import vocab
from .agencies import Gazetteer, Mention, Resolver, load_gazetteer
from .phrases import PhraseMatcher, words
from .records import Analysis, Attribution, Finding, NewAgency, Paragraph, Report
from .template import fold, load_template

_TURN = r"(?:although|though|albeit|but|however|whilst|while|despite)"
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "No.", "St.", "Dr.", "Mr.", "Mrs.", "Ms.", "approx.", "para.")
_STOPWORDS = frozenset("""a an and are as at be been being by for from has have in into is it its of on or that the
    their them there these this those to was were which who will with within all any both each more most other some
    such than too very can not no should must ensure improve children young people child""".split())
#: Words, set off from the action, that join a partner to it: "…, together with the LSCB, …".
_JOINED = re.compile(r"(?:^|,)\s*(?:together|jointly|in conjunction|in partnership)\s+with\s+(?:the\s+)?$",
                     re.IGNORECASE)
#: Words that may come before the names that head a text, its subject: "However, the courts and Cafcass …".
_HEAD_WORDS = re.compile(r"(?:[\W_]|\b(?:however|although|albeit|but|while|whilst|the|and|both|also|too few|too many"
                         r"|some|many|most|all|few|several|not all)\b)*", re.IGNORECASE)
#: An opening adverbial, up to its comma, before a text's subject: "In addition, Cafcass …", "Nationally, …".
_OPENING = re.compile(r"[^,;:]{1,40},")
#: Only a finding that points back ("these children", "they") carries over the owners before it.
_ANAPHOR = re.compile(r"\b(?:they|them|their|these|this|those|it|its|such)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    """Polarity cues, themes and duties, read from data."""

    cues: PhraseMatcher  # labels: weakness, strength, improvement
    negators: frozenset[str]  # the near negators among them
    near_negators: frozenset[str]  # negators that reach only the next word ("reduces inappropriate referrals")
    after_negators: frozenset[str]  # words just after a shortfall that deny it ("delays are avoided")
    clause_negators: PhraseMatcher  # words that deny every shortfall after them in their clause ("has addressed")
    topics: PhraseMatcher  # names of topics, inside which cues do not count
    topic_openers: PhraseMatcher  # words that open a span of no judgement to the clause's end ("on the rare occasions")
    aim_openers: PhraseMatcher  # words that open an aim, whose praise and plain negators do not count ("to ensure")
    contrast_openers: PhraseMatcher  # a sentence's first words that make any shortfall in it its verdict ("However")
    comparisons: PhraseMatcher  # labels: higher, lower, better, worse, benchmark, bad, good
    themes: PhraseMatcher  # labels: theme notations
    duties: PhraseMatcher  # labels: duty IRIs


def _pairs(store, query: str) -> list[tuple[str, str]]:
    return [(r["k"].value, r["n"].value) for r in store.query(vocab.sparql_prologue() + query)]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read the polarity cues, theme keywords and duty keywords from ontology/findings.ttl and duties.ttl."""
    store = vocab.ontology_store("findings.ttl", "duties.ttl")
    cues = _pairs(store, "SELECT ?k ?n WHERE { ?p a ofsted:Polarity ; skos:notation ?n ; ofsted:cue|ofsted:domainKeyword ?k }")
    negators, near, after_negators, clause_negators, topics, openers, aims, contrasts = (_pairs(
        store, f"SELECT ?k ?n WHERE {{ ?p a ofsted:Polarity ; skos:notation ?n ; ofsted:{prop} ?k }}")
        for prop in ("negator", "nearNegator", "afterNegator", "clauseNegator", "topicName", "topicOpener", "aimOpener",
                     "contrastOpener"))
    comparisons = _pairs(store, "SELECT ?k ?n WHERE { ?c a ofsted:Comparison ; skos:notation ?n ; ofsted:cue|ofsted:keyword|ofsted:domainKeyword ?k }")
    themes = _pairs(store, "SELECT ?k ?n WHERE { ?t a ofsted:Theme ; skos:notation ?n ; ofsted:keyword|ofsted:domainKeyword ?k }")
    duties = _pairs(store, "SELECT ?k (STR(?d) AS ?n) WHERE { ?d a ofsted:Duty ; skos:altLabel ?k }")
    def lowered(pairs) -> frozenset[str]:
        return frozenset(k.lower() for k, _ in pairs)

    return Lexicon(PhraseMatcher(sorted(cues)), lowered(negators + near), lowered(near), lowered(after_negators),
                   PhraseMatcher(sorted(clause_negators)), PhraseMatcher(sorted(topics)), PhraseMatcher(sorted(openers)),
                   PhraseMatcher(sorted(aims)), PhraseMatcher(sorted(contrasts)), PhraseMatcher(sorted(comparisons)),
                   PhraseMatcher(sorted(themes)), PhraseMatcher(sorted(duties)))


# ----------------------------------------------------------------------------------------------- splitting

def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (and list items) of a paragraph's text."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start() + (2 if line.group().startswith("- ") else 0)
        body = text[start:line.end()]
        cut = start
        for m in re.finditer(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(])", body):
            before = body[:m.start()]
            if before.endswith(_ABBREVIATIONS):
                continue
            spans.append((cut, start + m.start() + len(m.group().rstrip())))
            cut = start + m.end()
        spans.append((cut, line.end()))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def split_clauses(text: str) -> list[tuple[int, int, int]]:
    """(start, end, sentence number) of each finding: sentences cut where they turn on although/but/however/…"""
    out = []
    for number, (s, e) in enumerate(_sentences(text)):
        sentence = text[s:e]
        cuts = [0]
        opening = re.match(rf"{_TURN}\b[^,]*,\s*", sentence, re.IGNORECASE)
        if opening and opening.end() < len(sentence):
            cuts.append(opening.end())
        for m in re.finditer(rf"(?<!\beven)(?<!\bas)(?:[,;]\s*|\s+)(?={_TURN}\b)", sentence, re.IGNORECASE):
            if m.start() > (cuts[-1] + 1):
                cuts.append(m.start())
        cuts.append(len(sentence))
        pieces = []
        for a, b in zip(cuts, cuts[1:]):
            piece = sentence[a:b]
            lead = len(piece) - len(piece.lstrip(" ,;"))
            trail = len(piece.rstrip(" ,;"))
            if trail > lead:
                pieces.append([s + a + lead, s + a + trail])
        merged: list[list[int]] = []
        for piece in pieces:  # a fragment of under four words joins its neighbour
            if merged and len(text[piece[0]:piece[1]].split()) < 4:
                merged[-1][1] = piece[1]
            elif merged and len(text[merged[-1][0]:merged[-1][1]].split()) < 4:
                merged[-1][1] = piece[1]
            else:
                merged.append(piece)
        out += [(a, b, number) for a, b in merged]
    return out


# ----------------------------------------------------------------------------------------------- classifying

#: A name in quotes is a name, not a judgement: the "'no detriment' policy", "'Signs of Safety'".
_QUOTED = re.compile(r"(?<![\w'])'[^'\n]{2,60}?'(?![\w'])")
#: An opening clause that states a circumstance ("When it is not safe for children to remain at home,").
_CONDITION = re.compile(r"(?:When|If|Where|Once|Unless|Until)\b[^,;]{3,120},")
#: A grade of the past, told as a circumstance: "since 2015, when all services, except adoption, were judged …".
_PAST_GRADE = re.compile(r"\b(?:when|where)\b[^.;]{0,80}?\b(?:was|were)\s+(?:judged|graded)\b[^.;]*")
#: Where progress started, not where the service stands: "has improved from a very low base". After "albeit" or
#: "although" it is the shortfall the clause concedes.
_LOW_BASE = re.compile(r"\bfrom\s+(?:a|the)\s+(?:(?:very|relatively)\s+)?low\s+base", re.IGNORECASE)
#: Parts of the work before "where": "areas where further work is needed" names a shortfall, not an occasion.
_PARTS = re.compile(r"\b(?:areas?|aspects?|ways?|cases?|parts?|elements?)\s+$", re.IGNORECASE)
#: What is to be done, as an indirect question: "social workers explain what needs to change". It names the aim of
#: the work, not a lack, and runs to its clause's end, the main verb after it or an "and".
_WHAT_IS_NEEDED = re.compile(r"\b(?:what|everything)\s+(?:\w+\s+){0,2}?"
                             r"(?:needs?|(?:is|are)\s+(?:needed|required)|remains?\s+to\s+be\s+done)\b", re.IGNORECASE)
#: The occasion of a need: "plans are led by partners when a coordinated response is needed", "targets are set
#: where improvements are needed". A need on an occasion is what the work answers, not a shortfall.
_OCCASION = re.compile(r"\b(?:when|whenever|where|wherever|if)\s[^,;:.]{0,60}?\b(?:is|are)\s+(?:needed|required)\b",
                       re.IGNORECASE)
#: A finding of an earlier inspection, told as the past: "care leavers, identified as the weakest area of service at
#: the last inspection, …". Only those words: what the clause says of now still counts.
_PAST_FINDING = re.compile(r"\b(?:identified|judged|found|noted|highlighted|graded)\b(?!\s+that)[^.;,]{0,80}?"
                           r"\b(?:at|in|by)\s+the\s+(?:last|previous|earlier)\s+inspection", re.IGNORECASE)
#: "Should" in an indirect question or a principle is no shortfall: "decisions about when children should become looked
#: after", "inform leaders about where resources should be targeted".
_WH_SHOULD = re.compile(r"\b(?:when|where|what|how|whether|which)\s+(?:[\w'-]+\s+){0,4}?should\b", re.IGNORECASE)
#: What could be better, as an indirect question: "care leavers were consulted on how the service could be improved".
_HOW_COULD = re.compile(r"\b(?:how|whether)\s+(?:[\w'-]+\s+){0,4}?(?:could|might)\b", re.IGNORECASE)
#: A condition denied inside a clause, what the work does in that case: "legal remedies are pursued when staff are not
#: assured that the arrangements are safe", "what will happen if change is not achieved". Only where the "not" follows
#: the condition's own verb, so that a condition without a comma does not swallow the main clause after it.
_IF_NOT = re.compile(r"\b(?:when|whenever|if|unless)\s+(?:[\w'-]+\s+){0,4}?(?:(?:is|are|was|were|do|does|did|has|have"
                     r"|had|can|could|will|would)\s+not\b|\w+n't\b|cannot\b)", re.IGNORECASE)
#: An occasion, "when there is any delay", "where there is weakness in service delivery": what the work responds to,
#: to the end of its phrase.
_WHEN_THERE_IS = re.compile(r"\b(?:when|whenever|if|where|wherever)\s+there\s+(?:is|are)\b", re.IGNORECASE)
#: Where a clause ends: at a comma, semicolon or colon, or where the sentence turns.
_CLAUSE_END = re.compile(rf"[,;:]|\s{_TURN}\b", re.IGNORECASE)
#: Where the main clause comes back after a repair or a question inside the subject ("assessments of whether
#: brothers and sisters should remain together are not consistently carried out").
_MAIN_VERB = re.compile(r"\s(?:is|are|was|were|remains?)\b")
_AND = re.compile(r"\sand\b")
#: Words a negator may stand behind without losing its reach: "reduces the number of inappropriate referrals".
_FILLERS = frozenset({"the", "any", "of", "number", "numbers"})
#: Words that say how many; before a bad quantity (exclusions, delay, disruption) they deny it.
_FEW = frozenset({"no", "none", "few", "very few"})
#: Words that say how little; said of a bad quantity they deny it: "the very low rate of adoption disruptions",
#: "staff turnover is low", but not "morale is low and turnover is high".
_LOW = frozenset({"low"})
#: High or higher, said of a bad quantity without a benchmark, is a shortfall ("caseloads are much higher in the
#: duty teams"); said of a good one, praise ("attendance is high").
_HIGH = re.compile(r"\b(?:high|higher)\b(?!-)", re.IGNORECASE)
#: What may stand between a word of how much ("low", "high") and the quantity it is said of: the rest of a noun phrase
#: when the word comes first ("low rates of placement breakdown"), a copula and adverbs when it comes last ("turnover
#: is very low").
_SAID_BEFORE = re.compile(r"(?:\s+(?!(?:is|are|was|were|has|have|and|but|because|while|whilst|remains?)\b)"
                         r"[\w'-]+){0,4}\s+")
_SAID_AFTER = re.compile(r"\s+(?:(?!(?:and|but|because|while|whilst)\b)[\w'-]+\s+){0,3}?"
                        r"(?:is|are|was|were|remains?|remained|(?:has|have|had)\s+been)\s+"
                        r"(?:(?:very|relatively|now|still|comparatively|consistently|also|generally|much|too|far|"
                        r"significantly|considerably)\s+)*")
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_TIME_UNIT = r"(?:working\s+)?(?:hours?|days?|weeks?|months?|years?)\b"
#: "Only" before a number: a small share ("only 48%", "only four young people"), but not a short time.
_ONLY = re.compile(rf"\bonly\s+(?:{_NUMBER}|a (?:third|quarter|half|minority|small))\b(?!\s*{_TIME_UNIT})",
                   re.IGNORECASE)
#: A time kept under a bound is a timescale met, not a shortfall: "court timescales reduced to below 30 weeks".
_BOUND = re.compile(rf"\b(?:below|under|less than|fewer than|within)\s+{_NUMBER}\s+{_TIME_UNIT}", re.IGNORECASE)
#: "Not" before what befalls children, or before what is done needlessly: they "do not experience a large number of
#: moves", "do not become looked after unnecessarily"; but not across "and", "or" or "but" ("are not seen and
#: experience unnecessary delay").
_NOT_SUFFER = re.compile(r"not\s+(?:(?:experienc|suffer)\w*|(?:(?!\b(?:and|or|but)\b)[^,;:.]){0,40}?(?=\bunnecessar))",
                         re.IGNORECASE)


def _clause_end(text: str, start: int) -> int:
    end = _CLAUSE_END.search(text, start)
    return end.start() if end else len(text)


def _main_verb(text: str, start: int) -> int:
    verb = _MAIN_VERB.search(text, start)
    return verb.start() if verb else len(text)


def _phrase_end(text: str, start: int) -> int:
    """Where a phrase inside a clause ends: at the clause's end, its main verb or an "and"."""
    joined = _AND.search(text, start)
    return min(_clause_end(text, start), _main_verb(text, start), joined.start() if joined else len(text))


def polarity(text: str, lexicon: Lexicon) -> str:
    """strength, weakness, improvement or context, from the cue phrases in ontology/findings.ttl."""
    comparisons = lexicon.comparisons.find_all(text)
    quantities = _outermost(comparisons)
    compared = _compared(quantities)
    if compared:
        return compared
    topics = [(m.start, m.end) for m in lexicon.topics.find_all(text)]
    topics += [(m.start, _clause_end(text, m.end)) for m in lexicon.topic_openers.find_all(text)
               if not re.search(r"[,;:.]", text[m.start:m.end])]  # "as they should; the plans …" opens nothing
    topics += [m.span() for m in _QUOTED.finditer(text)]
    topics += [m.span() for m in _PAST_GRADE.finditer(text)]
    topics += [m.span() for m in _PAST_FINDING.finditer(text)]
    if not re.match(rf"\W*{_TURN}\b", text, re.IGNORECASE):
        topics += [m.span() for m in _LOW_BASE.finditer(text)]
    topics += [m.span() for m in _BOUND.finditer(text)]
    topics += [m.span() for m in _WH_SHOULD.finditer(text)]
    # "There are areas where further work is needed" is no occasion but a shortfall.
    topics += [m.span() for m in _OCCASION.finditer(text) if not _PARTS.search(text[:m.start()])]
    topics += [(m.start(), _phrase_end(text, m.end())) for m in _WHAT_IS_NEEDED.finditer(text)]
    topics += [(m.start(), _phrase_end(text, m.end())) for m in _WHEN_THERE_IS.finditer(text)
               if not _PARTS.search(text[:m.start()])]
    topics += [(m.start(), _clause_end(text, m.end())) for m in _HOW_COULD.finditer(text)]
    topics += [(m.start(), _phrase_end(text, m.end())) for m in _IF_NOT.finditer(text)]
    condition = _CONDITION.match(text)
    if condition:  # "When it is not safe for children to remain at home, …": the circumstance, not the finding
        topics.append(condition.span())
    ends = {m.start: m.end for m in comparisons if m.label in ("bad", "good")}
    bad = sorted(m.start for m in comparisons if m.label == "bad")
    good = sorted(m.start for m in comparisons if m.label == "good")
    clause_negators = {text[m.start:m.end].lower() for m in lexicon.clause_negators.find_all(text)}

    def in_topic(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in topics)

    # An opener inside a topic opens no aim: "when they need to come into care, they do so in a timely way".
    aims = [(m.end, _clause_end(text, m.end)) for m in lexicon.aim_openers.find_all(text)
            if not in_topic(m.start, m.end)]

    def in_aim(start: int, end: int) -> bool:
        """Inside an aim, praise, progress and plain negators are what is aimed at, not what was found."""
        return any(a <= start and end <= b for a, b in aims)

    def window(start: int, count: int) -> list[str]:
        """The last `count` words before `start`, fillers and topics left out."""
        begin = max(0, start - 60)
        words = [(w.group().strip(",;'\"").lower(), begin + w.start(), begin + w.end())
                 for w in re.finditer(r"\S+", text[begin:start])]
        return [w for w, a, b in words if not in_topic(a, b) and not (w in lexicon.negators and in_aim(a, b))
                and w not in _FILLERS][-count:]

    # A shortfall after a repair or a question, to the end of its clause, is denied ("has addressed the delays").
    denied = [(m.end, min(_clause_end(text, m.end), _main_verb(text, m.end)))
              for m in lexicon.clause_negators.find_all(text)
              if not in_topic(m.start, m.end) and not lexicon.negators.intersection(window(m.start, 2))]

    def repaired(m) -> bool:
        return any(a <= m.start and m.end <= b for a, b in denied)

    def negated(m, count: int) -> bool:
        # Two negators cancel: "has not addressed the delays" keeps its shortfall.
        words = window(m.start, count)
        # A repair denies a shortfall, not praise: "is addressed in a timely manner" is praise.
        before = sum(1 for i, w in enumerate(words) if w in clause_negators and m.label == "weakness"
                     or w in lexicon.negators and (
            w not in lexicon.near_negators or i == len(words) - 1))
        after = re.findall(r"\S+", text[m.end:m.end + 40])[:count]
        return before % 2 == 1 or m.label == "weakness" and (
            repaired(m)
            or any(w.strip(",.;'\"").lower() in lexicon.after_negators for w in after))

    def denied_in_aim(m) -> bool:
        """A shortfall an aim keeps away, a negator of the aim just before it: "to ensure that children do not
        experience unnecessary delay"."""
        return any(a <= m.start and m.end <= b and lexicon.negators.intersection(words(text[a:m.start])[-3:])
                   for a, b in aims)

    found = [m for m in lexicon.cues.find_all(text) if not in_topic(m.start, m.end) and not (
        in_aim(m.start, m.end) and (m.label != "weakness" or text[m.start:m.end].lower() in lexicon.negators
                                    or denied_in_aim(m)))]
    # A cue inside a longer one is part of it: "requires improvement" is no "improvement", "not yet" no second "not".
    matches = _outermost(found)
    weaknesses = [m for m in matches if m.label == "weakness"]

    def near_bad(start: int, end: int, before: bool, reach: int = 70) -> list[int]:
        """The bad quantities in the clause of the words start:end, up to `reach` characters after them (or before
        them too)."""
        return [b for b in bad if (0 < b - end <= reach or before and 0 < start - b <= reach)
                and not _CLAUSE_END.search(text, min(b, end), max(b, start))]

    def said_of(start: int, end: int, quantities: list[int]) -> list[int]:
        """The quantities a word of how much ("low", "high") at start:end is said of: the one it qualifies, or the
        subject it is the complement of."""
        return [q for q in quantities
                if _SAID_BEFORE.fullmatch(text, end, q) or _SAID_AFTER.fullmatch(text, ends[q], start)]

    is_negator = {m.start: text[m.start:m.end].lower() in lexicon.negators for m in weaknesses}
    strong = 0
    spent: set[int] = set()  # negators that deny a shortfall, and so are no weakness themselves
    for m in weaknesses:
        # "no significant shortfalls": a shortfall denied is not a weakness.
        if not is_negator[m.start] and negated(m, 3):
            strong += 1
            spent.update(n.start for n in weaknesses if is_negator[n.start] and 0 < m.start - n.start <= 40)
        elif (text[m.start:m.end].lower() in _FEW and not re.search(r"\ba\s+$", text[:m.start], re.IGNORECASE)
              or _NOT_SUFFER.match(text, m.start)) and (denied_bad := near_bad(m.start, m.end, before=False)) \
                or text[m.start:m.end].lower() in _LOW and (denied_bad := said_of(m.start, m.end, bad)):
            # "No children are permanently excluded", "very few experience disruption"; not "a few", which is some.
            strong += 1
            spent.add(m.start)
            spent.update(denied_bad)  # the bad quantity denied is no shortfall either
    weak = sum(1 for m in weaknesses if m.start not in spent and (is_negator[m.start] and not repaired(m)
                                                                   or not negated(m, 3)))
    # "Only 48% of assessments were completed on time": a small share, a shortfall; "only two children experienced
    # placement moves", a small share of a bad quantity, is praise.
    for m in _ONLY.finditer(text):
        if not in_topic(m.start(), m.end()):
            if near_bad(m.start(), m.end(), before=True, reach=60):
                strong += 1
            else:
                weak += 1
    for h in _HIGH.finditer(text):
        if not in_topic(h.start(), h.end()) and not any(m.start <= h.start() < m.end for m in weaknesses):
            weak += bool(said_of(h.start(), h.end(), bad))
            strong += bool(said_of(h.start(), h.end(), good))
    for m in matches:
        if m.label == "strength":
            if negated(m, 3):
                weak += 1
            else:
                strong += 1
    improving = sum(1 for m in matches if m.label == "improvement")
    trends = _trends(text, quantities, lambda t: not in_topic(t.start, t.end) and not in_aim(t.start, t.end)
                     and not lexicon.negators.intersection(window(t.start, 2)))
    weak += trends.count("weakness")
    improving += trends.count("improvement")
    # A single sign of a shortfall outweighs two of praise: inspectors qualify praise before they fault. After
    # "However", one outweighs any.
    contrast = any(m.start == len(text) - len(text.lstrip(" \"'(")) for m in lexicon.contrast_openers.find_all(text))
    if weak and (contrast or 2 * weak >= strong and improving <= weak):
        return "weakness"
    if improving and improving >= strong:
        return "improvement"
    if strong:
        return "strength"
    return "context"


def _outermost(matches) -> list:
    """The cues not inside a longer one: "not in education, employment or training" is no "employment"."""
    return [m for m in matches if not any(n.start <= m.start and m.end <= n.end and n.end - n.start > m.end - m.start
                                          for n in matches)]


def _trends(text: str, matches: list, judged) -> list[str]:
    """The verdicts of the trends a text states outside its topics, aims and negations: more of a bad quantity or
    less of a good one is a weakness, the other way an improvement. A trend judges the nearest quantity in its
    clause ("fixed-term exclusions are increasing")."""
    quantities = [q for q in matches if q.label in ("bad", "good")]
    verdicts = []
    for t in matches:
        if t.label not in ("rising", "falling") or not judged(t):
            continue
        near = [q for q in quantities if abs(q.start - t.start) <= 60
                and not _CLAUSE_END.search(text, min(q.end, t.end), max(q.start, t.start))]
        if near:
            q = min(near, key=lambda q: abs(q.start - t.start))
            verdicts.append("weakness" if (t.label == "rising") == (q.label == "bad") else "improvement")
    return verdicts


def _compared(matches: list) -> str | None:
    """The verdict of a comparison with a benchmark, or None: more of a bad quantity (absence, exclusions,
    re-referrals) than the national average is a weakness, less of it a strength, and the other way round for a
    good one (attainment, attendance)."""
    found = {m.label for m in matches}
    if "benchmark" not in found:
        return None
    if found & {"better", "worse"} and len(found & {"better", "worse"}) == 1:
        return "strength" if "better" in found else "weakness"
    direction = found & {"higher", "lower"}
    quantity = found & {"bad", "good"}
    if len(direction) != 1 or len(quantity) != 1:
        return None
    more, bad = direction == {"higher"}, quantity == {"bad"}
    return "weakness" if more == bad else "strength"


def theme(text: str, lexicon: Lexicon) -> str:
    """The theme whose keywords the text matches most (then by the longest keyword); "other" if none."""
    hits: dict[str, list[int]] = {}
    for m in lexicon.themes.find_all(text):
        hits.setdefault(m.label, []).append(m.end - m.start)
    if not hits:
        return "other"
    return max(sorted(hits), key=lambda n: (len(hits[n]), max(hits[n])))


def _name(match: re.Match) -> str:
    """An agency's name as a name pattern matched it, without a leading "The"."""
    return re.sub(r"^(?:[Tt]he)\s+", "", match.group().strip())


class Attributor:
    """Owners of a piece of text for one report: mentions first, then rules."""

    def __init__(self, report: Report, authority: str, gazetteer: Gazetteer | None = None):
        self.g = gazetteer or load_gazetteer()
        self.resolver = Resolver(self.g, authority, report.date)
        self.new_agencies: dict[str, NewAgency] = {}
        #: Whether the report's lists of actions are addressed to the lead agency (ILACS).
        self.lead_actions = load_template().framework(report.framework).lead_actions
        self.framework = report.framework
        #: The authority and the bodies that fill a partner role for it: a body outside them (a court, a national
        #: body, a provider) or filling only a role whose holders own what they head (schools) owns only what it is
        #: the subject of.
        self.partners = {authority} | {agency for la, role, agency, _, _ in self.g.roles
                                       if la == authority and role not in self.g.headed_roles}
        sections = {p.section for p in report.paragraphs}
        #: The sections of this report that judge one partner on its own, and that partner's role.
        self.judged = {s: role for s, role in self.g.section_roles.items() if s in sections}

    def services(self, text: str) -> tuple[str, ...]:
        return self.g.services(text)

    def confidence(self, method: str) -> float:
        return self.g.method_confidence.get(method, 0.5)

    def owners(self, text: str, section: str | None = None) -> dict[str, Attribution]:
        """Who a piece of text in a section makes the owner: the bodies it names, then the rules' roles."""
        best: dict[str, Attribution] = {}
        judged_elsewhere = {role for s, role in self.judged.items() if s != section}

        def offer(agency: str, method: str, confidence: float) -> None:
            if agency not in best or confidence > best[agency].confidence:
                best[agency] = Attribution(agency, method, confidence)

        # Names the patterns find that the reference data does not hold, each with its pattern.
        named = [(p, m) for p in self.g.name_patterns if any(a in text for a in p.anchors)
                 for m in p.pattern.finditer(text) if fold(_name(m)) not in self.g.alias_nodes]
        mentions = self.resolver.mentions(text)
        # "Delays are due to the courts": a court, a national body or a provider named in passing is no owner.
        heads = _heads(text, [(m.start, m.end) for m in mentions] + [n.span() for _, n in named])
        for mention in mentions:
            # "Shropshire Safeguarding Children Board" is a board of its own, not "the Safeguarding Children Board".
            if any(n.start() <= mention.start and mention.end <= n.end() for _, n in named):
                continue
            if section in self.judged and self._service(mention.text):
                continue  # in the LSCB's review, a kind of work ("early help") is what the board oversees
            for agency in mention.agencies:
                if agency in self.partners or mention.start in heads:
                    offer(agency, mention.method, self.confidence(mention.method))
        for pattern, m in named:
            name = _name(m)
            if fold(name) in self.g.generic or self.resolver.names_other_area(name):
                continue  # a role's name (found above), or another authority's body
            if pattern.roles and self.resolver.names_own_area(name):
                # "Derby Safeguarding Children Board" in Derby's report: the board the data knows by its role.
                for agency in frozenset().union(*(self.resolver.role(r) for r in pattern.roles)):
                    offer(agency, "mention", self.confidence("mention"))
                continue
            iri = vocab.org_iri(name)
            self.new_agencies.setdefault(iri, NewAgency(iri, name, pattern.agency_class))
            if m.start() in heads:
                offer(iri, "mention", self.confidence("mention"))
        if section in self.judged:
            return best  # a section that judges one partner: its topics are that partner's work (lead_agency)
        rules = {rule.name: rule for rule in self.g.rules}
        # "Social workers report that …": the work named is the source of the finding, not its subject.
        hits = [(m.start, m.end, m.label) for m in self.g.rule_matcher.find_all(text)
                if not self.resolver.cued(text, m.start, m.end)]
        for start, end, name in sorted(hits, key=lambda h: (h[2], h[0])):  # ties go to the first rule by name
            # "health assessment" is the health rule's, not the social care rule's "assessment".
            if any(s <= start and end <= e and (e - s) > (end - start) and r != name for s, e, r in hits):
                continue
            rule = rules[name]
            roles = {"local-authority"} if self.framework in rule.lead_alone_in else set(rule.roles)
            for role in roles - judged_elsewhere:
                for agency in self.resolver.role(role):
                    offer(agency, f"rule:{rule.name}", rule.confidence)
        return best

    def _service(self, name: str) -> bool:
        """Whether a name is a service's: a kind of work that a role answers for, not a body."""
        return any(self.g.kinds.get(n) == "service" for n in self.g.alias_nodes.get(fold(name), ()))

    def action_owners(self, text: str, section: str | None = None) -> dict[str, Attribution]:
        """The owners of a recommended action: the partner a section judges on its own, for that section's list
        (the LSCB's); else the bodies named at its head, before the verb ("Ensure that the LSCB clarifies ...",
        "Children's services and the police should ..."), with any partner joined to them; else, where the
        framework addresses its actions to the lead agency (ILACS), the lead agency; else whoever the text names or
        the rules give it, else the lead agency."""
        mentions = self.resolver.mentions(text)
        # "…, together with the LSCB, …", "In partnership with the local authority, launch …": joined partners.
        joined = [m for m in mentions if _JOINED.search(text[:m.start])]
        if section in self.judged:
            return {**self._owned(joined), **self.lead_agency(section)}
        actor = self.g.cues.get("actor")
        head = re.match(r"\s*(?:ensure\s+(?:that\s+)?)?", text, re.IGNORECASE).end()
        subject = []
        for mention in mentions:
            if not re.fullmatch(r"\W*(?:(?:the|and|both)\W+)*", text[head:mention.start], re.IGNORECASE):
                break
            subject.append(mention)
            head = mention.end
        following = " ".join(words(text[head:head + 40])[:1])
        if subject and actor and any(m.start == 0 for m in actor.find_all(following)):
            return self._owned(subject + joined)
        if self.lead_actions:
            return self.lead_agency(section)
        return self.owners(text, section) or self.lead_agency(section)

    def _owned(self, mentions: list[Mention]) -> dict[str, Attribution]:
        return {a: Attribution(a, m.method, self.confidence(m.method)) for m in mentions for a in m.agencies}

    def inherited(self, owners: dict[str, Attribution], method: str) -> dict[str, Attribution]:
        """Owners borrowed from the sentence or the finding before, under a method that says so."""
        return {a: Attribution(a, method, min(at.confidence, self.confidence(method))) for a, at in owners.items()}

    def lead_agency(self, section: str | None = None) -> dict[str, Attribution]:
        """For what nothing else attributes: the partner a section judges on its own (the LSCB in its review),
        else the local authority, the lead agency."""
        if section in self.judged:
            holders = self.resolver.role(self.judged[section])
            if holders:
                return {a: Attribution(a, "section", self.confidence("section")) for a in holders}
        method = "default:lead-agency"
        return {self.resolver.authority: Attribution(self.resolver.authority, method, self.confidence(method))}


def _heads(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """The starts of the names that head a text: the first, if only openers, articles, quantifiers or an opening
    adverbial come before it, and those joined to it by "and" ("The local authority and the LSCB have been slow …",
    "In addition, too few Cafcass guardians …")."""
    heads: set[int] = set()
    opening = _OPENING.match(text)
    for at in {_HEAD_WORDS.match(text).end()} | ({_HEAD_WORDS.match(text, opening.end()).end()} if opening else set()):
        for start, end in sorted(spans):
            if start > at:
                break
            if end > at:  # a name may begin with the article the openers took ("the courts")
                heads.add(start)
                at = _HEAD_WORDS.match(text, end).end()
    return heads


def _grade_statement(text: str) -> bool:
    from .template import load_template

    words = {w for f in load_template().frameworks for _, w in f.grades}
    m = re.fullmatch(r"[^.;]{3,220}?\s(?:is|are)\s+(?:(?:now|at least|judged(?: to be)?)\s+)*(\w+)(?:\s+overall)?\.", text)
    return bool(m) and m.group(1).lower() in words


def _judgement_paragraphs(report: Report) -> list[Paragraph]:
    """The numbered paragraphs of a section that are not in a list of actions. Unnumbered summaries repeat what
    numbered paragraphs say in full, and statistics describe the area, not its services."""
    template = load_template()
    return [p for p in report.paragraphs if p.section and p.number is not None
            and template.list_heading(p.section_path) is None and not template.statistics_heading(p.section_path)]


def find_findings(report: Report, attributor: Attributor, lexicon: Lexicon | None = None) -> list[Finding]:
    """Every finding of every judgement paragraph, classified and attributed."""
    lexicon = lexicon or load_lexicon()
    findings = []
    for p in _judgement_paragraphs(report):
        sentence_owners: dict[int, dict[str, Attribution]] = {}
        previous: dict[str, Attribution] = {}
        spans = split_clauses(p.text)
        sentence_spans = _sentences(p.text)
        for index, (start, end, number) in enumerate(spans, start=1):
            quote = p.text[start:end]
            owners = attributor.owners(quote, p.section)
            if not owners:
                if number not in sentence_owners:
                    s, e = sentence_spans[number]
                    sentence_owners[number] = attributor.owners(p.text[s:e], p.section)
                owners = attributor.inherited(sentence_owners[number], "inherited:sentence")
            if owners:
                previous = owners
            elif previous and _ANAPHOR.search(" ".join(quote.split()[:10])):
                owners = attributor.inherited(previous, "inherited:previous")
            duties = tuple(sorted(lexicon.duties.labels(quote)))
            # The sentence that states the area's grade is the judgement itself, not a finding about it.
            kind = "context" if index == 1 and _grade_statement(quote) else polarity(quote, lexicon)
            if kind == "weakness" and not owners:
                owners = attributor.lead_agency(p.section)
            findings.append(Finding(
                paragraph=p.key, index=index, quote=quote, polarity=kind,
                theme=theme(quote, lexicon), services=attributor.services(quote),
                attributions=tuple(sorted(owners.values(), key=lambda a: a.agency)), duties=duties, start=start))
    return findings


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z][a-z'-]+", text.lower()) if w not in _STOPWORDS and len(w) > 2)


def link_answers(report: Report, findings: list[Finding], themes: dict[int, str]) -> list[tuple[int, str, str]]:
    """(recommendation, finding key, method) for the weaknesses each recommendation answers, given each
    recommendation's theme: those the report links itself, by an action's "(paragraphs 25, 26)" ("reference") or
    a finding's "(Recommendation)" tag ("tag"), then those that share the action's theme and wording
    ("theme+wording") or its wording ("wording")."""
    sections = {p.key: p.section for p in report.paragraphs}
    tagged = {p.key for p in report.paragraphs if p.recommendation_tag}
    by_paragraph: dict[str, list[Finding]] = {}
    for f in findings:
        by_paragraph.setdefault(f.paragraph, []).append(f)
    links: dict[tuple[int, str], str] = {}
    best_for_tag: dict[str, tuple[float, int]] = {}  # tagged finding -> (overlap, recommendation)
    for rec in report.recommendations:
        for key in rec.references:
            cited = by_paragraph.get(key, [])
            for f in [f for f in cited if f.polarity == "weakness"] or cited:
                links[(rec.number, f.key)] = "reference"
        rec_theme, rec_words = themes[rec.number], _words(rec.text)
        scored = []
        for f in findings:
            if f.polarity != "weakness" or sections.get(f.paragraph) != rec.section:
                continue
            overlap = len(rec_words & _words(f.quote)) / max(1, len(rec_words))
            if f.paragraph in tagged and overlap > best_for_tag.get(f.key, (0.0, 0))[0]:
                best_for_tag[f.key] = (overlap, rec.number)
            same_theme = f.theme == rec_theme and rec_theme != "other"
            if same_theme and overlap >= 0.2:
                scored.append((overlap + 1, f.key, "theme+wording"))
            elif overlap >= 0.34:
                scored.append((overlap, f.key, "wording"))
        scored.sort(key=lambda s: (-s[0], s[1]))
        for _, key, method in scored[:5]:
            links.setdefault((rec.number, key), method)
    # A tagged paragraph's weakness is answered by the action of its section whose wording it shares most.
    for key, (_, number) in best_for_tag.items():
        links[(number, key)] = "tag"
    return sorted((number, key, method) for (number, key), method in links.items())


def apply_overrides(analysis: Analysis, report_id: str, overrides) -> Analysis:
    """Add or remove owners as an analyst's overrides say (rows: target IRI, action, agency IRI)."""
    if not overrides:
        return analysis
    def target_iri(kind: str, key) -> str:
        return vocab.item_iri(report_id, kind, key)
    changes: dict[str, list[tuple[str, str]]] = {}
    for target, action, agency in overrides:
        changes.setdefault(target, []).append((action, agency))

    def revise(iri: str, attributions: tuple[Attribution, ...]) -> tuple[Attribution, ...]:
        current = {a.agency: a for a in attributions}
        for action, agency in changes.get(iri, ()):
            if action == "remove":
                current.pop(agency, None)
            else:
                current[agency] = Attribution(agency, "manual", 1.0)
        return tuple(sorted(current.values(), key=lambda a: a.agency))

    findings = tuple(replace(f, attributions=revise(target_iri("finding", f.key), f.attributions))
                     for f in analysis.findings)
    owners = tuple((n, revise(target_iri("recommendation", n), atts)) for n, atts in analysis.owners)
    return replace(analysis, findings=findings, owners=owners)


def analyse(report: Report, authority: str, overrides=(), gazetteer: Gazetteer | None = None) -> Analysis:
    """Findings, recommendation owners and links for one report, with notes on what the reference data lacked."""
    lexicon = load_lexicon()
    attributor = Attributor(report, authority, gazetteer)
    findings = find_findings(report, attributor, lexicon)
    owners = tuple((r.number, tuple(sorted(attributor.action_owners(r.text, r.section).values(), key=lambda a: a.agency)))
                   for r in report.recommendations)
    themes = tuple((r.number, theme(r.text, lexicon)) for r in report.recommendations)
    analysis = Analysis(tuple(findings), owners, tuple(link_answers(report, findings, dict(themes))),
                        tuple(sorted(attributor.new_agencies.values(), key=lambda a: a.iri)),
                        _notes(report, attributor, findings),
                        tuple(sorted((section, agency) for section, role in attributor.judged.items()
                                     for agency in attributor.resolver.role(role))),
                        themes)
    analysis = apply_overrides(analysis, report.report_id, overrides)
    names = {a.iri: a.label for a in analysis.new_agencies}
    owners = sorted({a.agency for f in analysis.findings if f.polarity == "weakness" for a in f.attributions}
                    | {a.agency for _, attributions in analysis.owners for a in attributions})
    facts = tuple((a, attributor.g.labels.get(a) or names.get(a, a), attributor.resolver.partner_role(a))
                  for a in owners)
    return replace(analysis, owner_facts=facts)


def _notes(report: Report, attributor: Attributor, findings: list[Finding]) -> tuple[str, ...]:
    """What a reader of the build should know about the owners: an authority the reference data lacks, a role no
    one filled at the report's date, and how many weaknesses fell to the lead-agency default."""
    resolver = attributor.resolver
    notes = []
    if resolver.authority not in attributor.g.authorities:
        notes.append(f"authority {report.local_authority!r} is not in the reference data: its partners are unknown")
    on = resolver.on.isoformat() if resolver.on else "an unknown date"
    notes += [f"no body fills the role {role} for {report.local_authority} on {on}"
              for role in sorted(resolver.missing_roles)]
    defaulted = sum(1 for f in findings if f.polarity == "weakness" and f.attributions
                    and all(a.method == "default:lead-agency" for a in f.attributions))
    if defaulted:
        weaknesses = sum(1 for f in findings if f.polarity == "weakness")
        notes.append(f"{defaulted} of {weaknesses} weaknesses fell to the lead-agency default (the local authority)")
    return tuple(notes)
