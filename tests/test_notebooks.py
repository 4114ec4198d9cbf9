"""The notebooks run from top to bottom on the samples, are stored without outputs, and inline maps are whole."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

from conftest import SUPPORTED

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    """Outputs and execution counts stay out of git (run the notebook, then clear its outputs before committing)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: cell {cell.get('id')}"
    assert notebook["cells"][0]["cell_type"] == "markdown", "a notebook opens with a note on what it answers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed")
    pytest.importorskip("ipykernel", reason="the notebooks extra is not installed")
    monkeypatch.setenv("OFSTED_KG_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # The kernel imports the same graph package as the tests: the checkout's, installed or not.
    root = str(path.parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def test_inline_map_is_self_contained(sample_store):
    pytest.importorskip("IPython", reason="the notebooks extra is not installed")
    from graph import KnowledgeGraph

    shown = KnowledgeGraph.open(sample_store).show("overview", report="kent-2013-lac")
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown.data).group(1)
    page = html.unescape(srcdoc)
    assert 'sandbox="allow-scripts"' in shown.data
    assert page.startswith("<!DOCTYPE html>") and "vis-network" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)


def test_query_returns_typed_dataframe(sample_store):
    pytest.importorskip("pandas", reason="the notebooks extra is not installed")
    from graph import KnowledgeGraph

    kg = KnowledgeGraph.open(sample_store)
    grades = kg.query("judgements", report="kent-2013-lac")
    assert list(grades.columns) == ["report", "section", "area", "grade", "gradeLabel"]
    assert grades["grade"].tolist() == [3, 2, 3, 3, 3]
    custom = kg.query("SELECT ?r WHERE { GRAPH ?r { ?r a <https://w3id.org/ofsted-kg/ontology#InspectionReport> } }")
    assert len(custom) == len(SUPPORTED)
    assert kg.networkx("overlaps", "kent-2013-lac").number_of_nodes() > 0


def test_an_in_memory_copy_answers_as_the_store_does(sample_store, capsys):
    """KnowledgeGraph.open(..., in_memory=True) copies the store into memory, says how much it took, and gives the
    same answers."""
    pytest.importorskip("pandas", reason="the notebooks extra is not installed")
    from graph import KnowledgeGraph

    disk, memory = KnowledgeGraph.open(sample_store), KnowledgeGraph.open(sample_store, in_memory=True)
    assert re.match(r"ofsted-kg: copied [\d,]+ quads of .* into memory in [\d.]+ s \(this process now holds [1-9][\d,]* MB\)",
                    capsys.readouterr().err)
    for name in ("weaknesses-by-agency", "recommendation-follow-up", "judgements"):
        assert memory.query(name).equals(disk.query(name)), name
    assert memory.report_ids() == disk.report_ids()
