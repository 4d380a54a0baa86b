"""The dataset page, a resource page and the SPARQL page in a real browser (issue 27), narrow and wide, ja and en.

Debian's chromium (Playwright) on a real `clusterlod serve`; every page is photographed (screenshots in the
test's tmp folder). Which IRIs have a label is read from the release's files with rdflib, not from the server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from test_browser import browser_page, server  # noqa: F401 - the fixtures: a real server, a real browser

WIDTHS = (390, 1280)
BASE = "https://w3id.org/clusterlod/"
PREFECTURE = "id/prefecture/aichi-ken"  # reified editorial statements (identifiers) are about it
CLUSTER = "id/cluster/hokkaido-super-cluster"  # the catalogue's example resource
#: "Dcat:theme", "dcterms:spatial": a prefixed name where a label belongs.
PREFIXED = re.compile(r"^[A-Za-z][\w-]*:[A-Za-z]")
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name")
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def labelled(built_dist: Path) -> set[str]:
    """Every IRI the release labels (data and catalogue), read independently of the server."""
    data = rdflib.Dataset()
    data.parse(built_dist / "clusterlod.nq", format="nquads")
    data.parse(built_dist / "catalog.ttl", format="turtle")
    return {str(s) for p in LABELS for s, _, _ in data.triples((None, rdflib.URIRef(p), None))
            if isinstance(s, rdflib.URIRef)}


def raw_names(page) -> dict[str, list]:
    """What a reader sees: link texts with the IRI they name, and the headings of rows, terms and sections."""
    return page.evaluate("""() => ({
      links: [...document.querySelectorAll('main a[title]')].map(a => [a.innerText.trim(), a.getAttribute('title')]),
      headings: [...document.querySelectorAll('main th, main dt, main h1, main h2, main h3, main summary')]
                  .map(e => e.innerText.trim()),
      width: document.documentElement.scrollWidth, viewport: window.innerWidth})""")


def check_labels(names: dict, labelled: set[str], where: str) -> None:
    bare = [(text, iri) for text, iri in names["links"] if (text == iri or text.startswith(("http://", "https://")))
            and iri in labelled]
    assert not bare, f"{where}: raw IRIs where a label exists: {bare[:5]}"
    prefixed = [h for h in names["headings"] if PREFIXED.match(h)]
    assert not prefixed, f"{where}: prefixed names as headings: {prefixed}"
    assert names["width"] <= names["viewport"] + 1, f"{where}: wider than the window ({names['width']} px)"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_dataset_index_and_resource_pages_read_as_words(server: str, browser_page, tmp_path: Path,  # noqa: F811
                                                        labelled: set[str], lang: str) -> None:
    page, errors = browser_page
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in (("dataset", f"/dataset.{lang}.html"), ("index", f"/index.{lang}.html"),
                           ("prefecture", f"/{PREFECTURE}.{lang}.html"), ("cluster", f"/{CLUSTER}.{lang}.html")):
            page.goto(server + path)
            page.screenshot(path=str(shots / f"{name}-{lang}-{width}.png"), full_page=True)
            check_labels(raw_names(page), labelled, f"{path} at {width} px")
    # The dataset page: what is inside by kind, downloads with format names, sizes and checksums,
    # the licence and the credit, how to cite, the versions, and the ways in.
    page.goto(f"{server}/dataset.{lang}.html")
    for section in ("contents", "entry-points", "downloads", "licence", "cite", "versions"):
        assert page.locator(f"section.{section}").count() == 1, section
    assert page.locator("section.contents tbody tr").count() >= 10
    assert page.locator("section.downloads tbody tr").count() >= 12
    assert page.locator("section.downloads code.checksum").first.get_attribute("title").startswith("SHA-256 ")
    assert page.locator('section.entry-points a[href="/reconcile"]').count() == 1
    assert page.locator('section.entry-points a[href="/sparql"]').count() == 1
    assert "http://publications.europa.eu/resource/authority/file-type" not in page.locator("main").inner_text()
    if lang == "ja":  # every heading of the interface is translated
        headings = [h for h in page.locator("main h2").all_inner_texts()]
        assert headings and all(CJK.search(h) for h in headings), headings
        index_kinds = [k.strip() for k in (page.goto(f"{server}/index.ja.html") and
                                           page.locator("ul.kinds li a").all_inner_texts())]
        assert "Period" not in index_kinds and all(CJK.search(k) for k in index_kinds), index_kinds
    # "Linked from" holds resources; statements about the prefecture are in their own section.
    page.goto(f"{server}/{PREFECTURE}.{lang}.html")
    assert page.locator('section.incoming a[href*="/id/statement/"]').count() == 0
    assert page.locator('section.provenance a[href*="/id/statement/"]').count() >= 1
    page.goto(f"{server}/{CLUSTER}.{lang}.html")
    assert page.locator('section.incoming a[href^="/dataset"]').count() == 0
    assert not errors, errors


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_result_column_is_visible(server: str, browser_page, tmp_path: Path, lang: str) -> None:  # noqa: F811
    """"Projects by size" has 6 columns; a review saw 2. Wide: all in view; narrow: all, or a visible note."""
    page, errors = browser_page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server}/sparql?lang={lang}")
        page.locator('.run-query[data-name="projects-by-size"]').first.click()
        page.wait_for_selector(".yasr table.dataTable tbody tr")
        page.wait_for_timeout(300)
        found = page.evaluate("""() => { const t = document.querySelector('.yasr table.dataTable');
          const box = t.closest('.yasr').getBoundingClientRect();
          const note = t.closest('.yasr').querySelector('.scroll-note');
          return {box: [box.left, box.right], note: note ? note.innerText : null,
                  heads: [...t.querySelectorAll('thead th')].map(th => { const r = th.getBoundingClientRect();
                          return [th.innerText.trim(), r.left, r.right]; })}; }""")
        page.screenshot(path=str(tmp_path / f"sparql-{lang}-{width}.png"), full_page=True)
        names = [h[0] for h in found["heads"]]
        assert names == ["project", "name_ja", "name_en", "companies", "approximate", "universities"], names
        hidden = [h[0] for h in found["heads"] if h[2] > found["box"][1] + 1 or h[1] < found["box"][0] - 1]
        if width >= 1000:
            assert not hidden, f"columns out of view at {width} px: {hidden}"
        else:
            assert not hidden or (found["note"] and "6" in found["note"]), (hidden, found["note"])
    assert not errors, errors
