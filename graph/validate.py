"""SHACL validation of the store against ontology/shapes.ttl.

pyshacl checks the core constraints (counts, datatypes, classes). It evaluates SPARQL-based constraints once per
focus node, which took a minute on three reports, so those run here instead: each constraint's SELECT, with
``$this`` left free and joined to the shape's target class, runs once over the whole graph in pyoxigraph. The
result is the same set of violations, in about a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import vocab


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}"


def _short(term) -> str:
    return vocab.shorten(str(term))


def _split_sparql(shapes):
    """Remove sh:sparql constraints from the shapes graph; return them as (target class, select, message)."""
    import rdflib

    sh = rdflib.Namespace(vocab.SH)
    constraints = []
    for shape, _, constraint in list(shapes.triples((None, sh.sparql, None))):
        select = str(shapes.value(constraint, sh.select))
        message = str(shapes.value(constraint, sh.message) or "SPARQL constraint violated")
        for target in shapes.objects(shape, sh.targetClass):
            constraints.append((str(target), select, message))
        shapes.remove((shape, sh.sparql, constraint))
    return sorted(constraints)


def _declared_prefixes(shapes) -> str:
    import rdflib

    sh = rdflib.Namespace(vocab.SH)
    lines = {f"PREFIX {shapes.value(d, sh.prefix)}: <{shapes.value(d, sh.namespace)}>"
             for d in shapes.objects(None, sh.declare)}
    return "\n".join(sorted(lines)) + "\n"


def _run_sparql_constraints(nquads: bytes, constraints, prologue: str) -> list[Violation]:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object)
                 for q in pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    violations = []
    for target, select, message in constraints:
        body = select.replace("$this", "?this")
        query = f"{prologue}SELECT DISTINCT * WHERE {{ ?this a <{target}> . {{ {body.strip()} }} }}"
        for row in store.query(query):
            text = re.sub(r"\{[?$](\w+)\}",
                          lambda m: _short(row[m.group(1)].value) if row[m.group(1)] is not None else "", message)
            violations.append(Violation(_short(row["this"].value), "", text, "Violation"))
    return violations


def validate_nquads(data: bytes) -> tuple[bool, list[Violation]]:
    """Validate the union of all graphs in ``data`` (N-Quads); returns (conforms, violations)."""
    import pyshacl
    import rdflib

    import pyoxigraph

    # The union of the graphs as N-Triples: rdflib reads that faster than N-Quads into a Dataset.
    triples = {pyoxigraph.Triple(q.subject, q.predicate, q.object)
               for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS)}
    union = rdflib.Graph()
    union.parse(data=pyoxigraph.serialize(list(triples), format=pyoxigraph.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph().parse(vocab.data_dir("ontology") / "shapes.ttl", format="turtle")
    constraints = _split_sparql(shapes)
    conforms, report, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none", allow_warnings=True)
    sh = rdflib.Namespace(vocab.SH)
    violations = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        violations.append(Violation(
            focus=_short(report.value(result, sh.focusNode)),
            path=_short(report.value(result, sh.resultPath) or ""),
            message=str(report.value(result, sh.resultMessage) or ""),
            severity=_short(report.value(result, sh.resultSeverity)).removeprefix("sh:"),
        ))
    violations += _run_sparql_constraints(data, constraints, _declared_prefixes(shapes))
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus, v.path, v.message))
    return not any(v.severity == "Violation" for v in violations), violations


def validate_store(store, full: bool = False) -> tuple[bool, list[Violation]]:
    """Validate what the builds wrote: every graph of the store, with the nodes of the reference data that they
    use (two links deep). With ``full``, the whole reference data too: it is the same for every store, so the test
    suite checks it once (tests/test_validate.py) and a store's validation need not pay for its 60,000 triples."""
    from .store import export

    if full:
        return validate_nquads(export(store, "nq"))
    return validate_nquads(_used_reference(store))


def _used_reference(store) -> bytes:
    """N-Quads of every graph but the reference data, and of the reference nodes those graphs use."""
    import pyoxigraph

    from .store import sorted_nquads

    reference = pyoxigraph.NamedNode(vocab.GRAPH_REFERENCE)
    quads = [q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != reference]
    frontier = {q.object for q in quads if isinstance(q.object, pyoxigraph.NamedNode)}
    seen: set = set()
    for _ in range(2):
        frontier -= seen
        seen |= frontier
        found = [q for node in frontier for q in store.quads_for_pattern(node, None, None, reference)]
        quads += found
        frontier = {q.object for q in found if isinstance(q.object, pyoxigraph.NamedNode)}
    return sorted_nquads(quads)
