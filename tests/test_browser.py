"""A real browser (Debian's chromium, headless, driven by Playwright) on a real `clusterlod serve`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from support.system import ensure_chromium
from test_serve import CLUSTER, canned_queries

from clusterlod.bench.processes import free_port, start_server, stop

JS_IRI_QUERY = "SELECT ?x ?y WHERE { BIND(<javascript:alert(1)> AS ?x) BIND(<http://example.org/ok> AS ?y) }"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(built_dist: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("browser-server")
    port = free_port()
    process = start_server(built_dist, port, "--queries", str(canned_queries(project_root, tmp / "queries")),
                           log=tmp / "server.log")
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture
def browser_page(tmp_path: Path):
    """A page in a fresh Chromium profile, collecting console errors and uncaught exceptions."""
    executable = ensure_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=executable, headless=True, args=FLAGS,
            viewport={"width": 1200, "height": 900}, locale="ja-JP")
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(15_000)
        yield page, errors
        context.close()


def test_browse_switch_language_follow_and_query(server: str, browser_page, tmp_path: Path) -> None:
    page, errors = browser_page
    shots = tmp_path / "screenshots"
    shots.mkdir()

    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("svg.chart").count() == 2
    page.screenshot(path=str(shots / "index.png"), full_page=True)

    page.goto(f"{server}/{CLUSTER}")  # the IRI: 303 to the Japanese page
    assert page.url.endswith(f"/{CLUSTER}.ja.html")
    assert "北海道スーパー・クラスター振興戦略Ⅱ" in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "project-ja.png"), full_page=True)

    page.click("a.switch-en")
    page.wait_for_url(f"**/{CLUSTER}.en.html?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Hokkaido Super Cluster" in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "project-en.png"), full_page=True)

    page.click('section.properties a[href="/id/region/hokkaido.en.html"]')
    page.wait_for_url("**/id/region/hokkaido.en.html")
    assert "Hokkaido" in page.locator("h1").inner_text()

    page.goto(f"{server}/{CLUSTER}")  # the choice is remembered
    assert page.url.endswith(f"/{CLUSTER}.en.html")

    page.goto(server + "/index.en.html")
    page.locator('section.queries a.run-query[data-name="projects-by-region"]').click()  # run by YASGUI
    page.wait_for_url(lambda url: "/sparql?query=" in url)
    page.wait_for_selector("#yasgui .CodeMirror")
    assert page.locator("#editor").is_hidden()  # the plain form is only for browsers without JavaScript
    page.locator("#yasgui .yasr table tbody tr").first.wait_for()  # (no wait_for_function: the CSP forbids eval)
    page.screenshot(path=str(shots / "yasgui-canned.png"), full_page=True)
    assert png_width(shots / "yasgui-canned.png") == 1200  # a wide result scrolls in its box, not the page

    page.locator('details.canned a.run-query[data-name="totals-by-field"]').click()  # in a tab of its own
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator("#yasgui .tabsList .tab")).to_have_count(2)
    page.locator("#yasgui .tabPanel.active .yasr table tbody tr").first.wait_for()

    page.goto(server + "/sparql?query=" + quote(JS_IRI_QUERY))
    expect(page.locator("#yasgui .yasr table tbody tr")).to_have_count(1)
    assert "javascript:alert(1)" in page.locator("#yasgui .yasr table").inner_text()
    assert page.locator('#yasgui a[href^="javascript"]').count() == 0
    assert page.locator('#yasgui .yasr a[href="http://example.org/ok"]').count() == 1
    page.screenshot(path=str(shots / "yasgui-links.png"), full_page=True)

    page.goto(server + "/id/cluster/no-such-project")
    assert page.locator("input[type=search]").count() >= 1
    page.goto(server + "/id/cluster/no-such-project.en.html")  # the 404 page speaks the path's language
    assert page.locator("html").get_attribute("lang") == "en"
    errors = [e for e in errors if "404" not in e]  # the browser logs the 404 status itself
    assert errors == []
    assert len(list(shots.glob("*.png"))) == 5


@pytest.mark.external  # Chromium, launched here rather than through the browser_page fixture
def test_query_form_without_javascript(server: str, tmp_path: Path) -> None:
    """The server-rendered form stays for browsers without JavaScript."""
    executable = ensure_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        context = browser.new_context(java_script_enabled=False, locale="en-GB")
        page = context.new_page()
        page.goto(server + "/sparql?lang=en")
        assert page.locator("#editor").is_visible()
        page.fill("#query", "PREFIX clo: <https://w3id.org/clusterlod/ontology/>\n"
                            "SELECT ?project WHERE { ?project a clo:Cluster } ORDER BY ?project")
        page.click("#run")
        page.wait_for_url(lambda url: "query=" in url)
        assert page.locator("#results tbody tr").count() == 18
        page.screenshot(path=str(tmp_path / "no-js.png"), full_page=True)
        browser.close()



@pytest.mark.external  # Chromium, launched here rather than through the browser_page fixture
def test_search_and_its_facets_without_javascript(server: str, tmp_path: Path) -> None:
    """Issue 26 item 4: from the query page to a search, a facet, and a result, with scripts off."""
    executable = ensure_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        page = browser.new_context(java_script_enabled=False, locale="en-GB").new_page()
        page.goto(server + "/sparql?lang=en")
        page.locator("main a.search-link").click()
        page.fill("header #q", "環境分野")  # lines 52, 60, 69 print it
        page.locator("header form.search button").click()
        page.wait_for_url(lambda url: "q=" in url)
        results = page.locator("#results > li")
        assert results.count() >= 3 and page.locator("#results blockquote.quote").count() >= 3
        page.locator("nav.facets a", has_text="Kyushu region").click()
        page.wait_for_url(lambda url: "region=" in url)
        names = page.locator("#results > li > a").all_inner_texts()
        assert names and all(not n.startswith("http") for n in names)
        assert "Kyushu Environment and Recycling Industry Plaza (K-RIP)" in names  # line 58-60
        page.screenshot(path=str(tmp_path / "search-no-js.png"), full_page=True)
        page.locator("#results > li > a").first.click()
        assert "/id/" in page.url and page.locator("h1").inner_text()
        browser.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_yasgui_table_shows_labels_like_the_server_table(server: str, browser_page, tmp_path: Path,
                                                        lang: str) -> None:
    """Issue 13 item 8: a resource of the release shows its label in the page's language, still linked
    to its IRI. The canned query returns each project's labels too: the link must show that row's label."""
    page, errors = browser_page
    expect = pytest.importorskip("playwright.sync_api").expect
    page.goto(f"{server}/sparql?lang={lang}")
    page.wait_for_selector("#yasgui .CodeMirror")
    page.locator('details.canned a.run-query[data-name="projects-by-region"]').click()
    panel = page.locator("#yasgui .tabPanel.active .yasr")
    panel.locator("table tbody tr").first.wait_for()
    headers = [h.strip() for h in panel.locator("table thead th").all_inner_texts()]
    project, name = headers.index("project"), headers.index(f"name_{lang}")
    row = panel.locator("table tbody tr").first
    link = row.locator("td").nth(project).locator("a")
    href = link.get_attribute("href")
    assert href.startswith("https://w3id.org/clusterlod/id/cluster/")
    label = row.locator("td").nth(name).inner_text().split("@")[0].strip().strip('"')
    assert label and label != href
    expect(link).to_have_text(label)
    assert row.locator("td").nth(project).inner_text().strip() == label  # no "<" ">" around a label
    if lang == "ja":
        assert any("\u3040" <= c <= "\u9fff" for c in label)  # a Japanese label on the Japanese page
    else:
        assert label.isascii()
    page.screenshot(path=str(tmp_path / f"yasgui-labels-{lang}.png"), full_page=True)
    # IRIs outside the release keep their text and their link
    page.goto(f"{server}/sparql?lang={lang}&query={quote(JS_IRI_QUERY)}")
    page.locator("#yasgui .yasr table tbody tr").first.wait_for()
    assert page.locator('#yasgui .yasr a[href="http://example.org/ok"]').inner_text().strip() in (
        "<http://example.org/ok>", "http://example.org/ok")
    assert errors == []


def png_width(path: Path) -> int:
    """The width of a PNG, from its IHDR chunk (bytes 16-19)."""
    return int.from_bytes(path.read_bytes()[16:20], "big")


def right(box: dict) -> float:
    return box["x"] + box["width"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_defects_of_the_review_are_gone(server: str, browser_page, tmp_path: Path, lang: str) -> None:
    """Issue 13 item 12, each seen in Chromium: kinds, timeline, charts, link sets, headings, search."""
    page, errors = browser_page
    page.goto(f"{server}/index.{lang}.html")
    page.screenshot(path=str(tmp_path / f"index-{lang}.png"), full_page=True)

    kinds = page.locator("ul.kinds a").all_inner_texts()  # named by their class, not by the IRI's slug
    slugs = [a.get_attribute("href").split("kind=")[1] for a in page.locator("ul.kinds a").all()]
    assert len(kinds) > 10 and not set(kinds) & set(slugs)
    if lang == "ja":  # Japanese labels, except a kind whose classes have no label at all (shown by its slug)
        assert all(not k.isascii() or k.lower() in slugs for k in kinds), kinds
        assert sum(not k.isascii() for k in kinds) > 10

    for item in page.locator("ol.events li").all():  # a date range stays in its column
        when, what = item.locator("time").bounding_box(), item.locator("span.event").bounding_box()
        assert right(when) <= what["x"] + 1, item.inner_text()

    for chart in page.locator("svg.chart").all():  # whole labels inside the chart; every scale labelled
        frame = chart.bounding_box()
        labels = chart.locator("text.label")
        assert labels.count() >= 9
        for label in labels.all():
            assert "…" not in label.inner_html()
            assert right(label.bounding_box()) <= right(frame) + 1
        assert chart.locator("tspan.scale").count() == 2

    graphs = page.locator("section.graphs").inner_text()
    assert "Wikidata" not in graphs and "Wikidata" in page.locator("section.linksets").inner_text()

    page.goto(f"{server}/{CLUSTER}.{lang}.html")
    headings = page.locator("section.properties th[scope=row]").all_inner_texts()
    assert headings and all(h[:1] == h[:1].upper() for h in headings), headings

    page.goto(f"{server}/search.{lang}.html?q=tohoku-monozukuri-corridor")  # an IRI slug is no label (its words are)
    assert page.locator("#results li").count() == 0
    page.goto(f"{server}/search.{lang}.html?q=Hokkaido")
    assert page.locator("#results li").count() > 0
    page.goto(f"{server}/search.{lang}.html?kind=cluster")  # the index's kind links list one kind
    listed = [a.get_attribute("href") for a in page.locator("#results li:not([hidden]) > a").all()]
    assert len(listed) == 18 and all("/id/cluster/" in href for href in listed)
    assert errors == []


def test_the_query_page_starts_useful_plain_and_offline(server: str, browser_page, tmp_path: Path) -> None:
    """Issue 20 item 7: it opens on a table worth seeing, shows 18 rather than "18"^^<…#integer>, asks no
    host but its own for completions (no "Failed fetching suggestions"), and has /favicon.ico."""
    page, errors = browser_page
    elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(server) else elsewhere.append(request.url))
    page.goto(f"{server}/sparql?lang=en")
    page.wait_for_selector("#yasgui .CodeMirror")
    editor = page.locator("#yasgui .CodeMirror-code").inner_text()
    assert "SELECT" in editor and "ASK" not in editor and "VALUES" not in editor
    page.locator("#yasgui .yasqe_queryButton").click()
    panel = page.locator("#yasgui .tabPanel.active .yasr")
    panel.locator("table tbody tr").first.wait_for()
    table = panel.locator("table").inner_text()
    assert "^^" not in table and "XMLSchema" not in table and '"' not in table, table
    cells = [c.strip() for c in panel.locator("table tbody tr").first.locator("td").all_inner_texts()]
    assert any(c.isdigit() for c in cells), cells  # a plain number
    page.locator("#yasgui .CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# ?s a foaf:Pers ; foaf:na")  # where the class and property completers would ask LOV
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(1500)
    assert page.get_by_text("Failed fetching").count() == 0
    page.screenshot(path=str(tmp_path / "query-page.png"), full_page=True)
    assert elsewhere == [], elsewhere
    assert page.request.get(f"{server}/favicon.ico").headers["content-type"] == "image/x-icon"
    assert errors == []
