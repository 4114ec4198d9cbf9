"""A one-page report card for people who don't write SPARQL: grades, each partner's weaknesses with quotes,
shared responsibilities and actions with deadlines, as Markdown or HTML, plus a CSV of the same rows."""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from dataclasses import dataclass

from .errors import OfstedKgError
from .formats import counted

#: A grade's cell, coloured by its notation (1 the best, 4 the worst, in every framework's scheme) with its words
#: kept: pale backgrounds, against which black text has a contrast of 15.7:1 or more (WCAG AAA asks 7:1).
GRADE_STYLE = ("td.grade-1{background:#cce5ff}td.grade-2{background:#d4edda}td.grade-3{background:#fff3cd}"
               "td.grade-4{background:#f8d7da}")

#: What the "answers" column of the actions says.
ANSWERS_NOTE = ("\"answers\": the paragraphs whose weaknesses an action answers, and how that is known: the report's "
                "own link (\"reference\": the action cites the paragraph; \"tag\": the paragraph ends "
                "\"(Recommendation)\") or an inferred one (\"theme+wording\", \"wording\").")

#: Quotes shown per partner on the page (the CSV has them all).
QUOTES_PER_PARTNER = 5


@dataclass(frozen=True)
class Card:
    authority: str
    report: str
    framework: str
    dated: str  # "published 2010-11-12", or the fieldwork where the report prints no publication date
    grades: tuple[tuple[str, str, int, str], ...]  # section, area, grade, word
    weaknesses: tuple[tuple[str, str, int, str], ...]  # partner, theme, paragraph, quote
    shared: tuple[tuple[str, str, int], ...]  # partner, partner, how many
    actions: tuple[tuple[str, str, str, str, str], ...]  # deadline, timescale, owners, action, what it answers


def card_data(store, authority: str, report: str | None = None) -> Card:
    """Gather a card for an authority's latest report (or the report given) from an open store."""
    from .network import NetworkData, fetch, overlap_graph, overlap_pairs, result_rows, theme_labels
    from .queries import load_query, run

    reports = result_rows(run(store, load_query("reports")))
    # An authority is asked for by any of its names ("Hull"), and listed under one ("Kingston upon Hull").
    names = {authority.lower()} | {r["authority"].lower() for r in result_rows(
        run(store, load_query("grades-table"), {"localAuthority": authority}))}
    # The query lists an authority's reports by date (publication, else the end of fieldwork).
    mine = [r for r in reports if r["localAuthority"].lower() in names
            and (report is None or r["report"].endswith("/" + report) or r["report"] == report)]
    if not mine:
        known = ", ".join(sorted({r["localAuthority"] for r in reports})) or "none"
        raise OfstedKgError(f"no report for {authority!r} in the store (authorities: {known})")
    chosen = mine[-1]
    data: NetworkData = fetch(store, chosen["report"])
    themes = theme_labels()
    grades = tuple((r["section"], r["area"], int(r["grade"]), r["gradeLabel"].lower()) for r in data.judgements)
    weaknesses = tuple(sorted({(r["agencyLabel"], themes.get(r["theme"], r["theme"]), int(r["paragraph"]), r["text"])
                               for r in data.weaknesses}))
    shared = tuple((a, b, w) for a, b, w, _, _ in overlap_pairs(overlap_graph(data)))
    owners: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, tuple[str, str, str]] = {}
    for r in data.recommendations:
        texts[r["recommendation"]] = (r["deadline"], r["timescale"], r["text"])
        if r["ownerLabel"]:
            owners[r["recommendation"]].add(r["ownerLabel"])
    answers: dict[str, list[str]] = defaultdict(list)
    for r in result_rows(run(store, load_query("recommendation-evidence"), {"report": chosen["report"]})):
        answers[r["recommendation"]].append(f"para {r['paragraph'] or 'unnumbered'} ({r['method']})")
    actions = tuple(sorted((d, t, "; ".join(sorted(owners[rec])) or "no owner found", text,
                            ", ".join(dict.fromkeys(answers[rec])))
                           for rec, (d, t, text) in texts.items()))
    dated = (f"published {chosen['published']}" if chosen["published"]
             else f"inspected {chosen['inspectionStart']} to {chosen['inspectionEnd']}")
    return Card(chosen["localAuthority"], chosen["report"], chosen["framework"], dated, grades,
                weaknesses, shared, actions)


def _by_partner(card: Card) -> list[tuple[str, list[tuple[str, str, int, str]]]]:
    groups: dict[str, list] = defaultdict(list)
    for row in card.weaknesses:
        groups[row[0]].append(row)
    return sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))


def _md(text) -> str:
    """Report text as Markdown text: no table breaks, no raw HTML."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\n", " "))


def render_markdown(card: Card) -> str:
    """The card as Markdown."""
    lines = [f"# {_md(card.authority)}: report card", "",
             f"{card.framework} inspection, {card.dated} ({card.report}). Every quote is the report's "
             "own words; paragraph numbers refer to the report.", "", "## Grades", "",
             "| section | area | grade |", "|---|---|---|"]
    lines += [f"| {_md(s)} | {_md(a)} | {g} ({_md(w)}) |" for s, a, g, w in card.grades]
    lines += ["", "## Weaknesses, by partner", ""]
    for partner, rows in _by_partner(card):
        lines.append(f"### {_md(partner)}: {counted(len(rows), 'weakness', 'weaknesses')}")
        lines += [f"- *{_md(theme)}*, para {para}: \u201c{_md(quote)}\u201d" for _, theme, para, quote in rows[:QUOTES_PER_PARTNER]]
        if len(rows) > QUOTES_PER_PARTNER:
            lines.append(f"- … and {len(rows) - QUOTES_PER_PARTNER} more (see the CSV)")
        lines.append("")
    lines += ["## Shared responsibilities", "", "| partners | shared weaknesses and actions |", "|---|---|"]
    lines += [f"| {_md(a)} + {_md(b)} | {n} |" for a, b, n in card.shared]
    lines += ["", "## Actions, by deadline", "", ANSWERS_NOTE, "",
              "| deadline | timescale | owners | action | answers |", "|---|---|---|---|---|"]
    lines += [f"| {_md(d)} | {_md(t)} | {_md(o)} | {_md(a)} | {_md(w)} |" for d, t, o, a, w in card.actions]
    return "\n".join(lines) + "\n"


def render_html(card: Card) -> str:
    """The card as a plain, printable HTML page; every piece of report text is escaped."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(card.authority)}: report card"
             "</title><style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
             "text-align:left;vertical-align:top}" + GRADE_STYLE + "</style></head><body>",
             f"<h1>{e(card.authority)}: report card</h1><p>{e(card.framework)} inspection, "
             f"{e(card.dated)} ({e(card.report)}). Every quote is the report's own words.</p>",
             "<h2>Grades</h2><table><tr><th>section</th><th>area</th><th>grade</th></tr>"]
    parts += [f"<tr><td>{e(s)}</td><td>{e(a)}</td><td class=\"grade-{g}\">{g} ({e(w)})</td></tr>"
              for s, a, g, w in card.grades]
    parts.append("</table><h2>Weaknesses, by partner</h2>")
    for partner, rows in _by_partner(card):
        parts.append(f"<h3>{e(partner)}: {counted(len(rows), 'weakness', 'weaknesses')}</h3><ul>")
        parts += [f"<li><em>{e(theme)}</em>, para {para}: \u201c{e(quote)}\u201d</li>"
                  for _, theme, para, quote in rows[:QUOTES_PER_PARTNER]]
        if len(rows) > QUOTES_PER_PARTNER:
            parts.append(f"<li>… and {len(rows) - QUOTES_PER_PARTNER} more (see the CSV)</li>")
        parts.append("</ul>")
    parts.append("<h2>Shared responsibilities</h2><table><tr><th>partners</th><th>shared</th></tr>")
    parts += [f"<tr><td>{e(a)} + {e(b)}</td><td>{n}</td></tr>" for a, b, n in card.shared]
    parts.append(f"</table><h2>Actions, by deadline</h2><p>{e(ANSWERS_NOTE)}</p><table><tr><th>deadline</th>"
                 "<th>timescale</th><th>owners</th><th>action</th><th>answers</th></tr>")
    parts += [f"<tr><td>{e(d)}</td><td>{e(t)}</td><td>{e(o)}</td><td>{e(a)}</td><td>{e(w)}</td></tr>"
              for d, t, o, a, w in card.actions]
    parts.append("</table></body></html>\n")
    return "".join(parts)


def render_csv(card: Card) -> str:
    """Every row of the card: grades, weaknesses (all of them), shared responsibilities and actions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "who", "what", "where", "text"])
    writer.writerows(("grade", s, a, f"{g} ({w})", "") for s, a, g, w in card.grades)
    writer.writerows(("weakness", p, t, f"para {n}", q) for p, t, n, q in card.weaknesses)
    writer.writerows(("shared", f"{a} + {b}", str(n), "", "") for a, b, n in card.shared)
    writer.writerows(("action", o, t, d, a) for d, t, o, a, _ in card.actions)
    writer.writerows(("answers", o, w, d, a) for d, t, o, a, w in card.actions if w)
    return out.getvalue()
