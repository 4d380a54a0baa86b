"""The W3C SPARQL 1.1 Protocol tests that apply to a read-only endpoint, in process.

Written from the test manifest vendored in tests/w3c_protocol/ (W3C rdf-tests, with its
licence notice). Each test below names the manifest entry it implements; the dataset
tests are rewritten against the release's own graphs (the manifest's kasei.us data is
not in the release), and the update tests apply as "refused" (403). A last test checks
that every entry of the manifest is either implemented here or listed as not applicable.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from inprocess import app_client

MANIFEST = Path(__file__).with_name("w3c_protocol") / "manifest.ttl"
BASE = "https://w3id.org/clusterlod/"
ONTOLOGY_GRAPH = BASE + "graph/ontology"
JSON = {"Accept": "application/sparql-results+json"}
IMPLEMENTED: set[str] = set()
#: Manifest entries that do not apply to a read-only endpoint, and why.
NOT_APPLICABLE = {
    "update_dataset_default_graph": "runs an update; covered by the refusal tests",
    "update_dataset_default_graphs": "runs an update; covered by the refusal tests",
    "update_dataset_named_graphs": "runs an update; covered by the refusal tests",
    "update_dataset_full": "runs an update; covered by the refusal tests",
    "update_post_form": "runs an update: refused here (test_updates_refused)",
    "update_post_direct": "runs an update: refused here (test_updates_refused)",
    "update_base_uri": "writes data first; base resolution is test_query_relative_iris_use_the_endpoint_as_base",
    "bad_update_syntax": "any update is refused (403) before its syntax matters",
    "bad_update_dataset_conflict": "any update is refused (403) before its dataset matters",
    "bad_update_non_utf8": "any update is refused before its encoding matters",
}


def implements(*names: str):
    IMPLEMENTED.update(names)
    return lambda f: f


@pytest.fixture(scope="module")
def client(built_dist: Path):
    with app_client(dist=built_dist, queries=None) as c:
        yield c


def graph_size(store: ox.Store, graph: str) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@implements("query_get")
def test_query_get(client: httpx.Client) -> None:
    response = client.get("/sparql?query=" + quote("ASK {}"), headers=JSON)
    assert response.status_code == 200 and response.json()["boolean"] is True


@implements("query_post_form")
def test_query_post_form(client: httpx.Client) -> None:
    response = client.post("/sparql", content="query=ASK%20%7B%7D", headers={
        **JSON, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200 and response.json()["boolean"] is True


@implements("query_post_direct")
def test_query_post_direct(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK {}", headers={**JSON, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.json()["boolean"] is True


@implements("query_dataset_default_graphs_get", "query_dataset_default_graphs_post")
def test_protocol_default_graphs(client: httpx.Client, dist_store: ox.Store) -> None:
    expected = graph_size(dist_store, ONTOLOGY_GRAPH)
    assert count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": ONTOLOGY_GRAPH}, headers=JSON)) \
        == expected
    form = client.post("/sparql", data={"query": COUNT, "default-graph-uri": [ONTOLOGY_GRAPH, BASE + "graph/none"]},
                       headers=JSON)
    assert count(form) == expected


@implements("query_dataset_named_graphs_get", "query_dataset_named_graphs_post")
def test_protocol_named_graphs_leave_the_default_graph_empty(client: httpx.Client, dist_store: ox.Store) -> None:
    params = {"named-graph-uri": ONTOLOGY_GRAPH}
    assert count(client.get("/sparql", params={"query": COUNT, **params}, headers=JSON)) == 0
    named = client.post("/sparql", data={"query": COUNT_NAMED, **params}, headers=JSON)
    assert count(named) == graph_size(dist_store, ONTOLOGY_GRAPH)


@implements("query_dataset_full", "query_multiple_dataset")
def test_protocol_dataset_wins_over_the_query(client: httpx.Client, dist_store: ox.Store) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": query, "default-graph-uri": ONTOLOGY_GRAPH,
                                             "named-graph-uri": ONTOLOGY_GRAPH}, headers=JSON)
    assert count(response) == graph_size(dist_store, ONTOLOGY_GRAPH)


def test_from_is_honoured(client: httpx.Client, dist_store: ox.Store) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(client.get("/sparql", params={"query": query}, headers=JSON)) == graph_size(dist_store, ONTOLOGY_GRAPH)
    nothing = "SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE { ?s ?p ?o }"
    assert count(client.get("/sparql", params={"query": nothing}, headers=JSON)) == 0
    assert count(client.get("/sparql", params={"query": COUNT}, headers=JSON)) == len(dist_store)


@implements("query_content_type_select")
def test_select_content_types(client: httpx.Client) -> None:
    for media in ("application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                  "text/tab-separated-values"):
        response = client.get("/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)


@implements("query_content_type_ask")
def test_ask_content_types(client: httpx.Client) -> None:
    for media in ("application/sparql-results+xml", "application/sparql-results+json"):
        response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"}).status_code == 406


@implements("query_content_type_describe", "query_content_type_construct")
def test_query_relative_iris_use_the_endpoint_as_base(client: httpx.Client) -> None:
    """query_content_type_construct uses relative IRIs: they resolve against the endpoint's IRI."""
    for query in ("CONSTRUCT { <s> <p> 1 } WHERE {}", f"DESCRIBE <{BASE}id/cluster/hokkaido-super-cluster>"):
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/n-triples")
        assert list(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
    construct = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                           headers={"Accept": "application/n-triples"})
    assert f"<{BASE}s> <{BASE}p>" in construct.text


@implements("bad_query_method")
def test_bad_query_method(client: httpx.Client) -> None:
    assert client.put("/sparql?query=ASK%20%7B%7D", headers={"Content-Type": "application/x-www-form-urlencoded"}
                      ).status_code // 100 == 4


@implements("bad_multiple_queries")
def test_bad_multiple_queries(client: httpx.Client) -> None:
    assert client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D").status_code == 400


@implements("bad_query_wrong_media_type", "bad_query_missing_form_type", "bad_query_missing_direct_type")
def test_bad_media_types(client: httpx.Client) -> None:
    assert client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}).status_code // 100 == 4
    assert client.post("/sparql", content="query=ASK%20%7B%7D").status_code // 100 == 4
    assert client.post("/sparql", content="ASK {}").status_code // 100 == 4


@implements("bad_query_non_utf8")
def test_bad_query_non_utf8(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK {}".encode("utf-16"),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert response.status_code // 100 == 4
    raw = client.post("/sparql", content="ASK {}".encode("utf-16"),
                      headers={"Content-Type": "application/sparql-query"})
    assert raw.status_code == 400


@implements("bad_query_syntax")
def test_bad_query_syntax(client: httpx.Client) -> None:
    assert client.get("/sparql?query=ASK%20%7B").status_code == 400


@implements("bad_update_get", "bad_multiple_updates", "bad_update_wrong_media_type", "bad_update_missing_form_type")
def test_updates_refused(client: httpx.Client) -> None:
    insert = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    assert client.get("/sparql", params={"update": insert}).status_code == 403
    assert client.post("/sparql", data={"update": [insert, insert]}).status_code == 403
    direct = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update"})
    assert direct.status_code == 403
    assert client.post("/sparql", content=insert, headers={"Content-Type": "text/plain"}).status_code // 100 == 4
    assert client.post("/sparql", content="update=" + quote(insert)).status_code // 100 == 4
    written = "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/s> ?p ?o }"
    assert count(client.get("/sparql", params={"query": written}, headers=JSON)) == 0


def test_every_manifest_entry_is_implemented_or_excused() -> None:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    mf = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    names = {str(s).rsplit("#", 1)[-1] for s in graph.subjects(rdflib.RDF.type, mf.ProtocolTest)}
    assert len(names) > 30
    assert IMPLEMENTED | set(NOT_APPLICABLE) == names, (names - IMPLEMENTED - set(NOT_APPLICABLE),
                                                       (IMPLEMENTED | set(NOT_APPLICABLE)) - names)
