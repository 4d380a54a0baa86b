"""Past releases keep answering (issue 27): ``<dataset>/version/X`` on `serve`, for every archived X.

The expected bytes are the archive's own (releases/X/*.gz, decompressed here), the expected versions the
archive's folders and dataset.yaml: not what the server computes.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import ROOT
from inprocess import app_client

ARCHIVED = sorted(p.name for p in (ROOT / "releases").iterdir() if p.is_dir())
CURRENT = yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))["version"]
DATASET = "https://w3id.org/clusterlod/dataset"


@pytest.fixture(scope="module")
def serve(built_dist: Path) -> Iterator[httpx.Client]:
    with app_client(dist=built_dist, query_workers=1) as client:
        yield client


def test_there_is_a_past_release() -> None:
    assert [v for v in ARCHIVED if v != CURRENT], "no past release archived in releases/"


@pytest.mark.parametrize("version", ARCHIVED)
def test_an_archived_version_answers(serve: httpx.Client, version: str) -> None:
    folder = ROOT / "releases" / version
    iri = f"/dataset/version/{version}"
    html = serve.get(iri, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert (html.status_code, html.headers["location"]) == (303, f"{iri}.en.html")
    turtle = serve.get(iri, headers={"Accept": "text/turtle"})
    assert (turtle.status_code, turtle.headers["location"]) == (303, f"{iri}.ttl")
    catalogue = gzip.decompress((folder / "catalog.ttl.gz").read_bytes())
    assert serve.get(f"{iri}.ttl").content == catalogue
    for archived in sorted(folder.rglob("*.gz")):
        name = archived.relative_to(folder).as_posix()[:-3]
        answer = serve.get(f"{iri}/download/{name}")
        assert answer.status_code == 200, name
        assert answer.content == gzip.decompress(archived.read_bytes()), name
        assert f'<{DATASET}/version/{version}>; rel="collection"' in answer.headers["link"]
    for lang in ("ja", "en"):
        page = serve.get(f"{iri}.{lang}.html")
        assert page.status_code == 200 and page.headers["content-language"] == lang
        text = page.text
        assert f"{iri}/download/clusterlod.nq" in text and f"{iri}/download/README.md" in text
        # It says which version it shows and links to the others, the current one included.
        assert re.search(rf"<strong>{re.escape(version)}</strong>", text)
        assert f'href="/dataset/version/{CURRENT}.{lang}.html"' in text


def test_the_current_page_names_its_version_and_links_the_others(serve: httpx.Client) -> None:
    for lang in ("ja", "en"):
        page = serve.get(f"/index.{lang}.html").text
        assert f'href="/dataset/version/{CURRENT}.{lang}.html">{CURRENT}</a>' in page
        for version in ARCHIVED:
            assert f'href="/dataset/version/{version}.{lang}.html">{version}</a>' in page
    current = serve.get(f"/dataset/version/{CURRENT}.en.html")
    assert current.status_code == 200 and "This is the current version." in current.text


def test_the_next_versions_notes_show_on_the_previous_one(serve: httpx.Client, built_dist: Path) -> None:
    """The change notes to the next version, on the older version's page: the current catalogue's own notes."""
    import rdflib

    catalog = rdflib.Graph().parse(built_dist / "catalog.ttl")
    previous = catalog.value(rdflib.URIRef(DATASET), rdflib.URIRef("http://www.w3.org/ns/dcat#previousVersion"))
    notes = {n.language: str(n) for n in catalog.objects(rdflib.URIRef(DATASET),
                                                         rdflib.URIRef("http://www.w3.org/ns/adms#versionNotes"))}
    version = str(previous).rsplit("/", 1)[-1]
    page = serve.get(f"/dataset/version/{version}.en.html").text
    assert notes["en"].replace("'", "&#39;") in page


def test_unknown_versions_and_files_are_404(serve: httpx.Client) -> None:
    for path in ("/dataset/version/9.9.9", "/dataset/version/9.9.9.en.html", f"/dataset/version/{ARCHIVED[0]}.en.ttl",
                 f"/dataset/version/{ARCHIVED[0]}/download/no-such-file.ttl", "/dataset/version/0.3",
                 f"/dataset/version/{ARCHIVED[0]}/download/../catalog.ttl",
                 f"/download/releases/{ARCHIVED[0]}/catalog.ttl.gz"):
        assert serve.get(path, headers={"Accept": "text/html"}).status_code == 404, path


def test_memento_finds_the_version_current_at_a_date(serve: httpx.Client, built_dist: Path) -> None:
    """RFC 7089: the dataset IRI is its own TimeGate; the TimeMap lists every version with its date."""
    import rdflib

    versions = {}  # version -> its release date, from each version's own catalogue
    for folder in sorted((ROOT / "releases").iterdir()):
        graph = rdflib.Graph().parse(data=gzip.decompress((folder / "catalog.ttl.gz").read_bytes()), format="turtle")
        dataset = rdflib.URIRef(DATASET)
        date = graph.value(dataset, rdflib.DCTERMS.modified) or graph.value(dataset, rdflib.DCTERMS.issued)
        versions[folder.name] = str(date)
    versions[CURRENT] = yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))["modified"]
    oldest = min(versions, key=lambda v: versions[v])
    day = versions[oldest]
    from datetime import datetime
    from email.utils import format_datetime

    noon = format_datetime(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC), usegmt=True)
    gate = serve.get("/dataset", headers={"Accept-Datetime": noon})
    assert (gate.status_code, gate.headers["location"]) == (302, f"/dataset/version/{oldest}")
    assert "accept-datetime" in gate.headers["vary"].lower() and 'rel="original timegate"' in gate.headers["link"]
    now = serve.get("/dataset", headers={"Accept-Datetime": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert now.headers["location"] == f"/dataset/version/{max(versions, key=lambda v: versions[v])}"
    assert serve.get("/dataset", headers={"Accept-Datetime": "yesterday"}).status_code == 400
    assert serve.get("/dataset", headers={"Accept": "text/html"}).status_code == 303  # no Accept-Datetime: as before
    page = serve.get(f"/dataset/version/{oldest}.en.html")
    assert page.headers["memento-datetime"].startswith(format_datetime(
        datetime.fromisoformat(day).replace(tzinfo=UTC), usegmt=True)[:16])
    timemap = serve.get("/dataset/timemap")
    assert timemap.headers["content-type"].startswith("application/link-format")
    listed = re.findall(r'<([^>]+)>; rel="[^"]*memento[^"]*"; datetime="([^"]+)"', timemap.text)
    assert {iri.rsplit("/", 1)[-1] for iri, _ in listed} == set(versions)


def test_an_archived_file_that_differs_from_its_catalogue_is_never_served(built_dist: Path, tmp_path: Path) -> None:
    """The archive copy is served only as each version's own catalogue lists and checks it: one changed
    byte in an archived file refuses the whole release, as a changed current file does."""
    import shutil

    from clusterlod.web.release.generations import take_snapshot

    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    stored = dist / "releases" / ARCHIVED[0] / "clusterlod.nt.gz"
    text = gzip.decompress(stored.read_bytes())
    stored.write_bytes(gzip.compress(text.replace(b"<", b"<", 1) + b"\n", mtime=0))
    with pytest.raises(Exception, match="SHA-256"):
        take_snapshot(dist, attempts=1)
    unlisted = dist / "releases" / ARCHIVED[0] / "secret.env.gz"
    stored.write_bytes(gzip.compress(text, mtime=0))
    unlisted.write_bytes(gzip.compress(b"TOKEN=1", mtime=0))
    snapshot = take_snapshot(dist, attempts=1)
    assert not any(name.endswith("secret.env.gz") for name in snapshot.digests)
