"""Connections bounded in number and in time, so idle or slow clients cannot exhaust the server.

uvicorn times out a keep-alive connection only after its first answer, and past
``limit_concurrency`` it logs a warning for every refused request. Here a connection
must send a complete request head within ``header_timeout`` (also between requests),
and one over ``max_connections`` is closed at once without a log line; the number of
open files is raised to its hard limit and the connection limit kept below it, so
``accept`` never fails with "Too many open files" (which asyncio logs each time).

Also refused here, where the bytes arrive: a request with both ``Content-Length`` and
``Transfer-Encoding`` (RFC 9112 §6.3: request smuggling; refused with 400 and the connection
closed), a request head over ``max_header_bytes`` (431, however it was split into packets),
and a client holding more than ``max_client_connections`` at once (closed at once, so one
slowloris client cannot take every slot). Malformed requests and clients that go away are
noted in one short line at most per minute (:class:`Note`), never a traceback each.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES, H11Protocol

#: Files kept free for the store, the worker pipes and the log.
SPARE_FILES = 64
#: After SIGTERM, how long requests under way may take to finish before they are cancelled (s); the
#: release's workers then get STOP_GRACE_S (web/app.py): the server is gone within about 10 s.
SHUTDOWN_GRACE_S = 5.0


class Note:
    """One short log line for a kind of event, at most once per ``interval``, counting the rest.

    A flood of malformed requests or of clients that hang up mid-body costs the log a line a
    minute, not a line (or a 3 KB traceback) each.
    """

    def __init__(self, what: str, interval: float = 60.0, logger: str = "uvicorn.error"):
        self.what, self.interval, self.logger = what, interval, logging.getLogger(logger)
        self.last = -interval
        self.unsaid = 0

    def __call__(self) -> None:
        self.unsaid += 1
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.logger.warning("clusterlod: %s (%d since the last note)", self.what, self.unsaid)
            self.last, self.unsaid = now, 0


MALFORMED = Note("refused a malformed request")
GONE = Note("a client went away before its request arrived whole")


def head_too_large(limit: int) -> str:
    return f"the request head is larger than the limit of {limit} bytes (send a long SPARQL query by POST)"


class Refused(h11.RemoteProtocolError):
    """A request h11 accepts but this server refuses, with its status and one line."""


def too_many_headers(limit: int) -> str:
    return f"the request has more than {limit} header fields"


class StrictConnection(h11.Connection):
    """h11's server side, refusing what it would let through: framing that two parties can read
    differently (Content-Length with Transfer-Encoding), a request head over the limit, too many fields.

    The head is measured as it arrived, in bytes: h11 strips the whitespace around values and unfolds
    folded lines (obs-fold), so a head measured after parsing let 16 KB of padding through; and a head
    of 2,000 empty fields is small in bytes but a field count (Apache's LimitRequestFields) stops it.
    """

    def __init__(self, max_header_bytes: int, max_header_count: int = 100):
        super().__init__(h11.SERVER, max_incomplete_event_size=max_header_bytes)
        self.max_header_bytes, self.max_header_count = max_header_bytes, max_header_count
        self.refusal: h11.RemoteProtocolError | None = None
        #: The request refused after its head was read (for the access log), else None.
        self.refused_request: h11.Request | None = None
        self._received = 0

    def receive_data(self, data: bytes) -> None:
        self._received += len(data)
        super().receive_data(data)

    def next_event(self) -> Any:
        awaiting_head = self.their_state is h11.IDLE
        consumed = self._received - len(self._receive_buffer)
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as error:
            self.refusal = error
            raise
        if isinstance(event, h11.Request):
            names = {name for name, _ in event.headers}  # h11 gives them lower-cased
            size = self._received - len(self._receive_buffer) - consumed if awaiting_head else 0
            size = max(size, len(event.method) + len(event.target) + 11 +
                       sum(len(n) + len(v) + 4 for n, v in event.headers))
            if size > self.max_header_bytes:
                self.refusal = Refused(head_too_large(self.max_header_bytes), error_status_hint=431)
            elif len(event.headers) > self.max_header_count:
                self.refusal = Refused(too_many_headers(self.max_header_count), error_status_hint=431)
            elif b"content-length" in names and b"transfer-encoding" in names:
                self.refusal = Refused("a request may not have both Content-Length and Transfer-Encoding",
                                       error_status_hint=400)
            if self.refusal is not None:
                self.refused_request = event
                raise self.refusal
        return event


class BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline, strict framing and silent connection limits."""

    max_connections = 500
    max_client_connections = 50
    header_timeout = 10.0
    max_header_bytes = 16_384
    max_header_count = 100
    #: Open connections by client address, shared by every connection of the server.
    by_client: Counter[str] = Counter()
    #: Told of every request refused here (431, 400), so the access log and /metrics see it too.
    on_refusal: Callable[[dict, int, int], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = StrictConnection(self.max_header_bytes, self.max_header_count)
        self.logger = _Quiet(self.logger)
        self._host: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        host = self.client[0] if self.client else None
        if len(self.connections) > self.max_connections or \
                (host is not None and self.by_client[host] >= self.max_client_connections):
            transport.abort()  # connection_lost removes it from self.connections
            return
        if host is not None:
            self._host = host
            self.by_client[host] += 1
        self._arm()

    def send_400_response(self, msg: str) -> None:
        """Answer a refused request with its own status (431, 400) and line, then close."""
        refusal = self.conn.refusal
        status = getattr(refusal, "error_status_hint", 400) if refusal is not None else 400
        text = str(refusal) if isinstance(refusal, Refused) else msg
        if status == 431:  # h11's own check of a head still arriving
            text = head_too_large(self.max_header_bytes)
        body = f"clusterlod: {text}\n".encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        try:
            output = self.conn.send(h11.Response(status_code=status, headers=headers,
                                                 reason=STATUS_PHRASES.get(status, b"")))
            output += self.conn.send(h11.Data(data=body))
            output += self.conn.send(h11.EndOfMessage())
            self.transport.write(output)
        except h11.LocalProtocolError:
            pass  # h11 cannot answer in the state the peer left it in: close without one
        self.transport.close()
        if self.on_refusal is not None:
            self.on_refusal(self._refused_scope(), status, len(body))

    def _refused_scope(self) -> dict:
        """What is known of a refused request, shaped as an ASGI scope for the access log and /metrics."""
        scope: dict[str, Any] = {"client": self.client}
        request = self.conn.refused_request
        if request is not None:
            target = request.target
            path, _, query = target.partition(b"?")
            scope.update(method=request.method.decode("latin-1"), raw_path=path, query_string=query,
                         path=path.decode("latin-1"), http_version=request.http_version.decode("latin-1"),
                         headers=[(n, v) for n, v in request.headers if n in (b"referer", b"user-agent")])
        return scope

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _busy(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if not self._busy() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._busy():
            self._disarm()  # a whole request head has arrived; the app's own limits apply now

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._host is not None:
            self.by_client[self._host] -= 1
            if self.by_client[self._host] <= 0:
                del self.by_client[self._host]
            self._host = None
        super().connection_lost(exc)


class _Quiet:
    """uvicorn's logger for one connection, with its per-request "Invalid HTTP request" warning
    turned into the rate-limited :data:`MALFORMED` note; everything else passes through."""

    def __init__(self, logger: logging.Logger):
        self._logger = logger

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if msg == "Invalid HTTP request received.":
            MALFORMED()
        else:
            self._logger.warning(msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger, name)


def open_file_budget() -> int:
    """Raise the soft limit of open files to the hard one; return how many connections fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return max(16, (soft if soft != resource.RLIM_INFINITY else 1 << 20) - SPARE_FILES)


def protocol_for(settings: Any, on_refusal: Callable[[dict, int, int], None] | None = None) -> type[BoundedH11]:
    """A protocol class carrying this server's limits (uvicorn builds one per connection)."""
    budget = open_file_budget()
    return type("ServeH11", (BoundedH11,), {"max_connections": min(settings.max_connections, budget),
                                             "max_client_connections": settings.max_client_connections,
                                             "header_timeout": settings.header_timeout,
                                             "max_header_bytes": settings.max_header_bytes,
                                             "max_header_count": settings.max_header_count,
                                             "by_client": Counter(),
                                             "on_refusal": staticmethod(on_refusal) if on_refusal else None})


def run(app: Any, settings: Any, host: str, port: int, log_level: str, sock: socket.socket | None = None) -> None:
    """uvicorn with the limits of ``settings``, on ``sock`` when the caller has bound it already.

    Not ``uvicorn.run``, which swallows the KeyboardInterrupt of Ctrl-C (so the command would exit 0):
    uvicorn re-raises the signal after its graceful shutdown, and the CLI exits with ABORTED.
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=log_level in ("info", "debug"),
                            server_header=False, http=protocol_for(settings, getattr(app, "refused", None)),
                            proxy_headers=False,  # X-Forwarded-For is read, and checked, by web/operations.py
                            timeout_keep_alive=settings.keep_alive_timeout,
                            h11_max_incomplete_event_size=settings.max_header_bytes, lifespan="on",
                            timeout_graceful_shutdown=SHUTDOWN_GRACE_S)
    server = uvicorn.Server(config)
    server.run(sockets=[sock] if sock is not None else None)
    if not server.started:
        from clusterlod.errors import ClusterlodError

        raise ClusterlodError(f"the server on http://{host}:{port}/ did not start (see the lines above)")
