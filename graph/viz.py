"""Interactive maps: networkx/query results -> a self-contained vis-network HTML page.

pyvis sets the physics options; the page is rendered through our own autoescaped Jinja2 template with the
vis-network 9.1.2 script and stylesheet inlined from graph/vendor (no CDN, works offline). Report text only
ever reaches the page as autoescaped HTML text or as JSON data whose "<", ">" and "&" are escaped, and
vis-network shows string tooltips with innerText, so nothing in a report can run. A Content-Security-Policy
allows only the page's own scripts, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .network import History, NetworkData, agency_labels, theme_labels

VIEWS = ("overview", "agency", "overlaps", "report")  # drawn from NetworkData by build_view; "history" by history_view
_VENDOR = Path(__file__).resolve().parent / "vendor" / "vis-network-9.1.2"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
SEED = 7
#: Labels are drawn at FONT_SIZE canvas pixels unless their kind says otherwise, and a map opens at a zoom where
#: the smallest is READABLE_PX on screen.
FONT_SIZE, READABLE_PX = 14, 12

#: Okabe–Ito colours, which colour-blind readers can tell apart; the grade is always written out as well.
GRADE_COLOURS = {1: "#009E73", 2: "#56B4E9", 3: "#E69F00", 4: "#D55E00"}
PAGE_COLOUR, EDGE_COLOUR = "#ffffff", "#777777"
#: Shapes that draw their label inside them; the others draw it underneath, on the page.
LABEL_INSIDE = {"box", "ellipse", "circle", "database", "text"}
#: A node with a value (its count) is drawn bigger: a label inside grows its font, a shape its size.
GROW_FONT = {"label": {"enabled": True, "min": 16, "max": 30}}
KIND_STYLE = {
    "agency": {"shape": "box", "color": "#0072B2", "font": {"color": "#ffffff", "size": 18}, "scaling": GROW_FONT},
    "theme": {"shape": "ellipse", "color": "#CC79A7", "font": {"color": "#000000"}, "scaling": GROW_FONT},
    "weakness": {"shape": "dot", "color": "#CC79A7", "size": 12, "font": {"color": "#000000"}},
    "action": {"shape": "diamond", "color": "#F0E442", "size": 14, "font": {"color": "#000000"}},
    "report": {"shape": "star", "color": "#000000", "size": 22, "font": {"color": "#000000"}},
    "judgement": {"shape": "box", "color": "#ffffff", "font": {"color": "#000000"}},
    "partner": {"shape": "box", "color": "#0072B2", "font": {"color": "#ffffff", "size": 18}},
    "weaknesses": {"shape": "box", "color": "#F5D5E8", "font": {"color": "#000000"}},
}
KIND_LABELS = {"agency": "Agency", "theme": "Weaknesses of one theme (count)", "weakness": "Weakness (hover for the quote)",
               "action": "Recommended action (when, and what it asks)", "report": "Inspection report", "judgement": "Judgement (by grade)",
               "partner": "Partner (its role for the authority)",
               "weaknesses": "A partner's weaknesses at one inspection, by theme (a link: themes weak at both)"}


class VizError(ValueError):
    """A view that cannot be drawn from the data given."""


@dataclass
class VisGraph:
    """Nodes and edges as vis-network takes them, plus the plain-text tables under the map."""

    title: str
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    weaknesses: list[tuple[str, str, str, str]] = field(default_factory=list)  # agency, theme, para, quote
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # agency, deadline, text
    picks: list[tuple[str, list[str]]] = field(default_factory=list)  # (label, node ids) for the search box
    physics: bool = True  # False: every node has its place (x, y), and nothing needs laying out
    start: dict | None = None  # where the view opens if the map does not fit the window readably (moveTo options)
    sizes: str = ""  # what a bigger node means, for the legend
    widths: str = ""  # what a wider link means, for the legend
    isolated: list[tuple[str, str]] = field(default_factory=list)  # (label, what it is): nodes linked to nothing

    def node(self, node_id: str, kind: str, label: str, title: str = "", **extra) -> None:
        if node_id not in self.nodes:
            style = KIND_STYLE.get(kind, {})
            # The font's colour stays with a node that changes its size, so that the page can give it back.
            font = {**style.get("font", {}), **extra.pop("font", {})}
            self.nodes[node_id] = {"id": node_id, "kind": kind, "label": label, "title": title, **style, **extra,
                                   "font": font}

    def edge(self, a: str, b: str, weight: int = 1, title: str = "") -> None:
        # Its own colour, so that the page can fade a link and give it back.
        self.edges.append({"from": a, "to": b, "width": _width(weight), "title": title or f"{weight}",
                           "color": EDGE_COLOUR})


def _width(weight: int) -> float:
    """A link's width in pixels: 1 for one, growing with the logarithm so that the heaviest stays a line."""
    return round(1 + 2 * math.log2(weight), 2)


def _deadline(value: str) -> str:
    return value or "no deadline"


def _action_label(row: dict, chars: int = 40) -> str:
    """What an action is, not only when: its timescale and its first words ("Immediately: ensure that the…"),
    wrapped; the whole text is in its tooltip and in the table under the map."""
    text = row["text"].strip()
    start = text[:1].lower() + text[1:] if text[1:2].islower() else text  # "Ensure" -> "ensure", but "WSCB"
    if len(start) > chars:
        start = start[:chars].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    return _wrap(f"{row['timescale'] or 'Recommended'}: {start}", 24)


def _quote_title(rows, limit: int = 5) -> str:
    lines = [f"\u201c{r['text']}\u201d \u2014 para {r['paragraph']}" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"… and {len(rows) - limit} more")
    return "\n\n".join(lines)


def _tables(vis: VisGraph, data: NetworkData, agencies: set[str] | None = None) -> None:
    labels, themes = agency_labels(data), theme_labels()
    vis.weaknesses = sorted({(labels[r["agency"]], themes.get(r["theme"], r["theme"]), r["paragraph"], r["text"])
                             for r in data.weaknesses if agencies is None or r["agency"] in agencies},
                            key=lambda w: (w[0], w[1], int(w[2]), w[3]))
    vis.actions = sorted({(labels.get(r["owner"], "no owner found"), _deadline(r["deadline"]), r["text"])
                          for r in data.recommendations if agencies is None or r["owner"] in agencies},
                         key=lambda a: (a[1], a[0], a[2]))


#: Above this many reports the overview draws kinds of agency rather than each agency, to stay readable.
AGGREGATE_ABOVE = 20


def overview(data: NetworkData) -> VisGraph:
    """Agencies, their weaknesses grouped by theme, and their actions; several reports are aggregated."""
    reports = {r["report"] for r in data.weaknesses} | {r["report"] for r in data.recommendations}
    if len(reports) > AGGREGATE_ABOVE:
        return national_overview(data, len(reports))
    multi = len(reports) > 1
    vis = VisGraph("Who owns which weaknesses and actions" + (" (all reports)" if multi else ""))
    labels, themes = agency_labels(data), theme_labels()
    counts = Counter(r["agency"] for r in data.weaknesses)
    for agency, label in sorted(labels.items()):
        vis.node(agency, "agency", _wrap(label, 22), f"{label}\n{counts[agency]} weaknesses", value=1 + counts[agency])
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in data.weaknesses:
        groups[(r["agency"], themes.get(r["theme"], r["theme"]))].append(r)
    for (agency, theme), rows in sorted(groups.items()):
        node_id = f"theme:{agency}|{theme}"
        vis.node(node_id, "theme", _wrap(f"{theme} ({len(rows)})", 22),
                 f"{labels[agency]}: {len(rows)} weaknesses on {theme.lower()}\n\n{_quote_title(rows)}",
                 theme=theme, value=len(rows))
        vis.edge(agency, node_id, len(rows), f"{len(rows)} weaknesses")
    if multi:
        due: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for r in data.recommendations:
            if r["owner"]:
                due[(r["owner"], r["timescale"] or "unspecified")].append(r)
        for (agency, timescale), rows in sorted(due.items()):
            node_id = f"actions:{agency}|{timescale}"
            vis.node(node_id, "action", _wrap(f"{len(rows)} actions, {timescale.lower()}", 24),
                     f"{labels[agency]}: {len(rows)} actions, {timescale.lower()}", value=len(rows))
            vis.edge(agency, node_id, len(rows))
    else:
        for r in data.recommendations:
            if r["owner"]:
                vis.node(r["recommendation"], "action", _action_label(r), _action_title(r))
                vis.edge(r["owner"], r["recommendation"], 1, "owns this action")
    vis.sizes = "A bigger agency or theme: more weaknesses" + ("; a bigger diamond: more actions" if multi else "")
    vis.widths = "A wider link: more weaknesses" + (" or actions" if multi else "")
    _tables(vis, data)
    _picks(vis, labels)
    return vis


def _action_title(row: dict) -> str:
    when = f"Due {_deadline(row['deadline'])}" + (f" ({row['timescale'].lower()})" if row["timescale"] else "")
    return f"{row['text']}\n\n{when}"


def national_overview(data: NetworkData, report_count: int) -> VisGraph:
    """Many reports: kinds of agency, and the themes of the weaknesses they own, weighted by how many."""
    kinds, themes = dict(data.kinds), theme_labels()
    vis = VisGraph(f"Which kinds of agency own which weaknesses ({report_count} reports)")
    counts = Counter((kinds.get(r["agency"], "other agency"), themes.get(r["theme"], r["theme"])) for r in data.weaknesses)
    per_kind = Counter()
    for (kind, _), n in counts.items():
        per_kind[kind] += n
    for kind, n in sorted(per_kind.items()):
        vis.node(f"kind:{kind}", "agency", _wrap(kind, 22), f"{kind}: {n} weaknesses in {report_count} reports",
                 value=1 + n)
    per_theme = Counter()
    for (_, theme), n in counts.items():
        per_theme[theme] += n
    for (kind, theme), n in sorted(counts.items()):
        node_id = f"theme:{theme}"
        vis.node(node_id, "theme", _wrap(theme, 22), f"{theme}: {per_theme[theme]} weaknesses", theme=theme,
                 value=per_theme[theme])
        vis.edge(f"kind:{kind}", node_id, n, f"{kind}: {n} weaknesses on {theme.lower()}")
    vis.weaknesses = [(kind, theme, "", f"{n} weaknesses") for (kind, theme), n in sorted(counts.items())]
    due = Counter((kinds.get(r["owner"], "other agency"), r["timescale"] or "unspecified")
                  for r in data.recommendations if r["owner"])
    vis.actions = [(kind, timescale, f"{n} actions") for (kind, timescale), n in sorted(due.items())]
    vis.sizes = "A bigger kind of agency or theme: more weaknesses"
    vis.widths = "A wider link: more weaknesses"
    for theme in sorted({t for _, t in counts}):
        vis.picks.append((f"Theme: {theme}", [f"theme:{theme}"]))
    for kind in sorted(per_kind):
        vis.picks.append((f"Kind: {kind}", [f"kind:{kind}"] + [e["to"] for e in vis.edges if e["from"] == f"kind:{kind}"]))
    return vis


def agency_view(data: NetworkData, agency: str) -> VisGraph:
    """One agency: each weakness it owns (grouped by theme), who shares them, and its actions."""
    labels, themes = agency_labels(data), theme_labels()
    if agency not in labels:
        matches = [a for a, l in labels.items() if l.lower() == agency.lower()]
        if not matches:  # another name the reports use for it ("NHS Worcestershire", "WSCB")
            from .agencies import load_gazetteer
            from .template import fold

            matches = sorted(set(load_gazetteer().alias_nodes.get(fold(agency), ())) & set(labels))
        if len(matches) != 1:
            known = "; ".join(sorted(labels.values()))
            raise VizError(f"no agency {agency!r} in these results (agencies: {known})")
        agency = matches[0]
    vis = VisGraph(f"{labels[agency]}: weaknesses and actions")
    own = [r for r in data.weaknesses if r["agency"] == agency]
    vis.node(agency, "agency", _wrap(labels[agency], 22), f"{labels[agency]}\n{len(own)} weaknesses",
             value=1 + len(own))
    findings = {r["finding"] for r in own}
    per_theme = Counter(themes.get(r["theme"], r["theme"]) for r in own)
    # Several reports: a paragraph number alone would not say which report it is in.
    years = {r["report"]: (r["published"] or r["inspectionEnd"])[:4] for r in data.reports}
    several = len({r["report"] for r in own}) > 1
    for r in own:
        theme = themes.get(r["theme"], r["theme"])
        theme_id = f"theme:{agency}|{theme}"
        if theme_id not in vis.nodes:
            vis.node(theme_id, "theme", _wrap(f"{theme} ({per_theme[theme]})", 22),
                     f"{theme}: {per_theme[theme]} weaknesses of {labels[agency]}", theme=theme, value=per_theme[theme])
            vis.edge(agency, theme_id, per_theme[theme], f"{per_theme[theme]} weaknesses")
        where = f"{years.get(r['report'], '')} para {r['paragraph']}".strip() if several else f"para {r['paragraph']}"
        vis.node(r["finding"], "weakness", where, _quote_title([r]), theme=theme)
        vis.edge(theme_id, r["finding"], 1, r["method"])
    for r in data.weaknesses:
        if r["finding"] in findings and r["agency"] != agency:
            vis.node(r["agency"], "agency", _wrap(labels[r["agency"]], 22), f"{labels[r['agency']]}\nshares weaknesses")
            vis.edge(r["agency"], r["finding"], 1, "also owns this weakness")
    for r in data.recommendations:
        if r["owner"] == agency:
            vis.node(r["recommendation"], "action", _action_label(r), _action_title(r))
            vis.edge(agency, r["recommendation"], 1, "owns this action")
    vis.sizes = "A bigger theme: more weaknesses"
    vis.widths = "A wider link: more weaknesses; a thin one is one weakness or action"
    _tables(vis, data, {agency})
    _picks(vis, labels)
    return vis


def overlaps_view(data: NetworkData) -> VisGraph:
    """Agencies joined by shared weaknesses and actions; edge width by how many."""
    from .network import overlap_graph

    vis = VisGraph("Where responsibilities overlap")
    g = overlap_graph(data)
    counts = Counter(r["agency"] for r in data.weaknesses)
    for node, attrs in sorted(g.nodes(data=True)):
        vis.node(node, "agency", _wrap(attrs["label"], 22), f"{attrs['label']}\n{counts[node]} weaknesses",
                 value=1 + counts[node])
    for a, b, d in sorted(g.edges(data=True)):
        vis.edge(a, b, d["weight"], f"{d['weaknesses']} shared weaknesses, {d['recommendations']} shared actions")
    vis.sizes = "A bigger agency: more weaknesses"
    vis.widths = "A wider link: more weaknesses and actions shared"
    _tables(vis, data)
    _picks(vis, agency_labels(data))
    return vis


def report_view(data: NetworkData) -> VisGraph:
    """One report: its judgements coloured by grade, and the agencies that own its weaknesses."""
    reports = sorted({r["report"] for r in data.judgements})
    if len(reports) != 1:
        raise VizError(f"the report view draws one report; these results hold {len(reports)} (use --report)")
    report = reports[0]
    meta = next((r for r in data.reports if r["report"] == report), {})
    name = f"{meta.get('localAuthority', '')} {meta.get('framework', '')} {meta.get('published', '')[:4]}".strip()
    vis = VisGraph(f"{name}: judgements and who owns the weaknesses")
    vis.node(report, "report", name or report, f"{name}\npublished {meta.get('published', '')}")
    for i, r in enumerate(data.judgements, start=1):
        grade = int(r["grade"])
        node_id = f"judgement:{i}"
        vis.node(node_id, "judgement", f"{_wrap(r['area'], 28)}\nGrade {grade} ({r['gradeLabel'].lower()})",
                 f"{r['section']}: {r['area']}\nGrade {grade} ({r['gradeLabel'].lower()})",
                 color=GRADE_COLOURS[grade], grade=grade)
        vis.edge(report, node_id, 1)
    labels, counts = agency_labels(data), Counter(r["agency"] for r in data.weaknesses)
    for agency, n in sorted(counts.items()):
        vis.node(agency, "agency", _wrap(labels[agency], 22), f"{labels[agency]}\n{n} weaknesses", value=1 + n)
        vis.edge(report, agency, n, f"{n} weaknesses")
    vis.sizes = "A bigger agency: more weaknesses"
    vis.widths = "A wider link: more weaknesses"
    _tables(vis, data)
    _picks(vis, labels)
    return vis


#: The history view's fixed layout, in pixels: inspection columns, the space under the judgements, partner rows,
#: a line of a label and the gap between boxes; its labels' font size; and how many partners it draws.
COLUMN, JUDGEMENT_ROW, PARTNER_ROW, LINE, GAP = 460, 40, 150, 20, 6
FONT, HISTORY_PARTNERS = 16, 10


def history_view(history: History) -> VisGraph:
    """One authority's inspections left to right: each one's judgements (coloured by grade, in its scheme's words)
    above it, and below, for each partner, the themes of its weaknesses; a link joins a partner's consecutive
    inspections where the same themes are weak at both, so that a recurring weakness shows."""
    reports = list(dict.fromkeys(r["report"] for r in history.rows))
    meta = {r["report"]: r for r in history.rows}
    vis = VisGraph(f"{history.rows[0]['localAuthority']}: inspections, grades and partners' weaknesses over time",
                   physics=False)
    fixed = {"fixed": True, "physics": False}
    dark = {"color": "#000000", "size": FONT}
    for i, report in enumerate(reports):
        m = meta[report]
        vis.node(report, "report", f"{m['date'][:4]} {m['framework']}", f"{m['framework']} inspection, {m['date']}",
                 x=i * COLUMN, y=0, font={"size": FONT + 4}, **fixed)
        judged = [j for j in history.judgements if j["report"] == report]
        sections = list(dict.fromkeys(j["section"] for j in judged))
        width = COLUMN // max(1, len(sections))  # a report that judges two sections stacks them side by side
        for s, section in enumerate(sections):
            x, y = i * COLUMN + (s - (len(sections) - 1) / 2) * width, -JUDGEMENT_ROW
            for k, j in enumerate((j for j in judged if j["section"] == section), start=1):
                grade = int(j["grade"])
                words = j["gradeLabel"].lower()
                label = _wrap(f"{j['area']}: {words}", width // 9)
                lines = label.count("\n") + 1
                y -= LINE * lines / 2 + GAP  # stacked upwards, each box as tall as its lines
                vis.node(f"{report}#{section}#{k}", "judgement", label,
                         f"{section}: {j['area']}\nGrade {grade} ({words})", color=GRADE_COLOURS[grade],
                         grade=grade, x=round(x), y=round(y), font=dark, **fixed)
                y -= LINE * lines / 2 + GAP
    weak: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))  # partner -> report -> theme
    for r in history.rows:
        if r["kind"] == "weaknesses":
            weak[r["partner"]][r["report"]][r["item"]] = int(r["value"])
    ranked_partners = sorted(weak, key=lambda p: (-sum(sum(t.values()) for t in weak[p].values()), p))
    partners = ranked_partners[:HISTORY_PARTNERS]
    if len(ranked_partners) > len(partners):
        vis.title += f" (the {len(partners)} partners with most weaknesses; {len(ranked_partners) - len(partners)} more " \
                     "in the authority-history query)"
    for row, partner in enumerate(partners, start=1):
        y = row * PARTNER_ROW
        vis.node(f"partner:{partner}", "partner", _wrap(partner, 24), partner, x=-COLUMN, y=y, **fixed)
        previous = f"partner:{partner}"
        previous_themes: dict[str, int] = {}
        for i, report in enumerate(reports):
            themes = weak[partner].get(report)
            if not themes:
                previous, previous_themes = None, {}
                continue
            node_id = f"{report}#{partner}"
            ranked = sorted(themes.items(), key=lambda t: (-t[1], t[0]))
            shown = [f"{t} ({n})" for t, n in ranked[:3]] + ([f"… {len(ranked) - 3} more themes"] if len(ranked) > 3 else [])
            vis.node(node_id, "weaknesses", "\n".join(_wrap(line, 34) for line in shown),
                     f"{partner}, {meta[report]['date'][:4]}: {sum(themes.values())} weaknesses\n"
                     + "\n".join(f"{t}: {n}" for t, n in ranked), x=i * COLUMN, y=y, font=dark, **fixed)
            recurring = sorted(set(themes) & set(previous_themes))
            if previous and previous.startswith("partner:"):
                vis.edge(previous, node_id, 1, f"{partner}'s weaknesses")
            elif previous and recurring:
                vis.edge(previous, node_id, len(recurring), "weak at both: " + "; ".join(recurring))
            previous, previous_themes = node_id, themes
    # If the whole history does not fit the window readably, it opens on the partners and the first inspections.
    vis.start = {"position": {"x": COLUMN // 2, "y": 0}}
    vis.sizes = "Boxes are as big as their words (the counts are written in them)"
    vis.widths = "A wider link: more themes weak at both inspections"
    for partner in partners:
        vis.picks.append((f"Partner: {partner}", [i for i in vis.nodes if i == f"partner:{partner}"
                                                  or i.endswith(f"#{partner}")]))
    return vis


def _wrap(text: str, width: int) -> str:
    """A label broken into lines of at most ``width`` characters, never cut."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _picks(vis: VisGraph, labels: dict[str, str]) -> None:
    """Choices for the search box: every agency on the map, then every theme."""
    for agency, label in sorted(labels.items(), key=lambda x: x[1]):
        if agency in vis.nodes:
            vis.picks.append((f"Agency: {label}", [agency] + [e["to"] for e in vis.edges if e["from"] == agency]))
    themes = sorted({n["theme"] for n in vis.nodes.values() if n.get("theme")})
    for theme in themes:
        vis.picks.append((f"Theme: {theme}", [i for i, n in vis.nodes.items() if n.get("theme") == theme]))


def build_view(data: NetworkData, view: str = "overview", agency: str | None = None) -> VisGraph:
    """The named view of the data."""
    if view == "agency":
        if not agency:
            raise VizError("the agency view needs --agency NAME")
        return _set_aside_isolated(agency_view(data, agency))
    if view not in VIEWS:
        raise VizError(f"no view {view!r}; views: {', '.join(VIEWS)}")
    if not data.weaknesses and not data.judgements:
        raise VizError("nothing to draw: the store holds no findings for these reports")
    return _set_aside_isolated({"overview": overview, "overlaps": overlaps_view, "report": report_view}[view](data))


def _set_aside_isolated(vis: VisGraph) -> VisGraph:
    """Nodes linked to nothing leave the map for the list under it: scattered by the layout, they say nothing."""
    linked = {e["from"] for e in vis.edges} | {e["to"] for e in vis.edges}
    for node_id in [i for i in vis.nodes if i not in linked]:
        node = vis.nodes.pop(node_id)
        vis.isolated.append((node["label"].replace("\n", " "), node["title"].split("\n", 1)[-1]))
    vis.isolated.sort()
    vis.picks = [(label, [i for i in ids if i in vis.nodes]) for label, ids in vis.picks if set(ids) & set(vis.nodes)]
    return vis


# ----------------------------------------------------------------------------------------------- rendering

def physics_options(physics: bool = True) -> dict:
    """vis-network options, set through pyvis: Barnes–Hut physics with a fixed seed, stopped once stable (or
    none, for a view whose nodes all have their places)."""
    from pyvis.network import Network

    net = Network(directed=False)
    net.barnes_hut(gravity=-3000, central_gravity=0.5, spring_length=90, spring_strength=0.02, damping=0.5,
                   overlap=0.2)
    options = json.loads(net.options.to_json())
    options["layout"] = {"randomSeed": SEED, "improvedLayout": True}
    options["physics"]["stabilization"] = {"enabled": True, "iterations": 400, "fit": True}
    options["interaction"] = {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": True}
    # Labels are drawn (and so measured) at any scale, and stay the same size when selected, so that the page can
    # keep them apart; see map.js.
    options["nodes"] = {"font": {"size": FONT_SIZE, "face": "sans-serif"}, "labelHighlightBold": False,
                        "scaling": {"min": 10, "max": 40, "label": {"enabled": False, "drawThreshold": 0}}}
    options["edges"] = {"color": {"color": "#777777", "highlight": "#000000"}, "smooth": False}
    options["physics"]["enabled"] = physics
    return options


def _json_for_html(value) -> str:
    """JSON that is safe inside an HTML <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    return ((_VENDOR / "vis-network.min.js").read_text(encoding="utf-8"),
            (_VENDOR / "vis-network.css").read_text(encoding="utf-8"),
            (_TEMPLATES / "map.js").read_text(encoding="utf-8"))


def font_size(node: dict) -> float:
    """The smallest size vis-network draws a node's label at, in canvas pixels."""
    grow = node.get("scaling", {}).get("label", {})
    if grow.get("enabled") and "value" in node:
        return grow["min"]
    return node.get("font", {}).get("size", FONT_SIZE)


def readable_scale(vis: VisGraph) -> float:
    """The smallest zoom at which every label of the view is at least READABLE_PX on screen."""
    return math.ceil(100 * READABLE_PX / min((font_size(n) for n in vis.nodes.values()), default=FONT_SIZE)) / 100


def _focus(vis: VisGraph) -> str | None:
    """The node a map too big for the window opens on: the one with most links."""
    degree = Counter([e["from"] for e in vis.edges] + [e["to"] for e in vis.edges])
    return min(vis.nodes, key=lambda i: (-degree[i], i), default=None)


def render_html(vis: VisGraph, *, height: str = "720px") -> str:
    """The page for a view, self-contained, as a string."""
    import jinja2

    vis_js, vis_css, app_js = _assets()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
                             autoescape=jinja2.select_autoescape(default=True, default_for_string=True))
    data = {"nodes": sorted(vis.nodes.values(), key=lambda n: n["id"]),
            "edges": sorted(vis.edges, key=lambda e: (e["from"], e["to"], e["title"])),
            "options": physics_options(vis.physics), "picks": vis.picks, "start": vis.start,
            "readable": readable_scale(vis), "focus": _focus(vis)}
    legend = [(KIND_LABELS[k], KIND_STYLE[k].get("color", "#ffffff"), KIND_STYLE[k]["shape"])
              for k in KIND_STYLE if any(n["kind"] == k for n in vis.nodes.values())]
    grades = sorted({n["grade"] for n in vis.nodes.values() if n.get("grade")})
    return env.get_template("map.html.j2").render(
        title=vis.title, height=height, vis_js=vis_js, vis_css=vis_css, app_js=app_js,
        data_json=_json_for_html(data), csp_scripts=" ".join((_sha256(vis_js), _sha256(app_js))),
        legend=legend, grade_legend=[(g, GRADE_COLOURS[g]) for g in grades], picks=vis.picks, sizes=vis.sizes,
        widths=vis.widths, isolated=vis.isolated, weaknesses=vis.weaknesses, actions=vis.actions,
        node_count=len(vis.nodes), edge_count=len(vis.edges))


def write_html(vis: VisGraph, path: Path) -> None:
    """Write a view's page, atomically."""
    from .store import write_atomic

    write_atomic(Path(path), render_html(vis).encode("utf-8"))
