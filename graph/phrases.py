"""Fast matching of many phrases (aliases, keywords, cues) in text, by words rather than by one big regex.

A phrase is a sequence of words, matched case-insensitively against consecutive words of the text; a final "*"
matches any word that starts with what comes before it. Words are runs of letters, digits, "&" and "+", joined by
apostrophes or hyphens ("multi-agency", "A&E", "16+"); a possessive "'s" is dropped, so "the council's" matches
"the council" and "children's services" matches "children's services". Matching thousands of phrases this way
costs one pass over the words of the text, where a regex alternation tries every phrase at every position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"[\w&+]+(?:['\u2019-][\w&+]+)*")


@lru_cache(maxsize=8192)
def _spans(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """The (start, end) of each word and the lower-case words; a possessive "'s" is not part of the word
    ("the council's" -> "council"). Cached, because every matcher of a finding reads the same sentence."""
    places, tokens = [], []
    for m in WORD.finditer(text):
        word = m.group().lower().replace("\u2019", "'")
        end = m.end()
        if word.endswith("'s") and len(word) > 2:
            word, end = word[:-2], end - 2
        places.append((m.start(), end))
        tokens.append(word)
    return tuple(places), tuple(tokens)


def words(text: str) -> list[str]:
    """The lower-case words of a phrase or text."""
    return list(_spans(text)[1])


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    label: str
    length: int  # in words


class PhraseMatcher:
    """Phrases, each with a label; finds every occurrence, or the longest ones without overlap."""

    def __init__(self, phrases):
        self._by_first: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
        self._prefixes: dict[str, list[tuple[str, str]]] = {}  # one-word prefix phrases ("assessment*"), by 2 letters
        for phrase, label in phrases:
            prefix = phrase.endswith("*")
            tokens = tuple(words(phrase.rstrip("*")))
            if not tokens:
                continue
            if prefix and len(tokens) == 1:
                self._prefixes.setdefault(tokens[0][:2], []).append((tokens[0], label))
            else:
                self._by_first.setdefault(tokens[0], []).append((tokens, prefix, label))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def find_all(self, text: str) -> list[Match]:
        """Every occurrence of every phrase."""
        places, tokens = _spans(text)
        by_first, prefixes = self._by_first, self._prefixes
        found = []
        for i, token in enumerate(tokens):
            for phrase, prefix, label in by_first.get(token, ()):
                n = len(phrase)
                if n > 1:
                    last = i + n - 1
                    if last >= len(tokens) or tokens[i + 1:last] != phrase[1:-1]:
                        continue
                    if not (tokens[last] == phrase[-1] or (prefix and tokens[last].startswith(phrase[-1]))):
                        continue
                found.append(Match(places[i][0], places[i + n - 1][1], label, n))
            for stem, label in prefixes.get(token[:2], ()):
                if token.startswith(stem):
                    found.append(Match(places[i][0], places[i][1], label, 1))
        return found

    @lru_cache(maxsize=4096)  # a sentence is asked for its agencies, then for its services
    def find_longest(self, text: str) -> tuple[Match, ...]:
        """Occurrences left to right, the longest at each place, none overlapping."""
        matches = sorted(self.find_all(text), key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Match] = []
        for m in matches:
            if not kept or m.start >= kept[-1].end:
                kept.append(m)
        return tuple(kept)

    def labels(self, text: str) -> set[str]:
        return {m.label for m in self.find_all(text)}
