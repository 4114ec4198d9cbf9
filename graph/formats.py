"""The one registry of output formats, used by the library and by the CLI's choices."""

from __future__ import annotations

from collections import namedtuple

#: An RDF output format; ``dataset`` formats keep named graphs, the others get the union of all graphs.
#: (A namedtuple rather than a dataclass: this module is on the fast path of ``ofsted-kg query``.)
RdfOutput = namedtuple("RdfOutput", "name suffix media_type dataset")


RDF_FORMATS: dict[str, RdfOutput] = {f.name: f for f in (
    RdfOutput("nq", ".nq", "application/n-quads", True),
    RdfOutput("trig", ".trig", "application/trig", True),
    RdfOutput("turtle", ".ttl", "text/turtle", False),
    RdfOutput("nt", ".nt", "application/n-triples", False),
    RdfOutput("jsonld", ".jsonld", "application/ld+json", True),
)}

#: SPARQL results: the W3C CSV, TSV and JSON results formats, and a plain table for people.
RESULT_FORMATS = ("table", "csv", "tsv", "json")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """"1 weakness", "2 weaknesses": a number of things, as the outputs for people write it."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def pyoxigraph_rdf_format(name: str):
    """The pyoxigraph RdfFormat for a registry name."""
    from pyoxigraph import RdfFormat

    return {"nq": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "turtle": RdfFormat.TURTLE,
            "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}[name]


def pyoxigraph_results_format(name: str):
    """The pyoxigraph QueryResultsFormat for csv, tsv or json."""
    from pyoxigraph import QueryResultsFormat

    return {"csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV, "json": QueryResultsFormat.JSON}[name]


#: The narrowest a wrapped column gets, in characters.
MIN_COLUMN = 10


def column_widths(natural: list[int], total: int, floors: list[int] | None = None) -> list[int]:
    """Widths for columns that need ``natural`` characters, fitting ``total`` with two spaces between them where it
    can: columns narrower than a fair share keep their width, and the others share what is left in proportion to
    what they need (so a quote gets more room than an IRI), none narrower than its floor (its header's length)."""
    room = total - 2 * (len(natural) - 1)
    lowest = [min(n, max(MIN_COLUMN, f)) for n, f in zip(natural, floors or [0] * len(natural))]
    fixed: dict[int, int] = {}
    while len(fixed) < len(natural):
        wide = [i for i in range(len(natural)) if i not in fixed]
        left = room - sum(fixed.values())
        narrow = [i for i in wide if natural[i] <= left // len(wide)]
        if narrow:  # these fit in a fair share: they keep their width
            fixed.update((i, natural[i]) for i in narrow)
            continue
        need = sum(natural[i] for i in wide)
        shares = {i: max(0, left) * natural[i] // need for i in wide}
        cramped = [i for i in wide if shares[i] < lowest[i]]
        if cramped:  # too narrow to read: these get their lowest width, and the others share the rest
            fixed.update((i, lowest[i]) for i in cramped)
            continue
        fixed.update(shares)
    return [fixed[i] for i in range(len(natural))]


def table_lines(cells: list[str], widths: list[int]) -> list[str]:
    """One table row, each cell wrapped to its column, as as many lines as its longest cell needs."""
    import textwrap

    wrapped = [textwrap.wrap(c, w, break_long_words=True, break_on_hyphens=False) or [""]
               for c, w in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    return ["  ".join((w[k] if k < len(w) else "").ljust(width) for w, width in zip(wrapped, widths)).rstrip()
            for k in range(height)]
