"""Records read from each supported sample, against expectations copied from the reports by hand."""

from __future__ import annotations

from graph.template import fold

from conftest import front_page, plain


def test_metadata(sample):
    report, want = sample
    meta = want["report"]
    got = front_page(report)
    assert got == {key: meta[key] for key in got}
    assert report.inspector == meta["inspector"]
    assert len(report.sha256) == 64


def test_every_judgement_and_grade(sample):
    report, want = sample
    got = [(j.section, j.area, j.grade, j.word, j.source) for j in report.judgements]
    assert got == [(j["section"], plain(j["area"]), j["grade"], j["word"], j.get("source", "record"))
                   for j in want["judgements"]]


def test_text_grades_agree_with_the_record(sample):
    """Every grade the text states for a Record area is linked to that judgement and agrees with it."""
    report, want = sample
    by_paragraph = {j.statement.paragraph: j for j in report.judgements if j.statement and not j.statement.heading}
    for stated in want["text_grades"]:
        judgement = by_paragraph.get(None if stated["paragraph"] is None else str(stated["paragraph"]))
        if judgement is not None:
            assert judgement.word == stated["word"]
            assert judgement.section == stated["section"]


def test_every_recommendation_with_timescale_and_deadline(sample):
    report, want = sample
    got = [(r.section, r.timescale, r.deadline and r.deadline.isoformat(), plain(r.text))
           for r in report.recommendations]
    assert got == [(r["section"], r["timescale"], r["deadline"], plain(r["text"])) for r in want["recommendations"]]


def test_paragraphs_numbers_sections_and_pages(sample):
    report, want = sample
    numbers = [p.number for p in report.paragraphs if p.number is not None]
    assert numbers == list(range(1, want["paragraph_count"] + 1))
    for para in want["paragraphs"]:
        got = report.paragraph(para["number"])
        assert got.section == para["section"], para["number"]
        assert fold(got.section_path[-1]) == fold(para["heading"]), para["number"]
        assert list(got.pages) == (para["pages"] or []), para["number"]
        words = plain(got.text).split()
        assert words[: len(para["starts"].split())] == plain(para["starts"]).split(), para["number"]
        assert words[-len(para["ends"].split()):] == plain(para["ends"]).split(), para["number"]


def test_statistics_from_service_information(sample):
    """Most hand-picked Service information figures are found, in the right paragraph."""
    report, want = sample
    def placed(got, s) -> bool:  # in the paragraph copied, or else in the sentence copied
        if "paragraph" in s:
            return got.paragraph == str(s["paragraph"])
        return plain(got.sentence) in plain(s["sentence"]) or plain(s["sentence"]) in plain(got.sentence)

    missed = [s for s in want["statistics"] if not any(got.value == s["value"] and placed(got, s)
                                                       for got in report.statistics)]
    assert len(missed) <= len(want["statistics"]) // 5, missed
    counted = {got.value: got.counts for got in report.statistics}
    for s in want["statistics"]:
        if s.get("counts") == "looked after children":
            assert counted.get(float(s["value"])) == "looked after children"


def test_cited_documents(sample):
    report, want = sample
    found = {(fold(d.title), d.year) for d in report.cited_documents}
    for doc in want["cited_documents"]:
        if doc["year"] is None:
            continue
        assert any(fold(doc["title"]) in title and year == doc["year"] for title, year in found), doc


def test_no_warnings_on_consistent_samples(sample):
    report, _ = sample
    assert report.warnings == ()


def test_worcestershire_split_paragraph_is_joined():
    """Paragraph 7 is split by a page break in the text export: it reads as one paragraph."""
    from conftest import parsed

    text = parsed("worcestershire-slac-2010").paragraph(7).text
    assert "At the time of the inspection there were 397 children who were the subject" in text
    assert "\n" not in text


def test_worcestershire_section_grades_kept():
    from conftest import parsed

    grades = {(g.section, g.heading, g.grade) for g in parsed("worcestershire-slac-2010").section_grades}
    assert ("safeguarding", "The quality of provision", 4) in grades
    assert ("looked-after-children", "Leadership and management", 3) in grades


def test_quote_offsets_are_stable(sample):
    report, _ = sample
    for rec in report.recommendations:
        para = report.paragraph(rec.paragraph)
        start, end = para.span(rec.text)
        assert para.text[start:end] == rec.text


def _edited_sample(tmp_path, old: str, new: str):
    from graph.reader import read_report
    from graph.vocab import samples_dir

    text = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / "edited.txt"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return read_report(target)


def test_text_grade_disagreeing_with_record_is_a_warning(tmp_path):
    report = _edited_sample(tmp_path, "32. Value for money is adequate.", "32. Value for money is good.")
    assert report.warnings == (
        "paragraph 32 grades 'Value for money' (safeguarding) 2 (good), but the Record of main findings gives "
        "3 (adequate)",)
    assert len(report.judgements) == 29


def test_missing_record_row_is_taken_from_the_text_with_a_warning(tmp_path):
    report = _edited_sample(tmp_path, "\nValue for money\tAdequate", "")
    assert report.warnings == (
        "the Record of main findings has no row for 'Value for money' (safeguarding), which paragraph 32 grades "
        "3 (adequate); the judgement is taken from the text",)
    taken = [j for j in report.judgements if j.source == "text"]
    assert [(j.section, j.area_key, j.grade, j.statement.paragraph) for j in taken] == [
        ("safeguarding", "value-for-money", 3, "32")]
    assert report.judgements.index(taken[0]) == 12


def test_missing_section_is_a_warning(tmp_path):
    from graph.vocab import samples_dir

    text = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    start = text.index("\nThe inspection outcomes: services for looked after children\n")
    end = text.index("Record of main findings: Worcestershire")
    cut = tmp_path / "no-lac.txt"
    cut.write_text(text[:start] + text[end:], encoding="utf-8")
    from graph.reader import read_report

    report = read_report(cut)
    assert "the section 'looked-after-children' is missing from the text" in report.warnings
