"""Queries at once per client address, so one client cannot take every query worker.

Ten connections of one client each sending a heavy COUNT held both workers, and everyone
else's simple query waited about 10 s (or got 503). Each client address gets
``max_client_queries`` turns at once; its further queries wait for one of its own turns
(never for other clients' work), and one that cannot get a turn within the wait is answered
429. The address is the one uvicorn gives the request: behind a proxy on 127.0.0.1, the client its
X-Forwarded-For names (docs/serving.md, A production layout).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator

import anyio


class Busy(Exception):
    """This client already runs its share of queries, and none finished within the wait."""


class ClientTurns:
    """At most ``per_client`` queries running at once for each client address."""

    def __init__(self, per_client: int):
        self.per_client = per_client
        #: Address -> (its turns, how many requests hold or wait for one); an entry is dropped when unused.
        self.clients: dict[str, tuple[anyio.Semaphore, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, client: str | None, wait: float) -> AsyncIterator[None]:
        """Hold one of ``client``'s turns while the block runs; :class:`Busy` after ``wait`` seconds."""
        key = client or ""
        semaphore, users = self.clients.get(key, (None, 0))
        if semaphore is None:
            semaphore = anyio.Semaphore(self.per_client)
        self.clients[key] = (semaphore, users + 1)
        try:
            with anyio.move_on_after(wait if wait > 0 else math.inf) as scope:
                await semaphore.acquire()
            if scope.cancelled_caught:
                raise Busy()
            try:
                yield
            finally:
                semaphore.release()
        finally:
            semaphore, users = self.clients[key]
            if users <= 1:
                del self.clients[key]
            else:
                self.clients[key] = (semaphore, users - 1)
