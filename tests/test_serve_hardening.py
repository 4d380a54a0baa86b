"""One test per vector of the adversarial review (issue 13), against the app in process.

The query workers are real processes, the SSRF target a real listener on loopback and
the remote store a real Oxigraph server; only the HTTP socket of `clusterlod serve`
is left out (test_serve_smoke.py has what needs it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from inprocess import app_client

from clusterlod.web.http.negotiation import parse_accept

BASE = "https://w3id.org/clusterlod/"
JSON = {"Accept": "application/sparql-results+json"}
GOOD = "ASK { ?s ?p ?o }"
#: Update forms that a regular expression over the raw text let through as 400 (never run) before.
UPDATES = [
    "INSERT DATA { <http://example.org/a#b> <http://example.org/p> 1 }",
    "\ufeffDROP ALL",
    'VERSION "1.2" DROP ALL',
    "SELECT * {} ; DROP ALL",
    "PREFIX ex: <http://example.org/#x> CLEAR ALL",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "# add up\nADD DEFAULT TO <http://example.org/g>",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


class Listener:
    """A loopback port that records every connection made to it (it must see none)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}/secret"

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.socket.close()


@pytest.fixture
def listener():
    target = Listener()
    yield target
    target.close()


@pytest.fixture(scope="module")
def client(built_dist: Path):
    with app_client(dist=built_dist, queries=None, timeout=30.0, worker_memory_mb=768) as c:
        yield c


@pytest.fixture(scope="module")
def remote_client(built_dist: Path, tmp_path_factory: pytest.TempPathFactory):
    """`serve --endpoint` in front of a real Oxigraph server holding the release."""
    from stores import OxigraphServer

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-remote")).start()
    try:
        data = (built_dist / "clusterlod.nq").read_bytes()
        httpx.post(server.store_url, content=data, headers={"Content-Type": "application/n-quads"},
                   timeout=60).raise_for_status()
        with app_client(dist=built_dist, endpoint=server.query_url, queries=Path(__file__).parents[1] / "queries",
                        timeout=10.0) as c:
            c.store = server
            yield c
    finally:
        server.stop()


def answers_quickly(client: httpx.Client) -> None:
    """The issue's criterion: after a bad request, a good query is answered within 1 s."""
    started = time.monotonic()
    response = client.get("/sparql", params={"query": GOOD}, headers=JSON)
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert time.monotonic() - started < 1.0


# ---------------------------------------------------------------- federation and updates

@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/html"])
def test_service_is_refused_and_sends_nothing(client: httpx.Client, listener: Listener, accept: str) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 400 and "SERVICE" in response.text
    silent = client.post("/sparql", content=f"ASK {{ SERVICE SILENT <{listener.url}> {{ }} }}",
                         headers={"Content-Type": "application/sparql-query", **JSON})
    assert silent.status_code == 400
    time.sleep(0.3)
    assert listener.connections == 0


def test_service_is_refused_in_endpoint_mode(remote_client: httpx.Client, listener: Listener) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = remote_client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 400 and response.text.count("\n") == 1
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_gets_403(client: httpx.Client, remote_client: httpx.Client, update: str) -> None:
    for c in (client, remote_client):
        response = c.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 403 and "read-only" in response.text, (update, response.text)


# ---------------------------------------------------------------- crash vectors: refused or survived

@pytest.mark.parametrize("params", [
    {"default-graph-uri": "not an IRI"},
    {"named-graph-uri": "http://example.org/a b"},
    {"default-graph-uri": "no-scheme"},
])
def test_bad_graph_parameters_are_refused_before_a_worker(client: httpx.Client, params: dict) -> None:
    workers = [w.process.pid for w in client.app.site.queries.workers]
    response = client.get("/sparql", params={"query": GOOD, **params}, headers=JSON)
    assert response.status_code == 400 and "absolute IRI" in response.text
    assert [w.process.pid for w in client.app.site.queries.workers] == workers
    answers_quickly(client)


def test_deep_nesting_is_refused_before_a_worker(client: httpx.Client) -> None:
    query = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    assert len(query) == 6015
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query", **JSON})
    assert response.status_code == 400 and "nests" in response.text
    answers_quickly(client)


def test_a_query_over_the_memory_limit_costs_only_its_worker(client: httpx.Client) -> None:
    old = {w.process.pid for w in client.app.site.queries.workers}
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 500 and "768 MiB" in response.text
    answers_quickly(client)
    new = {w.process.pid for w in client.app.site.queries.workers}
    assert len(new) == 2 and len(new - old) == 1


def test_a_worker_killed_from_outside_is_replaced(client: httpx.Client) -> None:
    for worker in list(client.app.site.queries.workers):
        worker.wait_ready(60)
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join(5)
    statuses = {client.get("/sparql", params={"query": GOOD}, headers=JSON).status_code for _ in range(3)}
    assert statuses <= {200, 500} and 200 in statuses
    answers_quickly(client)


def test_workers_have_the_memory_limit(client: httpx.Client) -> None:
    for worker in client.app.site.queries.workers:
        worker.wait_ready(60)
        limits = Path(f"/proc/{worker.process.pid}/limits").read_text()
        line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
        assert line.split()[3] == str(768 * 1024 * 1024), line


def test_construct_result_limit_is_checked_while_reading(built_dist: Path) -> None:
    with app_client(dist=built_dist, queries=None, max_result_bytes=50_000) as small:
        response = small.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                             headers={"Accept": "application/n-triples"})
        assert response.status_code == 400 and "50000 bytes" in response.text
        fits = small.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 10"},
                         headers={"Accept": "application/n-triples"})
        assert fits.status_code == 200 and len(list(ox.parse(fits.content, ox.RdfFormat.N_TRIPLES))) == 10


# ---------------------------------------------------------------- caches, links, headers, small ones

def test_sitemap_ignores_the_host_header(client: httpx.Client) -> None:
    bodies = {client.get("/sitemap.xml", headers={"Host": f"h{i}.example"}).content for i in range(50)}
    assert len(bodies) == 1
    body = bodies.pop().decode()
    assert f"<loc>{BASE}id/cluster/hokkaido-super-cluster.en.html</loc>" in body and "example" not in body
    assert not hasattr(client.app.site, "sitemaps")


def test_javascript_iris_never_become_links(client: httpx.Client) -> None:
    query = 'SELECT ?x ?y WHERE { BIND(<javascript:alert(1)> AS ?x) BIND(<http://example.org/ok> AS ?y) }'
    page = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "javascript:alert(1)" in page.text
    assert 'href="javascript:' not in page.text.replace(" ", "") and 'href="http://example.org/ok"' in page.text


def test_html_answers_carry_csp_and_nosniff(client: httpx.Client) -> None:
    for path in ("/index.en.html", "/sparql", "/id/cluster/no-such.en.html", "/search.en.html?q=x"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/download/clusterlod.ttl").headers["x-content-type-options"] == "nosniff"


def test_long_path_segment_is_404(client: httpx.Client) -> None:
    for path in ("/download/" + "a" * 300, "/id/" + "b" * 300 + ".ttl", "/" + "c" * 256):
        assert client.get(path).status_code == 404


def test_malformed_q_counts_as_one(client: httpx.Client) -> None:
    assert parse_accept("text/turtle;q=nan") == [("text/turtle", 1.0)]
    response = client.get("/id/cluster/hokkaido-super-cluster", headers={"Accept": "text/turtle;q=nan"})
    assert response.status_code == 303 and response.headers["location"].endswith(".ttl")


def test_a_file_is_not_a_folder(client: httpx.Client) -> None:
    assert client.get("/download/catalog.ttl").status_code == 200
    assert client.get("/download/catalog.ttl/").status_code == 404


def test_english_404_for_an_english_path(client: httpx.Client) -> None:
    response = client.get("/id/cluster/no-such.en.html")
    assert response.status_code == 404 and response.headers["content-language"] == "en"
    assert '<html lang="en">' in response.text


# ---------------------------------------------------------------- --endpoint: a store that stops answering

class Relay:
    """A loopback TCP relay to a real store that can be told to hang (accept, never answer)."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.hanging = target_port, False
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            if self.hanging:
                self.held.append(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.hanging:  # once hanging, kept-alive connections go silent too
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.running = False
        for s in self.held:
            s.close()
        self.socket.close()


def test_a_hanging_store_gives_504_and_does_not_hold_up_other_requests(built_dist: Path, tmp_path: Path) -> None:
    from stores import OxigraphServer

    (tmp_path / "oxigraph").mkdir()
    server = OxigraphServer(tmp_path / "oxigraph").start()
    relay = Relay(server.port)
    try:
        httpx.post(server.store_url, content=(built_dist / "clusterlod.nq").read_bytes(),
                   headers={"Content-Type": "application/n-quads"}, timeout=60).raise_for_status()
        with app_client(dist=built_dist, queries=None, endpoint=f"http://127.0.0.1:{relay.port}/query",
                        timeout=2.0) as client:
            assert client.get("/id/region/hokkaido.en.html").status_code == 200
            relay.hanging = True
            answers: dict[str, httpx.Response] = {}
            slow = threading.Thread(target=lambda: answers.update(
                page=client.get("/id/cluster/hokkaido-super-cluster.en.html")))
            slow.start()
            time.sleep(0.3)
            started = time.monotonic()
            assert client.get("/static/style.css").status_code == 200
            assert time.monotonic() - started < 1.0  # the slow page does not hold up the event loop
            slow.join(30)
            page = answers["page"]
            assert page.status_code == 504 and page.text.count("\n") == 1, page.text
    finally:
        relay.close()
        server.stop()



@pytest.mark.parametrize("query", [
    f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/ontology> WHERE {{ ?s ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE { ?s ?p ?o }",
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{BASE}graph/ontology> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
])
def test_from_gives_the_same_answer_here_and_on_an_oxigraph_server(client: httpx.Client, remote_client: httpx.Client,
                                                                   query: str) -> None:
    def count(response: httpx.Response) -> int:
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    ours = count(client.get("/sparql", params={"query": query}, headers=JSON))
    oxigraph = count(httpx.get(remote_client.store.query_url, params={"query": query}, headers=JSON))
    forwarded = count(remote_client.get("/sparql", params={"query": query}, headers=JSON))
    assert ours == oxigraph == forwarded


def test_the_answer_cache_stays_within_its_bytes() -> None:
    """Repeated answers are kept, least recently used first out, never more bytes than allowed."""
    from clusterlod.web.sparql.answers_cache import AnswerCache

    cache: AnswerCache[bytes] = AnswerCache(64 * 100)  # answers of up to 100 bytes are kept
    for n in range(500):
        cache.put(("query", n), b"x" * 90, 90)
        assert cache.size <= 64 * 100
    assert cache.get(("query", 499)) == b"x" * 90
    assert cache.get(("query", 0)) is None
    cache.put(("big",), b"y" * 101, 101)
    assert cache.get(("big",)) is None
    assert AnswerCache(0).get("anything") is None
