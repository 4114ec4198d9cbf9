"""Reader stage 5: what else a report holds: the numbers that describe the area, and the legislation and guidance
it cites."""

from __future__ import annotations

import re
from functools import lru_cache

from .. import vocab
from ..records import CitedDocument, Paragraph, Statistic

_STAT = re.compile(
    r"(?<![\w.,£/-])(?<!per )(?:approximately |about |around |over |just over |some |nearly |almost )?"
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<pct>%| per cent)?(?P<paren>\s*\([^)]{1,40}\))?\s+"
    r"(?:(?:are|were|is|was|had)\s+)?"
    r"(?P<what>(?:of\s+(?:the\s+)?)?(?:children and young people|[A-Za-z][A-Za-z'\-]*(?:\s+(?:[A-Za-z][A-Za-z'\-]*|\d+-\d+))*?))"
    r"(?P<rel>\s+(?:who|which|that)\s+[^,.;:()]{3,80})?(?=\s*[,.;:()]|\s+(?:in|at|from|and|with|compared|as|across|since|to|for|aged|representing|were|was|are|is|had|have)\b|\s*\n|$)")
#: The earlier figure a sentence compares with: "This is a reduction from 7,361 at 31 March 2014."
_EARLIER = re.compile(r"\b(?:reduction|increase|rise|fall|decrease|change) from (\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\b")


_RATE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s+per\s+(\d{1,3}(?:,\d{3})+|\d+)\b")


def find_statistics(paragraph: Paragraph) -> list[Statistic]:
    """Numbers in a Service information paragraph and what each counts."""
    stats: list[Statistic] = []
    headline: Statistic | None = None  # the first count of the sentence before
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n- ", paragraph.text):
        before = len(stats)
        for m in _STAT.finditer(sentence):
            raw, what = m.group("num"), m.group("what").strip()
            value = float(raw.replace(",", ""))
            is_year = "," not in raw and "." not in raw and 1900 <= value <= 2099 and not m.group("pct")
            if is_year or not what or re.fullmatch(r"of|the|(?:is|are|was|were|had|has|have|placed)\b.*", what, re.IGNORECASE):
                continue
            counts = (what + (m.group("rel") or "")).strip()
            stats.append(Statistic(value=value, unit="percent" if m.group("pct") else "count",
                                   counts=counts, sentence=sentence, paragraph=paragraph.key))
            share = re.search(r"(\d+(?:\.\d+)?)%", m.group("paren") or "")
            if share:
                stats.append(Statistic(value=float(share.group(1)), unit="percent", counts=counts,
                                       sentence=sentence, paragraph=paragraph.key))
        earlier = _EARLIER.search(sentence)
        if earlier and headline is not None:
            # The figure this one updates: it counts what the sentence before counted, at an earlier date.
            stats.append(Statistic(value=float(earlier.group(1).replace(",", "")), unit=headline.unit,
                                   counts=f"{headline.counts} (earlier)", sentence=sentence, paragraph=paragraph.key))
        headline = next((x for x in stats[before:] if x.unit == "count"), None) if not earlier else None
        for m in _RATE.finditer(sentence):
            per = m.group(2).replace(",", "")
            stats.append(Statistic(value=float(m.group(1)), unit=f"per {per}", counts=f"rate per {m.group(2)}",
                                   sentence=sentence, paragraph=paragraph.key))
    return stats


@lru_cache(maxsize=1)
def _guidance_aliases() -> tuple[tuple[str, str], ...]:
    store = vocab.ontology_store("guidance.ttl")
    rows = store.query(vocab.sparql_prologue() + """SELECT ?title ?alias WHERE {
        ?g dcterms:title ?title ; skos:altLabel ?alias }""")
    pairs = {(r["alias"].value, r["title"].value) for r in rows}
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


#: An Act or a statutory instrument and its year: "Children Act 1989", "Local Safeguarding Children Boards (Review)
#: Regulations 2013".
_ACT = re.compile(r"\b((?:[A-Z][A-Za-z']*|\((?:[A-Z][A-Za-z]*\s?)+\))(?:\s+(?:and|of|for|the|[A-Z][A-Za-z']*|\((?:[A-Z][A-Za-z]*\s?)+\)))*\s+(?:Act|Regulations))\s+((?:18|19|20)\d\d)\b")


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
                found.setdefault(key, CitedDocument(key[0], key[1], p.key, m.group(0)))
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
                    found.setdefault((title, year), CitedDocument(title, year, p.key, m.group(0)))
    dated = {(d.title, d.paragraph) for d in found.values() if d.year is not None}
    kept = [d for d in found.values() if d.year is not None or (d.title, d.paragraph) not in dated]
    order = {p.key: i for i, p in enumerate(paragraphs)}
    return sorted(kept, key=lambda d: (order[d.paragraph], d.title, d.year or 0))
