"""The benchmark runs end to end on a tiny corpus and reports every figure it promises (no timed assertions)."""

from __future__ import annotations

from graph.bench import CONTRACT, corpus_benchmark
from graph.synthetic import synthetic_text


def test_synthetic_reports_say_they_are_synthetic():
    text = synthetic_text(7)
    front = text[:text.index("Published:")]
    assert "SYNTHETIC REPORT 0007" in front and "not a real inspection" in front
    assert "Worcestershire" not in text.replace("from the Worcestershire 2010 report", "") and "West Mercia" not in text


def test_synthetic_reports_have_real_authorities_whose_partners_resolve(tmp_path):
    """Each synthetic report is about a real authority of its year, so its "police" is that area's force (Blackburn
    with Darwen: Lancashire Constabulary, as the police force table has it); ids never repeat."""
    from graph.findings import analyse
    from graph.rdf import authority_iri
    from graph.reader import read_report
    from graph.synthetic import area_and_year, real_areas

    ids = {(area_and_year(i)[0].name, area_and_year(i)[1]) for i in range(4 * len(real_areas()) + 50)}
    assert len(ids) == 4 * len(real_areas()) + 50
    path = tmp_path / "synthetic-0007.txt"
    path.write_text(synthetic_text(7), encoding="utf-8")
    report = read_report(path)
    assert (report.local_authority, report.framework) == ("Blackburn with Darwen", "SLAC")
    assert authority_iri(report).endswith("/blackburn-with-darwen-borough-council")
    owners = {a.agency for f in analyse(report, authority_iri(report)).findings for a in f.attributions}
    assert any(o.endswith("/lancashire-constabulary") for o in owners), sorted(owners)


def test_benchmark_reports_every_figure():
    # rdflib's capped queries run to their cap; a short one keeps the test quick.
    result = corpus_benchmark(3, rdflib_cap=0.1, pdfs=1, progress=lambda message: None, mode="full")
    for key in ("reports", "triples", "ingest_reports_per_s", "pdf_read_s", "cold_query_ms", "cold_query_series_ms",
                "open_store_ms", "peak_rss_mb", "load_s", "store_mb", "map_s", "network_metrics_s",
                "pdf_ingest_reports_per_s"):
        assert result[key] is not None, key
    assert result["reports"] == 3 and result["failed"] == 0
    assert result["queries"]["reports"]["rows"] == 3, "the timed store holds exactly the reports asked for"
    assert set(CONTRACT) <= set(result["queries"])
    assert all({"ms", "rdflib_ms"} <= set(q) for q in result["queries"].values())
    assert result["rdflib_scope"].startswith("all 3 reports; the contract queries uncapped")
    assert all(result["queries"][name]["rdflib_ms"] is not None for name in CONTRACT)


def test_quick_benchmark_says_how_rdflib_was_limited(monkeypatch):
    """The quick mode leaves out the bulk reload and the PDFs and compares rdflib on a few reports, capped; its
    figures say so. (Two reports of three here, for time; the command compares on ten.)"""
    from graph import bench

    monkeypatch.setattr(bench, "QUICK_RDFLIB_REPORTS", 2)
    result = corpus_benchmark(3, rdflib_cap=0.1, progress=lambda message: None)
    assert result["mode"] == "quick" and "load_s" not in result and "pdf_ingest_reports_per_s" not in result
    assert result["rdflib_scope"].startswith("2 of 3 reports, every query capped at 0.1 s")
    assert result["queries"]["reports"]["rows"] == 3


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
