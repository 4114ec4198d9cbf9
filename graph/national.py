"""The national view: England's authorities on two maps, by their latest overall grade and by the share of
weaknesses owned by partners other than the council, as one HTML page of inline SVG (no map tiles, no script,
no network).

The maps are drawn from the ONS boundaries of England's 296 districts of May 2023, shipped simplified in
ontology/sources/ (``python -m graph.national SOURCE.geojson`` remakes that file). A unitary, metropolitan or
London authority is its one district; a county council is the union of its districts, which
ontology/sources/district-county-2023.csv names.
"""

from __future__ import annotations

import csv
import html
import json
import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import vocab
from .viz import GRADE_COLOURS

#: The shipped boundaries and the county of each non-metropolitan district.
DISTRICTS_FILE = "england-districts-2023.geojson"
COUNTIES_FILE = "district-county-2023.csv"
#: District code prefixes of England: unitary (E06), non-metropolitan (E07), metropolitan (E08), London (E09).
ENGLAND = ("E06", "E07", "E08", "E09")
#: Decimal places kept of each longitude and latitude (0.001 degree is about 70 m east-west, 110 m north-south).
PLACES = 3
#: Equirectangular projection, its x squeezed by the cosine of England's middle latitude so shapes look right.
COS_LAT = math.cos(math.radians(53))
#: SVG user units per degree of latitude: the map's coordinates are whole numbers at the shipped precision.
UNITS = 10 ** PLACES

NO_REPORT = "#bbbbbb"  # grey: no report in the store
NO_VALUE = "#f2f2f2"  # pale grey: a report, but nothing to draw from it
#: The share map's bins (lower bounds) and colours: ColorBrewer's sequential Blues, light to dark.
SHARE_BINS = (0.0, 0.05, 0.10, 0.20, 0.30)
SHARE_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
ATTRIBUTION = ("District boundaries: Office for National Statistics, licensed under the Open Government Licence "
               "v.3.0. Contains OS data \u00a9 Crown copyright and database right 2023.")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    authority: str  # the GSS code of its authority with children's services
    rings: tuple[tuple[tuple[float, float], ...], ...]  # every ring of every polygon, lon/lat


@dataclass(frozen=True)
class Standing:
    """An authority's latest report, as the map draws it."""

    authority: str
    gss: str
    report: str
    framework: str
    date: str
    overall: tuple[tuple[str, int, str], ...]  # section, grade (1-4), the report's words, for each overall grade
    weaknesses: int  # weaknesses with an owner
    partner_weaknesses: int  # of those, owned by a partner other than the council

    @property
    def grade(self) -> int | None:
        """The worst of the report's overall-effectiveness grades (SLAC grades safeguarding and looked after
        children separately), None if it has none."""
        return max((g for _, g, _ in self.overall), default=None)

    @property
    def words(self) -> str:
        return next((w for _, g, w in self.overall if g == self.grade), "")

    @property
    def share(self) -> float | None:
        return self.partner_weaknesses / self.weaknesses if self.weaknesses else None


@dataclass(frozen=True)
class NationalView:
    standings: dict[str, Standing]  # by GSS code
    not_drawn: tuple[Standing, ...]  # authorities with no district in 2023 (abolished, or no GSS code)


# ----------------------------------------------------------------------------------------------- boundaries

def simplify(collection: dict, places: int = PLACES) -> dict:
    """England's districts of a GeoJSON FeatureCollection with their code and name only, every position rounded to
    ``places`` decimals, repeated positions dropped, and rings left with fewer than three corners dropped."""
    features = []
    for feature in collection["features"]:
        code = feature["properties"]["LAD23CD"]
        if not code.startswith(ENGLAND):
            continue
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        kept = []
        for polygon in polygons:
            rings = [_round_ring(ring, places) for ring in polygon]
            if len(rings[0]) >= 4:  # a polygon whose outer ring shrank to a line or a point is gone, holes and all
                kept.append([r for r in rings if len(r) >= 4])
        features.append({"type": "Feature", "properties": {"LAD23CD": code, "LAD23NM": feature["properties"]["LAD23NM"]},
                         "geometry": {"type": "MultiPolygon", "coordinates": kept}})
    features.sort(key=lambda f: f["properties"]["LAD23CD"])
    return {"type": "FeatureCollection", "features": features}


def _round_ring(ring, places: int) -> list[list[float]]:
    out: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, places), round(lat, places)]
        if not out or point != out[-1]:
            out.append(point)
    return out


@lru_cache(maxsize=1)
def county_table() -> dict[str, tuple[str, str]]:
    """Each non-metropolitan district's county: district code -> (county code, county name)."""
    path = vocab.data_dir("ontology") / "sources" / COUNTIES_FILE
    with open(path, encoding="utf-8", newline="") as handle:
        return {r["lad23cd"]: (r["cty23cd"], r["cty23nm"]) for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def districts() -> tuple[District, ...]:
    """England's districts of May 2023, each with its authority."""
    counties = county_table()
    collection = json.loads((vocab.data_dir("ontology") / "sources" / DISTRICTS_FILE).read_text(encoding="utf-8"))
    out = []
    for feature in collection["features"]:
        code = feature["properties"]["LAD23CD"]
        authority = counties[code][0] if code.startswith("E07") else code
        rings = tuple(tuple(tuple(p) for p in ring) for polygon in feature["geometry"]["coordinates"] for ring in polygon)
        out.append(District(code, feature["properties"]["LAD23NM"], authority, rings))
    return tuple(out)


def authority_names() -> dict[str, str]:
    """The name of every authority on the map, by GSS code (for those with no report in the store)."""
    names = {d.code: d.name for d in districts() if not d.code.startswith("E07")}
    names.update(county_table().values())
    return names


@lru_cache(maxsize=1)
def _outlines() -> tuple[dict[str, str], tuple[int, int, int, int]]:
    """Each district's SVG path (whole user units, relative moves) and the view box that holds them all."""
    def project(lon: float, lat: float) -> tuple[int, int]:
        return round(lon * COS_LAT * UNITS), round(-lat * UNITS)

    paths, xs, ys = {}, [], []
    for d in districts():
        parts = []
        for ring in d.rings:
            points = [project(*p) for p in ring[:-1]]  # a closed ring repeats its first position; "z" closes it
            (x0, y0), steps = points[0], []
            for (ax, ay), (bx, by) in zip(points, points[1:]):
                if (ax, ay) != (bx, by):
                    steps.append(f"{bx - ax} {by - ay}")
            parts.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
            xs += [x for x, _ in points]
            ys += [y for _, y in points]
        paths[d.code] = "".join(parts).replace(" -", "-")
    pad = 20
    return paths, (min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)


# ----------------------------------------------------------------------------------------------- the store

def national_view(store) -> NationalView:
    """Each authority's latest report in an open store: its overall grades and who owns its weaknesses."""
    from .network import result_rows
    from .queries import load_query, run

    overall: dict[str, list[tuple[str, int, str]]] = {}
    for r in result_rows(run(store, load_query("national-grades"))):
        if r["area"] == "Overall effectiveness":
            overall.setdefault(r["report"], []).append((r["section"], int(r["grade"]), r["gradeLabel"].lower()))
    mapped = {d.authority for d in districts()}
    standings, not_drawn = {}, []
    for r in result_rows(run(store, load_query("partner-share"))):
        s = Standing(r["authority"], r["gssCode"], r["report"], r["framework"], r["date"],
                     tuple(overall.get(r["report"], ())), int(r["weaknesses"]), int(r["partnerWeaknesses"] or 0))
        if s.gss in mapped:
            standings[s.gss] = s
        else:
            not_drawn.append(s)
    return NationalView(standings, tuple(not_drawn))


# ----------------------------------------------------------------------------------------------- drawing

def _share_colour(share: float) -> str:
    return SHARE_COLOURS[max(i for i, low in enumerate(SHARE_BINS) if share >= low)]


def _short(report: str) -> str:
    return report.rsplit("/", 1)[-1]


def _grade_text(s: Standing) -> str:
    if not s.overall:
        return "no overall-effectiveness grade read from its latest report"
    if len(s.overall) == 1:
        return f"overall effectiveness: {s.overall[0][1]} ({s.overall[0][2]})"
    each = "; ".join(f"{section.replace('-', ' ')} {g} ({w})" for section, g, w in s.overall)
    return f"overall effectiveness: {s.grade} ({s.words}), the worse of {each}"


def _share_text(s: Standing) -> str:
    if s.share is None:
        return "no weakness in its latest report has an owner"
    return (f"partners other than the council own {s.partner_weaknesses} of its {s.weaknesses} weaknesses "
            f"with an owner ({s.share:.0%})")


def _fill(s: Standing | None, kind: str) -> str:
    if s is None:
        return NO_REPORT
    if kind == "grade":
        return GRADE_COLOURS[s.grade] if s.grade else NO_VALUE
    return _share_colour(s.share) if s.share is not None else NO_VALUE


def _tooltip(d: District, s: Standing | None, names: dict[str, str]) -> str:
    where = d.name if d.code == d.authority else f"{d.name} (a district of {names[d.authority]})"
    if s is None:
        return f"{where}\n{names[d.authority]}: no report in the store"
    return (f"{where}\n{s.authority}: {s.framework} inspection, {s.date} ({_short(s.report)})\n"
            f"{_grade_text(s)}\n{_share_text(s)}")


def map_svg(view: NationalView, kind: str) -> str:
    """One map as an SVG element: each district filled by its authority's latest grade (``kind`` "grade") or
    share of weaknesses owned by partners (``kind`` "share"), with a hover title. All text is escaped."""
    if kind not in ("grade", "share"):
        raise ValueError(f"no national map {kind!r}: grade or share")
    paths, (x, y, w, h) = _outlines()
    names = authority_names()
    title = "Latest overall grade" if kind == "grade" else "Share of weaknesses owned by partners other than the council"
    parts = [f'<svg xmlns="{vocab.SVG}" viewBox="{x} {y} {w} {h}" role="img" '
             f'aria-label="{html.escape(title)}, by authority"><g stroke="#ffffff" stroke-width="4" stroke-linejoin="round">']
    for d in districts():
        s = view.standings.get(d.authority)
        parts.append(f'<path d="{paths[d.code]}" fill="{_fill(s, kind)}" data-district="{d.code}" '
                     f'data-authority="{d.authority}"><title>{html.escape(_tooltip(d, s, names))}</title></path>')
    parts.append("</g></svg>")
    return "".join(parts)


def legend(view: NationalView, kind: str) -> list[tuple[str, str]]:
    """A map's legend: (colour, words) for each colour it may use. A grade's words are those of the reports drawn
    with it (\"adequate\" in SLAC and LAC, \"requires improvement\" in SIF and ILACS)."""
    if kind == "grade":
        words: dict[int, set[str]] = {}
        for s in view.standings.values():
            if s.grade:
                words.setdefault(s.grade, set()).add(s.words)
        entries = [(GRADE_COLOURS[g], f"{g}: {' / '.join(sorted(words[g]))}" if g in words else f"{g}: no authority")
                   for g in sorted(GRADE_COLOURS)]
        entries.append((NO_VALUE, "a report, but no overall-effectiveness grade read from it"))
    else:
        bounds = SHARE_BINS + (None,)
        entries = [(c, f"{lo:.0%} to under {hi:.0%}" if hi is not None else f"{lo:.0%} or more")
                   for c, lo, hi in zip(SHARE_COLOURS, bounds, bounds[1:])]
        entries.append((NO_VALUE, "a report, but no weakness in it has an owner"))
    entries.append((NO_REPORT, "no report in the store"))
    return entries


def render_html(view: NationalView) -> str:
    """The national page: the two maps side by side, each with its legend, then what was not drawn."""
    e = html.escape
    drawn = len(view.standings)
    total = len({d.authority for d in districts()})
    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
             "<title>Children's services inspections in England: the national view</title><style>"
             "body{font-family:sans-serif;max-width:80rem;margin:2rem auto;padding:0 1rem}"
             ".maps{display:flex;flex-wrap:wrap;gap:2rem}figure{flex:1 1 28rem;margin:0}svg{width:100%;height:auto}"
             "path:hover{stroke:#000000;stroke-width:2}ul.legend{list-style:none;padding:0}"
             "ul.legend li{margin:.2rem 0}.swatch{display:inline-block;width:1.2em;height:1em;margin-right:.5em;"
             "vertical-align:middle;border:1px solid #999}small{color:#444}</style></head><body>",
             "<h1>Children's services inspections in England: the national view</h1>",
             f"<p>Each authority's latest report in the store: {drawn} of the {total} authorities of 2023 have one. "
             "A county council's area is the union of its districts. Hover over an area for the authority, its "
             "report and its figures.</p><div class=\"maps\">"]
    captions = {
        "grade": ("Latest overall grade",
                  "The report's overall-effectiveness grade, coloured by its notation (1 the best, 4 the worst) and "
                  "written in the report's own words; a SLAC report (2009-12), which grades safeguarding and looked "
                  "after children separately, is coloured by the worse of the two."),
        "share": ("Weaknesses owned by partners other than the council",
                  "Of the weaknesses the latest report gives an owner, the share that at least one partner other "
                  "than the council owns (the police, health, the safeguarding partnership or another body), alone "
                  "or with the council."),
    }
    for kind in ("grade", "share"):
        heading, note = captions[kind]
        parts.append(f"<figure><h2>{e(heading)}</h2>{map_svg(view, kind)}<figcaption><ul class=\"legend\">")
        parts += [f'<li><span class="swatch" style="background:{c}"></span>{e(words)}</li>'
                  for c, words in legend(view, kind)]
        parts.append(f"</ul><small>{e(note)}</small></figcaption></figure>")
    parts.append("</div>")
    if view.not_drawn:
        parts.append("<h2>Not on the map</h2><p>Reports of authorities with no area among the districts of 2023 "
                     "(abolished before then, or with no GSS code):</p><ul>")
        parts += [f"<li>{e(s.authority)}: {e(s.framework)}, {e(s.date)} ({e(_short(s.report))}); {e(_grade_text(s))}; "
                  f"{e(_share_text(s))}</li>" for s in view.not_drawn]
        parts.append("</ul>")
    parts.append(f"<p><small>{e(ATTRIBUTION)}</small></p></body></html>\n")
    return "".join(parts)


def write_html(view: NationalView, path: Path) -> None:
    """Write the national page to ``path`` atomically."""
    from .store import write_atomic

    write_atomic(Path(path), render_html(view).encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Remake the shipped boundaries from the ONS file (``python -m graph.national lad-boundaries.geojson``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m graph.national LAD-BOUNDARIES.geojson", file=sys.stderr)
        return 2
    from .store import write_atomic

    collection = simplify(json.loads(Path(args[0]).read_text(encoding="utf-8")))
    target = vocab.data_dir("ontology") / "sources" / DISTRICTS_FILE
    write_atomic(target, (json.dumps(collection, separators=(",", ":")) + "\n").encode("utf-8"))
    print(f"wrote {target}: {len(collection['features'])} districts, {target.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
