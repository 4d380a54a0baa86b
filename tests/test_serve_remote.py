"""``serve --endpoint``: the app in process (httpx.ASGITransport) in front of a real Oxigraph server.

The Oxigraph server holds the built dataset in its named graphs and is started without
``--union-default-graph``: the canned queries still work because the client asks for the
union with the protocol parameter, as the embedded store does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pyoxigraph as ox
import pytest
from stores import OxigraphServer, _oxigraph

from clusterlod.sparql import canned
from clusterlod.web.http.app import Settings, create_app

BASE = "https://w3id.org/clusterlod/"
CLUSTER = "id/cluster/hokkaido-super-cluster"
#: A query that keeps Oxigraph busy far longer than any timeout here (a triple cartesian product).
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CANNED = [q for q in canned.discover() if not q.is_qc]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, built_dist: Path) -> Iterator[OxigraphServer]:
    """An Oxigraph server of this module's own, holding the built dataset (posted to its Graph Store)."""
    servers = _oxigraph(tmp_path_factory.mktemp("serve-remote"))
    server = next(servers)
    try:
        load_dataset(server, built_dist)
        yield server
    finally:
        servers.close()


def load_dataset(server: OxigraphServer, built_dist: Path) -> None:
    response = httpx.post(server.store_url, content=(built_dist / "clusterlod.nq").read_bytes(),
                          headers={"Content-Type": "application/n-quads"}, timeout=60)
    assert response.status_code in (200, 201, 204), response.text


@pytest.fixture(scope="module")
def remote_app(loaded: OxigraphServer, built_dist: Path, project_root: Path):
    """One app in front of the loaded server, for the tests that do not stop anything."""
    return app_for(built_dist, project_root, loaded.query_url)


def app_for(built_dist: Path, project_root: Path, endpoint: str, timeout: float = 20.0):
    app = create_app(Settings(dist=built_dist, endpoint=endpoint, queries=project_root / "queries", timeout=timeout))
    app.site.start()
    return app


def get(app, path: str, **params: str) -> httpx.Response:
    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get(path, params=params, headers={"Accept": "application/sparql-results+json"})
    return anyio.run(main)


@pytest.mark.parametrize("query", CANNED, ids=lambda q: q.name)
def test_every_canned_query_works_through_serve_endpoint(query: canned.CannedQuery, remote_app,
                                                         dist_store: ox.Store) -> None:
    app = remote_app
    text = canned.prepare(query)
    local = canned.run_local(text, dist_store)
    accept = "text/turtle" if local.kind == "graph" else "application/sparql-results+json"

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.post("/sparql", data={"query": text}, headers={"Accept": accept})

    response = anyio.run(main)
    assert response.status_code == 200, response.text
    if local.kind == "graph":
        triples = {str(t) for t in ox.parse(response.content, ox.RdfFormat.TURTLE)}
        assert triples == {str(t) for t in local.triples} and triples
    elif local.kind == "boolean":
        assert json.loads(response.content)["boolean"] is local.boolean
    else:
        data = json.loads(response.content)
        assert data["head"]["vars"] == local.variables
        assert len(data["results"]["bindings"]) == len(local.rows) > 0


def test_companies_add_up_is_an_ask_not_an_update(remote_app) -> None:
    response = get(remote_app, "/sparql", query=canned.prepare(canned.resolve("companies-add-up")))
    assert response.status_code == 200, response.text
    assert json.loads(response.content) == {"head": {}, "boolean": True}


def test_pages_come_from_the_remote_store(remote_app) -> None:
    app = remote_app
    page = get(app, f"/{CLUSTER}.en.html")
    assert page.status_code == 200 and "Hokkaido Super Cluster" in page.text
    assert get(app, "/index.ja.html").status_code == 200


def test_a_remote_timeout_is_a_504_with_one_line_and_the_loop_stays_free(
        oxigraph_instance: OxigraphServer, built_dist: Path, project_root: Path) -> None:
    """While a remote query hangs, other requests are answered (the call runs off the event loop).

    The server is the test's own: it is killed, with its runaway query, when the test ends.
    """
    load_dataset(oxigraph_instance, built_dist)
    app = app_for(built_dist, project_root, oxigraph_instance.query_url, timeout=3.0)
    order: list[str] = []

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            async def light() -> None:
                await anyio.sleep(0.3)
                assert (await client.get("/static/style.css")).status_code == 200
                order.append("light")

            async with anyio.create_task_group() as group:
                group.start_soon(light)
                response = await client.get("/sparql", params={"query": HEAVY},
                                            headers={"Accept": "application/sparql-results+json"})
                order.append("heavy")
            return response

    response = anyio.run(main)
    assert response.status_code == 504
    lines = response.text.strip().splitlines()
    assert len(lines) == 1 and "did not answer within 3 s" in lines[0]
    assert order == ["light", "heavy"]


def test_a_page_whose_store_is_gone_is_a_502_with_one_line(oxigraph_instance: OxigraphServer, built_dist: Path,
                                                            project_root: Path) -> None:
    load_dataset(oxigraph_instance, built_dist)
    app = app_for(built_dist, project_root, oxigraph_instance.query_url, timeout=5.0)
    oxigraph_instance.stop()
    response = get(app, f"/{CLUSTER}.en.html")
    assert response.status_code == 502
    lines = response.text.strip().splitlines()
    assert len(lines) == 1 and "cannot reach" in lines[0] and oxigraph_instance.query_url in lines[0]


@pytest.mark.parametrize(("query", "accept"), [
    (f"ASK {{ <{BASE}{CLUSTER}> ?p ?o }}", "text/csv"),
    (f"ASK {{ <{BASE}{CLUSTER}> ?p ?o }}", "text/tab-separated-values"),
    (f"CONSTRUCT {{ <{BASE}{CLUSTER}> ?p ?o }} WHERE {{ <{BASE}{CLUSTER}> ?p ?o }}", "text/csv"),
    (f"SELECT ?p WHERE {{ <{BASE}{CLUSTER}> ?p ?o }} LIMIT 1", "image/png"),
])
def test_unacceptable_result_types_are_refused_alike_in_both_modes(remote_app, built_dist: Path,
                                                                   query: str, accept: str) -> None:
    """The embedded worker (run here on the built dataset) and ``serve --endpoint`` give the same 406."""
    from clusterlod.web.sparql.worker import QueryRequest, execute

    store = ox.Store()
    store.bulk_load(path=str(built_dist / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS)
    embedded = execute(store, QueryRequest(query, accept), 1 << 20, {})

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=remote_app), base_url="http://test") as client:
            return await client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    remote = anyio.run(main)
    assert embedded.status == 406
    assert (remote.status_code, remote.content) == (embedded.status, embedded.body)



@pytest.mark.parametrize("lang", ["ja", "en"])
def test_labels_for_the_query_page_are_the_embedded_ones(remote_app, built_dist: Path, lang: str) -> None:
    """``/labels.<lang>.json`` (the labels YASGUI's table shows) reads the same from the remote store."""
    from clusterlod.web.pages.render import Renderer
    from clusterlod.web.release.served import Release

    remote = get(remote_app, f"/labels.{lang}.json")
    assert remote.status_code == 200, remote.text
    embedded = Renderer(Release(built_dist), []).labels_json(lang)
    assert json.loads(remote.content) == json.loads(embedded)
    assert remote.content == embedded
    labels = json.loads(embedded)
    assert labels[BASE + CLUSTER] == {"ja": "北海道スーパー・クラスター振興戦略Ⅱ",
                                       "en": "Hokkaido Super Cluster Promotion Strategy II"}[lang]


def test_the_map_reads_the_remote_store(remote_app, dist_store: ox.Store) -> None:
    """Issue 31: the map's facts come from the endpoint as they do from the embedded store (tests/test_map.py)."""
    expected = {s["code"].value: s["region"].value for s in dist_store.query(
        f"SELECT ?region ?code WHERE {{ ?region <{BASE}ontology/coversPrefecture> ?p . "
        f"?p <{BASE}ontology/jisCode> ?code }}", use_default_graph_as_union=True)}
    assert len(expected) == 47
    for path in ("/index.en.html", "/id/region/kinki.ja.html"):
        page = get(remote_app, path)
        assert page.status_code == 200
        assert dict(re.findall(r'data-code="(\d\d)" data-region="([^"]+)"', page.text)) == expected
        assert page.text.count('<li class="map-project">') == 18
