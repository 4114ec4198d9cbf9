"""Reader stage 4: the recommended actions, from the lists the template names ("Areas for improvement",
"Recommendations", "Priority and immediate action")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..records import Paragraph, Recommendation
from ..template import Framework, Template, fold
from .metadata import add_months
from .structure import ParaBuilder, begins_with_action, is_action

#: "(paragraph 25)", "(paragraphs 33, 34)", "(paragraphs 25 to 27)", "(Paras 29, 30)": the paragraphs an action
#: answers.
_REFERENCE = re.compile(r"\((?:paragraphs?|paras?)\.?\s+([\d,\s–-]+(?:(?:and|to)\s+\d+)?)\)", re.IGNORECASE)


def references(text: str) -> tuple[str, ...]:
    """Keys of the paragraphs an action cites."""
    found: list[str] = []
    for m in _REFERENCE.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
        if re.search(r"\d\s*(?:to|–|-)\s*\d", m.group(1)) and len(numbers) == 2 and numbers[0] < numbers[1] <= numbers[0] + 20:
            numbers = list(range(numbers[0], numbers[1] + 1))
        found += [str(n) for n in numbers if str(n) not in found]
    return tuple(found)


def _theme(paragraph: Paragraph) -> bool:
    """A numbered entry of a list that only heads the actions listed under it ("1. Leadership and management"
    with bullets)."""
    lead = paragraph.text.split("\n", 1)[0]
    return bool(paragraph.items) and len(lead) < 80 and not re.search(r"[.:;]$", lead)


def place_displaced_lists(paragraphs: tuple[Paragraph, ...], framework: Framework,
                          template: Template) -> tuple[Paragraph, ...]:
    """Paragraphs with each list's heading put back where the PDF prints it. A boxed heading can come out of the
    text after the findings it stands before (Redbridge 2016: the LSCB's "Recommendations" after paragraph 129):
    its numbered paragraphs are then findings, not actions, while the list's actions sit numbered, under no list
    heading, ahead of the part's findings. The findings go back under the heading before the list's; the actions
    under the list's."""
    if not framework.action_words:
        return paragraphs
    out = list(paragraphs)
    for part in dict.fromkeys(p.section for p in paragraphs if p.section):
        numbered = [i for i, p in enumerate(out) if p.section == part and p.number is not None]
        listed = [i for i in numbered if template.list_heading(out[i].section_path)]
        if not listed or is_action(out[listed[0]].text, framework) or listed[0] == numbered[0]:
            continue
        before = [i for i in numbered if i < listed[0]]
        if any(template.list_heading(out[i].section_path) for i in before):
            continue
        # The part's first run of numbered actions: the list stands before the part's findings.
        run: list[int] = []
        for i in before:
            if begins_with_action(out[i].text, framework):
                run.append(i)
            elif run:
                break
        if not run:
            continue
        list_path, findings_path = out[listed[0]].section_path, out[before[-1]].section_path
        for i in listed:
            if out[i].section_path == list_path:
                out[i] = replace(out[i], section_path=findings_path)
        for i in run:
            out[i] = replace(out[i], section_path=list_path)
    return tuple(out)


def find_recommendations(paragraphs: tuple[Paragraph, ...], builders: list[ParaBuilder], framework: Framework,
                         template: Template, published: dt.date | None) -> tuple[list[Recommendation], list[str]]:
    """The actions of every list: each item of a list paragraph (2009-13, and unnumbered or themed lists), else each
    numbered paragraph under the list's heading, with the heading's timescale where it gives one."""
    recommendations: list[Recommendation] = []
    warnings: list[str] = []
    by_key = {b.key: b for b in builders}
    for p in paragraphs:
        heading = template.list_heading(p.section_path)
        if heading is None:
            continue
        items = p.items and (framework.timed_actions or p.number is None or _theme(p))
        if framework.action_words and not items and not is_action(p.text, framework):
            continue  # a list's preamble, or a finding the list ran into
        entries = ([(part.timescale, text) for part, text in
                    zip([part for part in by_key[p.key].parts if part.kind == "item"], p.items)] if items
                   else [(None, p.text)])
        for item_timescale, text in entries:
            if any(phrase in fold(text) for phrase in framework.empty_list_phrases):
                continue  # "The inspection did not find any areas for priority and immediate action"
            timescale = item_timescale or heading.timescale
            months = next((m for n, m, _ in template.timescales if n == timescale), None)
            if timescale is None and framework.timed_actions:
                warnings.append(f"paragraph {p.key}: the action '{text[:40]}…' has no timescale")
            deadline = add_months(published, months) if published and months is not None else None
            recommendations.append(Recommendation(p.section or "", len(recommendations) + 1,
                                                  timescale or "unspecified", deadline, text, p.key,
                                                  references(text)))
    return recommendations, warnings
