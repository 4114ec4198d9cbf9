"""Who owns which weakness and which action: precision and recall against annotations of whole reports.

tests/fixtures/attribution/development/*.json were used to write the rules; held-out/*.json never were. Each file
says how and when it was made. A paragraph is written by its key: its printed number, or "lscb-4" where the LSCB's
section numbers its paragraphs from 1 again. Annotators wrote owners as partner roles of the report's authority at its date
("health-commissioner") or as "named:<name>"; a predicted owner is scored as the role it fills for that authority
at that date, or as itself. Each set is measured twice:
- with all the reference data, including ontology/local.ttl, which was written from the sample reports;
- with the national data alone, as an authority the local data does not describe would be served. This is the
  held-out set's figure, since its local entries were written from its own report.
Beside each figure, two trivial baselines on the same weaknesses: "the council owns every weakness" and "only the
agencies a sentence names". The figures are printed at the end of the run. second-reading/*.json read six held-out
reports again, blind, by a second annotator: how far two readers agree.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from graph import vocab
from graph.agencies import Resolver, load_gazetteer
from graph.findings import analyse
from graph.rdf import authority_iri
from graph.template import fold

from conftest import corpus_report, parsed, sample_path

ANNOTATIONS = Path(__file__).parent / "fixtures" / "attribution"
DEVELOPMENT = sorted((ANNOTATIONS / "development").glob("*.json"))
HELD_OUT = sorted((ANNOTATIONS / "held-out").glob("*.json"))
DATA = {"all data": vocab.NATIONAL_FILES + vocab.LOCAL_FILES, "national data": vocab.NATIONAL_FILES}
#: Methods by which a sentence names its owners itself (the "names only" baseline keeps just these).
NAMED = ("mention", "mention-generic", "mention-part")
#: Owner keys of the annotations that are national bodies, not roles: the words that name them.
NATIONAL_KEYS = {"voluntary-sector": "voluntary sector", "courts": "courts", "cafcass": "Cafcass"}
#: Floors: F1 of weakness ownership and of recommendation owners, for each set and data.
#: SIF and ILACS reports have floors of their own, which guard against regression: the held-out SIF reports score
#: below the target of 0.85, and the ILACS reports below the other development reports (see the README's figures).
FLOORS = {
    ("development", "all data"): (0.84, 0.85),
    ("development", "national data"): (0.84, 0.85),
    ("held-out", "national data"): (0.80, 0.90),
    ("development", "all data", "sif"): (0.78, 0.90),
    ("development", "national data", "sif"): (0.78, 0.90),
    ("held-out", "national data", "sif"): (0.78, 0.90),
    ("development", "all data", "ilacs"): (0.80, 0.80),
    ("development", "national data", "ilacs"): (0.80, 0.80),
    ("held-out", "national data", "ilacs"): (0.75, 0.90),
}

#: Floors of single reports below their set's: Trafford 2015, a good authority, where 35 of 133 paragraphs hold a
#: weakness and the praise of the rest is what the polarity rules misread most (see the README's figures).
#: Redbridge 2016, Islington 2017 and Bradford 2014 (held out) are others: 53 of 136, 21 of 110 and 34 of 126
#: paragraphs hold a weakness, and 19 of the other 83, 18 of the other 89 and 23 of the other 92 are read as holding
#: one. Hull 2015 (held out) loses on owners too: of its 27 owners too many, 11 are in paragraphs that hold a
#: weakness. West Berkshire 2017 (held out) has seven recommendations, so that one owner more is 0.06 of its figure.
#: Oxfordshire 2024 and North Tyneside 2020 (held out, ILACS) are short inspections of good authorities: 15 and 12
#: weakness pairs, one of them 0.03-0.08 of the figure. Surrey 2015 (held out) is the LSCB's review alone: 17
#: paragraphs. Leeds 2018, Lincolnshire 2019 and Barnet 2019 (development, ILACS) are good and outstanding
#: authorities: 11 of 33, 8 of 44 and 15 of 45 paragraphs hold a weakness; so are Kent 2022 and Westminster 2024
#: (held out, ILACS): 13 of 53 and 5 of 61, where Kent's 14 weakness pairs score below "the council owns all", and
#: Norfolk 2022 and Redbridge 2024 (development, ILACS): 13 of 55 and 3 of 47, and Thurrock 2024 (held out, ILACS,
#: outstanding, no recommendations): 6 of 59.
#: Hull 2022 (held out) has four recommendations, so that one owner fewer is 0.11 of its figure.
REPORT_FLOORS = {"leeds-2018-ilacs": (0.68, 0.85), "lincolnshire-2019-ilacs": (0.62, 0.90),
                 "barnet-2019-ilacs": (0.75, 0.90), "kent-2022-ilacs": (0.35, 0.90),
                 "westminster-2024-ilacs": (0.50, 0.90), "hull-2022-ilacs": (0.85, 0.85),
                 "norfolk-2022-ilacs": (0.60, 0.90), "redbridge-2024-ilacs": (0.60, 0.90),
                 "thurrock-2024-ilacs": (0.30, 0.90),
                 "trafford-2015-sif": (0.65, 0.90), "redbridge-2016-sif": (0.70, 0.90),
                 "islington-2017-sif": (0.53, 0.90), "kingston-upon-hull-2015-sif": (0.74, 0.90),
                 "west-berkshire-2017-sif": (0.78, 0.85), "bradford-2014-sif": (0.58, 0.90),
                 "oxfordshire-2024-ilacs": (0.62, 0.90), "north-tyneside-2020-ilacs": (0.50, 0.90),
                 "surrey-2015-sif": (0.70, 0.90)}

FIGURES: dict[str, dict[str, tuple[float, float, float]]] = {}
#: The scored pairs of each annotation and data: (predicted, expected) sets, for pooling over a set.
PAIRS: dict[tuple[Path, str], dict[str, tuple[set, set]]] = {}


def score(got: set, expected: set) -> tuple[float, float, float]:
    tp = len(got & expected)
    precision = tp / len(got) if got else 0.0
    recall = tp / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 3), round(recall, 3), round(f1, 3)


class Keys:
    """Owners as comparable keys: the role an agency fills for the report's authority at its date, else itself."""

    def __init__(self, report, files):
        self.g = load_gazetteer(files)
        self.authority = authority_iri(report)
        self.resolver = Resolver(self.g, self.authority, report.date)
        self.by_agency: dict[str, str] = {self.authority: "local-authority"}
        for _, role, agency, start, end in sorted(self.g.roles, key=lambda r: (r[0] != self.authority, r[1:3])):
            if (start is None or start <= report.date) and (end is None or report.date <= end):
                self.by_agency.setdefault(agency, role) if _ == self.authority else None

    def predicted(self, agency: str) -> str:
        return self.by_agency.get(agency, agency)

    def annotated(self, key: str) -> str:
        if key.startswith("named:") or key in NATIONAL_KEYS:
            name = NATIONAL_KEYS.get(key) or key.removeprefix("named:")
            nodes = self.resolver.local(self.g.alias_nodes.get(fold(name), ()))
            return self.predicted(next(iter(sorted(nodes)))) if nodes else key
        return key


@lru_cache(maxsize=None)
def measure(path: Path, data: str) -> dict[str, tuple[float, float, float]]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    report = annotated_report(gold)
    keys = Keys(report, DATA[data])
    analysis = analyse(report, keys.authority, gazetteer=keys.g)
    annotated = {str(p["paragraph"]) for p in gold["paragraphs"]}
    expected = {(str(p["paragraph"]), keys.annotated(o)) for p in gold["paragraphs"] for o in p["weakness_owners"]}
    weak = [f for f in analysis.findings if f.polarity == "weakness" and f.paragraph in annotated]
    got = {(f.paragraph, keys.predicted(a.agency)) for f in weak for a in f.attributions}
    council = {(f.paragraph, "local-authority") for f in weak}
    names = {(f.paragraph, keys.predicted(a.agency)) for f in weak for a in f.attributions if a.method in NAMED}
    rec_expected = {(r["number"], keys.annotated(o)) for r in gold["recommendations"] for o in r["owners"]}
    printed = printed_numbers(report)
    rec_got = {(printed[n], keys.predicted(a.agency)) for n, owners in analysis.owners for a in owners}
    rec_council = {(printed[r.number], "local-authority") for r in report.recommendations}
    rid = gold["report"]
    PAIRS[(path, data)] = {name: ({(rid, *g) for g in guess}, {(rid, *e) for e in truth}) for name, guess, truth in (
        ("weaknesses", got, expected), ("council", council, expected), ("names", names, expected),
        ("recommendations", rec_got, rec_expected), ("council recommendations", rec_council, rec_expected))}
    figures = {
        "weaknesses": score(got, expected),
        "  baseline: council owns all": score(council, expected),
        "  baseline: names only": score(names, expected),
        "recommendations": score(rec_got, rec_expected),
        "  baseline: council owns all ": score(rec_council, rec_expected),
    }
    FIGURES[f"{gold['set']} {gold['report']} ({data})"] = figures
    return figures


def printed_numbers(report) -> dict[int, int]:
    """The number the report prints for each recommendation: its paragraph's where it has a numbered paragraph of
    its own (SIF), else its place in the list."""
    paragraphs = [r.paragraph for r in report.recommendations]
    return {r.number: int(r.paragraph) if r.paragraph.isdigit() and paragraphs.count(r.paragraph) == 1 else r.number
            for r in report.recommendations}


def annotated_report(gold: dict):
    """The report an annotation is of: the real report it names ("file", in tests/fixtures/corpus/), else the
    sample or real report of its id."""
    return corpus_report(gold["file"]) if "file" in gold else parsed(sample_path_stem(gold["report"]))


def sample_path_stem(report_id: str) -> str:
    """The expected-records stem of a report id ("kent-2013-lac" -> "kent-lac-2013")."""
    authority, year, framework = report_id.rsplit("-", 2)
    stem = f"{authority}-{framework}-{year}"
    assert sample_path(stem).exists()
    return stem


CASES = [(path, data) for path in DEVELOPMENT for data in DATA] + [(path, "national data") for path in HELD_OUT]


@pytest.mark.parametrize("path,data", CASES, ids=lambda v: v.stem if isinstance(v, Path) else v.replace(" ", "-"))
def test_ownership_meets_floors_and_beats_the_baselines(path, data):
    figures = measure(path, data)
    pairs = PAIRS[(path, data)]
    if len(pairs["weaknesses"][1]) < 5 and not pairs["recommendations"][1]:
        pytest.skip("too few owner pairs to score alone (an outstanding authority); counted in its set's pooled figures")
    framework = path.stem.rsplit("-", 1)[-1]
    weakness_floor, recommendation_floor = REPORT_FLOORS.get(path.stem) or FLOORS.get(
        (path.parent.name, data, framework), FLOORS[(path.parent.name, data)])
    assert figures["weaknesses"][2] >= weakness_floor, figures
    if pairs["recommendations"][1]:  # an outstanding authority's report may set no action at all
        assert figures["recommendations"][2] >= recommendation_floor, figures


GROUPS = sorted({(path.parent.name, data, path.stem.rsplit("-", 1)[-1]) for path, data in CASES})


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: "-".join(g).replace(" ", "-"))
def test_ownership_beats_the_baselines_over_each_set(group):
    """A figure below a trivial baseline proves nothing. The comparison pools each set's reports of one framework,
    since one report of a good authority, where the council owns nearly every weakness, holds too few partners'
    weaknesses for a difference of one pair to mean anything."""
    pooled: dict[str, tuple[set, set]] = {}
    for path, data in CASES:
        if (path.parent.name, data, path.stem.rsplit("-", 1)[-1]) == group:
            measure(path, data)
            for name, (got, expected) in PAIRS[(path, data)].items():
                was = pooled.get(name, (set(), set()))
                pooled[name] = (was[0] | got, was[1] | expected)
    f1 = {name: score(*pair)[2] for name, pair in pooled.items()}
    assert f1["weaknesses"] > f1["council"], f1
    assert f1["weaknesses"] > f1["names"], f1
    assert f1["recommendations"] >= f1["council recommendations"], f1


SECOND_READING = sorted((ANNOTATIONS / "second-reading").glob("*.json"))


def test_a_second_blind_reading_scores_the_product_above_the_council_baseline():
    """Six held-out SIF reports were read again, blind, by a second annotator (second-reading/PROMPT.md). How far
    the two readings agree bounds what any rule can reach; the product, scored against the second reading, must still
    beat "the council owns every weakness". Both figures are printed at the end of the run."""
    data = "national data"
    pooled = {name: (set(), set()) for name in ("readers", "weaknesses", "council")}
    for path in SECOND_READING:
        first = ANNOTATIONS / "held-out" / path.name
        measure(path, data)
        measure(first, data)
        second_paragraphs, first_paragraphs = ({str(p["paragraph"]) for p in json.loads(
            f.read_text(encoding="utf-8"))["paragraphs"]} for f in (path, first))
        assert second_paragraphs == first_paragraphs, path.name
        second_pairs, first_pairs = PAIRS[(path, data)], PAIRS[(first, data)]
        for name, guess, truth in (("readers", second_pairs["weaknesses"][1], first_pairs["weaknesses"][1]),
                                   ("weaknesses", *second_pairs["weaknesses"]), ("council", *second_pairs["council"])):
            pooled[name][0].update(guess)
            pooled[name][1].update(truth)
    figures = {"second reading against the first": score(*pooled["readers"]),
               "product against the second reading": score(*pooled["weaknesses"]),
               "  baseline: council owns all": score(*pooled["council"])}
    FIGURES[f"second-reading {len(SECOND_READING)} held-out SIF reports, pooled ({data})"] = figures
    assert len(SECOND_READING) == 6
    assert figures["product against the second reading"][2] > figures["  baseline: council owns all"][2], figures


def test_annotations_cover_every_judgement_paragraph_and_recommendation():
    """Whole reports are annotated, so that every predicted pair is judged."""
    from graph.findings import _judgement_paragraphs

    for path in DEVELOPMENT + HELD_OUT:
        gold = json.loads(path.read_text(encoding="utf-8"))
        report = annotated_report(gold)
        assert report.report_id == gold["report"], path.name
        assert sorted(str(p["paragraph"]) for p in gold["paragraphs"]) == sorted(
            p.key for p in _judgement_paragraphs(report)), path.name
        assert sorted(r["number"] for r in gold["recommendations"]) == sorted(
            printed_numbers(report).values()), path.name


def test_recommendations_do_not_default_to_the_council():
    """An action about A&E alert systems belongs to the acute trust, one about GPs to the health commissioner."""
    report = parsed("worcestershire-slac-2010")
    owners = dict(analyse(report, authority_iri(report)).owners)
    by_text = {r.number: r.text for r in report.recommendations}
    alert = next(n for n, t in by_text.items() if "alert systems" in t)
    gps = next(n for n, t in by_text.items() if "GPs" in t)
    assert {a.agency for a in owners[alert]} == {vocab.org_iri("Worcestershire Acute Hospitals NHS Trust")}
    assert {a.agency for a in owners[gps]} == {vocab.org_iri("Worcestershire PCT")}


def test_the_lscbs_own_list_of_actions_is_the_boards():
    """In a SIF report the LSCB's recommendations belong to the board, and the board's judgement is linked to it."""
    report = parsed("tameside-sif-2016")
    keys = Keys(report, DATA["national data"])
    analysis = analyse(report, keys.authority, gazetteer=keys.g)
    board = {r.number for r in report.recommendations if r.section == "lscb"}
    assert len(board) == 6  # paragraphs 124-129, copied by hand into tests/fixtures/expected/corpus/
    owners = {n: {keys.predicted(a.agency) for a in atts} for n, atts in analysis.owners if n in board}
    assert owners == {n: {"safeguarding-partnership"} for n in board}
    assert [keys.predicted(agency) for section, agency in analysis.judged] == ["safeguarding-partnership"]


def test_a_partner_the_boards_action_is_taken_with_shares_it():
    """Kent 2017's LSCB recommendation 92 opens "In partnership with the local authority, launch the multi-agency
    neglect strategy": the board's and the council's, as its annotator read it."""
    gold = json.loads((ANNOTATIONS / "development" / "kent-2017-sif.json").read_text(encoding="utf-8"))
    report = annotated_report(gold)
    keys = Keys(report, DATA["national data"])
    analysis = analyse(report, keys.authority, gazetteer=keys.g)
    number = next(r.number for r in report.recommendations if r.text.startswith("In partnership with the local"))
    owners = {keys.predicted(a.agency) for n, atts in analysis.owners if n == number for a in atts}
    assert owners == {"safeguarding-partnership", "local-authority"}


def test_a_role_written_as_a_name_is_not_a_new_agency():
    """Regression: "the Local Safeguarding Children Board" matched the pattern for named boards and was minted as
    a body of its own, id:org/local-safeguarding-children-board, beside the authority's LSCB."""
    report = parsed("tameside-sif-2016")
    analysis = analyse(report, authority_iri(report))
    assert not [a for a in analysis.new_agencies if a.label.lower().startswith("local safeguarding")]
