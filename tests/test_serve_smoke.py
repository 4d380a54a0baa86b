"""Real-server smoke tests: `clusterlod serve` as a process on loopback, over real sockets.

Only what the in-process tests cannot show lives here: SPARQLWrapper over HTTP, request
lines sent byte for byte, connection and header timeouts, the connection limit and its
log, memory under many Host headers, the command's own start-up errors, and `--endpoint`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from test_serve import BASE, CLUSTER, SMALL_LIMITS, canned_queries

from clusterlod.bench.processes import free_port, start_server, stop


def options(limits: dict) -> list[str]:
    return [arg for name, value in limits.items() for arg in ("--" + name.replace("_", "-"), str(value))]


@pytest.fixture(scope="module")
def served(built_dist: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real `clusterlod serve` with small limits and short connection timeouts; yields (url, process, log)."""
    tmp = tmp_path_factory.mktemp("serve")
    port = free_port()
    log = tmp / "server.log"
    # One client opens every connection here: the per-client share (max_connections // 4 by default) would
    # refuse it before the limits these tests are about; test_serve_refusals.py tests that share.
    process = start_server(built_dist, port, "--queries", str(canned_queries(project_root, tmp / "queries")),
                           *options({**SMALL_LIMITS, "keep_alive_timeout": 1.0, "header_timeout": 2.0,
                                     "max_connections": 40, "max_client_connections": 40}),
                           "--access-log", str(tmp / "access.log"), log=log)
    yield f"http://127.0.0.1:{port}", process, log
    stop(process)


@pytest.fixture(scope="module")
def server(served) -> str:
    return served[0]


@pytest.fixture(scope="module")
def client(server: str):
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


def alive(client: httpx.Client) -> None:
    assert client.get("/static/style.css").status_code == 200


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes ``sock`` (EOF or reset) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(65536) == b"":  # anything before EOF is the rest of an answer
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


# ---------------------------------------------------------------- SPARQL over real HTTP

def wrapper(server: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_in_four_formats(server: str) -> None:
    query = f"SELECT ?p WHERE {{ <{BASE}{CLUSTER}> ?p ?o }} ORDER BY ?p"
    rows = wrapper(server, query, JSON).queryAndConvert()["results"]["bindings"]
    assert len(rows) >= 8
    xml = wrapper(server, query, XML).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == len(rows)
    for fmt, delimiter in ((CSV, ","), (TSV, "\t")):
        text = wrapper(server, query, fmt).queryAndConvert().decode("utf-8")
        assert len(list(csv.reader(io.StringIO(text), delimiter=delimiter))) == len(rows) + 1


def test_sparqlwrapper_ask_construct_and_post(server: str) -> None:
    ask = wrapper(server, f"ASK {{ <{BASE}{CLUSTER}> ?p ?o }}", JSON)
    assert ask.queryAndConvert()["boolean"] is True
    construct = wrapper(server, f"CONSTRUCT WHERE {{ <{BASE}{CLUSTER}> ?p ?o }}", TURTLE)
    assert len(list(ox.parse(construct.queryAndConvert(), ox.RdfFormat.TURTLE))) >= 8
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/clusterlod/ontology/Cluster> }"
    post = wrapper(server, count, JSON)
    post.setMethod("POST")
    assert post.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "18"




def raw_get(server: str, target: str) -> int:
    """Send the request line exactly as written (clients would normalise the tricks away)."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        status = s.recv(64).split(b" ")[1]
    return int(status)




@pytest.mark.parametrize("target", [
    "/id/../download/clusterlod.ttl", "/id/cluster/..%2F..%2Fcatalog", "/id%2Fcluster%2Fhokkaido-super-cluster",
    "/download/..%2f..%2fetc%2fpasswd", "/download/%2e%2e/%2e%2e/etc/passwd", "/id/cluster/%2e%2e",
    "/download//etc/passwd", "/static/..%5cstyle.css",
])
def test_path_tricks_give_404(server: str, client: httpx.Client, target: str) -> None:
    assert raw_get(server, target) == 404
    alive(client)




# ---------------------------------------------------------------- in front of a remote store

def test_serve_in_front_of_a_remote_endpoint(built_dist: Path, tmp_path: Path) -> None:
    """The same pages and protocol over an Oxigraph server reached through SPARQLWrapper."""
    import subprocess

    from support.servers import oxigraph_cli

    from clusterlod.bench.processes import wait_until_up

    binary = oxigraph_cli()
    if binary is None:
        pytest.skip("the oxigraph server (pip package 'oxigraph', a test dependency) is not installed")
    subprocess.run([binary, "load", "--location", str(tmp_path / "store"), "--file", str(built_dist / "clusterlod.nq")],
                   check=True, capture_output=True)
    store_port, port = free_port(), free_port()
    oxigraph = subprocess.Popen([binary, "serve-read-only", "--location", str(tmp_path / "store"), "--bind",
                                 f"127.0.0.1:{store_port}", "--union-default-graph"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{store_port}/", oxigraph, 30)
        server = start_server(built_dist, port, "--endpoint", f"http://127.0.0.1:{store_port}/query",
                              log=tmp_path / "server.log")
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
                assert c.get(f"/{CLUSTER}", headers={"Accept": "text/turtle"}).status_code == 303
                page = c.get(f"/{CLUSTER}.en.html")
                assert page.status_code == 200 and "Hokkaido Super Cluster" in page.text and 'class="mark"' in page.text
                triples = list(ox.parse(c.get(f"/{CLUSTER}.ttl").content, ox.RdfFormat.TURTLE))
                assert any(t.subject == ox.NamedNode(BASE + CLUSTER) for t in triples)
                assert c.get("/index.en.html").status_code == 200
                assert c.get("/id/cluster/no-such-project").status_code == 404
            rows = wrapper(f"http://127.0.0.1:{port}",
                           "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/clusterlod/ontology/Cluster> }",
                           JSON).queryAndConvert()["results"]["bindings"]
            assert rows[0]["n"]["value"] == "18"
        finally:
            stop(server)
    finally:
        stop(oxigraph)



# ---------------------------------------------------------------- connections, memory, start-up

def test_idle_and_slow_connections_are_closed(server: str, client: httpx.Client) -> None:
    host, port = server.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(10)]
    slow = socket.create_connection((host, int(port)))
    slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a request head that never ends
    kept = socket.create_connection((host, int(port)))
    kept.sendall(b"GET /static/style.css HTTP/1.1\r\nHost: x\r\n\r\n")
    kept.settimeout(5)
    assert kept.recv(64).startswith(b"HTTP/1.1 200")
    try:
        assert all(closed_within(s, 6) for s in [*idle, slow, kept])
    finally:
        for s in [*idle, slow, kept]:
            s.close()
    alive(client)


def test_connection_limit_closes_quietly(served, client: httpx.Client) -> None:
    url, _, log = served
    host, port = url.removeprefix("http://").split(":")
    before = log.stat().st_size
    held = [socket.create_connection((host, int(port))) for _ in range(40)]
    try:
        time.sleep(0.3)
        extra = [socket.create_connection((host, int(port))) for _ in range(20)]
        assert all(closed_within(s, 1) for s in extra)
        for s in extra:
            s.close()
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    alive(client)
    assert log.stat().st_size - before < 2000


def test_many_host_headers_leave_memory_flat(served, client: httpx.Client) -> None:
    _, process, _ = served
    for i in range(200):  # warm up: allocator pools, first answers
        client.get("/sitemap.xml", headers={"Host": f"warm{i}.example"})
    before = rss_kb(process.pid)
    for i in range(3000):
        response = client.get("/sitemap.xml", headers={"Host": f"h{i}.example"})
        assert response.status_code == 200
    grown = rss_kb(process.pid) - before
    assert grown < 20_000, f"the server grew by {grown} kB"


def test_serve_and_site_without_a_dist_print_one_line(tmp_path: Path) -> None:
    for args in (["serve", "--port", str(free_port())], ["site", str(tmp_path / "out")]):
        result = subprocess.run([sys.executable, "-m", "clusterlod", *args, "--dist", str(tmp_path / "none")],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "clusterlod build" in lines[0] and "Traceback" not in result.stderr, result.stderr


def test_a_body_that_trickles_in_is_cut_off(server: str, client: httpx.Client) -> None:
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000\r\n\r\nASK")  # and never the rest
        slow.settimeout(10)
        assert slow.recv(64).startswith(b"HTTP/1.1 408")
    alive(client)


def test_connections_to_the_listening_socket_send_without_delay() -> None:
    """asyncio turns Nagle's algorithm off only on sockets that say they are TCP; with the port bound by
    `serve` itself as a protocol-0 socket, each keep-alive answer waited about 40 ms for a delayed ACK."""
    from clusterlod.commands.serve import listen

    sock = listen("127.0.0.1", free_port())
    seen: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    async def connect_once() -> None:
        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.02)
            writer.close()

    asyncio.run(connect_once())
    assert seen and seen[0] != 0, "the server's connections keep Nagle's algorithm on"


def test_a_proxy_on_loopback_names_the_client_and_others_cannot(served) -> None:
    """Behind nginx on the same host (docs/serving.md), X-Forwarded-For from 127.0.0.1 names the client, so the
    per-client limits and the access log see real clients; from any other address it is ignored."""
    url, _, log = served
    port = int(url.rsplit(":", 1)[1])
    with httpx.Client(timeout=30) as proxy:
        assert proxy.get(f"{url}/healthz", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
        assert other.get(f"http://127.0.0.1:{port}/healthz",
                         headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 200
    access = log.parent / "access.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in access.read_text().splitlines() if "/healthz" in line]
        if len(lines) >= 2:
            break
        time.sleep(0.1)
    clients = [line.split(" ", 1)[0] for line in lines]
    assert "203.0.113.7" in clients and "127.0.0.2" in clients and "198.51.100.9" not in clients, lines
