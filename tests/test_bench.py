"""The benchmark runs end to end on a tiny corpus and reports every figure it promises (no timed assertions)."""

from __future__ import annotations

from graph.bench import CONTRACT, corpus_benchmark
from graph.synthetic import synthetic_text


def test_synthetic_reports_say_they_are_synthetic():
    text = synthetic_text(7)
    assert text.startswith("SYNTHETIC REPORT 0007") and "Synthetic Authority 0007" in text
    assert "Worcestershire" not in text.split("\n", 1)[1]


def test_benchmark_reports_every_figure():
    result = corpus_benchmark(3, rdflib_cap=2, pdfs=1, progress=lambda message: None)
    for key in ("reports", "triples", "ingest_reports_per_s", "pdf_read_s", "cold_query_ms", "open_store_ms",
                "peak_rss_mb", "load_s", "store_mb", "map_s", "network_metrics_s"):
        assert result[key] is not None, key
    assert result["reports"] == 3 and result["failed"] == 0
    assert result["queries"]["reports"]["rows"] == 3, "the timed store holds exactly the reports asked for"
    assert set(CONTRACT) <= set(result["queries"])
    assert all({"ms", "rdflib_ms"} <= set(q) for q in result["queries"].values())


def test_benchmark_runs_on_a_folder_of_real_reports(tmp_path):
    """`ofsted-kg bench --corpus DIR` measures the same figures on real reports (rdflib skipped here)."""
    import shutil

    from graph.vocab import samples_dir

    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("kent-lac-2013.pdf", "worcestershire-ilacs-2023.pdf"):
        shutil.copy(samples_dir() / name, folder / name)
    from graph.ingest import expand_inputs

    result = corpus_benchmark(0, rdflib_cap=0, progress=lambda message: None, corpus=expand_inputs([str(folder)]))
    assert (result["corpus"], result["reports"], result["failed"]) == ("real", 2, 0)
    assert result["queries"]["reports"]["rows"] == 2
    assert all(q["ms"] is not None for q in result["queries"].values())
