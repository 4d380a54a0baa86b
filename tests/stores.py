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
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper

__all__ = ["OxigraphServer", "VirtuosoServer", "free_port", "select_rows", "ensure_virtuoso",
           "oxigraph_server", "oxigraph_instance", "virtuoso_server", "virtuoso_instance",
           "web_page", "silent_server", "oxigraph_union", "swallowing_proxy"]

#: Longest wait for a server to answer after start; a first start of Virtuoso takes ~5 s.
READY_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = READY_TIMEOUT) -> None:
    """Poll ``ASK {}`` until the server answers 200; fail with its log if it dies or is too slow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready at {url} after {timeout:g} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"


def _stop(process: subprocess.Popen | None, kill: bool) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --------------------------------------------------------------------------- Oxigraph


@dataclass
class OxigraphServer:
    """``oxigraph serve`` on a free loopback port; its data survives stop()/start()."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    user: str | None = None
    password: str | None = None
    union_default_graph: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    def start(self) -> OxigraphServer:
        log = self.folder / "oxigraph.log"
        executable = shutil.which("oxigraph")
        if executable is None:
            raise RuntimeError("the oxigraph CLI is missing: pip install oxigraph (in the test extra)")
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [executable, "serve", "--location", str(self.folder / "db"), "--bind", f"127.0.0.1:{self.port}",
                 *(["--union-default-graph"] if self.union_default_graph else [])],
                stdout=out, stderr=subprocess.STDOUT, cwd=self.folder)
        wait_until_ready(self.query_url, self.process, log)
        return self

    def stop(self, kill: bool = True) -> None:
        """Kill -9 by default: the harshest stop a load can meet, and the fastest."""
        _stop(self.process, kill)


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

VIRTUOSO_PACKAGE = "virtuoso-opensource"
DBA_PASSWORD = "dba"


def _as_root(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return command
    if shutil.which("sudo"):
        return ["sudo", "-n", "-E", *command]
    raise RuntimeError(f"installing {VIRTUOSO_PACKAGE} needs root: run `sudo apt-get install {VIRTUOSO_PACKAGE}`")


def ensure_virtuoso() -> str:
    """The path of ``virtuoso-t``, installing Debian's package first if it is missing.

    The package asks for the DBA password in a debconf dialogue; we preseed it, and install
    with DEBIAN_FRONTEND=noninteractive. The package's own service is not used (and in a
    container policy-rc.d keeps it from starting): the tests run a private instance.
    """
    found = shutil.which("virtuoso-t")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    seeds = "".join(f"virtuoso-opensource-7 virtuoso-opensource-7/{key} password {DBA_PASSWORD}\n"
                    for key in ("dba-password", "dba-password-again"))
    subprocess.run(_as_root(["debconf-set-selections"]), input=seeds, text=True, check=True, env=env)
    install = _as_root(["apt-get", "install", "-y", "-q", "--no-install-recommends", VIRTUOSO_PACKAGE])
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(_as_root(["apt-get", "update", "-q"]), env=env, check=True, capture_output=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"apt-get install {VIRTUOSO_PACKAGE} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    found = shutil.which("virtuoso-t")
    if not found:
        raise RuntimeError(f"{VIRTUOSO_PACKAGE} installed but virtuoso-t is not on PATH")
    return found


VIRTUOSO_INI = """\
; A private Virtuoso for tests and trials: everything in {folder}, listening on 127.0.0.1 only.
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
DirsAllowed        = ., {folder}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxQueryMem        = 256M
ThreadsPerQuery    = 2

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {folder}
ServerThreads      = 10
MaxClientConnections = 10
Charset            = UTF-8

[SPARQL]
; The default caps SELECT answers at 10000 rows, silently: raise it so canned queries compare whole.
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


@dataclass
class VirtuosoServer:
    """A private ``virtuoso-t`` with its own ini and database in ``folder``."""

    folder: Path
    http_port: int = field(default_factory=free_port)
    sql_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    user: str = "dba"
    password: str = DBA_PASSWORD

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """Anonymous, read-only SPARQL."""
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        """SPARQL query and update with digest authentication."""
        return f"{self.base}/sparql-auth"

    @property
    def store_url(self) -> str:
        """Graph Store Protocol with digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"

    def start(self) -> VirtuosoServer:
        executable = ensure_virtuoso()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(folder=self.folder, sql_port=self.sql_port, http_port=self.http_port))
        log = self.folder / "virtuoso.out"
        with log.open("ab") as out:
            self.process = subprocess.Popen([executable, "+foreground", "+configfile", str(ini)],
                                            stdout=out, stderr=subprocess.STDOUT, cwd=self.folder)
        wait_until_ready(self.query_url, self.process, self.folder / "virtuoso.log")
        return self

    def stop(self, kill: bool = False) -> None:
        """SIGTERM lets Virtuoso checkpoint and close its database; kill=True does not."""
        _stop(self.process, kill)


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

    do_GET = do_POST = do_PUT = _page  # noqa: N815

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

        do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

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
