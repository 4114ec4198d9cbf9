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
