"""Make a PDF from a report's text export, the way the PDF reader meets reports: wrapped lines, a running
header and footer with page numbers, bullets, and paragraphs split by page breaks."""

from __future__ import annotations

from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def text_to_pdf(text: str, target: Path, running_header: str) -> Path:
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
