"""A Python facade for notebooks: queries as pandas DataFrames, networkx graphs and inline maps.

    from graph import KnowledgeGraph
    kg = KnowledgeGraph.open()                  # the default store ($OFSTED_KG_STORE or ~/.local/share/…)
    kg.query("judgements", report="worcestershire-2010-slac")
    kg.query("SELECT ?s WHERE { GRAPH ?g { ?s a ?type } } LIMIT 5")   # your own SPARQL, same call
    kg.networkx("overlaps")
    kg.show("overview")                         # the interactive map, inline
    kg.show_national()                          # England's authorities on two maps, inline

The store is opened for each call and closed after it, so a build in another process never meets a reader
that holds it open.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from . import vocab

GRAPHS = ("weaknesses", "overlaps", "actions", "combined")
_NUMERIC = {vocab.XSD + t: int for t in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger")}
_NUMERIC.update({vocab.XSD + t: float for t in ("decimal", "double", "float")})


def _python(term):
    """An RDF term as the Python value a DataFrame should hold."""
    if term is None:
        return None
    datatype = getattr(term, "datatype", None)
    if datatype is not None:
        if datatype.value in _NUMERIC:
            return _NUMERIC[datatype.value](term.value)
        if datatype.value == vocab.XSD + "date":
            return dt.date.fromisoformat(term.value)
        if datatype.value == vocab.XSD + "boolean":
            return term.value == "true"
    return term.value


class KnowledgeGraph:
    """The ofsted-kg store, for notebooks and scripts."""

    def __init__(self, store: str | Path | None = None, in_memory: bool = False):
        import sys
        import time

        from .store import default_store_dir, memory_copy

        self.store = Path(store) if store else default_store_dir()
        self._memory = None
        if in_memory:
            started = time.perf_counter()
            self._memory, megabytes = memory_copy(self.store)
            print(f"ofsted-kg: copied {len(self._memory):,} quads of {self.store} into memory in "
                  f"{time.perf_counter() - started:.1f} s (this process now holds {megabytes:,.0f} MB); "
                  "later builds are not seen", file=sys.stderr)

    @classmethod
    def open(cls, store: str | Path | None = None, in_memory: bool = False) -> KnowledgeGraph:
        """The store at ``store``, else the default one; with ``in_memory``, a copy of it in memory, taken now,
        on which whole-corpus queries run several times faster."""
        return cls(store, in_memory)

    def __repr__(self) -> str:
        return f"KnowledgeGraph({str(self.store)!r}{', in_memory=True' if self._memory is not None else ''})"

    def report_ids(self) -> list[str]:
        """Short ids of the reports in the store; empty if there is no store yet."""
        from .store import report_ids

        if not (self.store / "CURRENT").exists():
            return []
        with self._open() as store:
            return report_ids(store)

    def _open(self, write: bool = False):
        import contextlib

        from .store import open_store

        if self._memory is not None and not write:
            return contextlib.nullcontext(self._memory)
        return open_store(self.store, write=write)

    def build(self, *paths: str | Path):
        """Read reports into the store (no path: the bundled Worcestershire series); a DataFrame of what was read."""
        import pandas as pd

        from .ingest import build, default_inputs, expand_inputs

        results = build(expand_inputs([str(p) for p in paths]) if paths else default_inputs(), self.store)
        return pd.DataFrame([{"source": Path(r.source).name, "report": r.report_id, "judgements": r.judgements,
                              "paragraphs": r.paragraphs, "recommendations": r.recommendations,
                              "triples": r.triples, "warnings": len(r.warnings), "error": r.error}
                             for r in results])

    def query(self, name_or_sparql: str, **params):
        """A named query (``"judgements"``), a .rq file, or SPARQL text, as a pandas DataFrame.

        Keyword arguments are the query's parameters, bound as RDF terms. For your own SPARQL, a value that
        looks like an IRI is bound as one, anything else as a string; the variable must be selected.
        """
        import pandas as pd

        from .queries import load_query, run

        text = name_or_sparql.strip()
        with self._open() as store:
            if " " in text or "\n" in text:
                results = store.query(text, substitutions=self._terms(params) or None)
            else:
                results = run(store, load_query(text), {k: str(v) for k, v in params.items()})
            columns = [v.value for v in results.variables]
            rows = [[_python(solution[c]) for c in columns] for solution in results]
        return pd.DataFrame(rows, columns=columns)

    @staticmethod
    def _terms(params: dict) -> dict:
        from pyoxigraph import Literal, NamedNode, Variable

        return {Variable(k): NamedNode(v) if str(v).startswith(("http://", "https://")) else Literal(str(v))
                for k, v in params.items()}

    def evidence(self, iri: str):
        """The paragraph, pages and exact quote behind a judgement, finding, recommendation or statistic."""
        return self.query("evidence", subject=iri)

    def data(self, report: str | None = None):
        """The query results the graphs and maps are built from."""
        from .network import fetch

        with self._open() as store:
            return fetch(store, report)

    def networkx(self, graph: str = "overlaps", report: str | None = None):
        """A networkx graph: "weaknesses" (agency–weakness), "overlaps", "actions" or "combined"."""
        from . import network

        builders = {"weaknesses": network.bipartite_weaknesses, "overlaps": network.overlap_graph,
                    "actions": network.agency_actions, "combined": network.combined_graph}
        if graph not in builders:
            raise ValueError(f"no graph {graph!r}; graphs: {', '.join(GRAPHS)}")
        return builders[graph](self.data(report))

    def map_html(self, view: str = "overview", agency: str | None = None, report: str | None = None,
                 height: str = "600px") -> str:
        """The self-contained page of a map view, as a string."""
        from .viz import build_view, render_html

        return render_html(build_view(self.data(report), view, agency), height=height)

    def show(self, view: str = "overview", agency: str | None = None, report: str | None = None,
             height: int = 640):
        """The map, inline in a notebook: a sandboxed iframe holding the whole page (JupyterLab and VS Code)."""
        from IPython.display import HTML

        return HTML(inline_iframe(self.map_html(view, agency, report, f"{height - 40}px"), height + 260))

    def national_html(self) -> str:
        """The national page: every authority's latest overall grade, and the share of its weaknesses owned by partners
        other than the council, on two maps of England (inline SVG), as a string."""
        from .national import national_view, render_html

        with self._open() as store:
            return render_html(national_view(store))

    def show_national(self, height: int = 1300):
        """The national page's two maps, inline in a notebook (hover over an area for its figures)."""
        from IPython.display import HTML

        return HTML(inline_iframe(self.national_html(), height))


def inline_iframe(page: str, height: int) -> str:
    """An iframe whose srcdoc is the page: self-contained, and isolated from the notebook's own scripts."""
    return (f'<div class="ofsted-kg-map"><iframe sandbox="allow-scripts" style="width: 100%; height: {height}px; '
            f'border: 0" srcdoc="{html.escape(page, quote=True)}"></iframe></div>')
