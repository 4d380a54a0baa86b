"""The one SPARQL protocol client (clusterlod.sparql.remote) against a real Oxigraph server and endpoints that fail.

Each test names its own graph IRIs, so the shared server can hold other tests' data too.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from stores import free_port

from clusterlod.errors import UsageError
from clusterlod.sparql import canned
from clusterlod.sparql.remote import EndpointFailure, SparqlClient, check_url, first_line

G = "urn:test:remote:"
EX = "http://example.org/remote/"


def triple_lines(count: int, graph_tag: str = "a") -> str:
    return "".join(f'<{EX}{graph_tag}{i}> <{EX}p> "値 {i}"@ja .\n' for i in range(count))


@pytest.fixture
def client(oxigraph_server) -> Iterator[SparqlClient]:
    with SparqlClient(oxigraph_server.query_url, update_url=oxigraph_server.update_url,
                      graph_store_url=oxigraph_server.store_url, timeout=20) as c:
        yield c


# --------------------------------------------------------------------------- the protocol on a real server


def test_update_then_select_ask_construct_and_count(client: SparqlClient) -> None:
    graph = G + "forms"
    client.update(f"DROP SILENT GRAPH <{graph}>")
    client.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triple_lines(3)} }} }}")
    assert client.count(graph) == 3
    rows = client.select(f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s")
    assert [r["s"] for r in rows] == [ox.NamedNode(f"{EX}a{i}") for i in range(3)]
    assert rows[0]["o"] == ox.Literal("値 0", language="ja")
    assert client.ask(f"ASK {{ GRAPH <{graph}> {{ <{EX}a1> ?p ?o }} }}") is True
    assert client.ask(f"ASK {{ GRAPH <{graph}> {{ <{EX}a9> ?p ?o }} }}") is False
    triples = client.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert sorted(str(t.subject) for t in triples) == [f"<{EX}a{i}>" for i in range(3)]
    assert client.graphs_with_prefix(G + "for") == [graph]


def test_the_form_comes_from_the_parsed_text_not_from_comments(client: SparqlClient) -> None:
    """A comment saying "add up" (or "load", "drop") must not turn an ASK into an update."""
    graph = G + "comments"
    client.update(f"DROP SILENT GRAPH <{graph}>")
    client.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triple_lines(1)} }} }}")
    text = f"# Do the figures add up? Load, drop and clear nothing.\nASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = client.query(text)
    assert (answer.form, answer.boolean) == ("ASK", True)


def test_union_default_graph_is_asked_only_when_no_dataset_is_named(client: SparqlClient) -> None:
    graph = G + "union"
    client.update(f"DROP SILENT GRAPH <{graph}>")
    client.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}u> <{EX}p> <{EX}o> }} }}")
    pattern = f"ASK {{ <{EX}u> <{EX}p> <{EX}o> }}"
    assert client.ask(pattern, union=True) is True
    assert client.ask(pattern, union=False) is False  # Oxigraph's default graph is its own
    assert client.ask(f"ASK FROM <{G}nothing> {{ <{EX}u> <{EX}p> <{EX}o> }}", union=True) is False


def test_graph_store_put_post_get_delete(client: SparqlClient) -> None:
    graph = G + "gsp"
    client.gsp_put(graph, triple_lines(2, "x"))
    client.gsp_put(graph, triple_lines(3, "y"))  # PUT replaces
    assert client.count(graph) == 3
    client.gsp_post(graph, triple_lines(2, "z"))  # POST adds
    assert client.count(graph) == 5
    got = client.gsp_get(graph)
    assert {t.subject.value for t in got} == {f"{EX}y{i}" for i in range(3)} | {f"{EX}z{i}" for i in range(2)}
    client.gsp_delete(graph)
    assert client.count(graph) == 0
    client.gsp_delete(graph)  # already gone: not an error by default
    with pytest.raises(EndpointFailure) as caught:
        client.gsp_delete(graph, missing_ok=False)
    assert caught.value.status == 404


def test_a_refused_query_names_status_endpoint_and_one_short_line(client: SparqlClient, oxigraph_server) -> None:
    with pytest.raises(EndpointFailure) as caught:
        client.query("SELECT * WHERE { ?s ?p }")
    failure = caught.value
    assert failure.status == 400 and failure.endpoint == oxigraph_server.query_url
    assert "\n" not in str(failure) and len(failure.detail) <= 200 and failure.detail != "(no message)"
    with pytest.raises(EndpointFailure, match="answered HTTP 404"):
        canned.run_remote("ASK {}", oxigraph_server.base + "/no-such-endpoint")


# --------------------------------------------------------------------------- endpoints that fail


def test_timeout_is_reported_with_the_seconds(silent_server: str) -> None:
    with SparqlClient(silent_server, timeout=0.5) as client, pytest.raises(EndpointFailure) as caught:
        client.ask("ASK {}")
    assert caught.value.reason == "timeout" and caught.value.status is None
    assert "did not answer within 0.5 s" in str(caught.value)


def test_a_web_page_is_not_a_sparql_answer(web_page: str) -> None:
    with SparqlClient(web_page) as client:
        with pytest.raises(EndpointFailure, match=r"did not give a SPARQL answer \(text/html\)"):
            client.select("SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(EndpointFailure, match=r"did not give an RDF graph \(text/html\)"):
            client.construct("CONSTRUCT WHERE { ?s ?p ?o }")


class _Failing(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``status`` and a long HTML body, counting requests and Authorization headers."""

    status = 503
    seen: list[str | None]
    challenge: str | None = None

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(self.headers.get("Authorization"))
        if self.challenge and not self.headers.get("Authorization"):
            self.send_response(401)
            self.send_header("WWW-Authenticate", self.challenge)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("Authorization"):
            body = b'{"head": {}, "boolean": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
        else:
            body = (b"<html><head><title>Service Unavailable</title></head><body>\n<h1>Down for maintenance</h1>\n"
                    + b"<p>" + b"x" * 100_000 + b"</p>\nSECRET-TAIL</body></html>")
            self.send_response(self.status)
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def failing_server(status: int, challenge: str | None = None) -> tuple[http.server.ThreadingHTTPServer, list]:
    seen: list[str | None] = []
    handler = type("Handler", (_Failing,), {"status": status, "seen": seen, "challenge": challenge})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.mark.parametrize(("status", "tries"), [(503, 3), (502, 3), (400, 1), (403, 1)])
def test_retries_only_on_5xx_and_never_echo_the_body(status: int, tries: int) -> None:
    server, seen = failing_server(status)
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        with SparqlClient(url, retries=2, backoff=0.01) as client, pytest.raises(EndpointFailure) as caught:
            client.ask("ASK {}")
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == tries
    message = str(caught.value)
    assert caught.value.status == status and f"HTTP {status}" in message
    assert "Service Unavailable" in message and "SECRET-TAIL" not in message and "<" not in caught.value.detail
    assert len(message) < 400 and "\n" not in message


def test_connection_errors_are_retried_then_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with SparqlClient(url, retries=2, backoff=0.01) as client, pytest.raises(EndpointFailure) as caught:
        client.ask("ASK {}")
    assert caught.value.reason == "unreachable" and "cannot reach" in str(caught.value)
    assert "after 3 tries" in str(caught.value)


@pytest.mark.parametrize("challenge", ['Basic realm="sparql"', 'Digest realm="sparql", nonce="abc", qop="auth"'])
def test_credentials_in_the_url_are_used_and_never_shown(challenge: str) -> None:
    server, seen = failing_server(503, challenge)
    port = server.server_address[1]
    try:
        with SparqlClient(f"http://reader:s%40cret@127.0.0.1:{port}/sparql", retries=0) as client:
            assert client.ask("ASK {}") is True
            assert "s@cret" not in client.query_url and "reader" not in client.query_url
    finally:
        server.shutdown()
        server.server_close()
    assert seen[0] is None and seen[-1] is not None
    assert seen[-1].split()[0] == challenge.split()[0]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "", "   ", "ftp://example.org/sparql", "127.0.0.1:7878/query",
                                 "http://", "http://127.0.0.1:port/query"])
def test_only_http_urls_are_endpoints(url: str) -> None:
    with pytest.raises(UsageError, match="give an http:// or https:// URL"):  # nothing contacted: exit 2
        check_url(url)


def test_a_refused_url_with_credentials_does_not_show_them() -> None:
    with pytest.raises(UsageError) as caught:
        check_url("ftp://user:topsecret@example.org/")
    assert "topsecret" not in str(caught.value)


def test_first_line_drops_markup_and_control_characters() -> None:
    assert first_line(b"<html><body><h1>Oops\x1b[31m</h1>\nmore</body></html>") == "Oops [31m"
    assert first_line("") == "(no message)"
    assert len(first_line("y" * 1000)) == 200


def test_no_other_module_speaks_the_protocol() -> None:
    """Only clusterlod.sparql.remote imports an HTTP client for SPARQL (load, query, links and serve use it).

    clusterlod.bench.processes is let off: it polls the servers the benchmark starts until they answer.
    """
    src = Path(__file__).resolve().parents[1] / "src" / "clusterlod"
    offenders = []
    for path in sorted(src.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.relative_to(src) in (Path("sparql", "remote.py"), Path("bench", "processes.py")):
            continue
        if "SPARQLWrapper" in text or "import httpx" in text or "urllib.request" in text:
            offenders.append(str(path.relative_to(src)))
    assert offenders == []


def test_one_request_may_ask_for_no_retries() -> None:
    """A best-effort clean-up (load's dropping of temporary graphs) tries once."""
    server, seen = failing_server(503)
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        with SparqlClient(url, retries=3, backoff=0.01) as client, pytest.raises(EndpointFailure):
            client.update("DROP SILENT GRAPH <urn:x>", retries=0, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == 1


def test_plain_text_errors_keep_their_iris(client: SparqlClient) -> None:
    """Oxigraph's 'The graph <…> does not exist' once came out as 'The graph   does not exist'."""
    with pytest.raises(EndpointFailure) as caught:
        client.update("DROP GRAPH <urn:test:remote:missing>", retries=0)
    assert caught.value.status is not None and "<urn:test:remote:missing>" in caught.value.detail
    assert first_line("no graph <urn:g>", markup=False) == "no graph <urn:g>"
    assert first_line("no graph <urn:g>") == "no graph"


def test_check_query_names_the_server(client: SparqlClient, web_page: str) -> None:
    """The load sends a Virtuoso-only prologue to a server that names itself Virtuoso."""
    assert client.check_query().lower().startswith("oxigraph")
    with SparqlClient(web_page) as page, pytest.raises(EndpointFailure, match="did not give a SPARQL answer"):
        page.check_query()


class _Reusable:
    """A body in pieces that iterates again from the start, as a retry needs."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces, self.rounds = pieces, 0

    def __iter__(self) -> Iterator[bytes]:
        self.rounds += 1
        yield from self.pieces


def test_send_update_streams_an_encoded_body(client: SparqlClient) -> None:
    from urllib.parse import quote_plus
    graph = G + "streamed"
    text = f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ {triple_lines(4)} }} }}"
    encoded = quote_plus(text).encode("ascii")
    body = _Reusable([b"update=", encoded[:50], encoded[50:]])
    reply = client.send_update(body, sum(len(p) for p in body.pieces), "streamed update")
    assert reply.status in (200, 204) and body.rounds == 1
    assert client.count(graph) == 4


def test_send_update_resends_the_whole_body_on_a_retry() -> None:
    server, seen = failing_server(503)
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    body = _Reusable([b"update=", b"CLEAR+SILENT+GRAPH+%3Curn%3Ax%3E"])
    try:
        with SparqlClient(url, retries=1, backoff=0.01) as c, pytest.raises(EndpointFailure) as caught:
            c.send_update(body, sum(len(p) for p in body.pieces))
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.status == 503 and len(seen) == 2 and body.rounds == 2
