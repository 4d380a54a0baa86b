"""`clusterlod site`: the static tree, and nginx (Debian's) serving it with the same negotiation."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from support.nginx import start_nginx
from test_serve import BASE, CLUSTER, MATRIX, SYNTAXES, answers_every_iri, canned_queries

from clusterlod import formats
from clusterlod.bench.processes import free_port, stop
from clusterlod.web.release import webconf
from clusterlod.web.release.served import Release
from clusterlod.web.release.static_site import NGINX_FILE, write_site


@pytest.fixture(scope="module")
def tree(built_dist: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    out = tmp / "site"
    write_site(built_dist, out, None, canned_queries(project_root, tmp / "queries"))
    return out


@pytest.fixture(scope="module")
def release(built_dist: Path) -> Release:
    return Release(built_dist)


def test_tree_has_every_page_and_document(tree: Path, release: Release) -> None:
    for iri in release.resources:
        stem = iri[len(BASE):]
        for suffix in ("ja.html", "en.html", "html", *SYNTAXES):
            assert (tree / f"{stem}.{suffix}").is_file(), f"{stem}.{suffix}"
    assert (tree / f"{CLUSTER}.ttl").read_bytes() == release.document(BASE + CLUSTER, formats.TURTLE)
    for name in ("index.html", "index.en.html", "search.ja.html", "404.html", "sitemap.xml", NGINX_FILE, ".htaccess",
                 "static/style.css", "download/clusterlod.nq", "download/catalog.ttl"):
        assert (tree / name).is_file(), name
    assert list((tree / "queries").glob("*.en.html"))


def test_static_links_are_relative(tree: Path) -> None:
    page = (tree / f"{CLUSTER}.en.html").read_text(encoding="utf-8")
    assert 'href="../../static/style.css"' in page
    assert 'href="../../id/region/hokkaido.en.html"' in page
    assert 'href="/' not in page.replace('href="/404', "")
    index = (tree / "index.en.html").read_text(encoding="utf-8")
    assert 'href="./queries/' in index and "/sparql?query=" not in index


def test_precomputed_query_page(tree: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (tree / "queries").glob("*.en.html")]
    assert any("<table>" in page for page in pages)
    assert not any("<textarea" in page or 'class="error"' in page for page in pages)


def test_apache_config_mirrors_the_rules() -> None:
    htaccess = webconf.apache()
    assert "RewriteEngine On" in htaccess and "R=303" in htaccess and "AddType text/turtle .ttl" in htaccess


@pytest.fixture(scope="module")
def nginx(tree: Path, tmp_path_factory: pytest.TempPathFactory):
    """Debian's nginx on a loopback port, serving the tree with the generated rules."""
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (tmp / "site.conf").write_text(webconf.nginx(str(tree), f"127.0.0.1:{port}"), encoding="utf-8")
    process = start_nginx(tmp, port, f"    include {tmp}/site.conf;")
    yield f"http://127.0.0.1:{port}"
    stop(process)
    time.sleep(0.1)


@pytest.fixture(scope="module")
def client(nginx: str):
    with httpx.Client(base_url=nginx, timeout=30) as c:
        yield c


@pytest.mark.parametrize(("accept", "extension"), MATRIX)
def test_nginx_negotiation_matrix(client: httpx.Client, accept: str, extension: str) -> None:
    response = client.get(f"/{CLUSTER}", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/{CLUSTER}.{extension}")
    assert "Accept" in response.headers["vary"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_nginx_answers_every_iri(client: httpx.Client, release: Release) -> None:
    answers_every_iri(client, release)
    for iri in sorted(release.resources):
        html = client.get("/" + iri[len(BASE):], headers={"Accept": "text/html"})
        assert html.headers["location"].endswith(".ja.html")
    document = client.get(f"/{CLUSTER}.ttl")
    assert any(t.subject == ox.NamedNode(BASE + CLUSTER) for t in ox.parse(document.content, ox.RdfFormat.TURTLE))


def test_nginx_language_dataset_and_errors(nginx: str, client: httpx.Client) -> None:
    english = client.get(f"/{CLUSTER}", headers={"Accept": "text/html", "Accept-Language": "en-US,en;q=0.9"})
    assert english.headers["location"].endswith(".en.html")
    with httpx.Client(base_url=nginx) as browser:
        switched = browser.get(f"/{CLUSTER}.en.html?lang=en")
        assert "lang=en" in switched.headers["set-cookie"]
        assert browser.get(f"/{CLUSTER}", headers={"Accept": "text/html"}).headers["location"].endswith(".en.html")
    assert client.get("/", headers={"Accept": "text/turtle"}).headers["location"].endswith("/dataset.ttl")
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.headers["location"].endswith("/dataset.ttl")
    assert '<html lang="ja">' in client.get("/").text
    assert client.get(f"/{CLUSTER}", headers={"Accept": "image/png"}).status_code == 406
    missing = client.get("/id/cluster/no-such-project")
    assert missing.status_code == 404 and 'type="search"' in missing.text


def test_nginx_answers_every_archived_version(client: httpx.Client, tree: Path) -> None:
    """<dataset>/version/X under nginx (issue 27): 303s, the page, the catalogue and the archived files."""
    import gzip

    releases = Path(__file__).resolve().parents[1] / "releases"
    versions = sorted(p for p in releases.iterdir() if p.is_dir())
    assert versions
    for folder in versions:
        path = f"/dataset/version/{folder.name}"
        html = client.get(path, headers={"Accept": "text/html", "Accept-Language": "en"}, follow_redirects=False)
        assert html.status_code == 303 and html.headers["location"].endswith(f"{path}.en.html")
        turtle = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=False)
        assert turtle.status_code == 303 and turtle.headers["location"].endswith(f"{path}.ttl")
        assert client.get(f"{path}.ttl").content == gzip.decompress((folder / "catalog.ttl.gz").read_bytes())
        assert client.get(f"{path}.en.html").status_code == 200
        for archived in sorted(folder.rglob("*.gz")):
            name = archived.relative_to(folder).as_posix()[:-3]
            assert client.get(f"{path}/download/{name}").content == gzip.decompress(archived.read_bytes()), name
    for name, media in (("linkset", "application/linkset"), ("linkset.json", "application/linkset+json")):
        answer = client.get(f"/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), name


def test_tree_carries_yasgui_unmodified_with_its_licence(tree: Path) -> None:
    vendored = Path(__file__).resolve().parents[1] / "src" / "clusterlod" / "static" / "vendor" / "yasgui"
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE", "README.md"):
        assert (tree / "static" / "vendor" / "yasgui" / name).read_bytes() == (vendored / name).read_bytes(), name
    assert "MIT License" in (vendored / "LICENSE").read_text() and "4.6.2" in (vendored / "README.md").read_text()


def test_the_tree_has_favicon_and_robots(tree: Path) -> None:
    from test_serve import _icon_size

    assert _icon_size((tree / "favicon.ico").read_bytes()) == (32, 32)
    robots = (tree / "robots.txt").read_text(encoding="ascii").splitlines()
    assert robots[0] == "User-agent: *" and "Disallow: /sparql" in robots
    assert any(line.startswith("Sitemap: ") and line.endswith("/sitemap.xml") for line in robots)
    assert (tree / "sitemap.xml").is_file()


def test_tables_are_in_the_tree_and_served_with_their_types(tree: Path, built_dist: Path, client: httpx.Client
                                                            ) -> None:
    names = sorted(p.name for p in (built_dist / "csv").iterdir())
    index = (tree / "index.ja.html").read_text(encoding="utf-8")
    for name in names:
        assert (tree / "download" / "csv" / name).read_bytes() == (built_dist / "csv" / name).read_bytes()
        assert f'href="./download/csv/{name}"' in index, name
        response = client.get(f"/download/csv/{name}")
        assert response.status_code == 200 and response.content == (built_dist / "csv" / name).read_bytes()
        media = (formats.CSVW_METADATA_MEDIA_TYPE if name == formats.CSVW_METADATA_FILE
                 else f"{formats.CSV_MEDIA_TYPE}; charset=utf-8")
        assert response.headers["content-type"] == media, name
        assert response.headers["access-control-allow-origin"] == "*", name
