"""Read a report file (text or PDF) into normalised lines with their PDF page numbers.

Normalisation, in order (every step is a pure function of the input, so offsets built on it are stable):

1. PDF text comes from pypdfium2 page by page; text files are UTF-8 (a BOM is dropped), UTF-16 with a BOM,
   or else cp1252.
2. Characters: NFC; curly quotes to straight ``'`` and ``"``; no-break and other odd spaces to a space;
   ligatures (``ﬁ``) spelt out; soft hyphens and zero-width characters removed; Markdown emphasis
   asterisks of text exports removed; runs of spaces collapsed.
3. Bullets (``•``, symbol-font glyphs of the private use area such as U+F0B7, ``▪``, ``-``, ``–`` at the start of a line) become ``"• "``; a bullet
   alone on its line is joined to the next line.
4. Running headers and footers (the same line, numbers aside, at the top or bottom of many pages) and bare
   page numbers are dropped.
5. Lines are later joined (``join_lines``) with one space; an end-of-line hyphen is dropped only where the
   report spells the joined word without it elsewhere.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportRefused

#: Largest inputs accepted, in bytes. Real reports are about 0.1 MB as text and 0.2–5 MB as PDF.
MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_TEXT_BYTES = 8 * 1024 * 1024

BULLET = "• "
_BULLET_RE = re.compile(r"^\s*(?:[•\ue000-\uf8ff\u25a0\u25aa\u25cf\u25e6\u25fc\u2043\u2219·]|[-–](?=\s))\s*")
_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\t": " ",
    "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\x0c": None,
})
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_SPACES = re.compile(r" {2,}")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$", re.IGNORECASE)
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


@dataclass(frozen=True)
class Line:
    """One normalised line of a report, with the 1-based PDF page it is on (None for text files)."""

    text: str
    page: int | None


@dataclass(frozen=True)
class SourceText:
    """A report file read into normalised lines."""

    name: str
    sha256: str
    kind: str  # "pdf" or "text"
    lines: tuple[Line, ...]
    page_count: int | None


def read_source(path: str | Path) -> SourceText:
    """Read a .txt or .pdf report file; ReportRefused with one line if it cannot be read."""
    path = Path(path)
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise ReportRefused(f"{path}: is not a regular file")
        size = path.stat().st_size
        with open(path, "rb") as handle:
            is_pdf = handle.read(1024).lstrip()[:5] == b"%PDF-"
        limit = MAX_PDF_BYTES if is_pdf else MAX_TEXT_BYTES
        if size > limit:
            kind = "PDF" if is_pdf else "text file"
            raise ReportRefused(f"{path.name}: {size:,} bytes is larger than the {limit:,}-byte limit for a {kind}")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ReportRefused(f"{path.name}: is larger than the {limit:,}-byte limit")
    except IsADirectoryError:
        raise ReportRefused(f"{path}: is a folder, not a report file") from None
    except FileNotFoundError:
        raise ReportRefused(f"{path}: no such file") from None
    except OSError as exc:
        raise ReportRefused(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return source_from_bytes(path.name, data)


def source_from_bytes(name: str, data: bytes) -> SourceText:
    """Normalise the bytes of a report file named ``name``."""
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReportRefused(f"{name}: the file is empty")
    if data.lstrip()[:5] == b"%PDF-":
        pages = _pdf_pages(name, data)
        return SourceText(name, digest, "pdf", normalise_pages(pages, pdf=True), len(pages))
    if name.lower().endswith(".pdf"):
        raise ReportRefused(f"{name}: is not a PDF (it has no %PDF header)")
    text = _decode(name, data)
    return SourceText(name, digest, "text", normalise_pages([text], pdf=False), None)


def _decode(name: str, data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportRefused(f"{name}: is marked as UTF-16 text but is not (a binary file?)") from None
    else:
        head = data[:65536]
        if b"\x00" in head:
            raise ReportRefused(f"{name}: is a binary file, not a text or PDF report")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\x0c")
    if controls > max(8, len(sample) // 100):
        raise ReportRefused(f"{name}: is a binary file, not a text or PDF report")
    lowered = sample.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in lowered[:4000]:
        raise ReportRefused(f"{name}: is an HTML or XML page (perhaps an error page saved by a download), not a report")
    return text


def _pdf_pages(name: str, data: bytes) -> list[str]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ReportRefused(f"{name}: cannot be read as a PDF ({exc})") from None
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
    finally:
        document.close()
    if not any(p.strip() for p in pages):
        raise ReportRefused(f"{name}: the PDF has no text layer (a scanned image?); run OCR on it first")
    return pages


def normalise_chars(text: str) -> str:
    """Character-level normalisation of one line (step 2 above)."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _EMPHASIS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def normalise_pages(pages: list[str], *, pdf: bool) -> tuple[Line, ...]:
    """Turn raw page texts into normalised lines (steps 2-4 above)."""
    pages = _mend_soft_hyphens(pages)
    per_page: list[list[Line]] = []
    for number, raw_page in enumerate(pages, start=1):
        lines: list[Line] = []
        pending_bullet = False
        for raw in re.split(r"\r\n|\r|\n", raw_page):
            text = normalise_chars(raw)
            if not text:
                continue
            match = _BULLET_RE.match(text)
            if match:
                text = text[match.end():]
                if not text:
                    pending_bullet = True
                    continue
                text = BULLET + text
            elif pending_bullet:
                text = BULLET + text
            pending_bullet = False
            lines.append(Line(text, number if pdf else None))
        per_page.append(lines)
    _drop_running_lines(per_page)
    return tuple(line for page in per_page for line in page if not _PAGE_NUMBER.match(line.text))


def _mend_soft_hyphens(pages: list[str]) -> list[str]:
    """pdfium marks a word broken at a line end with U+0002 and joins the halves: restore the hyphen or not."""
    if not any("\x02" in p for p in pages):
        return pages
    vocabulary = word_forms(p.replace("\x02", " ") for p in pages)

    def mend(m: re.Match) -> str:
        left, right = m.group(1), m.group(2)
        return left + ("" if _drops_hyphen(left, right, vocabulary) else "-") + right

    return [re.sub(r"(\w*)\x02\s*(\w*)", mend, p) for p in pages]


def _drop_running_lines(per_page: list[list[Line]], edge: int = 2) -> None:
    """Remove lines that recur, numbers aside, at the top or bottom of many pages."""
    if len(per_page) < 3:
        return
    def key(text: str) -> str:  # the page number may be printed before or after the running title
        return re.sub(r"\d+", "#", text.lower()).strip("# ")
    seen: Counter[str] = Counter()
    for lines in per_page:
        seen.update({key(line.text) for line in lines[:edge] + lines[-edge:]})
    threshold = max(3, len(per_page) // 5)  # a fifth: one PDF may bind a second, shorter report
    running = {k for k, n in seen.items() if n >= threshold}
    for i, lines in enumerate(per_page):
        per_page[i] = [ln for n, ln in enumerate(lines)
                       if not (n < edge or n >= len(lines) - edge) or key(ln.text) not in running]


def _drops_hyphen(left: str, right: str, vocabulary: frozenset[str]) -> bool:
    """Whether a word broken at a line end as "left-" + "right" is one word: the report spells it joined
    elsewhere, and never with the hyphen."""
    return (right[:1].islower() and (left + right).lower() in vocabulary
            and f"{left}-{right}".lower() not in vocabulary)


def word_forms(texts) -> frozenset[str]:
    """The lower-case words of a text, used to decide whether an end-of-line hyphen is real."""
    words: set[str] = set()
    for text in texts:
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text))
    return frozenset(words)


def join_lines(parts: list[str], vocabulary: frozenset[str]) -> str:
    """Join hard-wrapped lines with one space, mending end-of-line hyphenation."""
    out = ""
    for part in parts:
        if not out:
            out = part
            continue
        hyphenated = re.search(r"([A-Za-z]+)-$", out)
        follow = re.match(r"([a-z]+)", part)
        if hyphenated and follow:
            out = (out[:-1] if _drops_hyphen(hyphenated.group(1), follow.group(1), vocabulary) else out) + part
        else:
            out = out + " " + part
    return out


def strip_superscripts(text: str) -> tuple[str, str]:
    """Split a footnote line such as "¹ Achieving Best Evidence ..." into its marker and text."""
    match = re.match(f"^([{_SUPERSCRIPTS}]+)\\s*(.*)$", text)
    return (match.group(1), match.group(2)) if match else ("", text)


def remove_footnote_markers(text: str) -> str:
    """Drop superscript footnote references from running text."""
    return re.sub(f"(?<=\\S)[{_SUPERSCRIPTS}]+", "", text)
