"""Issue 29, the server's half, in process: the rules each attack of the third adversarial round broke.

Hostile byte ranges, a release served without its catalogue's check (or files it does not
list, or special files), an access log that escapes less than Apache's, a forwarded address
that is not one, request heads measured after h11 shrank them, a /healthz flood against a
slow store, and pid files that name the wrong process. The attacks themselves, over real
sockets against a real `clusterlod serve`, are in tests/test_serve_storm.py (slow tier).
"""

from __future__ import annotations

import contextlib
import fcntl
import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import anyio.from_thread
import h11
import httpx
import pytest
from inprocess import PortalTransport, run_cli
from starlette.requests import Request

from clusterlod.bench.processes import free_port
from clusterlod.errors import ClusterlodError
from clusterlod.web.http import operations
from clusterlod.web.http.app import create_app
from clusterlod.web.http.connections import StrictConnection
from clusterlod.web.http.limits import BY_NAME, Settings
from clusterlod.web.http.operations import combined_line
from clusterlod.web.release.generations import COPY_PREFIX, remove_stale_copies, take_snapshot
from clusterlod.web.release.pidfile import read_pid, serving_process
from clusterlod.web.release.ranges import FileSource, file_response

FILE = "/download/clusterlod.ttl"


@contextlib.contextmanager
def app_with_log(dist: Path, log: io.StringIO | io.TextIOBase, **settings) -> Iterator[httpx.Client]:
    """The app over ``dist`` with an access log; its query workers are not started (no test here queries)."""
    app = create_app(Settings(dist=dist, queries=None, query_workers=1, **settings), log)
    try:
        with anyio.from_thread.start_blocking_portal() as portal, \
                httpx.Client(transport=PortalTransport(app, portal), base_url="http://testserver") as client:
            client.app = app
            yield client
    finally:
        app.site.stop(1.0)


@pytest.fixture(scope="module")
def live(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release, plus what its catalogue does not list: a secret, a FIFO and a link out of the folder."""
    folder = tmp_path_factory.mktemp("unlisted") / "dist"
    shutil.copytree(built_dist, folder)
    (folder / "secret.env").write_text("PASSWORD=hunter2\n", encoding="utf-8")
    os.mkfifo(folder / "pipe")
    (folder / "passwd").symlink_to("/etc/passwd")
    return folder


@pytest.fixture(scope="module")
def logged(live: Path) -> Iterator[tuple[httpx.Client, io.StringIO]]:
    log = io.StringIO()
    started = threading.Event()
    result: list = []

    def serve() -> None:  # on 0.3.0 opening the FIFO blocked here for good: the test must fail, not hang
        try:
            with app_with_log(live, log) as client:
                result.append(client)
                started.set()
                finished.wait()
        except BaseException as e:
            result.append(e)
            started.set()

    finished = threading.Event()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(60), "the server did not start: an unlisted FIFO in the release blocked it"
    if isinstance(result[0], BaseException):
        raise result[0]
    yield result[0], log
    finished.set()
    thread.join(30)


# ---------------------------------------------------------------- byte ranges (break 3)

def as_sent(text: str) -> bytes:
    """A header value as a client puts it on the wire: one byte per character where it fits (0xB9 is
    what the server reads as ``¹``), else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


@pytest.mark.parametrize("header, status", [
    ("bytes=-\u00b9", 200),  # a superscript one: str.isdigit() says yes, int() says no (500 on 0.3.0)
    ("bytes=\u00b9-2", 200),
    ("bytes=0-\u0663", 200),  # an Arabic-Indic three
    ("bytes=\uff10-\uff19", 200),  # full-width digits
    ("bytes=" + "9" * 5000 + "-", 416),  # past any file (int() refuses over 4,300 digits: 500 on 0.3.0)
    ("bytes=0-" + "9" * 5000, 206),  # to the end of the file
    ("bytes=-" + "9" * 5000, 206),  # the last 10**5000 bytes: the whole file
    ("bytes=" + "1" * 5000 + "-" + "2" * 5000, 416),
    ("bytes= 0 - 9", 200),  # not the grammar (RFC 9110 14.1.1 has no spaces inside a range): ignored
    ("bytes=0x10-", 200),
])
def test_hostile_range_numbers_are_a_4xx_or_ignored_never_500(logged, built_dist: Path, header: str,
                                                                 status: int) -> None:
    """RFC 9110 14.2: a Range that does not parse is ignored (200, the whole file); one past the file is 416."""
    client, _ = logged
    data = (built_dist / "clusterlod.ttl").read_bytes()
    response = client.get(FILE, headers={"Range": as_sent(header)})
    assert response.status_code == status, (header[:20], response.status_code)
    if status == 200:
        assert response.content == data
    elif status == 206:
        assert response.content == data and response.headers["content-range"] == f"bytes 0-{len(data) - 1}/{len(data)}"
    else:
        assert response.headers["content-range"] == f"bytes */{len(data)}"


class Observed(io.BytesIO):
    """A file whose reads are counted (a 300 MB file read whole for a 10-byte range, on 0.3.0)."""

    opened = 0
    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        Observed.read_bytes += len(chunk)
        return chunk


def send_response(response, method: str = "GET") -> tuple[list[dict], bytes]:
    messages: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)

    anyio.run(response, {"type": "http", "method": method}, receive, send)
    return messages, b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


def request_with(headers: dict[str, str]) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})


def test_a_range_reads_only_its_bytes_from_the_file() -> None:
    size = 8 * 1024 * 1024
    content = bytes(range(256)) * (size // 256)

    def opener() -> Observed:
        Observed.opened += 1
        return Observed(content)

    Observed.read_bytes = 0
    response = file_response(request_with({"Range": "bytes=4000000-4000009"}), FileSource(opener, size),
                             "application/octet-stream", {}, "0" * 64)
    messages, body = send_response(response)
    assert messages[0]["status"] == 206 and body == content[4_000_000:4_000_010]
    assert Observed.read_bytes == 10, Observed.read_bytes
    Observed.read_bytes = 0
    _, body = send_response(file_response(request_with({}), FileSource(opener, size), "application/octet-stream",
                                          {}, "0" * 64), "HEAD")
    assert body == b"" and Observed.read_bytes == 0  # HEAD reads nothing
    _, body = send_response(file_response(request_with({}), FileSource(opener, size), "application/octet-stream",
                                          {}, "0" * 64))
    assert body == content  # the whole file, in chunks
    assert max(len(m.get("body", b"")) for m in send_response(file_response(
        request_with({}), FileSource(opener, size), "application/octet-stream", {}, "0" * 64))[0]) < size // 4


# ---------------------------------------------------------------- what a release serves (partials)

def test_only_the_files_the_catalogue_lists_are_served(logged) -> None:
    client, _ = logged
    for path in ("/download/secret.env", "/download/pipe", "/download/passwd", "/secret.env"):
        assert client.get(path).status_code == 404, path
    assert client.get("/download/catalog.ttl").status_code == 200
    assert client.get("/download/reference/identifiers.csv").status_code == 200


def test_a_folder_without_its_catalogue_is_refused_in_one_line(built_dist: Path, tmp_path: Path) -> None:
    """A half-written release (no catalog.ttl) was served unchecked: 579 of 5,799 triples."""
    half = tmp_path / "half"
    shutil.copytree(built_dist, half)
    (half / "catalog.ttl").unlink()
    with pytest.raises(ClusterlodError, match="catalog.ttl is missing") as refused:
        take_snapshot(half)
    assert "\n" not in str(refused.value)
    result = run_cli("serve", "--dist", str(half), "--port", str(free_port()))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "catalog.ttl is missing" in result.stderr


@pytest.mark.parametrize("special", ["fifo", "link-out", "link-folder"])
def test_a_special_file_the_catalogue_lists_is_refused_without_blocking(built_dist: Path, tmp_path: Path,
                                                                       special: str) -> None:
    live = tmp_path / "dist"
    shutil.copytree(built_dist, live)
    if special == "fifo":
        (live / "LICENSE.txt").unlink()
        os.mkfifo(live / "LICENSE.txt")
        expected = "LICENSE.txt is not a regular file (a FIFO)"
    elif special == "link-out":
        (live / "LICENSE.txt").unlink()
        (live / "LICENSE.txt").symlink_to("/etc/hostname")
        expected = "LICENSE.txt is not a regular file (a symbolic link)"
    else:
        outside = tmp_path / "elsewhere"
        shutil.move(live / "links", outside)
        (live / "links").symlink_to(outside)
        expected = "links/ is a symbolic link or no folder"
    outcome: list = []

    def snapshot() -> None:
        try:
            outcome.append(take_snapshot(live, attempts=1))
        except Exception as e:
            outcome.append(e)

    thread = threading.Thread(target=snapshot, daemon=True)
    thread.start()
    thread.join(20)
    assert outcome, "reading the release blocked on a special file"
    assert isinstance(outcome[0], ClusterlodError) and expected in str(outcome[0]), outcome[0]


def test_copies_of_killed_servers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead, alive, other = (tmp_path / f"{COPY_PREFIX}{n}" for n in ("dead", "alive", "x"))
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "clusterlod.nq").write_text("", encoding="utf-8")
    (tmp_path / "clusterlod-serve-old").mkdir()  # 0.3.0's copies: not known to be locked, never touched
    held = os.open(alive, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        assert remove_stale_copies(tmp_path) == [dead]
        assert alive.is_dir() and not dead.exists() and not other.exists()
        assert (tmp_path / "clusterlod-serve-old").is_dir()
    finally:
        os.close(held)


# ---------------------------------------------------------------- the access log (partials)

def test_log_fields_are_escaped_as_apache_does() -> None:
    """Apache's mod_log_config: "non-printable and other special characters in %r, %i and %o are escaped
    using \\xhh sequences, where hh stands for the hexadecimal representation of the raw byte. Exceptions
    from this rule are " and \\, which are escaped by prepending a backslash, and all whitespace characters,
    which are written in their C-style notation (\\n, \\t, etc)." Bytes from 0x80 are not printable in
    its C locale, so C1 controls, UTF-8 and non-UTF-8 bytes alike are \\xhh."""
    agent = b'a"b\\c\td\ne\x1bf\x7fg\x85h\xffi\xc3\xa9j'
    scope = {"type": "http", "method": "GET", "path": "/x", "raw_path": b"/x\x9b\xff", "query_string": b"q=\x85",
             "http_version": "1.1", "client": ("127.0.0.1", 1),
             "headers": [(b"user-agent", agent), (b"referer", b"\x00")]}
    line = combined_line(scope, 200, 5, 0.0)
    assert line.isascii() and line.count("\n") == 1 and line.endswith("\n")
    assert '"GET /x\\x9b\\xff?q=\\x85 HTTP/1.1"' in line
    assert '"a\\"b\\\\c\\td\\ne\\x1bf\\x7fg\\x85h\\xffi\\xc3\\xa9j"' in line
    assert '"\\x00"' in line


@pytest.mark.parametrize("forwarded, logged_as", [
    ("203.0.113.7", "203.0.113.7"),
    ("198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the address the proxy appended
    ("2001:db8::1", "2001:db8::1"),
    ('evil" "injected', "127.0.0.1"),
    ("203.0.113.7\x85", "127.0.0.1"),
    ("fe80::1%eth0", "127.0.0.1"),
    ("example.org", "127.0.0.1"),
    ("9" * 5000, "127.0.0.1"),
])
def test_a_forwarded_address_is_used_only_when_it_is_one(logged, forwarded: str, logged_as: str) -> None:
    client, log = logged
    before = len(log.getvalue())
    client.get("/static/style.css", headers={"X-Forwarded-For": as_sent(forwarded)})
    deadline = time.monotonic() + 5
    while len(log.getvalue()) == before and time.monotonic() < deadline:
        time.sleep(0.01)
    line = log.getvalue()[before:]
    assert line.count("\n") == 1 and line.split(" ", 1)[0] == logged_as, line


def test_a_log_nobody_reads_never_holds_up_the_server(built_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--access-log -` to a reader that stopped reading froze the server after 225 requests."""
    monkeypatch.setattr(operations, "LOG_QUEUE_LINES", 100)
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)  #: a pipe of one page, full after a few lines
    stuck = os.fdopen(write_end, "w", encoding="utf-8")
    answered: list[int] = []
    with app_with_log(built_dist, stuck) as client:
        def flood() -> None:
            for _ in range(400):
                answered.append(client.get("/static/style.css").status_code)

        thread = threading.Thread(target=flood, daemon=True)
        thread.start()
        thread.join(60)
        assert len(answered) == 400 and set(answered) == {200}, f"{len(answered)} of 400 answered"
        metrics = client.get("/metrics").text
        dropped = [line for line in metrics.splitlines() if line.startswith("clusterlod_access_log_dropped_total ")]
        assert dropped and float(dropped[0].split()[1]) >= 100, dropped  # 400 lines, room for 100 + a pipe
        os.close(read_end)  # the reader goes away: the writer's next write fails, which costs nobody
    with contextlib.suppress(OSError):
        stuck.close()


# ---------------------------------------------------------------- request heads (partial)

def head_of(data: bytes, limit: int = 16_384, count: int = 100) -> int:
    """The status a head gets from the connection layer: 0 when accepted, else its refusal's status."""
    connection = StrictConnection(limit, count)
    connection.receive_data(data)
    try:
        event = connection.next_event()
    except h11.RemoteProtocolError as refusal:
        return refusal.error_status_hint
    assert isinstance(event, h11.Request), event
    return 0


def test_a_head_is_measured_as_sent_and_its_fields_counted() -> None:
    """Padding, folded lines and 2,000 empty fields passed the 16,384-byte limit: h11 strips and unfolds them."""
    start = b"GET / HTTP/1.1\r\nHost: x\r\n"
    assert head_of(start + b"\r\n") == 0
    assert head_of(start + b"X: " + b" " * 17_000 + b"a" + b" " * 100 + b"\r\n\r\n") == 431
    assert head_of(start + b"X: a\r\n" + b"          b\r\n" * 2_000 + b"\r\n") == 431  # obs-fold
    assert head_of(start + b"X-E:\r\n" * 2_000 + b"\r\n") == 431
    assert head_of(start + b"X-E:\r\n" * 98 + b"\r\n") == 0  # 99 fields with Host: within the 100
    assert BY_NAME["max_header_count"].default == 100  # Apache's LimitRequestFields default
    keep_alive = StrictConnection(16_384, 100)  # the second request of a connection is measured alone
    keep_alive.receive_data(start + b"\r\n")
    assert isinstance(keep_alive.next_event(), h11.Request)
    assert isinstance(keep_alive.next_event(), h11.EndOfMessage)
    keep_alive.send(h11.Response(status_code=200, headers=[(b"content-length", b"0")]))
    keep_alive.send(h11.EndOfMessage())
    keep_alive.start_next_cycle()
    keep_alive.receive_data(start + b"X: " + b"y" * 10_000 + b"\r\n\r\n")
    assert isinstance(keep_alive.next_event(), h11.Request)


# ---------------------------------------------------------------- /healthz against a slow store (partial)

class SlowStore:
    """A SPARQL endpoint on loopback that answers ``ASK`` after a delay and every SELECT with no rows."""

    def __init__(self, delay: float):
        self.asks = 0
        store = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                query = self.path + self.rfile.read(length).decode("latin-1")
                if "ASK" in query.upper():
                    store.asks += 1
                    time.sleep(delay)
                    body = b'{"head": {}, "boolean": true}'
                else:
                    body = b'{"head": {"vars": ["s", "p", "o", "l"]}, "results": {"bindings": []}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_healthz_flood_asks_a_slow_store_once(built_dist: Path) -> None:
    """Each /healthz asked the store in a thread of its own: a flood against a slow store slowed every query."""
    store = SlowStore(0.5)
    try:
        with app_with_log(built_dist, io.StringIO(), endpoint=store.url) as client:
            client.app.site.start()
            answers: list[int] = []
            threads = [threading.Thread(target=lambda: answers.append(client.get("/healthz").status_code))
                       for _ in range(40)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert answers == [200] * 40
            assert store.asks <= 2, store.asks  # one probe for the flood (two if it straddled a second)
    finally:
        store.close()


# ---------------------------------------------------------------- clusterlod reload's checks (partial)

@pytest.mark.parametrize("text", ["0", "-1", "1", "\u00b9", "", "12 34", "9" * 40, "0x10"])
def test_a_pid_file_must_hold_a_process_id(tmp_path: Path, text: str) -> None:
    """``0`` signalled the caller's own process group, ``-1`` every process it may signal."""
    pid_file = tmp_path / "serve.pid"
    pid_file.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ClusterlodError, match="holds no process id"):
        read_pid(pid_file)
    result = run_cli("reload", "--pid-file", str(pid_file))
    assert result.returncode == 1 and result.stderr.count("\n") == 1


def test_reload_signals_no_process_but_a_server_holding_the_file(tmp_path: Path) -> None:
    """A stale pid file whose number now belongs to another program: nothing is signalled."""
    pid_file = tmp_path / "serve.pid"
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file.write_text(f"{bystander.pid}\n", encoding="utf-8")
        with pytest.raises(ClusterlodError, match="is not `clusterlod serve --pid-file"):
            serving_process(pid_file)
        result = run_cli("reload", "--pid-file", str(pid_file))
        assert result.returncode == 1 and "nothing was signalled" in result.stderr
        time.sleep(0.2)
        assert bystander.poll() is None  # alive: no SIGHUP reached it
    finally:
        bystander.kill()
        bystander.wait()


# ---------------------------------------------------------------- SIGHUP (break 2)

def test_sighups_only_wake_the_loop_and_coalesce(built_dist: Path, tmp_path: Path) -> None:
    """2,000 SIGHUPs to this process, as fast as it can send them: the loop stays free and the reloads
    they ask for coalesce (one under way, at most one more), each a whole attempt with its outcome.

    The real server under 5,000 SIGHUPs and load is tests/test_serve_storm.py (slow tier).
    """
    import asyncio
    import signal
    import types

    from clusterlod.web.http.app import reload_on_sighup
    from clusterlod.web.release.generations import Generations

    live = tmp_path / "dist"
    shutil.copytree(built_dist, live)
    outcomes: list[dict] = []
    switch = Generations(live, lambda generation: None, lambda generation: None)
    switch.on_outcome = outcomes.append
    ticks = 0

    async def storm() -> None:
        nonlocal ticks
        stop = reload_on_sighup(types.SimpleNamespace(generations=switch))
        assert stop is not None and signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN)
        try:
            for n in range(2000):
                os.kill(os.getpid(), signal.SIGHUP)
                if n % 50 == 0:
                    await asyncio.sleep(0)  # the loop runs between bursts: the wake-ups are handled
                    ticks += 1
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # until no reload is asked for or under way, twice 0.3 s apart
                if not switch._wanted.is_set() and not switch._reloading.locked():
                    await asyncio.sleep(0.3)
                    if not switch._wanted.is_set() and not switch._reloading.locked():
                        break
                await asyncio.sleep(0.05)
        finally:
            stop()

    try:
        asyncio.run(asyncio.wait_for(storm(), 60))
    finally:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        switch.close(1.0)
    assert ticks == 40
    assert outcomes and all(o["outcome"] == "unchanged" for o in outcomes), outcomes[:3]
    assert len(outcomes) < 200, len(outcomes)  # coalesced: 2,000 signals, a few whole reloads
