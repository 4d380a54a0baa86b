"""A map of Japan by prefecture, shaded by the release's regions, drawn on the server as inline SVG.

Like the bar charts it needs no JavaScript, no tiles and no other host. The facts (which region
covers which prefecture, which project lies in which region, the projects' figures, and whether each
assignment is stated or editorial) are read from the served release with SPARQL; only the outlines
come from the vendored file ``static/japan-prefectures.json`` (scripts/gen-japan-map), joined to the
release's prefectures by their JIS X 0401 code. The outlines are page furniture, not data.
"""

from __future__ import annotations

import importlib.resources
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from clusterlod.namespaces import STANDARD_PREFIXES
from clusterlod.web.pages.views import Mark, Value, Viewer
from clusterlod.web.release.served import Release

BOUNDARIES = "japan-prefectures.json"
#: Outlines whose middle lies south of this latitude (Okinawa) are drawn in an inset, as Japanese maps do.
INSET_SOUTH_OF = 29.0
#: Fill colours by the region's schema:position (ColorBrewer Set3, light enough for dark numbers on them).
PALETTE = ("#8dd3c7", "#ffed6f", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bc80bd",
           "#ccebc5")
WIDTH = 600  # viewBox width of the map; the height follows from the outlines
PAD = 8
INSET_ZOOM = 2  # the inset is drawn larger: Okinawa Island is small beside Honshu
MARKER = 11  # radius of a region's number
INSET_FONT = 17  # the inset's title, in viewBox units (style.css sets the same size)
INSET_MARGIN = 10

#: Every pattern names its graph: the embedded store answers with the union as its default graph, a
#: remote endpoint (serve --endpoint) need not, and the graph of an assignment says whether it is editorial.
REGIONS_QUERY = """
PREFIX clo: <{vocab}>
PREFIX schema: <{schema}>
SELECT DISTINCT ?region ?position ?rg ?prefecture ?pg ?code WHERE {{
  GRAPH ?rg {{ ?region a clo:Region }}
  OPTIONAL {{ GRAPH ?sg {{ ?region schema:position ?position }} }}
  OPTIONAL {{ GRAPH ?pg {{ ?region clo:coversPrefecture ?prefecture }}
             OPTIONAL {{ GRAPH ?cg {{ ?prefecture clo:jisCode ?code }} }} }}
}}"""
PROJECTS_QUERY = """
PREFIX clo: <{vocab}>
SELECT DISTINCT ?project ?region ?g ?companies ?universities WHERE {{
  GRAPH ?tg {{ ?project a clo:Cluster }}
  GRAPH ?g {{ ?project clo:region ?region }}
  OPTIONAL {{ GRAPH ?cg {{ ?project clo:companyCount ?companies }} }}
  OPTIONAL {{ GRAPH ?ug {{ ?project clo:universityCount ?universities }} }}
}}"""


@dataclass
class Project:
    """A project in its region; its value's marks are those of the project-to-region assignment."""

    value: Value
    companies: Value | None
    universities: Value | None


@dataclass
class Prefecture:
    value: Value
    code: str
    marks: list[Mark]


@dataclass
class Area:
    """One region of the map: its number (schema:position), colour, prefectures and projects."""

    value: Value  # its marks: the region's own basis
    number: int
    colour: str
    highlighted: bool = False
    prefectures: list[Prefecture] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)

    @property
    def membership(self) -> list[Mark]:
        """The bases of the region-to-prefecture assignments, each once."""
        marks: list[Mark] = []
        for prefecture in self.prefectures:
            marks.extend(m for m in prefecture.marks if m not in marks)
        return marks


@dataclass
class JapanMap:
    areas: list[Area]
    svg: str
    highlight: str | None
    credit: dict[str, str]


@lru_cache(maxsize=1)
def boundaries() -> dict:
    """The vendored file: outlines by JIS code in projected integer units (y grows southwards), and its credit."""
    return json.loads(importlib.resources.files("clusterlod").joinpath("static", BOUNDARIES).read_text("utf-8"))


@lru_cache(maxsize=1)
def outlines() -> dict[str, list[tuple[int, int]]]:
    return {code: [tuple(p) for p in ring] for code, ring in boundaries()["prefectures"].items()}


def units_per_degree() -> int:
    return int(boundaries()["units_per_degree"])


def credit() -> dict[str, str]:
    """Where the outlines come from, under which licence, and what was changed (shown under the map)."""
    data = boundaries()
    return {key: data[key] for key in ("source", "copyright", "licence", "changes")}


def read_areas(release: Release, viewer: Viewer, highlight: str | None = None) -> list[Area]:
    """The regions with their prefectures and projects, from the release (two SPARQL queries)."""
    vocab = release.ns.vocab
    areas: dict[str, Area] = {}
    seen: set[tuple[str, str]] = set()
    for row in release.data.select(REGIONS_QUERY.format(vocab=vocab, schema=STANDARD_PREFIXES["schema"])):
        iri = row["region"].value
        if iri not in areas:
            number = int(row["position"].value) if "position" in row else 0
            areas[iri] = Area(viewer.node(iri, viewer.marks({row["rg"].value})), number, "", iri == highlight)
        area = areas[iri]
        if "prefecture" in row and (iri, row["prefecture"].value) not in seen:
            seen.add((iri, row["prefecture"].value))
            code = row["code"].value if "code" in row else ""
            area.prefectures.append(Prefecture(viewer.node(row["prefecture"].value), code,
                                               viewer.marks({row["pg"].value})))
    for row in release.data.select(PROJECTS_QUERY.format(vocab=vocab)):
        area = areas.get(row["region"].value)
        if area is None or any(p.value.iri == row["project"].value for p in area.projects):
            continue
        figures = [viewer.node(row[k].value) if k in row else None for k in ("companies", "universities")]
        area.projects.append(Project(viewer.node(row["project"].value, viewer.marks({row["g"].value})), *figures))
    ordered = sorted(areas.values(), key=lambda a: (a.number or len(areas) + 1, a.value.text))
    for i, area in enumerate(ordered, start=1):
        area.number = area.number or i
        area.colour = PALETTE[(area.number - 1) % len(PALETTE)]
        area.prefectures.sort(key=lambda p: p.code)
        area.projects.sort(key=lambda p: p.value.text)
    return ordered


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Area and centroid of a simple polygon (shoelace formula)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def _text_width(text: str, size: float) -> float:
    """About how wide a line of text is: a full-width character 1 em, any other 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else 0.6 * size for ch in text)


def _path(ring: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z"


@dataclass(frozen=True)
class Layout:
    """Where each outline goes in the viewBox: the main islands fitted to its width, the far south in an inset."""

    placed: dict[str, list[tuple[float, float]]]
    inset: frozenset[str]
    height: int
    inset_size: tuple[float, float]  # the inset's drawing, without its title


@lru_cache(maxsize=1)
def layout() -> Layout:
    shapes = outlines()
    south = -INSET_SOUTH_OF * units_per_degree()
    inset = frozenset(c for c, ring in shapes.items() if _centroid(ring)[2] > south)
    main = [p for c, ring in shapes.items() if c not in inset for p in ring]
    x0, y0 = min(p[0] for p in main), min(p[1] for p in main)
    x1, y1 = max(p[0] for p in main), max(p[1] for p in main)
    scale = (WIDTH - 2 * PAD) / (x1 - x0)
    placed = {c: [((x - x0) * scale + PAD, (y - y0) * scale + PAD) for x, y in ring]
              for c, ring in shapes.items() if c not in inset}
    size = (0.0, 0.0)
    if inset:  # at a larger scale, in the empty sea at the top left, below its title
        points = [p for c in inset for p in shapes[c]]
        ix0, iy0 = min(p[0] for p in points), min(p[1] for p in points)
        ix1, iy1 = max(p[0] for p in points), max(p[1] for p in points)
        zoom, head = INSET_ZOOM * scale, INSET_FONT + 8
        size = ((ix1 - ix0) * zoom + 2 * INSET_MARGIN, (iy1 - iy0) * zoom + 2 * INSET_MARGIN)
        for c in inset:
            placed[c] = [((x - ix0) * zoom + PAD + INSET_MARGIN, (y - iy0) * zoom + PAD + INSET_MARGIN + head)
                         for x, y in shapes[c]]
    return Layout(placed, inset, round((y1 - y0) * scale + 2 * PAD), size)


def draw(areas: list[Area], title: str) -> str:
    """The SVG: every prefecture once (data-code, filled with its region's colour, a link to the region's
    page), the far-south outlines in an inset at the top left, and each region's number at its middle."""
    drawn = layout()
    by_code = {p.code: (area, p) for area in areas for p in area.prefectures}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="japan-map" role="img" '
             f'viewBox="0 0 {WIDTH} {drawn.height}" width="100%" aria-label="{escape(title)}">'
             f'<title>{escape(title)}</title>']
    if drawn.inset:  # framed and titled with its prefectures' names
        names = "・".join(by_code[c][1].value.text for c in sorted(drawn.inset) if c in by_code)
        width = max(drawn.inset_size[0] + INSET_MARGIN + 2 * MARKER, _text_width(names, INSET_FONT) + 12)
        parts.append(f'<g class="inset"><rect x="{PAD}" y="{PAD}" width="{width:.1f}" '
                     f'height="{drawn.inset_size[1] + INSET_FONT + 8:.1f}"/>'
                     f'<text x="{PAD + 6}" y="{PAD + INSET_FONT + 2}">{escape(names)}</text></g>')
    highlight = any(a.highlighted for a in areas)
    order = sorted(drawn.placed, key=lambda c: (c in by_code and by_code[c][0].highlighted, c))  # its outline on top
    for code in order:
        area, prefecture = by_code.get(code, (None, None))
        ring = _path(drawn.placed[code])
        if area is None:  # a prefecture no region covers: drawn blank
            parts.append(f'<path class="prefecture none" data-code="{code}" d="{ring}"/>')
            continue
        state = " highlighted" if area.highlighted else (" dimmed" if highlight else "")
        basis = "".join(f" ({m.label})" for m in prefecture.marks)
        parts.append(f'<a href="{escape(area.value.href or "")}"><path class="prefecture{state}" data-code="{code}" '
                     f'data-region="{escape(area.value.iri or "")}" fill="{area.colour}" d="{ring}">'
                     f'<title>{escape(prefecture.value.text)}: {escape(area.value.text)}{escape(basis)}</title>'
                     f'</path></a>')
    for area in areas:
        codes = tuple(sorted(p.code for p in area.prefectures if p.code in drawn.placed))
        if codes:
            parts.append(_marker(area, *_marker_point(codes)))
    parts.append("</svg>")
    return "".join(parts)


def _inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: is the point inside the outline?"""
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _distance(x: float, y: float, ring: list[tuple[float, float]]) -> float:
    """Distance from the point to the nearest edge of the outline."""
    best = float("inf")
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
        best = min(best, math.hypot(x - x0 - t * dx, y - y0 - t * dy))
    return best


def _middle(ring: list[tuple[float, float]], steps: int = 24) -> tuple[float, float]:
    """The point of the outline farthest from its edges (on a grid): a number there covers no neighbour."""
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    best, point = -1.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    for i in range(1, steps):
        for j in range(1, steps):
            x = min(xs) + (max(xs) - min(xs)) * i / steps
            y = min(ys) + (max(ys) - min(ys)) * j / steps
            if _inside(x, y, ring) and (d := _distance(x, y, ring)) > best:
                best, point = d, (x, y)
    return point


@lru_cache(maxsize=64)
def _marker_point(codes: tuple[str, ...]) -> tuple[float, float]:
    """Where a region's number goes: the middle of its largest prefecture, so it hides no small one; beside
    the outlines when they are all in the inset (small islands)."""
    drawn = layout()
    rings = [drawn.placed[c] for c in codes]
    largest = max(rings, key=lambda ring: _centroid(ring)[0])
    if all(c in drawn.inset for c in codes):
        return max(x for ring in rings for x, _ in ring) + MARKER + 4, _centroid(largest)[2]
    return _middle(largest)


def _marker(area: Area, cx: float, cy: float) -> str:
    state = " highlighted" if area.highlighted else ""
    return (f'<a href="{escape(area.value.href or "")}"><g class="marker{state}" '
            f'data-region="{escape(area.value.iri or "")}" data-number="{area.number}">'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{MARKER}" fill="{area.colour}"/>'
            f'<text x="{cx:.1f}" y="{cy + 4.5:.1f}">{area.number}</text>'
            f'<title>{area.number} {escape(area.value.text)}</title></g></a>')


def japan_map(release: Release, lang: str, root: str, title: str, highlight: str | None = None) -> JapanMap:
    viewer = Viewer(release, lang, root)
    areas = read_areas(release, viewer, highlight)
    return JapanMap(areas, draw(areas, title), highlight, credit())
