"""Synthetic reports for benchmarks and tests, made from the real samples and labelled as synthetic.

Nothing here is presented as a real inspection: every synthetic report opens with a line saying what it is,
and its authority is called "Synthetic Authority NNNN".
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from .vocab import samples_dir

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_GRADE_WORDS = ("Outstanding", "Good", "Adequate", "Inadequate")


def synthetic_text(index: int, template: str | None = None) -> str:
    """The Worcestershire 2010 text made into synthetic report ``index``: another authority (and police force),
    another year, grades varied in the Record of main findings, and some paragraphs' words swapped."""
    text = template if template is not None else (samples_dir() / "worcestershire-slac-2010.txt").read_text(encoding="utf-8")
    rng = random.Random(index)
    name = f"Synthetic Authority {index:04d}"
    year = 2009 + index % 4
    text = (text.replace("West Mercia", f"Synthetic Force {index:04d}").replace("Worcestershire", name)
                .replace("Worcester", f"Synthetic Town {index:04d}").replace("2010", str(year)))
    head, record = text.split(f"Record of main findings: {name}", 1)
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
              "not a real inspection.\n")
    return marker + "\n".join(lines) + f"Record of main findings: {name}" + record


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
