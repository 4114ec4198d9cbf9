"""The national reference data: every authority and its partners over time, and how a report's mentions resolve.

The facts checked here were copied by hand from public knowledge of the bodies (police force areas, the PCT to CCG
to ICB changes, the 2009-23 reorganisations), not from the generated files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from graph import vocab
from graph.agencies import Resolver, load_gazetteer
from graph.cli import main
from graph.phrases import PhraseMatcher
from graph.rdf import load_reference
from graph.reference import generate, load_authorities

SOURCES = vocab.data_dir("ontology") / "sources"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "reports" / "corpus"


def test_generated_files_are_up_to_date_with_their_tables():
    """ontology/authorities.ttl and partners.ttl are what `python -m graph.reference` makes of the tables."""
    for name, text in generate(SOURCES).items():
        assert (vocab.data_dir("ontology") / name).read_text(encoding="utf-8") == text, (
            f"{name} is out of date: run python -m graph.reference")


def test_generation_is_deterministic():
    assert generate(SOURCES) == generate(SOURCES)


def partners(store, authority: str, date: str | None = None) -> list[dict]:
    """The partners query, as a user runs it."""
    from graph.queries import format_results, load_query, run
    from graph.store import open_store

    values = {"localAuthority": authority, **({"date": date} if date else {})}
    with open_store(store) as s:
        data = format_results(run(s, load_query("partners"), values), "csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def labels(rows, role: str) -> set[str]:
    return {r["agencyLabel"] for r in rows if r["role"] == role}


def test_derby_2016_partners(sample_store):
    """The issue's example: Derby on 1 June 2016."""
    rows = partners(sample_store, "Derby", "2016-06-01")
    assert labels(rows, "police") == {"Derbyshire Constabulary"}
    assert labels(rows, "health-commissioner") == {"NHS Southern Derbyshire Clinical Commissioning Group"}
    assert labels(rows, "safeguarding-partnership") == {"Derby Safeguarding Children Board"}
    assert labels(rows, "local-authority") == {"Derby City Council"}


@pytest.mark.parametrize("authority, date, role, expected", [
    ("Norfolk", "2013-08-16", "police", {"Norfolk Constabulary"}),
    ("Worcestershire", "2010-11-12", "health-commissioner", {"Worcestershire Primary Care Trust"}),
    ("Worcestershire", "2023-07-14", "health-commissioner", {"NHS Herefordshire and Worcestershire Integrated Care Board"}),
    ("Worcestershire", "2023-07-14", "police", {"West Mercia Police"}),
    ("Kent", "2022-07-05", "health-commissioner", {"NHS Kent and Medway Integrated Care Board"}),
    ("Kent", "2013-08-23", "safeguarding-partnership", {"Kent Safeguarding Children Board"}),
    ("Isles of Scilly", "2023-08-25", "police", {"Devon and Cornwall Police"}),
    ("City of London", "2020-01-01", "police", {"City of London Police"}),
    ("Cumberland", "2024-01-01", "police", {"Cumbria Constabulary"}),
    ("Barnet", "2019-07-01", "police", {"Metropolitan Police Service"}),
    ("Middlesbrough", "2016-02-19", "police", {"Cleveland Police"}),
    ("Hampshire", "2015-06-01", "police", {"Hampshire Constabulary"}),
    ("Hampshire", "2023-06-01", "police", {"Hampshire and Isle of Wight Constabulary"}),
])
def test_partners_copied_by_hand(sample_store, authority, date, role, expected):
    assert labels(partners(sample_store, authority, date), role) == expected


def test_norfolk_2013_has_its_five_ccgs_and_their_joint_node(sample_store):
    names = labels(partners(sample_store, "Norfolk", "2013-08-16"), "health-commissioner")
    assert {f"NHS {n} Clinical Commissioning Group" for n in
            ("Great Yarmouth and Waveney", "North Norfolk", "Norwich", "South Norfolk", "West Norfolk")} < names
    assert "Norfolk health commissioners (acting together)" in names


@pytest.mark.parametrize("name", ["Royal Borough of Greenwich", "Greenwich", "E09000011", "203", "greenwich council"])
def test_authority_parameter_takes_names_and_codes(sample_store, name):
    assert {r["localAuthority"] for r in partners(sample_store, name, "2020-01-01")} == {
        vocab.org_iri("Royal Borough of Greenwich")}


def test_partners_from_the_command_line(sample_store, capsysbinary):
    assert main(["query", "partners", "--store", str(sample_store), "--format", "csv",
                 "--param", "localAuthority=Derby", "--param", "date=2016-06-01"]) == 0
    assert b"Derbyshire Constabulary" in capsysbinary.readouterr().out


def test_unknown_authority_is_one_line(sample_store, capsys):
    assert main(["query", "partners", "--store", str(sample_store), "--param", "localAuthority=Atlantis"]) == 4
    err = capsys.readouterr().err.strip()
    assert "no local authority called 'Atlantis'" in err and "\n" not in err


def test_every_authority_has_police_and_health_commissioner_on_every_date():
    """For each authority and each 1 June since 2009 on which it existed: a police force and a health
    commissioner (named, or a node that stands for the role)."""
    gazetteer = load_gazetteer()
    authorities = load_authorities(SOURCES)
    assert len(authorities) == 158
    for year in range(2009, 2027):
        day = dt.date(year, 6, 1)
        for a in authorities:
            if (a.start and day < dt.date.fromisoformat(a.start)) or (a.end and day > dt.date.fromisoformat(a.end)):
                continue
            resolver = Resolver(gazetteer, a.iri, day)
            assert len(resolver.role("police")) == 1, (a.council, day)
            assert resolver.role("health-commissioner"), (a.council, day)
            assert resolver.role("safeguarding-partnership"), (a.council, day)


@pytest.mark.parametrize("area, date, council", [
    ("Dorset", dt.date(2018, 6, 1), "Dorset County Council"),
    ("Dorset", dt.date(2020, 6, 1), "Dorset Council"),
    ("Bournemouth", dt.date(2018, 6, 1), "Bournemouth Borough Council"),
    ("Bournemouth, Christchurch and Poole", dt.date(2022, 2, 11), "Bournemouth, Christchurch and Poole Council"),
    ("Northamptonshire", dt.date(2019, 6, 1), "Northamptonshire County Council"),
    ("North Northamptonshire", dt.date(2022, 6, 1), "North Northamptonshire Council"),
    ("Cumbria", dt.date(2020, 6, 1), "Cumbria County Council"),
    ("North Yorkshire", dt.date(2015, 6, 1), "North Yorkshire Council"),
    ("Bedford", dt.date(2010, 6, 1), "Bedford Borough Council"),
])
def test_a_report_finds_the_authority_of_its_date(area, date, council):
    assert load_reference().authority(area, date) == vocab.org_iri(council)


def test_abolished_authority_is_not_found_after_its_end():
    assert load_reference().authority("Cumbria", dt.date(2024, 1, 1)) is None


def test_regression_no_local_body_floats_free():
    """Every agency of the reference data is tied to its authorities (area name, partner role, membership, or a
    part of one) or is a national body: a local body with no anchor owned findings in other authorities' reports."""
    g = load_gazetteer()
    anchored = set(g.area_names) | {ag for _, _, ag, _, _ in g.roles} | {m for _, m, _, _ in g.memberships}
    anchored |= {b for b, _, _, _ in g.memberships} | set(g.authorities) | set(g.national)
    free = {n for n, kind in g.kinds.items() if kind == "agency" and n not in anchored and not g.parents.get(n)}
    assert not free


def test_regression_another_authoritys_improvement_board_is_not_found():
    """"The improvement board" in a Norfolk report is not Kent's."""
    g = load_gazetteer()
    kent = Resolver(g, vocab.org_iri("Kent County Council"), dt.date(2013, 8, 23))
    norfolk = Resolver(g, vocab.org_iri("Norfolk County Council"), dt.date(2013, 8, 16))
    text = "The improvement board has not yet tracked the plan."
    assert vocab.org_iri("Kent Improvement Board") in {a for m in kent.mentions(text) for a in m.agencies}
    assert not norfolk.mentions(text)


@pytest.mark.parametrize("authority, date, text, role", [
    ("Medway Council", "2016-06-01", "Health partners do not attend conferences.", "health-commissioner"),
    ("Medway Council", "2016-06-01", "The MSCB has not audited its thresholds.", "safeguarding-partnership"),
    ("Derby City Council", "2021-06-01", "The safeguarding partnership has not published its report.",
     "safeguarding-partnership"),
    ("Derby City Council", "2021-06-01", "The ICB and the CCG do not agree.", "health-commissioner"),
    ("London Borough of Barnet", "2019-07-01", "The police do not attend strategy meetings.", "police"),
    # Regression: names with "'s" never matched, and services were dropped as nobody's.
    ("Derby City Council", "2016-06-01", "Children's social care services are slow to respond.", "local-authority"),
    ("Derby City Council", "2016-06-01", "The virtual school has not tracked attainment.", "local-authority"),
    ("Medway Council", "2016-06-01", "Waiting times for CAMHS are long.", "health-commissioner"),
    ("Medway Council", "2016-06-01", "Accident and emergency staff do not check records.", "acute-trust"),
])
def test_generic_mentions_resolve_for_any_authority(authority, date, text, role):
    g = load_gazetteer(vocab.NATIONAL_FILES)
    resolver = Resolver(g, vocab.org_iri(authority), dt.date.fromisoformat(date))
    found = {a for m in resolver.mentions(text) for a in m.agencies}
    assert found and found == set(resolver.role(role))


def _keywords(path: str):
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(vocab.data_dir("ontology") / path), format=pyoxigraph.RdfFormat.TURTLE)
    prologue = vocab.sparql_prologue()
    plain = [(r["s"].value, r["k"].value) for r in store.query(
        prologue + "SELECT ?s ?k WHERE { ?s ofsted:keyword|ofsted:cue ?k }")]
    domain = {r["s"].value: r["note"] for r in store.query(
        prologue + "SELECT ?s ?note WHERE { ?s ofsted:domainKeyword ?k OPTIONAL { ?s skos:scopeNote ?note } }")}
    return plain, domain


def test_domain_keywords_say_why():
    for name in ("attribution.ttl", "findings.ttl"):
        _, domain = _keywords(name)
        assert domain and all(note is not None for note in domain.values()), name


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the development corpus is not at {CORPUS}")
def test_every_plain_keyword_is_used_by_two_real_reports():
    """A rule or cue written from one sentence of one report does not generalise (issue 13): every keyword not
    marked as a domain keyword occurs in at least two of the real reports."""
    from graph.sources import read_source

    texts = []
    for path in sorted(CORPUS.glob("*.pdf")) + [vocab.samples_dir() / "worcestershire-slac-2010.txt"]:
        try:
            texts.append(" ".join(line.text for line in read_source(path).lines))
        except Exception:  # the corpus holds one HTML page saved as .pdf
            continue
    for name in ("attribution.ttl", "findings.ttl"):
        plain, _ = _keywords(name)
        matcher = PhraseMatcher([(k, f"{s}|{k}") for s, k in plain])
        support: dict[str, int] = {}
        for text in texts:
            for label in matcher.labels(text):
                support[label] = support.get(label, 0) + 1
        rare = sorted(f"{s.rsplit('/', 1)[-1]}: {k!r}" for s, k in plain if support.get(f"{s}|{k}", 0) < 2)
        assert not rare, f"{name}: keywords in fewer than two reports: {rare}"
