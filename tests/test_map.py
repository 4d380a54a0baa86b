"""Issue 31: the map of the regions, seen in Chromium on a real `clusterlod serve` and in the static site.

The expected facts (which region covers which prefecture, which project lies in which region, the
figures' labels) are read here from the built release with SPARQL, never from the map module.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from test_browser import browser_page, server  # noqa: F401 - fixtures
from test_serve import BASE, canned_queries

from clusterlod.web.release.static_site import write_site

VOCAB = BASE + "ontology/"
EXPECTED = f"""
PREFIX clo: <{VOCAB}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?region ?code WHERE {{ ?region a clo:Region ; clo:coversPrefecture ?p . ?p clo:jisCode ?code }}"""
CODES = f"SELECT DISTINCT ?code WHERE {{ ?p a <{VOCAB}Prefecture> ; <{VOCAB}jisCode> ?code }}"
PROJECTS = f"""
PREFIX clo: <{VOCAB}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?region ?project ?label ?companies ?universities ?g WHERE {{
  GRAPH ?g {{ ?project clo:region ?region }}
  ?project rdfs:label ?label FILTER(LANG(?label) = "{{lang}}")
  OPTIONAL {{ ?project clo:companyCount/rdfs:label ?companies FILTER(LANG(?companies) = "{{lang}}") }}
  OPTIONAL {{ ?project clo:universityCount/rdfs:label ?universities FILTER(LANG(?universities) = "{{lang}}") }}
}}"""
REGION_LABEL = f"""SELECT ?region ?label WHERE {{ ?region a <{VOCAB}Region> ;
  <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "{{lang}}") }}"""

#: For each drawn prefecture: its code, region, computed fill, and a point of it that the eye sees
#: (inside its outline and not covered by anything else on the page), in viewport pixels.
SEEN = """(svg) => [...svg.querySelectorAll('path.prefecture')].map(path => {
  const box = path.getBBox(), ctm = path.getScreenCTM();
  const on = (x, y) => document.elementFromPoint(x, y) === path;
  const clear = (x, y) => {  // how many pixels around the point are still this shape (up to 3)
    let k = 0;
    while (k < 3 && [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]
      .every(([dx, dy]) => on(x + dx * (k + 1), y + dy * (k + 1)))) k++;
    return k;
  };
  let seen = null, best = -1;
  for (let i = 1; i < 24 && best < 3; i++) for (let j = 1; j < 24 && best < 3; j++) {
    const p = new DOMPoint(box.x + box.width * i / 24, box.y + box.height * j / 24);
    if (!path.isPointInFill(p)) continue;
    const s = p.matrixTransform(ctm), x = Math.round(s.x), y = Math.round(s.y);
    if (!on(x, y)) continue;
    const k = clear(x, y);
    if (k > best) { best = k; seen = [x, y, k]; }
  }
  return {code: path.dataset.code, region: path.dataset.region || null, fill: getComputedStyle(path).fill,
          cls: path.getAttribute('class'), seen};
})"""


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


@pytest.fixture(scope="module")
def facts(dist_store: ox.Store) -> dict:
    membership = {row["code"]: row["region"] for row in select(dist_store, EXPECTED)}
    codes = {row["code"] for row in select(dist_store, CODES)}
    projects = {lang: defaultdict(list) for lang in ("ja", "en")}
    labels = {}
    for lang in ("ja", "en"):
        for row in select(dist_store, PROJECTS.replace("{lang}", lang)):
            projects[lang][row["region"]].append(row)
        labels[lang] = {row["region"]: row["label"] for row in select(dist_store, REGION_LABEL.replace("{lang}", lang))}
    assert len(codes) == 47 and set(membership) == codes  # every prefecture in one region
    assert len(labels["ja"]) == 9 and sum(len(v) for v in projects["ja"].values()) == 18
    return {"membership": membership, "codes": codes, "projects": projects, "labels": labels}


def rgb(colour: str) -> tuple[int, ...]:
    """A computed CSS colour (``rgb(r, g, b)``) as a tuple."""
    return tuple(int(float(x)) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])


def page_of(iri: str, lang: str) -> str:
    return f"/{iri[len(BASE):]}.{lang}.html"


def check_map(page, facts: dict, lang: str, highlight: str | None = None) -> dict[str, tuple[int, ...]]:
    """Every prefecture drawn once, in its region's colour; the key's labels as the release says."""
    svg = page.locator("section.map svg.japan-map")
    assert svg.count() == 1
    svg.evaluate("e => e.scrollIntoView({block: 'center'})")  # all of it on the screen
    drawn = svg.evaluate(SEEN)
    assert sorted(d["code"] for d in drawn) == sorted(facts["codes"])  # 47 shapes, each code once
    key = {}
    for item in page.locator("ol.map-key > li").all():
        region = item.get_attribute("data-region")
        key[region] = rgb(item.locator(".swatch").evaluate("e => getComputedStyle(e).backgroundColor"))
        number = item.get_attribute("data-number")
        assert item.locator(".swatch").inner_text().strip() == number
        marker = svg.locator(f'g.marker[data-region="{region}"]')
        assert marker.locator("text").text_content().strip() == number
        assert rgb(marker.locator("circle").evaluate("e => getComputedStyle(e).fill")) == key[region]
        link = item.locator("a.area")
        assert link.inner_text().strip() == facts["labels"][lang][region]
        assert link.evaluate("a => a.href").endswith(page_of(region, lang))  # relative in the static site
        expected = facts["projects"][lang][region]
        shown = item.locator("li.map-project")
        assert shown.count() == len(expected)
        texts = shown.all_inner_texts()
        for project in expected:
            line = next(t for t in texts if project["label"] in t)
            for figure in ("companies", "universities"):
                if figure in project:
                    assert project[figure] in line, (project[figure], line)
            anchor = item.locator(f'li.map-project a[href$="{page_of(project["project"], lang)}"]')
            assert anchor.inner_text().strip() == project["label"]
            if "/graph/editorial/" in project["g"]:  # an editorial assignment carries its mark and basis
                mark = anchor.locator("xpath=..").locator("a.mark")
                assert mark.count() >= 1 and "/id/basis/" in mark.first.get_attribute("href")
    assert set(key) == set(facts["labels"][lang])
    assert len(set(key.values())) == len(key)  # one colour per region
    for d in drawn:
        region = facts["membership"][d["code"]]
        assert d["region"] == region, d
        assert rgb(d["fill"]) == key[region], d
        assert d["seen"], (f"prefecture {d['code']} is drawn but hidden", page.viewport_size,
                           page.locator(f'path[data-code="{d["code"]}"]').bounding_box())
        if highlight:
            assert ("highlighted" in d["cls"]) == (region == highlight), d
            assert ("dimmed" in d["cls"]) == (region != highlight), d
    if highlight:
        assert page.locator("ol.map-key > li.highlighted").get_attribute("data-region") == highlight
    return {d["code"]: tuple(d["seen"]) for d in drawn}


def no_other_host(requests: list[str], origin: str) -> None:
    own = urlsplit(origin).netloc
    others = [url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own]
    assert others == []
    assert requests  # the recorder saw the page's own requests


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_map_as_a_person_sees_it(server: str, browser_page, facts: dict, tmp_path: Path,  # noqa: F811
                                 lang: str) -> None:
    from PIL import Image

    page, errors = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{server}/index.{lang}.html")
    page.locator("section.map").scroll_into_view_if_needed()
    page.locator("section.map h2").evaluate("e => e.scrollIntoView()")
    seen = check_map(page, facts, lang)
    shot = page.screenshot(path=str(tmp_path / f"map-index-{lang}-1400.png"))
    pixels = Image.open(io.BytesIO(shot)).convert("RGB")
    key = {item.get_attribute("data-region"): item.locator(".swatch").get_attribute("data-colour")
           for item in page.locator("ol.map-key > li").all()}
    assert sum(k >= 2 for _, _, k in seen.values()) >= 40  # most prefectures show a patch of 5 px or more
    for code, (x, y, k) in seen.items():  # the colour on the screen is the region's colour in the key
        want = tuple(int(key[facts["membership"][code]][i:i + 2], 16) for i in (1, 3, 5))
        got = pixels.getpixel((x, y))
        if k < 2:  # a sliver (a thin peninsula at this size): its pixels blend with the white outline
            continue
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 8, (code, got, want)
    figure, legend = page.locator("svg.japan-map").bounding_box(), page.locator("ol.map-key").bounding_box()
    assert legend["x"] >= figure["x"] + figure["width"]  # the key beside the map, not over it
    assert page.locator('section.map a[href$="static/japan-prefectures.LICENSE.txt"]').count() == 1
    for name in ("LICENSE", "NOTICE"):
        answer = page.request.get(f"{server}/static/japan-prefectures.{name}.txt")
        assert answer.status == 200 and "Apache License" in answer.text()
    hrefs = set(page.locator("section.map a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    hrefs |= set(page.locator("section.map svg a").evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    assert len(hrefs) >= 9 + 18
    for href in sorted(hrefs):  # every area, project, basis and figure link leads to a page
        assert page.request.get(server + href if href.startswith("/") else href).status == 200, href

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the key under the map, still readable
    page.goto(f"{server}/index.{lang}.html")
    page.locator("section.map h2").evaluate("e => e.scrollIntoView()")
    check_map(page, facts, lang)
    page.screenshot(path=str(tmp_path / f"map-index-{lang}-390.png"))
    page.locator("section.map").screenshot(path=str(tmp_path / f"map-section-{lang}-390.png"))
    section = page.locator("section.map")  # nothing of the map sticks out; the table scrolls in its own box
    assert section.evaluate("s => s.scrollWidth <= s.clientWidth")
    assert section.bounding_box()["x"] + section.bounding_box()["width"] <= 390
    figure, legend = page.locator("svg.japan-map").bounding_box(), page.locator("ol.map-key").bounding_box()
    assert 300 <= figure["width"] <= 390 and legend["y"] >= figure["y"] + figure["height"]
    assert float(page.locator("ol.map-key a.area").first.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 13
    assert page.locator("svg.japan-map g.marker circle").first.bounding_box()["width"] >= 14
    no_other_host(requests, server)
    assert errors == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_region_page_highlights_its_region(server: str, browser_page, facts: dict,  # noqa: F811
                                                 tmp_path: Path, lang: str) -> None:
    page, errors = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    regions = sorted(facts["labels"][lang])
    for region in regions:
        page.goto(server + page_of(region, lang))
        check_map(page, facts, lang, highlight=region)
        page.locator("section.map").screenshot(path=str(tmp_path / f"map-{region.rsplit('/', 1)[1]}-{lang}.png"))
    assert len(list(tmp_path.glob("map-*.png"))) == 9
    no_other_host(requests, server)
    assert errors == []


def test_the_static_site_draws_the_same_map(built_dist: Path, project_root: Path, browser_page,  # noqa: F811
                                            facts: dict, tmp_path: Path) -> None:
    """`clusterlod site` writes the map too: opened from the files, with no request to any host."""
    out = tmp_path / "site"
    write_site(built_dist, out, None, canned_queries(project_root, tmp_path / "queries"))
    for name in ("japan-prefectures.LICENSE.txt", "japan-prefectures.NOTICE.txt"):
        assert (out / "static" / name).is_file()
    page, errors = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((out / "index.en.html").as_uri())
    check_map(page, facts, "en")
    kinki = next(r for r in facts["labels"]["en"] if r.endswith("/kinki"))
    page.goto((out / "id" / "region" / "kinki.ja.html").as_uri())
    check_map(page, facts, "ja", highlight=kinki)
    page.screenshot(path=str(tmp_path / "site-kinki-ja.png"), full_page=True)
    assert [u for u in requests if not u.startswith("file:")] == []
    assert errors == []



def test_vendored_boundaries_join_the_release_and_carry_their_licence(facts: dict) -> None:
    """The outlines are keyed by the JIS X 0401 codes the release holds; their licence and credit lie beside them."""
    import importlib.resources
    import json

    static = importlib.resources.files("clusterlod").joinpath("static")
    data = json.loads(static.joinpath("japan-prefectures.json").read_text("utf-8"))
    assert set(data["prefectures"]) == facts["codes"]
    assert all(len(ring) >= 4 for ring in data["prefectures"].values())
    assert data["licence"] == "Apache-2.0" and data["source"].startswith("japanmap ")
    assert "Apache License" in static.joinpath("japan-prefectures.LICENSE.txt").read_text("utf-8")
    notice = static.joinpath("japan-prefectures.NOTICE.txt").read_text("utf-8")
    assert data["source"].split(" (")[0] in notice and data["copyright"] in notice
