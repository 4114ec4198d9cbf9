"""Query results -> networkx graphs and metrics. The builders are pure; ``fetch`` runs the queries.

Rows are plain dicts of strings, as the named queries return them (``weaknesses-by-agency``,
``recommendations``, ``judgements``), so the same functions serve the store, a remote endpoint or a CSV file.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import networkx as nx

from . import vocab
from .formats import table_lines


@dataclass(frozen=True)
class NetworkData:
    """The query results the graphs are built from."""

    weaknesses: tuple[dict, ...]  # weaknesses-by-agency rows
    recommendations: tuple[dict, ...]  # recommendations rows
    judgements: tuple[dict, ...]  # judgements rows
    reports: tuple[dict, ...]  # reports rows
    kinds: tuple[tuple[str, str], ...] = ()  # (agency, kind of agency)


def result_rows(results) -> tuple[dict, ...]:
    """Query results as dicts of strings ("" for unbound)."""
    names = [v.value for v in results.variables]
    return tuple({n: (s[n].value if s[n] is not None else "") for n in names} for s in results)


def fetch(store, report: str | None = None) -> NetworkData:
    """Run the queries the graphs need on an open store (optionally for one report)."""
    from .queries import load_query, run

    values = {"report": report} if report else {}
    parts = [result_rows(run(store, load_query(name), values))
             for name in ("weaknesses-by-agency", "recommendations", "judgements", "reports")]
    kinds = store.query(vocab.sparql_prologue() + """SELECT DISTINCT ?agency ?kind WHERE {
        { SELECT DISTINCT ?agency WHERE { GRAPH ?r { ?f ofsted:responsibleAgency ?agency } } }
        GRAPH ?g { ?agency a ?class } GRAPH ?o { ?class rdfs:subClassOf+ ofsted:Agency ; rdfs:label ?kind } }""")
    return NetworkData(*parts, tuple(sorted({(r["agency"].value, r["kind"].value) for r in kinds})))


@dataclass(frozen=True)
class History:
    """One authority's inspections over time: the authority-history rows, and each report's graded judgements."""

    rows: tuple[dict, ...]  # authority-history rows
    judgements: tuple[dict, ...]  # judgements rows of those reports


def fetch_history(store, authority: str) -> History:
    """The rows the history view draws, for an authority named by any of its area names."""
    from .errors import OfstedKgError
    from .queries import load_query, run

    rows = result_rows(run(store, load_query("authority-history"), {"localAuthority": authority}))
    if not rows:
        raise OfstedKgError(f"no report for {authority!r} in the store")
    judgements = tuple(j for report in dict.fromkeys(r["report"] for r in rows)
                       for j in result_rows(run(store, load_query("judgements"), {"report": report})))
    return History(rows, judgements)


@lru_cache(maxsize=1)
def theme_labels() -> dict[str, str]:
    """Theme IRI -> label, from ontology/findings.ttl."""
    store = vocab.ontology_store("findings.ttl")
    rows = store.query(vocab.sparql_prologue() + "SELECT ?t ?l WHERE { ?t a ofsted:Theme ; skos:prefLabel ?l }")
    return {r["t"].value: r["l"].value for r in rows}


def _owners_by_item(rows, item: str, owner: str) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.get(owner):
            owners[row[item]].add(row[owner])
    return owners


def agency_labels(data: NetworkData) -> dict[str, str]:
    """Agency IRI -> label, from the weaknesses and recommendations rows."""
    labels = {r["agency"]: r["agencyLabel"] or r["agency"] for r in data.weaknesses}
    labels.update({r["owner"]: r["ownerLabel"] or r["owner"] for r in data.recommendations if r["owner"]})
    return labels


def bipartite_weaknesses(data: NetworkData) -> nx.Graph:
    """Agencies on one side, the weaknesses they own on the other."""
    g = nx.Graph()
    labels = theme_labels()
    for agency, label in sorted(agency_labels(data).items()):
        g.add_node(agency, kind="agency", label=label, bipartite=0)
    for r in data.weaknesses:
        g.add_node(r["finding"], kind="weakness", label=f"para {r['paragraph']}", bipartite=1, report=r["report"],
                   paragraph=int(r["paragraph"]), theme=labels.get(r["theme"], r["theme"]), quote=r["text"])
        g.add_edge(r["agency"], r["finding"], method=r["method"])
    return g


def overlap_graph(data: NetworkData) -> nx.Graph:
    """Agencies joined by the weaknesses and recommendations they share; weight = their sum."""
    g = nx.Graph()
    for agency, label in sorted(agency_labels(data).items()):
        g.add_node(agency, kind="agency", label=label)
    for kind, owners in (("weaknesses", _owners_by_item(data.weaknesses, "finding", "agency")),
                         ("recommendations", _owners_by_item(data.recommendations, "recommendation", "owner"))):
        for item in sorted(owners):
            for a, b in combinations(sorted(owners[item]), 2):
                if not g.has_edge(a, b):
                    g.add_edge(a, b, weaknesses=0, recommendations=0, weight=0)
                g.edges[a, b][kind] += 1
                g.edges[a, b]["weight"] += 1
    return g


def agency_actions(data: NetworkData) -> nx.DiGraph:
    """Agency -> the recommended actions it owns, with their deadlines."""
    g = nx.DiGraph()
    for r in data.recommendations:
        g.add_node(r["recommendation"], kind="action", label=r["deadline"] or r["timescale"], deadline=r["deadline"],
                   timescale=r["timescale"], text=r["text"], report=r["report"])
        if r["owner"]:
            g.add_node(r["owner"], kind="agency", label=r["ownerLabel"] or r["owner"])
            g.add_edge(r["owner"], r["recommendation"], deadline=r["deadline"])
    return g


def combined_graph(data: NetworkData) -> nx.DiGraph:
    """Everything at once, for Gephi: agencies, weaknesses, actions, and agency overlaps."""
    g = nx.DiGraph()
    for source in (bipartite_weaknesses(data), agency_actions(data)):
        g.add_nodes_from(source.nodes(data=True))
        for a, b, attrs in source.edges(data=True):
            if source.nodes[a]["kind"] != "agency":
                a, b = b, a
            g.add_edge(a, b, relation="owns", **attrs)
    for a, b, attrs in overlap_graph(data).edges(data=True):
        g.add_edge(a, b, relation="shares", **attrs)
    return g


# ----------------------------------------------------------------------------------------------- metrics

def weaknesses_by_agency(data: NetworkData) -> list[tuple[str, int]]:
    """(agency label, number of weaknesses it owns), most first."""
    labels = agency_labels(data)
    counts = Counter(r["agency"] for r in data.weaknesses)
    return sorted(((labels[a], n) for a, n in counts.items()), key=lambda x: (-x[1], x[0]))


def responsibility_matrix(data: NetworkData) -> tuple[list[str], list[str], list[list[int]]]:
    """Agencies × themes: how many weaknesses of each theme each agency owns."""
    labels, themes = agency_labels(data), theme_labels()
    counts = Counter((labels[r["agency"]], themes.get(r["theme"], r["theme"])) for r in data.weaknesses)
    agencies = [a for a, _ in weaknesses_by_agency(data)]
    columns = sorted({t for _, t in counts}, key=lambda t: -sum(n for (a, th), n in counts.items() if th == t))
    return agencies, columns, [[counts.get((a, t), 0) for t in columns] for a in agencies]


#: Above this many nodes, betweenness is estimated from this many sampled sources (exact betweenness grows with
#: nodes × edges: minutes on a national corpus).
BETWEENNESS_SAMPLE = 300


def centrality(g: nx.Graph) -> list[tuple[str, float, float]]:
    """(agency label, degree centrality, betweenness centrality) for the agency nodes, most central first."""
    degree = nx.degree_centrality(g)
    sample = BETWEENNESS_SAMPLE if g.number_of_nodes() > BETWEENNESS_SAMPLE else None
    between = nx.betweenness_centrality(g, k=sample, seed=7, weight=None)
    agencies = [n for n, k in g.nodes(data="kind") if k == "agency"]
    return sorted(((g.nodes[n]["label"], round(degree[n], 3), round(between[n], 3)) for n in agencies),
                  key=lambda x: (-x[2], -x[1], x[0]))


def overlap_pairs(g: nx.Graph) -> list[tuple[str, str, int, int, int]]:
    """(agency A, agency B, weight, shared weaknesses, shared recommendations), heaviest first."""
    pairs = [(g.nodes[a]["label"], g.nodes[b]["label"], d["weight"], d["weaknesses"], d["recommendations"])
             for a, b, d in g.edges(data=True)]
    return sorted((tuple(sorted(p[:2])) + p[2:] for p in pairs), key=lambda p: (-p[2], p[0], p[1]))


def metrics_text(data: NetworkData) -> str:
    """The metrics as text for people: agency ranking, centrality, overlap pairs, responsibility matrix."""
    lines = ["Weaknesses by agency", "--------------------"]
    ranking = weaknesses_by_agency(data)
    width = max([len(a) for a, _ in ranking] + [6])
    lines += [f"{a:{width}}  {n:4d}" for a, n in ranking]
    lines += ["", "Centrality in the agency-weakness graph (degree, betweenness)",
              "------------------------------------------------------------"]
    lines += [f"{a:{width}}  {d:6.3f}  {b:6.3f}" for a, d, b in centrality(bipartite_weaknesses(data))]
    lines += ["", "Overlapping responsibilities (weight = shared weaknesses + shared recommendations)",
              "-------------------------------------------------------------------------------"]
    lines += [f"{a} + {b}: {w} ({nw} weaknesses, {nr} recommendations)"
              for a, b, w, nw, nr in overlap_pairs(overlap_graph(data))]
    agencies, themes, matrix = responsibility_matrix(data)
    shown = themes[:8]
    lines += ["", "Responsibility matrix (weaknesses by agency and theme; the 8 commonest themes)",
              "--------------------------------------------------------------------------"]
    # Each theme's name wrapped over as many lines as it needs, in a column as wide as its longest word.
    columns = [max([5] + [len(word) for word in t.split()]) for t in shown]
    lines += [" " * width + "  " + line for line in table_lines(shown, columns)]
    lines += [f"{a:{width}}  " + "  ".join(f"{n:{w}d}" for n, w in zip(row, columns)) for a, row in zip(agencies, matrix)]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------- export

EXPORT_FORMATS = {".graphml": nx.write_graphml, ".gexf": nx.write_gexf}


def export_bytes(g: nx.Graph, suffix: str) -> bytes:
    """GraphML or GEXF bytes of a graph."""
    writer = EXPORT_FORMATS[suffix]
    buffer = io.BytesIO()
    writer(g, buffer)
    return buffer.getvalue()


def export_graph(g: nx.Graph, path: Path) -> None:
    """Write a graph as GraphML or GEXF (by the file's suffix), atomically."""
    from .errors import OfstedKgError
    from .store import write_atomic

    path = Path(path)
    if path.suffix.lower() not in EXPORT_FORMATS:
        raise OfstedKgError(f"{path}: the export format is chosen by the suffix, one of {', '.join(EXPORT_FORMATS)}")
    write_atomic(path, export_bytes(g, path.suffix.lower()))
