"""Real SPARQL servers for the tests, on 127.0.0.1 only, each in its own temporary folder.

Import into conftest.py with ``from stores import *``. What you get:

``oxigraph_server`` (session)
    An Oxigraph server (the ``oxigraph`` CLI from PyPI). Attributes: ``base`` (http://127.0.0.1:PORT),
    ``query_url`` (…/query), ``update_url`` (…/update), ``store_url`` (…/store, Graph Store
    Protocol), ``user``/``password`` (None: it is open), ``stop(kill=True)``, ``start()``.
    Shared by the whole session: tests that load into it should use graph IRIs of their own.
``oxigraph_instance`` (function)
    A fresh Oxigraph of its own, for a test that stops the server mid-way.
``oxigraph_union`` (function)
    A fresh Oxigraph of its own started with ``--union-default-graph``, as ``serve --endpoint`` wants it.
``virtuoso_server`` (session), ``virtuoso_instance`` (function, its own)
    A private OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource``, installed by apt if
    ``virtuoso-t`` is missing). ``query_url`` (…/sparql, anonymous, read-only),
    ``update_url`` (…/sparql-auth, digest), ``store_url`` (…/sparql-graph-crud-auth, digest),
    ``user``/``password`` ("dba"/"dba").
``swallowing_proxy(upstream, swallow)``
    A loopback HTTP proxy to ``upstream`` that answers the requests ``swallow`` picks with a 200
    HTML login page instead of forwarding them (a login wall or a proxy's block page).
``select_rows(query_url, sparql)``
    The rows of a SELECT as a sorted list of tuples of strings (unbound -> ""), via SPARQLWrapper,
    for comparing a canned query's answer across stores.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from support.servers import OxigraphServer, VirtuosoServer, ensure_virtuoso, free_port

__all__ = ["OxigraphServer", "VirtuosoServer", "free_port", "select_rows", "ensure_virtuoso",
           "oxigraph_server", "oxigraph_instance", "virtuoso_server", "virtuoso_instance",
           "web_page", "silent_server", "oxigraph_union", "swallowing_proxy"]

def _oxigraph(folder: Path, union_default_graph: bool = False) -> Iterator[OxigraphServer]:
    server = OxigraphServer(folder, union_default_graph=union_default_graph).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server for the whole session."""
    yield from _oxigraph(tmp_path_factory.mktemp("oxigraph"))


@pytest.fixture
def oxigraph_instance(tmp_path: Path) -> Iterator[OxigraphServer]:
    """An Oxigraph server of the test's own, which it may stop and start."""
    yield from _oxigraph(tmp_path)


@pytest.fixture
def oxigraph_union(tmp_path: Path) -> Iterator[OxigraphServer]:
    """An Oxigraph of the test's own whose default graph is the union of its named graphs."""
    yield from _oxigraph(tmp_path, union_default_graph=True)


# --------------------------------------------------------------------------- Virtuoso

def _virtuoso(folder: Path) -> Iterator[VirtuosoServer]:
    server = VirtuosoServer(folder).start()
    try:
        yield server
    finally:
        server.stop(kill=True)  # nothing to keep: no need to wait for its checkpoint
        for name in folder.glob("virtuoso*"):  # ~50 MB of database files per instance
            name.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One private Virtuoso for the whole session."""
    yield from _virtuoso(tmp_path_factory.mktemp("virtuoso"))


@pytest.fixture
def virtuoso_instance(tmp_path: Path) -> Iterator[VirtuosoServer]:
    """A Virtuoso of the test's own, which it may stop and start."""
    yield from _virtuoso(tmp_path)


# --------------------------------------------------------------------------- queries


def select_rows(query_url: str, sparql: str) -> list[tuple[str, ...]]:
    """A SELECT's rows as sorted tuples of strings, in the order of its variables (unbound -> "").

    Values only, no term types: the stores spell types differently (Virtuoso says "typed-literal").
    """
    client = SPARQLWrapper(query_url)
    client.setQuery(sparql)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    result = client.queryAndConvert()
    variables = result["head"]["vars"]
    rows = result["results"]["bindings"]
    return sorted(tuple(row.get(name, {}).get("value", "") for name in variables) for row in rows)


# --------------------------------------------------------------------------- endpoints that fail


class _WebPage(http.server.BaseHTTPRequestHandler):
    """A plain web server: whatever is asked, an HTML page (not a SPARQL answer)."""

    def _page(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _page

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_page() -> Iterator[str]:
    """A URL on loopback where a web page answers instead of a SPARQL endpoint."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A URL on loopback whose port accepts connections and never answers: a hung endpoint."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    finally:
        listener.close()


LOGIN_PAGE = b"<!DOCTYPE html><html><body><form><h1>Please sign in</h1></form></body></html>"


@contextlib.contextmanager
def swallowing_proxy(upstream: str, swallow: Callable[[str, bytes], bool]) -> Iterator[str]:
    """A proxy on loopback to ``upstream`` (scheme://host:port); ``swallow(path, body)`` picks the
    requests answered with a 200 HTML login page instead of being forwarded. Yields the proxy's base."""
    client = httpx.Client(timeout=60.0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if swallow(self.path, body):
                status, headers, content = 200, {"Content-Type": "text/html; charset=utf-8"}, LOGIN_PAGE
            else:
                sent = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = client.request(self.command, upstream + self.path, content=body, headers=sent)
                status, content = answer.status_code, answer.content
                headers = {k: v for k, v in answer.headers.items()
                           if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                                "content-encoding")}
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        client.close()
