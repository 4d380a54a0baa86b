"""Connections bounded in number and in time, so idle or slow clients cannot exhaust the server.

uvicorn times out a keep-alive connection only after its first answer, and past
``limit_concurrency`` it logs a warning for every refused request. Here a connection
must send a complete request head within ``header_timeout`` (also between requests),
and one over ``max_connections`` is closed at once without a log line; the number of
open files is raised to its hard limit and the connection limit kept below it, so
``accept`` never fails with "Too many open files" (which asyncio logs each time).
"""

from __future__ import annotations

import asyncio
import resource
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Files kept free for the store, the worker pipes and the log.
SPARE_FILES = 64


class BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a silent connection limit."""

    max_connections = 500
    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        if len(self.connections) > self.max_connections:
            transport.abort()  # connection_lost removes it from self.connections
            return
        self._arm()

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
        super().connection_lost(exc)


def open_file_budget() -> int:
    """Raise the soft limit of open files to the hard one; return how many connections fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return max(16, (soft if soft != resource.RLIM_INFINITY else 1 << 20) - SPARE_FILES)


def protocol_for(settings: Any) -> type[BoundedH11]:
    """A protocol class carrying this server's limits (uvicorn builds one per connection)."""
    budget = open_file_budget()
    return type("ServeH11", (BoundedH11,), {"max_connections": min(settings.max_connections, budget),
                                             "header_timeout": settings.header_timeout})


def run(app: Any, settings: Any, host: str, port: int, log_level: str, sock: socket.socket | None = None) -> None:
    """uvicorn with the limits of ``settings``, on ``sock`` when the caller has bound it already.

    Not ``uvicorn.run``, which swallows the KeyboardInterrupt of Ctrl-C (so the command would exit 0):
    uvicorn re-raises the signal after its graceful shutdown, and the CLI exits with ABORTED.
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=log_level in ("info", "debug"),
                            server_header=False, http=protocol_for(settings),
                            timeout_keep_alive=settings.keep_alive_timeout,
                            h11_max_incomplete_event_size=settings.max_header_bytes, lifespan="on")
    server = uvicorn.Server(config)
    server.run(sockets=[sock] if sock is not None else None)
    if not server.started:
        from clusterlod.errors import ClusterlodError

        raise ClusterlodError(f"the server on http://{host}:{port}/ did not start (see the lines above)")
