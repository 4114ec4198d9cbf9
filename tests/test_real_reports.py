"""Every real SIF and ILACS report of the development set (tests/fixtures/corpus/) against its grades and
recommendation counts, copied by hand from the report (tests/fixtures/expected/corpus/)."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, corpus_report, front_page

CASES = sorted((FIXTURES / "expected" / "corpus").glob("*.json"))
GRADES = {"outstanding": 1, "good": 2, "requires improvement": 3, "inadequate": 4}


@pytest.fixture(params=CASES, ids=lambda p: p.stem)
def case(request):
    want = json.loads(request.param.read_text(encoding="utf-8"))
    return corpus_report(want["file"]), want


def test_metadata(case):
    report, want = case
    got = front_page(report)
    assert got == {key: want["report"][key] for key in got}


def test_inspection_type_is_inferred_from_the_fieldwork(case):
    """ILACS reports never say whether the inspection was standard or short; the hand-made record decided it from
    the fieldwork dates, as the reader must, and says so."""
    report, want = case
    assert (report.inspection_type, report.inspection_type_inferred) == (
        want.get("inspection_type"), "inspection_type" in want)


def test_grades_exact(case):
    report, want = case
    got = {(j.section, j.area_key): (j.grade, j.word) for j in report.judgements}
    assert got == {(j["section"], j["area"]): (GRADES[j["word"]], j["word"]) for j in want["judgements"]}


def test_recommendation_counts_exact(case):
    """The local authority's actions, its priority actions (timescale "immediately") and the LSCB's."""
    report, want = case
    counts = {"local-authority": 0, "priority": 0, "lscb": 0}
    for r in report.recommendations:
        kind = "lscb" if r.section == "lscb" else "priority" if r.timescale == "immediately" else "local-authority"
        counts[kind] += 1
    assert counts == want["recommendations"]
    # Only the priority actions have a timescale, "immediately": due on publication.
    assert {r.deadline for r in report.recommendations if r.timescale == "unspecified"} <= {None}
    assert {r.deadline for r in report.recommendations if r.timescale == "immediately"} <= {report.published}


def test_paragraph_numbering(case):
    report, want = case
    numbers = [p.number for p in report.paragraphs if p.number is not None and "-" not in p.key]
    assert max(numbers, default=0) == want["last_paragraph"]
    assert len(set(p.key for p in report.paragraphs)) == len(report.paragraphs)


def test_no_warning_it_does_not_deserve(case):
    report, want = case
    assert list(report.warnings) == want.get("warnings", [])


def test_regression_grid_rows_are_named_as_printed(case):
    """An ILACS grid row's area once took in the lines above the grid ("Lead inspector: … Judgement Grade The
    impact of leaders …"). Each judgement is named by its own area's words, or in a SIF report's grid by the
    authority's ("Children's services in Kent")."""
    from graph.template import load_template

    report, _ = case
    template = load_template()
    for j in report.judgements:
        assert template.exact_area(j.area) is template.area(j.area_key) or (
            j.area_key == "overall-effectiveness" and j.area.startswith("Children's services in")), j.area


def test_regression_a_judgements_summary_label_and_grade_are_not_its_text(case):
    """A SIF judgement's section opens with its heading, its grade and the label "Summary", each on a line of its
    own; the grade and the label were read as the first words of the summary ("Inadequate Summary Services to
    children …", in 20 of the real reports), or the grade as a paragraph of its own. The summary stays under the
    judgement's heading."""
    report, _ = case
    for p in report.paragraphs:
        first = p.text.split(" Summary ")[0] if " Summary " in p.text[:30] else ""
        assert not p.text.startswith("Summary ") and first.lower() not in GRADES, (p.key, p.text[:60])
        assert p.text.lower() not in GRADES, p.key
        assert "Summary" not in p.section_path, p.key


def test_regression_a_recommendation_tag_on_its_own_line_ends_the_paragraph():
    """A "(Recommendation)" tag printed on a line of its own left the paragraph looking unfinished, so it swallowed
    what followed: Worcestershire 2017's paragraph 92 took in the next page's graded heading ("Leadership,
    management and governance Inadequate") and its summary. Words copied from the PDF."""
    from graph.reader import read_report
    from graph.vocab import samples_dir

    report = read_report(samples_dir() / "worcestershire-sif-2017.pdf")
    para = report.paragraph("92")
    assert para.recommendation_tag
    assert para.text.startswith("The care leavers")
    assert para.text.endswith("financial support for care leavers remains below the minimum recommended as good "
                              "practice.")
    assert "Leadership, management and governance" not in para.text
    # The summary it swallowed is unnumbered text under the leadership heading.
    summary = next(p for p in report.paragraphs if "The scale and gravity of the weaknesses" in p.text)
    assert summary.number is None and summary.section_path[-1] == "Leadership, management and governance"


def test_regression_a_list_heading_printed_after_its_findings_is_put_back():
    """Redbridge 2016: the PDF's text gives the LSCB's boxed "Recommendations" heading after paragraph 129, so the
    reader took three findings (131, 133, 147) for the board's actions and the actions (123-125) for findings. The
    list, hand-copied from the PDF (p.37): paragraphs 123 "Extend …", 124 "Strengthen …", 125 "Embed …"."""
    from graph.findings import _judgement_paragraphs

    report = corpus_report("redbridge_2016-11-25.pdf")
    board = [(r.paragraph, r.text.split()[0]) for r in report.recommendations if r.section == "lscb"]
    assert board == [("123", "Extend"), ("124", "Strengthen"), ("125", "Embed")]
    findings = {p.number for p in _judgement_paragraphs(report) if p.section == "lscb"}
    assert findings == set(range(126, 149))


def test_regression_a_judgement_box_and_the_lscb_annex_are_not_the_text_before_them():
    """Hull 2015, the early form: each judgement's section opens with a box ("Key judgement Judgement grade", the
    area and its grade, then "Summary"), and the LSCB's review ends with "Information about the LSCB inspection"
    and the grade criteria. Paragraph 70 took in the looked after children's box and summary, 122 the box's header,
    and the LSCB's paragraph 21 the whole annex. Words copied from the PDF (pp. 24, 41, 63)."""
    report = corpus_report("kingston-upon-hull_2015-02-10.pdf")
    assert report.paragraph("70").text.endswith("foster carer de-registrations in 2013-14.")
    assert report.paragraph("122").text.endswith("does not have a, Hull specific, version of it.")
    assert report.paragraph("lscb-21").text.endswith("promoting public awareness across Hull.")
    assert report.paragraph("71").section_path[-1] == (
        "The experiences and progress of children looked after and achieving permanence")


def test_regression_a_heading_that_names_the_board_by_its_own_acronym_is_a_heading():
    """Swindon 2014: "Key strengths and weaknesses of the SSCB" was not read as the LSCB findings' heading (the
    check for a heading line compared the words as printed), so the board's 13 findings (143-155) stayed in its
    list of actions and were never read as findings; "The local authority has the following strengths" and a
    care leavers' grade sentence over two lines ran into paragraphs 12 and 106. Words copied from the PDF."""
    from graph.findings import _judgement_paragraphs

    report = corpus_report("swindon_2014-05-23.pdf")
    assert [r.paragraph for r in report.recommendations if r.section == "lscb"] == ["140", "141", "142"]
    assert {p.number for p in _judgement_paragraphs(report) if p.section == "lscb"} == set(range(143, 156))
    assert report.paragraph("12").text.endswith("constantly getting better for care leavers.")
    assert report.paragraph("106").text.endswith("for children who have been placed with them.")


def test_regression_the_last_line_of_a_paragraph_that_reads_like_a_heading_is_its_text():
    """Enfield 2019, paragraph 50 ends on a line of its own, "outcomes for children and young people.", the words of
    a 2009-12 judgement area: it was read as a heading and lost from the paragraph. Words copied from the PDF."""
    report = corpus_report("enfield_2019-04-15.pdf")
    assert report.paragraph("50").text.endswith(
        "housing needs, to drive improvements and outcomes for children and young people.")


def test_regression_the_back_cover_ends_the_body_where_ofsteds_name_is_wrapped():
    """Rochdale 2018 prints Ofsted's name over two lines ("The Office for Standards in Education, Children's Services
    and Skills" / "(Ofsted) regulates and inspects …"), so the back cover, with its licence and addresses, ran into
    paragraph 39. A blind annotator noticed. Words copied from the PDF."""
    text = corpus_report("rochdale_2018-03-12.pdf").paragraph("39").text
    assert text.endswith("Greater stability has been achieved in those teams working with children in care.")
