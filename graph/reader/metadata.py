"""Reader stage 1: which framework a report is, and its front-page facts (authority, fieldwork, publication)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ..errors import ReportRefused
from ..sources import SourceText
from ..template import Framework, Template

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_NUMERIC_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_WORD_DATE = r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\.?\s+\d{4}"
#: Words that end the fieldwork dates on a front page.
_AFTER_DATES = re.compile(r"\b(?:Report\s+published|Published|Reporting\s+inspector|Lead\s+inspector|Children's\s+"
                          r"services|The\s+overall|The\s+judgements?|Overall|Judgement)\b", re.IGNORECASE)


def title_in(phrase: str, text: str) -> re.Match | None:
    """Where a folded title phrase stands in the text as printed (any punctuation or space between its words);
    "*" stands for the authority's name, one to six words ("inspection of * local authority children's services")."""
    pattern = r"\b" + r"\W+".join(r"(?P<name>(?:\S+\s+){0,5}?\S+)" if w == "*" else re.escape(w) for w in phrase.split())
    return re.search(pattern + r"\b", text, re.IGNORECASE)


def detect_framework(source: SourceText, template: Template) -> Framework:
    """The framework whose title phrase comes first on the report's first page; refuses unsupported or
    unrecognised documents in one line that says what they are."""
    head = " ".join(line.text for line in source.lines[:60])
    found = sorted((m.start(), f.notation) for f in template.frameworks for phrase in f.title_phrases
                   if (m := title_in(phrase, head)))
    supported = ", ".join(f.label for f in template.frameworks if f.supported)
    if not found:
        raise ReportRefused(
            f"{source.name}: not an Ofsted children's services inspection report of a supported framework "
            f"(no report title found); supported: {supported}")
    framework = template.framework(found[0][1])
    if not framework.supported:
        label = framework.label[:1].lower() + framework.label[1:]
        article = "an" if label[:1] in "aeiou" else "a"
        raise ReportRefused(f"{source.name}: is {article} {label}, which ofsted-kg does not read; supported: {supported}")
    return framework


def _date(day: str, month: str, year: str) -> dt.date | None:
    number = _MONTHS.get(month.lower().rstrip("."))
    try:
        return dt.date(int(year), number, int(day)) if number else None
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """A date written "12 November 2010", "18 Feb 2014" or "25/11/2016"."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?\s+(\d{4})", text.strip())
    return _date(*m.groups()) if m else None


def add_months(date: dt.date, months: int) -> dt.date:
    """Same day of the month, ``months`` later (clamped to the month's last day)."""
    month0 = date.month - 1 + months
    year, month = date.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def fieldwork(text: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of fieldwork from the words after "Inspection date(s)": "4 – 15 October 2010",
    "28 April – 25 May 2017", "12/09/2016 to 06/10/2016", or two blocks of dates; a day or month left out is
    that of the date after it."""
    m = re.search(r"Inspection dates?\s*:?\s*(.{0,140})", text, re.IGNORECASE)
    if not m:
        return None, None
    span = _AFTER_DATES.split(m.group(1), maxsplit=1)[0]
    dates: list[list[int | None]] = []  # [day, month, year]
    for token in re.findall(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}|\d{1,2}|[A-Za-z]+", span):
        if "/" in token:
            day, month, year = map(int, token.split("/"))
            dates.append([day, month, year])
        elif len(token) == 4 and token.isdigit():
            if dates and dates[-1][2] is None:
                dates[-1][2] = int(token)
        elif token.isdigit():
            dates.append([int(token), None, None])
        elif token.lower().rstrip(".") in _MONTHS and dates and dates[-1][1] is None:
            dates[-1][1] = _MONTHS[token.lower().rstrip(".")]
    for earlier, later in zip(reversed(dates[:-1]), reversed(dates[1:])):
        earlier[1] = earlier[1] or later[1]
        earlier[2] = earlier[2] or later[2]

    def as_date(parts) -> dt.date | None:
        try:
            return dt.date(parts[2], parts[1], parts[0]) if all(parts) else None
        except ValueError:
            return None

    return (as_date(dates[0]), as_date(dates[-1])) if dates else (None, None)


@dataclass(frozen=True)
class Metadata:
    local_authority: str
    start: dt.date | None
    end: dt.date | None
    published: dt.date | None
    inspector: str | None


#: How a council's name is dressed on a front page; the area name is what is left.
_NAME_PREFIX = re.compile(r"^(?:the\s+)?(?:London Borough of|Royal Borough of)\s+", re.IGNORECASE)
_NAME_SUFFIX = re.compile(r"\s+(?:(?:Local\s+)?Safeguarding\s+Children(?:'s)?\s+Board|(?:(?:County|City|Borough|"
                          r"Metropolitan\s+Borough|Metropolitan\s+District|District)\s+)?Council)$", re.IGNORECASE)


def authority_name(flat: str, framework: Framework) -> str:
    """The area a report is about: the name printed before the title (2013 onwards), else between the title and
    the fieldwork dates (2009-13), without "London Borough of", "County Council" and the like."""
    # Where the title holds the name ("Inspection of Kent County Council children's services"), the name is what
    # "*" stood for, with the word after it if that is "council".
    found = sorted((m.start(), m.end(), (m.groupdict().get("name") or "") + (" Council" if "* council" in phrase else ""))
                   for phrase in framework.title_phrases if (m := title_in(phrase, flat)))
    if not found:
        return ""
    start, end, named = found[0]
    before = re.sub(r"(?:\b(?:re-?\s*)?inspection\s+of|\bthe)\s*$", "", flat[:start].strip(), flags=re.IGNORECASE)
    name = named or before.strip(" :-\u2013") or re.split(r"\s*Inspection\s+dates?\b", flat[end:].strip(" :-\u2013"), 1,
                                                  flags=re.IGNORECASE)[0]
    name = _NAME_PREFIX.sub("", name.strip(" :-\u2013"))
    bare = _NAME_SUFFIX.sub("", name).strip()
    # "City of Bradford Metropolitan District Council" is Bradford; "City of London" keeps its name.
    return re.sub(r"^City of\s+", "", bare) if bare != name else bare


def parse_metadata(source: SourceText, framework: Framework) -> Metadata:
    """Authority, dates and reporting inspector from the report's front page."""
    head = "\n".join(line.text for line in source.lines[:40])
    flat = re.sub(r"\s+", " ", head)
    start, end = fieldwork(flat)
    m = re.search(rf"(?:Report\s+)?published:?\s*({_NUMERIC_DATE}|{_WORD_DATE})", flat, re.IGNORECASE)
    published = parse_date(m.group(1)) if m else None
    # The front page names the reporting inspector (2009-13); a SIF report names its lead inspector at the end.
    m = re.search(r"Reporting inspector:?\s*([^\n]+)", head) or next(
        (m for line in source.lines if (m := re.match(r"(?:Reporting|Lead) inspector:?\s+(\S.*)", line.text))), None)
    inspector = re.sub(r"[\s,;]+(?:HMI|HM Inspector)?$", "", m.group(1).strip()) if m else None
    authority = authority_name(flat, framework)
    if not authority:
        raise ReportRefused(f"{source.name}: found the report title but not the local authority's name")
    return Metadata(authority, start, end, published, inspector)
