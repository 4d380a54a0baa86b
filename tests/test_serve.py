"""The server's app in process (httpx.ASGITransport, real query workers): negotiation, pages, SPARQL, limits.

What needs a real socket (SPARQLWrapper, raw request lines, timeouts) is in test_serve_smoke.py.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from inprocess import app_client

from clusterlod.release.catalog import CATALOG_FILE
from clusterlod.web.http.negotiation import choose
from clusterlod.web.release.paths import is_suspicious
from clusterlod.web.release.served import Release

BASE = "https://w3id.org/clusterlod/"
CLUSTER = "id/cluster/hokkaido-super-cluster"
SYNTAXES = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
SAMPLE_QUERY = """# title-ja: 企業数の多いプロジェクト
# title-en: Projects by number of companies
PREFIX clo: <https://w3id.org/clusterlod/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?label ?companies WHERE {
  ?project a clo:Cluster ; rdfs:label ?label ; clo:companyCount/clo:value ?companies .
  FILTER(lang(?label) = "ja")
} ORDER BY DESC(?companies)
"""
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: (Accept, extension the 303 must point at); shared with the nginx test.
MATRIX = [
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("text/html", "ja.html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "ja.html"),
    ("*/*", "ja.html"),
    ("application/rdf+xml, text/html;q=0.5", "rdf"),
    ("text/html;q=0.4, text/turtle;q=0.9", "ttl"),
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("application/n-triples;q=0.8, application/rdf+xml;q=0.3, text/html;q=0.1", "nt"),
    ("text/turtle;q=0, */*", "ja.html"),
    ("application/json", "jsonld"),
    ("application/*", "jsonld"),
    ("text/*;q=0.5, application/n-triples", "nt"),
]


def canned_queries(project_root: Path, tmp: Path) -> Path:
    """The project's canned queries, or a sample one while queries/ has none."""
    folder = project_root / "queries"
    if list(folder.glob("*.rq")):
        return folder
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "projects-by-companies.rq").write_text(SAMPLE_QUERY, encoding="utf-8")
    return tmp


#: Small limits, so the limits can be shown quickly (shared with the smoke tests' real server).
SMALL_LIMITS = {"timeout": 2.0, "max_result_bytes": 300_000, "max_request_bytes": 20_000}


@pytest.fixture(scope="module")
def client(built_dist: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app in this process with small limits; its query workers are real processes."""
    queries = canned_queries(project_root, tmp_path_factory.mktemp("serve") / "queries")
    with app_client(dist=built_dist, queries=queries, **SMALL_LIMITS) as c:
        yield c
        c.cookies.clear()


@pytest.fixture(scope="module")
def release(built_dist: Path) -> Release:
    return Release(built_dist)


def alive(client: httpx.Client) -> None:
    assert client.get("/static/style.css").status_code == 200


# ---------------------------------------------------------------- negotiation

@pytest.mark.parametrize(("accept", "extension"), MATRIX)
def test_negotiation_matrix(client: httpx.Client, accept: str, extension: str) -> None:
    response = client.get(f"/{CLUSTER}", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == f"/{CLUSTER}.{extension}"
    assert "Accept" in response.headers["vary"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_python_choice_matches_the_matrix() -> None:
    for accept, extension in MATRIX:
        assert choose(accept).extension == extension.split(".")[-1], accept


def test_no_accept_gets_html_and_unacceptable_gets_406(client: httpx.Client) -> None:
    response = client.get(f"/{CLUSTER}", headers={"Accept": ""})
    assert response.headers["location"].endswith(".ja.html")
    assert client.get(f"/{CLUSTER}", headers={"Accept": "image/png"}).status_code == 406


def answers_every_iri(client: httpx.Client, release: Release) -> None:
    """Each resource IRI of the build 303s to each representation, which names the resource.

    Shared by the Python server's test and the nginx test of the static tree: the same matrix.
    """
    assert len(release.resources) > 400
    for iri in sorted(release.resources):
        path = "/" + iri[len(BASE):]
        for media, syntax in SYNTAXES.values():
            redirect = client.get(path, headers={"Accept": media})
            assert redirect.status_code == 303, (iri, media)
            document = client.get(redirect.headers["location"])
            assert document.status_code == 200, (iri, media)
            assert document.headers["content-type"].startswith(media), (iri, document.headers["content-type"])
            assert document.headers["access-control-allow-origin"] == "*"
            triples = list(ox.parse(document.content, syntax))
            assert any(t.subject == ox.NamedNode(iri) or t.object == ox.NamedNode(iri) for t in triples), (iri, media)
        html = client.get(path, headers={"Accept": "text/html"})
        page = client.get(html.headers["location"])
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_every_iri_answers_in_html_and_four_syntaxes(client: httpx.Client, release: Release) -> None:
    """The issue's done-criterion: each resource IRI of the build, each representation."""
    answers_every_iri(client, release)


def test_description_has_outgoing_labels_and_incoming(client: httpx.Client) -> None:
    triples = list(ox.parse(client.get(f"/{CLUSTER}.nt").content, ox.RdfFormat.N_TRIPLES))
    iri = ox.NamedNode(BASE + CLUSTER)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    region = ox.NamedNode(BASE + "id/region/hokkaido")
    assert any(t.subject == iri and t.object == region for t in triples)
    assert any(t.subject == region and t.predicate == label for t in triples)
    assert any(t.object == iri and t.subject.value.startswith(BASE + "id/statement/") for t in triples)
    assert any(t.predicate.value.endswith("#exact") for t in triples)


def test_ontology_and_terms_dereference(client: httpx.Client) -> None:
    assert client.get("/ontology", headers={"Accept": "text/turtle"}).headers["location"] == "/ontology.ttl"
    ontology = list(ox.parse(client.get("/ontology.ttl").content, ox.RdfFormat.TURTLE))
    assert len(ontology) > 500
    response = client.get("/ontology/Cluster", headers={"Accept": "application/ld+json"})
    assert response.headers["location"] == "/ontology/Cluster.jsonld"
    assert "Cluster" in client.get("/ontology/Cluster.en.html").text


def test_dataset_void_sitemap_and_downloads(client: httpx.Client, built_dist: Path) -> None:
    assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).headers["location"] == "/dataset.ttl"
    catalog = list(ox.parse(client.get("/dataset.ttl").content, ox.RdfFormat.TURTLE))
    assert any(t.predicate.value == "http://rdfs.org/ns/void#sparqlEndpoint" for t in catalog)
    assert client.get("/", headers={"Accept": "text/turtle"}).headers["location"] == "/dataset.ttl"
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and f"/{CLUSTER}.en.html</loc>" in sitemap.text
    download = client.get("/download/clusterlod.ttl")
    assert download.content == (built_dist / "clusterlod.ttl").read_bytes()
    assert download.headers["access-control-allow-origin"] == "*"
    assert client.get(f"/download/{CATALOG_FILE}").status_code == 200


# ---------------------------------------------------------------- pages

def test_page_content(client: httpx.Client) -> None:
    page = client.get(f"/{CLUSTER}.en.html").text
    assert '<html lang="en">' in page
    assert "Hokkaido Super Cluster Promotion Strategy II" in page
    assert "北海道スーパー・クラスター振興戦略Ⅱ" in page
    assert '<script type="application/ld+json">' in page
    for media in ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"):
        assert f'<link rel="alternate" type="{media}"' in page
    assert "情報・バイオ分野" in page  # the source quote
    assert 'class="mark"' in page and "Region from the project" in page  # an editorial mark and its basis
    title = "知的クラスター創成事業における関係府省等との連携及び国際展開"  # the page's title (source, l.1-2)
    footer = html.unescape(page.split("<footer>")[1])
    assert f'Source: "{title}" (MEXT)' in footer and "creativecommons.org/licenses/by/4.0" in footer
    ja = client.get(f"/{CLUSTER}.ja.html").text
    assert f"出典：「{title}」（文部科学省）" in ja and f"「{title}」（文部科学省）を加工して作成" in ja
    embedded = ja.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(embedded)["@graph"]


def test_language_switch_is_remembered(client: httpx.Client) -> None:
    try:
        response = client.get(f"/{CLUSTER}.en.html?lang=en")
        assert "lang=en" in response.headers["set-cookie"]
        assert client.get(f"/{CLUSTER}", headers={"Accept": "text/html"}).headers["location"].endswith(".en.html")
        assert '<html lang="en">' in client.get("/").text
    finally:
        client.cookies.clear()
    english = client.get(f"/{CLUSTER}", headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["location"].endswith(".en.html")


def test_index_has_everything(client: httpx.Client) -> None:
    index = client.get("/index.en.html").text
    assert index.count("<svg") >= 2 and "Companies and universities per region" in index
    assert "Timeline" in index and 'datetime="2007-11-28"' in index
    assert "clusterlod.nq" in index and "KB" in index
    assert "/sparql?query=" in index
    assert 'action="/search.en.html"' in index


def test_search_in_either_language(client: httpx.Client) -> None:
    assert "hokkaido-super-cluster" in client.get("/search.en.html", params={"q": "Hokkaido Super"}).text
    assert "hokkaido-super-cluster" in client.get("/search.ja.html", params={"q": "北海道スーパー"}).text
    assert "tohoku-monozukuri-corridor" in client.get("/search.ja.html", params={"q": "TOHOKU"}).text


# ---------------------------------------------------------------- SPARQL protocol

def test_direct_post_and_jsonld_construct(client: httpx.Client) -> None:
    response = client.post("/sparql", content=f"DESCRIBE <{BASE}{CLUSTER}>",
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/ld+json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert json.loads(response.content)["@graph"]
    assert response.headers["access-control-allow-origin"] == "*"
    graphs = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                           "default-graph-uri": BASE + "graph/ontology"},
                        headers={"Accept": "application/sparql-results+json"})
    # The ontology graph only (about 1,060 triples with the IMI crosswalk), not the dataset's 7,000 and more.
    assert 0 < int(graphs.json()["results"]["bindings"][0]["n"]["value"]) < 2000


def test_updates_are_refused(client: httpx.Client) -> None:
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    assert client.post("/sparql", data={"update": insert}).status_code == 403
    direct = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update"})
    assert direct.status_code == 403
    refused = client.get("/sparql", params={"query": "PREFIX ex: <http://example.org/>\n" + insert})
    assert refused.status_code == 403 and "read-only" in refused.text
    assert client.get("/sparql", params={"query": "ASK { <http://example.org/a> ?p ?o }"},
                      headers={"Accept": "application/sparql-results+json"}).json()["boolean"] is False


def test_malformed_query_gives_the_parser_message(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert "does not parse" in response.text and "1:" in response.text
    alive(client)


def test_time_limit(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": HEAVY}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 503 and "time limit" in response.text
    assert client.get("/sparql", params={"query": "ASK {}"},
                      headers={"Accept": "application/sparql-results+json"}).json()["boolean"] is True


def test_result_size_limit(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400 and "limit" in response.text and "LIMIT" in response.text
    alive(client)


def test_editor_page_and_html_results(client: httpx.Client) -> None:
    editor = client.get("/sparql", headers={"Accept": "text/html"})
    assert editor.status_code == 200 and "<textarea" in editor.text
    assert "/static/vendor/yasgui/yasgui.min.js" in editor.text
    results = client.get(f"/sparql?query={quote(SAMPLE_QUERY)}", headers={"Accept": "text/html"})
    assert results.status_code == 200 and "<table>" in results.text and "約2,240社" not in results.text
    assert "2240" in results.text


# ---------------------------------------------------------------- bad requests

def test_unknown_resource_gives_a_404_page_with_search(client: httpx.Client) -> None:
    response = client.get("/id/cluster/no-such-project")
    assert response.status_code == 404
    assert 'type="search"' in response.text and "no such project" in response.text
    assert client.get("/id/cluster/no-such-project.ttl").status_code == 404
    alive(client)


def test_oversized_requests_give_413(client: httpx.Client) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    assert client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413

    def chunks():
        for _ in range(30):
            yield b"x" * 1000
    chunked = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert chunked.status_code == 413
    assert client.get("/sparql", params={"query": big}).status_code in (413, 414, 431, 400)
    alive(client)


def test_suspicious_path_rules() -> None:
    assert not is_suspicious(b"/id/cluster/hokkaido-super-cluster.ja.html")
    assert is_suspicious(b"/id/%2e%2e/x") and is_suspicious(b"/a/../b") and is_suspicious(b"/a//b")


def test_cors_preflight(client: httpx.Client) -> None:
    response = client.options("/sparql", headers={"Origin": "http://example.org",
                                                  "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204 and "POST" in response.headers["access-control-allow-methods"]




def test_yasgui_is_served_by_the_server_itself(client: httpx.Client) -> None:
    import hashlib

    readme = (Path(__file__).resolve().parents[1] / "src/clusterlod/static/vendor/yasgui/README.md").read_text()
    for name, media in (("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")):
        response = client.get(f"/static/vendor/yasgui/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert hashlib.sha256(response.content).hexdigest() in readme, name  # unmodified: the hash of npm's file
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    import re

    assets = re.findall(r'<script src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"', page)
    assert len(assets) >= 4 and all((a or b).startswith("/static/") for a, b in assets), assets  # no CDN


def _icon_size(ico: bytes) -> tuple[int, int]:
    """Width and height of the PNG inside a one-image ICO, read from the bytes (ICONDIR, entry, PNG IHDR)."""
    assert ico[:6] == b"\0\0\1\0\1\0", "not an ICO with one image"
    offset = int.from_bytes(ico[18:22], "little")
    png = ico[offset:]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_favicon_and_robots_are_served(client: httpx.Client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert _icon_size(icon.content) == (32, 32)
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert lines[0] == "User-agent: *" and "Disallow: /sparql" in lines
    assert "Sitemap: https://w3id.org/clusterlod/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200  # the sitemap it names is there


def test_the_query_editor_opens_on_a_table_not_an_ask(client: httpx.Client) -> None:
    page = client.get("/sparql", params={"lang": "en"}).text
    text = page.split('<textarea id="query"', 1)[1].split("</textarea>", 1)[0]
    start = (Path(__file__).resolve().parents[1] / "queries" / "totals-by-region.rq").read_text(encoding="utf-8")
    assert "SELECT" in text and "ASK" not in text and "VALUES" not in text
    assert start.strip().splitlines()[-1].strip() in text  # the canned query totals-by-region


def test_tables_are_served_and_linked(client: httpx.Client, built_dist: Path) -> None:
    """dist/csv/ under /download/csv/ with the catalogue's media types, and the index page's Tables list."""
    from clusterlod import formats

    names = sorted(p.name for p in (built_dist / "csv").iterdir())
    assert "projects.csv" in names and formats.CSVW_METADATA_FILE in names
    for name in names:
        response = client.get(f"/download/csv/{name}")
        assert response.status_code == 200 and response.content == (built_dist / "csv" / name).read_bytes()
        media = formats.CSVW_METADATA_MEDIA_TYPE if name.endswith(".json") else "text/csv; charset=utf-8"
        assert response.headers["content-type"] == media, name
        assert response.headers["access-control-allow-origin"] == "*"
    for lang, heading in (("ja", "表（CSV）"), ("en", "Tables (CSV)")):
        page = client.get(f"/index.{lang}.html").text
        assert heading in page
        for name in names:
            assert f'href="/download/csv/{name}"' in page, (lang, name)
