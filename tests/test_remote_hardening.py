"""The one SPARQL client against endpoints that attack it, each a real HTTP server on 127.0.0.1.

Every attack goes through the installed ``clusterlod`` command (``query --endpoint``, ``load``,
``links check``, ``links suggest``), checks the exit code from ``ExitCode`` and a one-line error,
and is bounded in time (the subprocess's own timeout) and memory (an address-space cap, so an
attack that works makes the test fail instead of taking the machine).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from clusterlod.errors import ExitCode
from clusterlod.sparql import remote
from clusterlod.sparql.remote import EndpointFailure, SparqlClient

INSTALLED = Path(sys.executable).with_name("clusterlod")
#: Address space of each command run here: far above what it needs, far below what an attack takes.
MEMORY_CAP = 2 * 1024 ** 3
#: The most any hostile answer sends, so a client that does not stop still ends the test.
SERVER_BUDGET = 1024 ** 3

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
 <rdf:Description rdf:about="http://example.org/s"><e:p>&lol9;</e:p></rdf:Description>
</rdf:RDF>
"""
#: The same bomb behind a lower-case ``<!doctype``, which the RDF/XML parser accepts too.
LAUGHS_LOWER = LAUGHS.replace(b"<!DOCTYPE", b"<!doctype")
ASK_TRUE = b'{"head": {}, "boolean": true}'
ROW = b'{"s": {"type": "uri", "value": "http://example.org/a-long-enough-iri-to-fill-the-stream"}},'
JSON_TYPE = "application/sparql-results+json"


def _gzip_of_zeros(size: int) -> bytes:
    """gzip of ``size`` zero bytes, made piece by piece (the zeros are never all in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    packed = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join(packed) + packer.flush()


@functools.cache
def stacked_gzip() -> bytes:
    """Two layers of gzip over 256 MiB of zeros: a few hundred bytes that one read would expand whole."""
    return gzip.compress(_gzip_of_zeros(256 * 1024 * 1024), 9)


@dataclass
class Hostile:
    """A loopback HTTP server whose paths each misbehave in one way; ``seen`` lists the paths asked."""

    base: str
    seen: list[str] = field(default_factory=list)
    elsewhere: Hostile | None = None

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hostile: Hostile
    away: str = ""

    def _answer(self, status: int, body: bytes, media: str = JSON_TYPE, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _endless(self) -> None:
        """A chunked SPARQL JSON answer that never ends (up to the budget or until the client leaves)."""
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b'{"head": {"vars": ["s"]}, "results": {"bindings": [' + ROW * 1000
        sent = 0
        while sent < SERVER_BUDGET:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            chunk = ROW * 1000

    def _trickle(self, head: bool) -> None:
        """One byte every 0.2 s, of the head (status line and headers) or of the body, for up to 60 s."""
        body = ASK_TRUE + b" " * 400
        start = (f"HTTP/1.1 200 OK\r\nContent-Type: {JSON_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        if not head:
            self.wfile.write(start)
            self.wfile.flush()
        ends = time.monotonic() + 60
        for byte in (start + body if head else body):
            if time.monotonic() > ends:
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.2)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = self.path.split("?")[0]
        self.hostile.seen.append(path)
        try:
            if path == "/laughs":
                self._answer(200, LAUGHS, "application/rdf+xml")
            elif path == "/laughs-lower":
                self._answer(200, LAUGHS_LOWER, "application/rdf+xml")
            elif path == "/endless":
                self._endless()
            elif path == "/declared-huge":  # says it will send a terabyte, then sends a little
                self.send_response(200)
                self.send_header("Content-Type", JSON_TYPE)
                self.send_header("Content-Length", str(1024 ** 4))
                self.end_headers()
                self.wfile.write(ROW * 10)
            elif path in ("/trickle-body", "/trickle-head"):
                self._trickle(head=path == "/trickle-head")
            elif path == "/stacked-gzip":
                self._answer(200, stacked_gzip(), Content_Encoding="gzip, gzip")
            elif path == "/brotli":
                self._answer(200, b"\x0b\x02\x80" + ASK_TRUE, Content_Encoding="br")
            elif path == "/gzip":
                self._answer(200, gzip.compress(ASK_TRUE), Content_Encoding="gzip")
            elif path == "/deep-json":
                self._answer(200, b"[" * 200_000 + b"]" * 200_000)
            elif path == "/deep-object":
                self._answer(200, b'{"head": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001)
            elif path == "/loop":
                self._answer(302, b"", "text/plain", Location="/loop")
            elif path == "/away":
                self._answer(307, b"", "text/plain", Location=self.away)
            elif path == "/to-https":
                host, port = self.server.server_address[:2]
                self._answer(307, b"", "text/plain", Location=f"https://{host}:{port}/sparql")
            elif path == "/hop":
                self._answer(307, b"", "text/plain", Location="/sparql")
            elif path == "/sparql":
                self._answer(200, ASK_TRUE)
            else:
                self._answer(404, b"no such path", "text/plain")
        except OSError:  # the client went away, as it should
            self.close_connection = True

    do_GET = do_POST  # a 302 or 303 turns the POST into a GET

    def log_message(self, *args: object) -> None:
        pass


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    """The hostile endpoint, and a second server (another port: another origin) that counts what reaches it."""
    elsewhere, other = Hostile(""), None
    other_handler = type("Elsewhere", (_Handler,), {"hostile": elsewhere})
    other, elsewhere.base = _serve(other_handler)
    found = Hostile("")
    handler = type("Hostile", (_Handler,), {"hostile": found, "away": elsewhere.base + "/sparql"})
    server, found.base = _serve(handler)
    found.elsewhere = elsewhere
    try:
        yield found
    finally:
        for each in (server, other):
            each.shutdown()
            each.server_close()


#: Sets the memory cap, then becomes the installed command (no preexec_fn: this process runs threads).
CAPPED = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2); "
          "os.execv(sys.argv[2], sys.argv[2:])")


def capped(*args: str) -> list[str]:
    """The command line running the installed ``clusterlod`` with ``args`` under the memory cap."""
    return [sys.executable, "-c", CAPPED, str(MEMORY_CAP), str(INSTALLED), *args]


def run(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    """The installed command, under the memory cap; how long it took."""
    started = time.monotonic()
    done = subprocess.run(capped(*args), capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - started


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The error line: exactly one line on stderr, no traceback."""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return lines[0]


@pytest.fixture
def construct(tmp_path: Path) -> str:
    path = tmp_path / "all.rq"
    path.write_text("CONSTRUCT WHERE { ?s ?p ?o }\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def select(tmp_path: Path) -> str:
    path = tmp_path / "rows.rq"
    path.write_text("SELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def quads(tmp_path: Path) -> str:
    """A tiny dataset for `load` (it never gets as far as sending it)."""
    path = tmp_path / "tiny.nq"
    path.write_text("<http://example.org/s> <http://example.org/p> \"o\" <http://example.org/g> .\n", encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- entity expansion (item 2)


@pytest.mark.parametrize("path", ["/laughs", "/laughs-lower"])
def test_rdf_xml_with_a_dtd_is_refused_before_parsing(hostile: Hostile, construct: str, path: str) -> None:
    done, seconds = run("query", construct, "--endpoint", hostile.url(path), timeout=60)
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    line = one_line(done)
    assert "DTD" in line and hostile.url(path) in line
    assert seconds < 20


# --------------------------------------------------------------------------- answer size (item 3)


def test_an_endless_answer_stops_at_the_default_cap(hostile: Hostile, select: str) -> None:
    done, _ = run("query", select, "--endpoint", hostile.url("/endless"), timeout=60)
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    line = one_line(done)
    assert f"more than {remote.MAX_ANSWER_BYTES:,} bytes" in line and "--max-answer-bytes" in line


@pytest.mark.parametrize("path", ["/endless", "/declared-huge"])
def test_the_cap_is_an_option_of_query(hostile: Hostile, select: str, path: str) -> None:
    done, seconds = run("query", select, "--endpoint", hostile.url(path), "--max-answer-bytes", "100000")
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert "more than 100,000 bytes" in one_line(done)
    assert seconds < 20


def test_load_stops_at_the_cap_as_a_failed_load(hostile: Hostile, quads: str) -> None:
    done, _ = run("load", quads, "--endpoint", hostile.url("/endless"), "--max-answer-bytes", "100000")
    assert done.returncode == ExitCode.LOAD_FAILED, done.stderr[-2000:]
    assert "more than 100,000 bytes" in one_line(done)


@pytest.mark.parametrize("verb", ["check", "suggest"])
def test_links_stop_at_the_cap(hostile: Hostile, built_dist: Path, tmp_path: Path, verb: str) -> None:
    extra = ("--out", str(tmp_path / "review.csv")) if verb == "suggest" else ()
    done, _ = run("links", verb, "--dist", str(built_dist), "--endpoint", hostile.url("/endless"),
                  "--max-answer-bytes", "100000", *extra)
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert "more than 100,000 bytes" in one_line(done)
    assert not (tmp_path / "review.csv").exists()


@pytest.mark.parametrize("path", ["/stacked-gzip", "/brotli"])
def test_only_one_layer_of_gzip_or_deflate_is_undone(hostile: Hostile, select: str, path: str) -> None:
    """One gzip layer expands ~1,000 to 1, so the cap holds piece by piece; stacked ones do not."""
    done, _ = run("query", select, "--endpoint", hostile.url(path), "--max-answer-bytes", "100000")
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert "content coding" in one_line(done)


def test_a_gzip_answer_is_read(hostile: Hostile) -> None:
    with SparqlClient(hostile.url("/gzip"), retries=0) as client:
        assert client.ask("ASK {}") is True


# --------------------------------------------------------------------------- the whole request in --timeout (item 4)


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-head"])
def test_a_trickle_ends_at_the_timeout(hostile: Hostile, select: str, path: str) -> None:
    done, seconds = run("query", select, "--endpoint", hostile.url(path), "--timeout", "2")
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert "within 2 s" in one_line(done)
    assert seconds < 10


def test_load_timeout_bounds_the_whole_request(hostile: Hostile, quads: str) -> None:
    done, seconds = run("load", quads, "--endpoint", hostile.url("/trickle-body"), "--timeout", "2")
    assert done.returncode == ExitCode.LOAD_FAILED, done.stderr[-2000:]
    assert "within 2 s" in one_line(done)
    assert seconds < 10


def test_serve_with_a_trickling_endpoint_finishes_starting(hostile: Hostile, built_dist: Path) -> None:
    """`serve --endpoint … --timeout 2` once never finished starting: now it serves, or stops, in bounded time."""
    from clusterlod.bench.processes import free_port

    port = free_port()
    process = subprocess.Popen(capped("serve", "--dist", str(built_dist), "--port", str(port),
                                      "--endpoint", hostile.url("/trickle-body"), "--timeout", "2"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ends, listening = time.monotonic() + 20, False
        while time.monotonic() < ends and process.poll() is None and not listening:
            with socket.socket() as probe:
                listening = probe.connect_ex(("127.0.0.1", port)) == 0
            time.sleep(0.2)
        assert listening or process.poll() == ExitCode.REMOTE, "serve neither started nor stopped within 20 s"
    finally:
        process.kill()
        process.communicate(timeout=10)


# --------------------------------------------------------------------------- nested JSON and redirects (partial holds)


@pytest.mark.parametrize("path", ["/deep-json", "/deep-object"])
def test_a_json_depth_bomb_is_a_remote_failure(hostile: Hostile, select: str, quads: str, path: str) -> None:
    done, _ = run("query", select, "--endpoint", hostile.url(path))
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert "nested too deeply" in one_line(done)
    done, _ = run("load", quads, "--endpoint", hostile.url(path))
    assert done.returncode == ExitCode.LOAD_FAILED, done.stderr[-2000:]
    assert "nested too deeply" in one_line(done)


def test_a_redirect_loop_is_one_line(hostile: Hostile, select: str, quads: str) -> None:
    done, _ = run("query", select, "--endpoint", hostile.url("/loop"))
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert f"redirected more than {remote.MAX_REDIRECTS} times" in one_line(done)
    assert hostile.seen.count("/loop") == remote.MAX_REDIRECTS + 1
    done, _ = run("load", quads, "--endpoint", hostile.url("/loop"))
    assert done.returncode == ExitCode.LOAD_FAILED, done.stderr[-2000:]
    assert "redirected more than" in one_line(done)


@pytest.mark.parametrize("path", ["/away", "/to-https"])
def test_no_redirect_to_another_origin_and_no_body_sent_there(hostile: Hostile, select: str, path: str) -> None:
    done, _ = run("query", select, "--endpoint", hostile.url(path))
    assert done.returncode == ExitCode.REMOTE, done.stderr[-2000:]
    assert "not followed" in one_line(done)
    assert hostile.elsewhere is not None and hostile.elsewhere.seen == []


def test_a_redirect_on_the_same_origin_is_followed(hostile: Hostile) -> None:
    with SparqlClient(hostile.url("/hop"), retries=0) as client:
        assert client.ask("ASK {}") is True
    assert hostile.seen == ["/hop", "/sparql"]


def test_a_load_redirected_elsewhere_never_sends_its_body_there(hostile: Hostile) -> None:
    """The update (the release itself) is never re-sent to another host, whatever the status."""
    with (SparqlClient(hostile.url("/sparql"), update_url=hostile.url("/away"), retries=0) as client,
          pytest.raises(EndpointFailure, match="not followed")):
        client.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    assert hostile.elsewhere is not None and hostile.elsewhere.seen == []


def test_only_the_start_of_an_updates_answer_is_read(hostile: Hostile) -> None:
    """The answer to an update is never used beyond its first line: an endless one neither fails a load
    that the store may have committed, nor fills the memory."""
    started = time.monotonic()
    with SparqlClient(hostile.url("/endless"), retries=0, max_answer_bytes=1000) as client:
        client.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
        reply = client.send_update([b"update=CLEAR+DEFAULT"], len(b"update=CLEAR+DEFAULT"))
    assert reply.truncated and len(reply.body) <= remote.ERROR_BODY_BYTES + 1
    assert time.monotonic() - started < 10
