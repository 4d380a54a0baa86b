"""One load at a time per target graph: a lease the store itself holds (docs/loading.md).

A few triples in ``urn:clusterlod:leases`` (holder, expiry on the store's clock, target graphs),
so loaders on different machines agree without a lock service of their own. Every request goes
through the shared SPARQL client (:mod:`clusterlod.sparql.remote`).
"""

from __future__ import annotations

import os
import random
import re
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from clusterlod.errors import LoadError, RemoteError
from clusterlod.sparql.remote import SparqlClient
from clusterlod.stores import loadtext as text

#: How long a lease lasts unless renewed by a new load (store clock).
DEFAULT_LEASE = 900.0


class LeaseHeld(LoadError):
    """Another load holds the lease on a target graph: this one refused (or waited in vain)."""


def moment(value: str) -> datetime:
    """An xsd:dateTime from the store; Virtuoso's NOW() has no zone (taken as UTC, as we write)."""
    value = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def rows(client: SparqlClient, sparql: str, what: str) -> list[dict[str, str]]:
    """A SELECT's rows with each term's lexical value (leases need no more)."""
    return [{name: term.value for name, term in row.items()} for row in client.select(sparql, what=what)]


@dataclass
class Lease:
    """One load at a time per target graph, by a lease the store holds.

    Take: insert our lease, then read all leases. If another live lease names one of our graphs,
    withdraw ours and wait or refuse. Whichever of two loads inserts second sees the first one's
    lease (each request commits before the read), so at most one goes on; both may withdraw, and retry.
    """

    client: SparqlClient
    graphs: set[str]
    seconds: float
    say: Callable[[str], None]
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    holder: str = field(default_factory=lambda: f"{socket.gethostname()} pid {os.getpid()}")
    expires: str = ""
    #: False until a request to insert our lease was sent and not refused: only then is there one to give back.
    may_hold: bool = False

    @property
    def node(self) -> ox.NamedNode:
        return text.lease_node(self.token)

    def take(self, wait: float) -> None:
        """Loads that start at the same moment may all back off: they retry at random for 2 s."""
        deadline = time.monotonic() + max(wait, 2.0)
        while True:
            now = moment(rows(self.client, text.NOW_SELECT, "reading the store's clock")[0]["now"])
            self.expires = (now + timedelta(seconds=self.seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self.may_hold = True
            try:
                self.client.update(text.lease_insert(self.token, self.holder, self.expires, sorted(self.graphs)),
                                   "taking the lease")
            except RemoteError as error:
                self.may_hold = getattr(error, "status", None) is None or error.status >= 500  # type: ignore[attr-defined]
                raise
            blocking = self._others()
            if not blocking:
                return
            self.client.update(text.lease_delete(self.node), "withdrawing the lease")
            if time.monotonic() >= deadline:
                graph, holder, expires = blocking[0]
                raise LeaseHeld(f"<{graph}> is being loaded by {holder} (lease until {expires}, store clock); "
                                "nothing was sent: try again later or give --wait SECONDS")
            time.sleep(min(0.1 + random.random() / 2, max(0.0, deadline - time.monotonic())))

    def _others(self) -> list[tuple[str, str, str]]:
        """Live leases of other loads on our graphs; expired ones are removed on the way."""
        leases: dict[str, dict] = {}
        for row in rows(self.client, text.LEASES_SELECT, "reading the leases"):
            lease = leases.setdefault(row["lease"], {**row, "graphs": set()})
            if "graph" in row:
                lease["graphs"].add(row["graph"])
        blocking = []
        for name, lease in sorted(leases.items()):
            if name == self.node.value or not lease["graphs"] & self.graphs:
                continue
            if moment(lease["expires"]) <= moment(lease["now"]):
                self.say(f"removing the expired lease of {lease['holder']} (until {lease['expires']})")
                self.client.update(text.lease_delete(text.iri(name, "lease")), "removing an expired lease")
                continue
            blocking.append((min(lease["graphs"] & self.graphs), lease["holder"], lease["expires"]))
        return blocking

    def give_back(self) -> bool:
        """Best effort, one try and a short wait (also after a failure): True when the store took it."""
        try:
            self.client.update(text.lease_delete(self.node), "giving back the lease", retries=0,
                               timeout=min(self.client.timeout, 10.0))
        except RemoteError:
            return False
        return True
