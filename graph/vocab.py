"""Every IRI and namespace ofsted-kg uses, IRI minting, and the one cached loader for the data files.

IRIs are plain strings here so that importing this module costs nothing: rdflib and pyoxigraph
wrappers are made where those libraries are used anyway.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

#: The one base under which every ofsted-kg IRI is minted.
BASE = "https://w3id.org/ofsted-kg/"
#: The ontology's namespace (classes and properties).
OFSTED = BASE + "ontology#"
#: Things described by the reports and the reference data.
ID = BASE + "id/"

ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "ofsted": OFSTED,
    "id": ID,
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "oa": OA,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "sh": SH,
}

_PACKAGE = Path(__file__).resolve().parent


def slug(text: str) -> str:
    """Lower-case ASCII slug used in minted IRIs ("Worcestershire County Council" -> "worcestershire-county-council")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def shorten(iri: str, prefixes=tuple(PREFIXES)) -> str:
    """``id:report/…`` for an IRI under one of the named prefixes; the IRI as it is otherwise."""
    for prefix in prefixes:
        if iri.startswith(PREFIXES[prefix]):
            return f"{prefix}:{iri[len(PREFIXES[prefix]):]}"
    return iri


def data_dir(name: str) -> Path:
    """The folder of a shipped data set ("ontology" or "queries").

    A wheel carries them inside the package; a source checkout keeps them at the top of the repo.
    """
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ofsted-kg data folder {name!r} is missing from the installation")


def samples_dir() -> Path:
    """The bundled sample reports."""
    return _PACKAGE / "samples"


@lru_cache(maxsize=None)
def ontology_store(*names: str):
    """A read-only in-memory pyoxigraph store of the named ontology/ files (cached per name set)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    folder = data_dir("ontology")
    for name in names:
        store.bulk_load(path=str(folder / name), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def sparql_prologue() -> str:
    """PREFIX declarations for every namespace above, for SPARQL run inside the package."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


# ----------------------------------------------------------------------------------------------- named graphs

GRAPH_ONTOLOGY = ID + "graph/ontology"
GRAPH_REFERENCE = ID + "graph/reference"
GRAPH_BUILDS = ID + "graph/builds"

#: Data files loaded into each fixed graph.
ONTOLOGY_FILES = ("ofsted.ttl", "frameworks.ttl")
REFERENCE_FILES = ("agencies.ttl", "duties.ttl", "guidance.ttl", "findings.ttl", "attribution.ttl")


# ----------------------------------------------------------------------------------------------- minting

def report_iri(report_id: str) -> str:
    """A report's IRI, which is also the name of its graph."""
    return f"{ID}report/{report_id}"


def staging_graph(graph: str) -> str:
    """Where a graph's new version is written before it replaces the old one in one step."""
    return f"{ID}graph/staging/{slug(graph)}"


def build_iri(report_id: str) -> str:
    return f"{ID}build/{report_id}"


def paragraph_iri(report_id: str, number: int) -> str:
    return f"{report_iri(report_id)}/para/{number}"


def quote_iri(report_id: str, number: int, start: int, end: int) -> str:
    return f"{paragraph_iri(report_id, number)}/quote/{start}-{end}"


def item_iri(report_id: str, kind: str, *keys: object) -> str:
    """IRIs of things read from a report: judgement/{section}/{area}, recommendation/{n}, statistic/{i}, …"""
    return "/".join([report_iri(report_id), kind, *map(str, keys)])


def concept_iri(kind: str, notation: str) -> str:
    """Template and reference concepts: framework/slac, section/safeguarding, area/…, timescale/…, org/…"""
    return f"{ID}{kind}/{notation}"


def grade_iri(framework: str, grade: int) -> str:
    return concept_iri("grade", f"{framework.lower()}-{grade}")


def term(prefixed: str) -> str:
    """Expand "ofsted:Judgement" to its IRI."""
    prefix, _, local = prefixed.partition(":")
    return PREFIXES[prefix] + local
