"""SHACL validation: every sample conforms, and deliberately broken graphs do not."""

from __future__ import annotations

import pytest

from graph.cli import main
from graph.ingest import build
from graph.store import export, open_store
from graph.validate import validate_nquads
from graph.vocab import samples_dir



@pytest.fixture(scope="module")
def nquads(sample_store):
    """The Kent report with the ontology and reference data: enough to break things in."""
    with open_store(sample_store) as store:
        whole = export(store, "nq").decode("utf-8")
    kept = [line for line in whole.splitlines(keepends=True)
            if not any(f"/id/{kind}/" in line for kind in ("report", "build")) or "kent-2013-lac" in line]
    return sample_store, "".join(kept)


def test_every_sample_conforms(nquads, capsys):
    path, _ = nquads
    assert main(["validate", "--store", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith("conforms: 0 violations, 0 warnings")


def test_graph_without_a_grade_does_not_conform(nquads):
    _, data = nquads
    broken = "".join(line for line in data.splitlines(keepends=True)
                     if not ("kent-2013-lac/judgement/looked-after-children/capacity>" in line and "ontology#grade>" in line))
    conforms, violations = validate_nquads(broken.encode())
    assert not conforms
    assert [str(v) for v in violations] == [
        "Violation: id:report/kent-2013-lac/judgement/looked-after-children/capacity ofsted:grade: "
        "A judgement must have exactly one grade (ofsted:grade), an ofsted:Grade such as id:grade/slac-3"]


def test_quote_that_is_not_in_its_paragraph_does_not_conform(nquads):
    """The SPARQL constraints run too: a tampered quote is caught."""
    _, data = nquads
    lines = data.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "oa#exact>" in line and "kent-2013-lac/para/22" in line)
    subject, predicate, rest = lines[index].split(" ", 2)
    lines[index] = f'{subject} {predicate} "something the report never said" {rest.rsplit(" ", 2)[-2]} .\n'
    conforms, violations = validate_nquads("".join(lines).encode())
    assert not conforms
    assert any("is not the paragraph's text between its oa:start and oa:end" in v.message for v in violations)


def test_validate_command_exits_non_zero_on_a_broken_store(tmp_path, capsys):
    store_dir = tmp_path / "store"
    build([samples_dir() / "kent-lac-2013.pdf"], store_dir)
    with open_store(store_dir, write=True) as store:
        store.update("""PREFIX ofsted: <https://w3id.org/ofsted-kg/ontology#>
                        DELETE { GRAPH ?g { ?j ofsted:grade ?grade } }
                        WHERE { GRAPH ?g { ?j a ofsted:Judgement ; ofsted:grade ?grade } }""")
    assert main(["validate", "--store", str(store_dir)]) == 1
    out = capsys.readouterr().out
    assert out.count("A judgement must have exactly one grade") == 5
    assert "does not conform: 5 violations" in out


def test_the_shipped_reference_data_conforms(nquads):
    """`ofsted-kg validate` checks only the reference nodes the reports use; the whole reference data is checked
    here, once, with --full."""
    path, _ = nquads
    assert main(["validate", "--full", "--store", str(path)]) == 0
