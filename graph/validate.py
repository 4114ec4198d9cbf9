"""SHACL validation of the store (or any N-Quads) against ontology/shapes.ttl with pyshacl."""

from __future__ import annotations

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
    text = str(term)
    for prefix, iri in vocab.PREFIXES.items():
        if text.startswith(iri):
            return f"{prefix}:{text[len(iri):]}"
    return text


def validate_nquads(data: bytes) -> tuple[bool, list[Violation]]:
    """Validate the union of all graphs in ``data`` (N-Quads); returns (conforms, violations)."""
    import pyshacl
    import rdflib

    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    shapes = rdflib.Graph().parse(vocab.data_dir("ontology") / "shapes.ttl", format="turtle")
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
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus, v.path, v.message))
    return bool(conforms), violations


def validate_store(store) -> tuple[bool, list[Violation]]:
    """Validate every graph in the store together (reports with the reference data and ontology)."""
    from .store import export

    return validate_nquads(export(store, "nq"))
