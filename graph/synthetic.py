"""Synthetic reports for benchmarks and tests, made from the real samples and labelled as synthetic.

Nothing here is presented as a real inspection: every synthetic report says on its front page, under its title,
that it is synthetic. Each is given a real authority of the reference data, with its council and police force, so that its
partners resolve as a real report's would; after four years of every authority, the names are "Synthetic Authority
NNNN" and "Synthetic Force NNNN".
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .vocab import data_dir, samples_dir

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_GRADE_WORDS = ("Outstanding", "Good", "Adequate", "Inadequate")
#: The years a SLAC inspection could be dated, which synthetic reports cycle through.
YEARS = (2009, 2010, 2011, 2012)


@dataclass(frozen=True)
class Area:
    """Who a synthetic report is about: an authority's area name, its council and its police force."""

    name: str
    council: str
    police: str


@lru_cache(maxsize=1)
def real_areas() -> tuple[Area, ...]:
    """Every authority of the reference tables that had children's services through 2009-12, with its police
    force (from ontology/sources/authorities.csv and police.csv)."""
    sources = data_dir("ontology") / "sources"
    with open(sources / "police.csv", encoding="utf-8") as handle:
        force = {code: row["force"] for row in csv.DictReader(handle) for code in row["dfe_codes"].split("|")}
    with open(sources / "authorities.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["valid_from"] <= "2009-04-01" and not r["valid_until"]
                and r["dfe_code"] in force]
    return tuple(Area(r["area_names"].split("|")[0], r["council"], force[r["dfe_code"]]) for r in rows)


def area_and_year(index: int) -> tuple[Area, int]:
    """Synthetic report ``index``'s area and year: each real authority once a year, then made-up ones."""
    areas = real_areas()
    cycle, place = divmod(index, len(areas))
    if cycle < len(YEARS):
        return areas[place], YEARS[(cycle + place) % len(YEARS)]
    number = f"{index:04d}"
    return Area(f"Synthetic Authority {number}", f"Synthetic Authority {number} Council", f"Synthetic Force {number}"), \
        YEARS[index % len(YEARS)]


def synthetic_text(index: int, template: str | None = None) -> str:
    """The Worcestershire 2010 text made into synthetic report ``index``: another authority (and council and police
    force), another year, grades varied in the Record of main findings, and some paragraphs' words swapped."""
    text = template if template is not None else (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    rng = random.Random(index)
    area, year = area_and_year(index)
    force = re.sub(r" (Police|Constabulary)$", "", area.police)
    text = (text.replace("Worcestershire County Council", area.council).replace("West Mercia Police", area.police)
                .replace("West Mercia", force).replace("Worcestershire", area.name).replace("Worcester", area.name)
                .replace("2010", str(year)))
    head, record = text.split(f"Record of main findings: {area.name}", 1)
    record = re.sub(r"\t(Outstanding|Good|Adequate|Inadequate)\b",
                    lambda m: "\t" + rng.choice(_GRADE_WORDS), record)
    lines = head.split("\n")
    numbered = [i for i, line in enumerate(lines) if re.match(r"^(1[7-9]|2[0-5]|3[9]|4[0-8])\. ", line)
                and line.endswith(".")]
    for _ in range(3):
        a, b = rng.sample(numbered, 2)
        number_a, body_a = lines[a].split(" ", 1)
        number_b, body_b = lines[b].split(" ", 1)
        lines[a], lines[b] = f"{number_a} {body_b}", f"{number_b} {body_a}"
    marker = (f"SYNTHETIC REPORT {index:04d}, made by ofsted-kg from the Worcestershire 2010 report for benchmarks; "
              "not a real inspection.")
    # On the front page, under the title: a first line would be read as the report's title and authority.
    body = "\n".join(lines).replace("Age group: All", f"Age group: All\n\n{marker}", 1)
    return body + f"Record of main findings: {area.name}" + record


def write_corpus(count: int, folder: Path, start: int = 0) -> list[Path]:
    """Write ``count`` synthetic text reports into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    template = (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    paths = []
    for index in range(start, start + count):
        path = folder / f"synthetic-{index:04d}.txt"
        path.write_text(synthetic_text(index, template), encoding="utf-8")
        paths.append(path)
    return paths


def text_to_pdf(text: str, target: Path, running_header: str) -> Path:
    """A PDF of a report's text, the way the PDF reader meets reports: wrapped lines, a running header and
    footer with page numbers, bullets, and paragraphs split by page breaks. Needs fpdf2 and DejaVu Sans."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("body", size=8)
                self.cell(0, 6, f"{running_header} {self.page_no() - 1}", new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-12)
            self.set_font("body", size=8)
            self.cell(0, 6, f"Page {self.page_no()}", align="C")

    pdf = Report(format="A4")
    pdf.add_font("body", fname=str(FONT))
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    for raw in text.splitlines():
        pdf.set_font("body", size=10.5)
        line = raw.replace("\t", "   ").rstrip()
        if not line:
            pdf.ln(2)
            continue
        if line.startswith("- "):
            line = "\u2022 " + line[2:]
        pdf.multi_cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(target))
    return target
