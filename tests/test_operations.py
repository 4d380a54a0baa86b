"""What an operator relies on: download validators and ranges, /healthz, /metrics and the access log.

The app runs in process (httpx.ASGITransport, real query workers); /metrics is read with
prometheus_client's own parser, the access log with a regular expression of the Combined
Log Format written from Apache's definition, the expected checksums from the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import anyio.from_thread
import httpx
import pyoxigraph as ox
import pytest
from inprocess import PortalTransport, app_client
from prometheus_client.parser import text_string_to_metric_families
from stores import _oxigraph
from test_serve import HEAVY, SMALL_LIMITS

from clusterlod.errors import ClusterlodError, DataError, ExitCode
from clusterlod.web.http.app import create_app
from clusterlod.web.http.limits import Settings
from clusterlod.web.http.operations import HEALTH_PROBE_S, METRICS
from clusterlod.web.release import generations
from clusterlod.web.release.generations import PINNED
from clusterlod.web.sparql.worker import QueryRequest

SPDX = "http://spdx.org/rdf/terms#"
DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
PAGE = "/id/cluster/hokkaido-super-cluster.en.html"
#: Apache's "combined" LogFormat: %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i".
COMBINED = re.compile(r'^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) '
                      r'\[(?P<time>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] '
                      r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<bytes>\d+|-) '
                      r'"(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)"$')


def another_release(dist: Path, note: str) -> None:
    """A release that differs from the one in ``dist`` by its catalogue's bytes (a comment more).

    A file the catalogue does not list is no part of a release: it is neither served nor counted.
    """
    with (dist / "catalog.ttl").open("a", encoding="utf-8") as catalog:
        catalog.write(f"# {note}\n")


def release_id(dist: Path) -> str:
    """The identity docs/serving.md defines: SHA-256 over the sorted list of (path, SHA-256 of the file), for
    catalog.ttl and the files it states a SHA-256 for (what is served; a marker or a stray file is not)."""
    catalog = ox.Store()
    catalog.load(path=str(dist / "catalog.ttl"), format=ox.RdfFormat.TURTLE)
    spdx = "http://spdx.org/rdf/terms#"
    listed = {q.subject.value.partition("/download/")[2]
              for q in catalog.quads_for_pattern(None, ox.NamedNode(spdx + "checksum"), None, None)}
    files = sorted({"catalog.ttl", *listed})
    manifest = "".join(f"{name}\0{hashlib.sha256((dist / name).read_bytes()).hexdigest()}\n" for name in files)
    return hashlib.sha256(manifest.encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def client(built_dist: Path, project_root: Path) -> Iterator[httpx.Client]:
    with app_client(dist=built_dist, queries=project_root / "queries", **SMALL_LIMITS) as c:
        yield c


def catalogue(built_dist: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built_dist / "catalog.ttl"), format=ox.RdfFormat.TURTLE)
    return store


# ---------------------------------------------------------------- downloads

def test_a_download_carries_its_sha256_as_etag_and_its_file_time(client: httpx.Client, built_dist: Path) -> None:
    data = (built_dist / "clusterlod.nq").read_bytes()
    response = client.get("/download/clusterlod.nq")
    assert response.status_code == 200 and response.content == data
    assert response.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    stated = {q.object.value for q in catalogue(built_dist).quads_for_pattern(
        ox.NamedNode("https://w3id.org/clusterlod/download/clusterlod.nq#sha256"),
        ox.NamedNode(SPDX + "checksumValue"), None, None)}
    assert stated == {response.headers["etag"].strip('"')}  # the value the catalogue states
    assert response.headers["last-modified"] == formatdate((built_dist / "clusterlod.nq").stat().st_mtime,
                                                           usegmt=True)
    assert response.headers["accept-ranges"] == "bytes"


def test_conditional_downloads_answer_304(client: httpx.Client) -> None:
    first = client.get("/download/catalog.ttl")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": modified}):
        response = client.get("/download/catalog.ttl", headers=headers)
        assert response.status_code == 304 and response.content == b"", headers
        assert response.headers["etag"] == etag
    assert client.get("/download/catalog.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/download/catalog.ttl", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
                      ).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert client.get("/download/catalog.ttl", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
                      ).status_code == 200


def test_downloads_answer_byte_ranges(client: httpx.Client, built_dist: Path) -> None:
    data = (built_dist / "clusterlod.ttl").read_bytes()
    size = len(data)
    path = "/download/clusterlod.ttl"
    etag = client.head(path).headers["etag"]
    cases = [("bytes=0-9", 0, 9), ("bytes=10-", 10, size - 1), ("bytes=-5", size - 5, size - 1),
             (f"bytes={size - 3}-{size + 100}", size - 3, size - 1)]
    for header, first, last in cases:
        response = client.get(path, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.content == data[first:last + 1]
        assert response.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert response.headers["etag"] == etag
    for header in (f"bytes={size}-", "bytes=-0"):
        response = client.get(path, headers={"Range": header})
        assert response.status_code == 416 and response.headers["content-range"] == f"bytes */{size}", header
    # several ranges, a unit other than bytes, or a malformed range: the whole file (RFC 9110 14.2 allows it)
    for header in ("bytes=0-1,5-6", "items=0-1", "bytes=9-2", "bytes=x-y"):
        response = client.get(path, headers={"Range": header})
        assert response.status_code == 200 and response.content == data, header
    assert client.get(path, headers={"Range": "bytes=0-9", "If-Range": etag}).status_code == 206
    assert client.get(path, headers={"Range": "bytes=0-9", "If-Range": '"stale"'}).content == data


# ---------------------------------------------------------------- /healthz

def test_healthz_names_the_release_it_serves(client: httpx.Client, built_dist: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    versions = [q.object.value for q in catalogue(built_dist).quads_for_pattern(
        ox.NamedNode("https://w3id.org/clusterlod/dataset"), ox.NamedNode(DCAT_VERSION), None, None)]
    assert body["status"] == "ok" and body["store"] == "embedded"
    assert body["release"] == release_id(built_dist) == response.headers["x-clusterlod-release"]
    assert body["version"] == (versions[0] if versions else None)
    assert client.get(PAGE).headers["x-clusterlod-release"] == body["release"]
    document = client.get("/id/cluster/hokkaido-super-cluster.ttl")  # CORS: a script elsewhere may read it
    assert document.headers["x-clusterlod-release"] == body["release"]
    assert "X-Clusterlod-Release" in document.headers["access-control-expose-headers"]


def test_healthz_says_503_when_the_remote_store_is_gone(built_dist: Path, project_root: Path, tmp_path: Path) -> None:
    servers = _oxigraph(tmp_path)
    server = next(servers)
    try:
        response = httpx.post(server.store_url, content=(built_dist / "clusterlod.nq").read_bytes(),
                              headers={"Content-Type": "application/n-quads"}, timeout=60)
        assert response.status_code in (200, 201, 204)
        with app_client(dist=built_dist, endpoint=server.query_url, queries=project_root / "queries",
                        timeout=3.0) as c:
            up = c.get("/healthz")
            assert up.status_code == 200 and up.json()["store"] == {"endpoint": server.query_url, "reachable": True}
            server.stop()
            time.sleep(HEALTH_PROBE_S)  # the last probe's answer is kept this long (a flood costs one probe)
            down = c.get("/healthz")
            assert down.status_code == 503
            assert down.json()["status"] == "unavailable" and down.json()["store"]["reachable"] is False
            assert "\n" not in down.json()["error"]
    finally:
        servers.close()


# ---------------------------------------------------------------- /metrics

def families(client: httpx.Client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def sample(found: dict, family: str, name: str, **labels: str) -> float:
    values = [s.value for s in found[family].samples if s.name == name and all(s.labels.get(k) == v
                                                                                for k, v in labels.items())]
    return sum(values)


def test_metrics_parse_and_count_what_happened(client: httpx.Client, built_dist: Path) -> None:
    before = families(client)
    query = {"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 3"}
    accept = {"Accept": "application/sparql-results+json"}
    assert client.get(PAGE).status_code == 200
    assert client.get("/id/cluster/no-such-project.en.html").status_code == 404
    assert client.get("/sparql", params=query, headers=accept).status_code == 200
    assert client.get("/sparql", params=query, headers=accept).status_code == 200  # the same: from the cache
    assert client.get("/sparql", params={"query": HEAVY}, headers=accept).status_code == 503  # costs its worker
    after = families(client)
    requests = "clusterlod_http_requests"

    def grew(family: str, name: str, **labels: str) -> float:
        return sample(after, family, name, **labels) - sample(before, family, name, **labels)

    assert grew(requests, requests + "_total", route="page", status="200") == 1
    assert grew(requests, requests + "_total", route="page", status="404") == 1
    assert grew(requests, requests + "_total", route="sparql", status="200") == 2
    assert grew(requests, requests + "_total", route="sparql", status="503") == 1
    latency = "clusterlod_http_request_duration_seconds"
    assert grew(latency, latency + "_count", route="sparql") == 3
    assert grew(latency, latency + "_bucket", route="sparql", le="+Inf") == 3
    assert grew(latency, latency + "_sum", route="sparql") >= SMALL_LIMITS["timeout"]  # the heavy one waited
    assert grew("clusterlod_answer_cache_hits", "clusterlod_answer_cache_hits_total") == 1
    assert grew("clusterlod_query_worker_restarts", "clusterlod_query_worker_restarts_total") == 1
    info = [s for s in after["clusterlod_release_info"].samples if s.name == "clusterlod_release_info"]
    assert [(s.labels["release"], s.value) for s in info] == [(release_id(built_dist), 1.0)]


def test_metrics_are_the_ones_documented(client: httpx.Client) -> None:
    """The table of docs/serving.md is made from METRICS: every name there is exposed, nothing else is."""
    assert client.get("/").status_code == 200  # a labelled counter is exposed once it has counted something
    exposed = set()
    for family in families(client).values():
        exposed.update(s.name for s in family.samples)
    documented = {name for name, _, _ in METRICS}
    for name, kind, _ in METRICS:
        if kind == "histogram":
            assert {name + "_bucket", name + "_count", name + "_sum"} <= exposed
        else:
            assert name in exposed, name
    extra = {n for n in exposed if not n.endswith("_created")
             and not any(n == d or n.startswith(d + "_") for d in documented)}
    assert extra == set()


# ---------------------------------------------------------------- the access log

@contextlib.contextmanager
def logged_client(built_dist: Path, log: io.StringIO) -> Iterator[httpx.Client]:
    app = create_app(Settings(dist=built_dist, queries=None, query_workers=1), log)
    app.site.start()
    try:
        with anyio.from_thread.start_blocking_portal() as portal, \
                httpx.Client(transport=PortalTransport(app, portal), base_url="http://testserver") as c:
            yield c
    finally:
        app.site.stop()


def test_the_access_log_is_combined_log_format(built_dist: Path) -> None:
    log = io.StringIO()
    with logged_client(built_dist, log) as c:
        page = c.get(PAGE, headers={"User-Agent": 'probe "quoted"\\agent', "Referer": "http://example.org/"})
        missing = c.get("/download/nothing.ttl", params={"q": "1"})
        c.head("/download/catalog.ttl")
    lines = log.getvalue().splitlines()
    assert len(lines) == 3
    parsed = [COMBINED.match(line) for line in lines]
    assert all(parsed), lines
    first, second, third = (m.groupdict() for m in parsed)
    assert first["request"] == f"GET {PAGE} HTTP/1.1" and first["status"] == "200"
    assert int(first["bytes"]) == len(page.content)
    assert first["agent"] == 'probe \\"quoted\\"\\\\agent' and first["referer"] == "http://example.org/"
    assert second["request"] == "GET /download/nothing.ttl?q=1 HTTP/1.1" and second["status"] == "404"
    assert int(second["bytes"]) == len(missing.content)
    assert third["request"] == "HEAD /download/catalog.ttl HTTP/1.1" and third["bytes"] == "-"  # no body sent


# ---------------------------------------------------------------- reloading, in process

def test_a_release_that_cannot_be_read_is_refused_and_the_old_one_keeps_serving(
        built_dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generations, "COPY_ATTEMPTS", 3)  # the retries, for a build still writing, made short
    live = tmp_path / "dist"
    shutil.copytree(built_dist, live)
    with app_client(dist=live, queries=None, query_workers=1) as c:
        site = c.app.site
        before = c.get("/healthz").json()["release"]
        assert site.generations.reload() is False  # the same files: nothing to switch to
        ttl = live / "clusterlod.ttl"
        original = ttl.read_bytes()
        ttl.write_bytes(original + b"# changed after the catalogue was written\n")
        with pytest.raises(DataError, match="does not match its catalogue: clusterlod.ttl does not have the SHA-256"):
            site.generations.reload()
        ttl.write_bytes(original)
        (live / "clusterlod.nq").unlink()
        with pytest.raises(DataError, match="does not match its catalogue: clusterlod.nq is missing"):
            site.generations.reload()
        shutil.rmtree(live)
        with pytest.raises(ClusterlodError, match="the folder is missing"):
            site.generations.reload()
        health = c.get("/healthz").json()
        assert health["release"] == before and "the folder is missing" in health["reload_error"]
        assert c.get("/download/clusterlod.nq").content == (built_dist / "clusterlod.nq").read_bytes()
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                     headers={"Accept": "application/sparql-results+json"}).json()["boolean"] is True
        assert site.generations.reloads == 0 and site.generations.failed_reloads == 3
        shutil.copytree(built_dist, live)
        another_release(live, "a release again")
        assert site.generations.reload() is True
        assert c.get("/healthz").json()["reload_error"] is None


def test_reload_with_a_stale_pid_file_is_one_line(tmp_path: Path) -> None:
    pid_file = tmp_path / "serve.pid"
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process id nobody has now
    pid_file.write_text(f"{child.pid}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "clusterlod", "reload", "--pid-file", str(pid_file)],
                            capture_output=True, text=True)
    assert result.returncode == ExitCode.ERROR
    assert result.stderr.count("\n") == 1 and f"no process {child.pid}" in result.stderr


def test_the_measured_capacity_in_the_docs_is_the_recorded_one(project_root: Path) -> None:
    """docs/serving.md shows the table scripts/measure-serving wrote to benchmarks/serving.md, unchanged."""
    docs = (project_root / "docs" / "serving.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- MEASURED: scripts/measure-serving --write -->\n(.*?)<!-- END MEASURED -->", docs, re.S)
    recorded = (project_root / "benchmarks" / "serving.md").read_text(encoding="utf-8")
    assert block and block.group(1).strip() and block.group(1) in recorded
    assert "| nginx + `clusterlod site` |" in block.group(1) and "| Oxigraph server |" in block.group(1)


def test_a_request_under_way_keeps_its_release_until_it_ends(built_dist: Path, tmp_path: Path) -> None:
    live = tmp_path / "dist"
    shutil.copytree(built_dist, live)
    with app_client(dist=live, queries=None, query_workers=1) as c:
        site = c.app.site
        switch = site.generations
        old = switch.acquire()  # as a request that arrived before the reload holds it
        another_release(live, "another release")
        assert switch.reload() is True
        assert c.get("/healthz").json()["release"] == switch.current.id != old.id
        assert c.get("/download/catalog.ttl").text.endswith("# another release\n")
        time.sleep(0.5)
        token = PINNED.set(old)  # the old request goes on: its release and its query worker are still there
        try:
            assert not site.release.download_path("catalog.ttl").read_text().endswith("# another release\n")
            answer = site.queries.run(QueryRequest("ASK { ?s ?p ?o }", "application/sparql-results+json"))
            assert answer.status == 200
        finally:
            PINNED.reset(token)
        assert old.snapshot.folder.is_dir()
        workers = [w.process for w in old.parts.queries.workers]
        switch.release(old)  # the old request ends: its release is closed
        deadline = time.monotonic() + 10
        while (old.snapshot.folder.exists() or any(p.is_alive() for p in workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not old.snapshot.folder.exists() and not any(p.is_alive() for p in workers)
        assert [p.exitcode for p in workers] == [0]  # asked to exit, not killed


def test_a_sighup_during_a_reload_is_not_lost(built_dist: Path, tmp_path: Path) -> None:
    live = tmp_path / "dist"
    shutil.copytree(built_dist, live)
    with app_client(dist=live, queries=None, query_workers=1) as c:
        switch = c.app.site.generations
        another_release(live, "first")
        switch.request_reload()  # as the SIGHUP handler does
        another_release(live, "second, while the first reload runs")
        switch.request_reload()
        deadline = time.monotonic() + 30
        while switch.current.id != release_id(live) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert c.get("/healthz").json()["release"] == release_id(live)
        assert c.get("/download/catalog.ttl").text.endswith("# second, while the first reload runs\n")
