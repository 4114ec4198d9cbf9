"""Named SPARQL queries from queries/*.rq: their headers, bound parameters, and results in every format.

A query file opens with a comment block::

    # Question: …
    # Parameters:
    #   NAME  TYPE  required|optional  what it is
    # Columns: a, b (notes), c

A parameter binds the variable of the same name, which the query projects. TYPE is one of ``report`` (an IRI
or a short id), ``agency`` (an IRI, a name or an alias), ``authority`` (a local authority: an IRI, its name
with or without "London Borough of", "County Council" and the like, or its GSS or DfE code), ``theme`` and ``polarity`` (an IRI or notation),
``iri``, ``date`` (YYYY-MM-DD), ``integer`` or ``string``. Values are turned into RDF terms and bound through pyoxigraph's
substitutions; they are never pasted into the query text.

This module imports pyoxigraph only: ``ofsted-kg query`` must start fast.
"""

from __future__ import annotations

import re
from collections import namedtuple
from functools import lru_cache

from . import vocab
from .errors import OfstedKgError

PARAM_TYPES = ("report", "agency", "authority", "theme", "polarity", "iri", "date", "integer", "string")


class QueryError(OfstedKgError):
    """A query cannot be found, parsed, bound or run."""

    exit_code = 4


# namedtuples, not dataclasses: importing dataclasses costs ~10 ms on the fast path of `ofsted-kg query`.
Param = namedtuple("Param", "name type required help")


class NamedQuery(namedtuple("NamedQuery", "name question params columns text memory_text", defaults=(None,))):
    """A query file: its name, the question it answers, its parameters, its columns and its text; and, where
    queries/in-memory/ holds one, the same query shaped for an in-memory store."""

    __slots__ = ()

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")


def parse_query(name: str, text: str) -> NamedQuery:
    """Read a query's header; QueryError if it is malformed."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line[1:].rstrip())
    joined = "\n".join(header)
    question = re.search(r"Question:\s*(.+?)(?=\n\s*Parameters:|\n\s*Columns:|\Z)", joined, re.S)
    columns = re.search(r"Columns:\s*(.+?)\Z", joined, re.S)
    params = []
    block = re.search(r"Parameters:(.*?)(?=\n\s*Columns:|\Z)", joined, re.S)
    for line in (block.group(1).splitlines() if block else []):
        parts = line.split(None, 3)
        if len(parts) < 3 or parts[0].lower() == "none":
            continue
        pname, ptype, need = parts[:3]
        if ptype not in PARAM_TYPES or need not in ("required", "optional"):
            raise QueryError(f"query {name!r}: bad parameter line {line.strip()!r}")
        params.append(Param(pname, ptype, need == "required", parts[3] if len(parts) > 3 else ""))
    if not question or not columns:
        raise QueryError(f"query {name!r} lacks its '# Question:' or '# Columns:' header")
    cols = tuple(re.sub(r"\s*\(.*?\)", "", c).strip() for c in re.split(r",(?![^()]*\))", " ".join(columns.group(1).split())))
    return NamedQuery(name, " ".join(question.group(1).split()), tuple(params), cols, text)


@lru_cache(maxsize=None)
def named_queries() -> dict[str, NamedQuery]:
    """Every query shipped in queries/, by name."""
    folder = vocab.data_dir("queries")
    return {p.stem: _with_memory_shape(parse_query(p.stem, p.read_text(encoding="utf-8")))
            for p in sorted(folder.glob("*.rq"))}


def _with_memory_shape(query: NamedQuery) -> NamedQuery:
    shaped = vocab.data_dir("queries") / "in-memory" / f"{query.name}.rq"
    return query._replace(memory_text=shaped.read_text(encoding="utf-8")) if shaped.is_file() else query


def load_query(name_or_path: str) -> NamedQuery:
    """A named query, or a query from a .rq file."""
    if name_or_path.endswith(".rq"):
        from pathlib import Path

        path = Path(name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise QueryError(f"{path} is not UTF-8 text") from None
        if not text.lstrip().startswith("#"):
            return NamedQuery(path.stem, "", (), (), text)
        return parse_query(path.stem, text)
    path = vocab.data_dir("queries") / f"{name_or_path}.rq"
    if "/" in name_or_path or not path.is_file():
        raise QueryError(f"no query named {name_or_path!r}; named queries: {', '.join(named_queries())}")
    return _with_memory_shape(parse_query(name_or_path, path.read_text(encoding="utf-8")))


def parse_params(pairs: list[str]) -> dict[str, str]:
    """KEY=VALUE strings from the command line."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r} is not KEY=VALUE")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(f"--param {key.strip()} is not valid text (bytes that are not UTF-8)") from None
        out[key.strip()] = value
    return out


def valid_iri(value: str) -> bool:
    """Whether a string is an IRI pyoxigraph accepts, with a scheme."""
    from pyoxigraph import NamedNode

    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", value):
        return False
    try:
        NamedNode(value)
    except ValueError:
        return False
    return True


def _iri(value: str, what: str):
    from pyoxigraph import NamedNode

    if not valid_iri(value):
        raise QueryError(f"{what} {value!r} is not an IRI")
    return NamedNode(value)


def _lookup(store, query: str, value: str, what: str, param: str):
    """Resolve a name to a node with a bound lookup query; QueryError if none or several match."""
    from pyoxigraph import Literal, Variable

    rows = list(store.query(vocab.sparql_prologue() + query, substitutions={Variable("label"): Literal(value.lower())}))
    found = sorted({row["node"].value for row in rows})
    if len(found) == 1:
        return rows[0]["node"]
    if not found:
        raise QueryError(f"--param {param}: no {what} called {value!r}; give its IRI or another name")
    shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
    raise QueryError(f"--param {param}: {value!r} names {len(found)} of them ({shown}); give the IRI")


_AGENCY_LOOKUP = """SELECT ?label ?node WHERE { GRAPH ?g { ?node a ofsted:Agency ;
    skos:prefLabel|skos:altLabel ?name } FILTER (LCASE(STR(?name)) = ?label) }"""
_CONCEPT_LOOKUP = """SELECT ?label ?node WHERE {{ GRAPH ?g {{ ?node a ofsted:{cls} ;
    skos:notation|skos:prefLabel|skos:altLabel ?name }} FILTER (LCASE(STR(?name)) = ?label) }}"""


_AUTHORITY_LOOKUP = """SELECT ?label ?node WHERE { GRAPH ?g { ?node a ofsted:LocalAuthority ;
    ofsted:areaName|skos:prefLabel|skos:altLabel|ofsted:gssCode|ofsted:formerGssCode|ofsted:dfeCode ?name }
    FILTER (LCASE(STR(?name)) = ?label) }"""
#: How Ofsted and others dress an area's name; stripped when the name as given matches no authority.
_AUTHORITY_DRESS = re.compile(r"^(?:the\s+)?(?:London Borough of|Royal Borough of|City of|County of|Borough of)\s+"
                              r"|\s+(?:(?:County|City|Borough|Metropolitan Borough|Metropolitan District|District)\s+)?"
                              r"Council$", re.IGNORECASE)


def _authority(store, value: str, param: str):
    """A local authority by name, dressed name, GSS or DfE code (or IRI)."""
    if value.startswith(("http://", "https://")):
        return _iri(value, f"--param {param}")
    name = " ".join(value.split())
    try:
        return _lookup(store, _AUTHORITY_LOOKUP, name, "local authority", param)
    except QueryError:
        bare = _AUTHORITY_DRESS.sub("", name).strip()
        if bare == name or not bare:
            raise
        return _lookup(store, _AUTHORITY_LOOKUP, bare, "local authority", param)


def to_term(store, param: Param, value: str):
    """The RDF term a parameter value stands for."""
    from pyoxigraph import Literal, NamedNode

    if param.type == "report":
        from .store import StoreError, resolve_report

        try:
            return NamedNode(resolve_report(store, value))
        except StoreError as exc:
            raise QueryError(str(exc)) from None
    if param.type == "iri":
        return _iri(value, f"--param {param.name}")
    if param.type == "authority":
        return _authority(store, value, param.name)
    if param.type in ("agency", "theme", "polarity"):
        if value.startswith(("http://", "https://")):
            return _iri(value, f"--param {param.name}")
        lookup = _AGENCY_LOOKUP if param.type == "agency" else _CONCEPT_LOOKUP.format(cls=param.type.capitalize())
        return _lookup(store, lookup, value, param.type, param.name)
    if param.type == "date":
        import datetime as dt

        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return Literal(dt.date.fromisoformat(value).isoformat(), datatype=NamedNode(vocab.XSD + "date"))
        except ValueError:
            raise QueryError(f"--param {param.name}={value!r} is not a date (YYYY-MM-DD)") from None
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise QueryError(f"--param {param.name}={value!r} is not an integer")
        return Literal(str(int(value)), datatype=NamedNode(vocab.XSD + "integer"))
    return Literal(value)


def bind(store, query: NamedQuery, values: dict[str, str]) -> dict:
    """Substitutions for pyoxigraph: every parameter checked, typed and turned into a term."""
    from pyoxigraph import Variable

    bound = {}
    for name, value in values.items():
        bound[Variable(name)] = to_term(store, query.param(name), value)
    missing = [p.name for p in query.params if p.required and p.name not in values]
    if missing:
        raise QueryError(f"query {query.name!r} needs --param {missing[0]}=… ({query.param(missing[0]).help})")
    return bound


def run(store, query: NamedQuery, values: dict[str, str] | None = None):
    """Run a query on an embedded store or an endpoint with bound parameters; on an in-memory copy
    (``store.memory_copy``), in the query's in-memory shape."""
    substitutions = bind(store, query, values or {})
    text = query.memory_text if query.memory_text and getattr(store, "in_memory", False) else query.text
    try:
        results = store.query(text, substitutions=substitutions or None, use_default_graph_as_union=False)
        if not hasattr(results, "variables"):
            raise QueryError(f"query {query.name!r} is not a SELECT query; ofsted-kg runs SELECT queries")
        return results
    except SyntaxError as exc:
        raise QueryError(f"query {query.name!r} is not valid SPARQL: {str(exc).splitlines()[0]}") from None
    except (RuntimeError, OSError) as exc:
        raise QueryError(f"query {query.name!r} failed: {str(exc).splitlines()[0]}") from None


def _cell(term) -> str:
    if term is None:
        return ""
    if type(term).__name__ == "NamedNode":
        return vocab.shorten(term.value, ("id", "ofsted"))
    return term.value.replace("\n", " ")


def format_results(results, fmt: str, width: int | None = None) -> bytes:
    """Results as W3C SPARQL CSV, TSV or JSON, or as a table for people, ``width`` characters wide (default: the
    terminal's), long cells wrapped onto more lines rather than cut."""
    import shutil

    from .formats import column_widths, counted, pyoxigraph_results_format, table_lines

    if fmt != "table":
        return results.serialize(format=pyoxigraph_results_format(fmt))
    names = [v.value for v in results.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in results]
    widths = column_widths([max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)],
                           width or shutil.get_terminal_size((120, 24)).columns, [len(n) for n in names])
    lines = table_lines(names, widths) + ["  ".join("-" * w for w in widths)]
    for row in rows:
        lines += table_lines(row, widths)
    lines.append(f"({counted(len(rows), 'row')})")
    return ("\n".join(lines) + "\n").encode("utf-8")
