"""Load a built dataset into a SPARQL store as one transaction, so readers never see it half-done.

The steps, and why (docs/loading.md has the design and its trade-offs):

1. Read ``clusterlod.nq`` (or any .nq/.trig) and count the distinct triples of each named graph
   ourselves: the counts are what the store must hold afterwards, so they must not come from the
   catalog that the same build wrote. Every graph name and ``--graph`` is a parsed IRI term.
2. Ask the endpoint ``ASK {}`` so a wrong URL, a web page or wrong credentials fail in one line.
3. Take a lease the store itself holds (a few triples in ``urn:clusterlod:leases``: holder,
   expiry on the store's clock, target graphs), so two loads of the same graphs never overlap.
4. Send the whole release as ONE update request: for each graph ``DROP SILENT GRAPH`` then
   ``INSERT DATA`` operations, and last a marker unique to this load. Oxigraph and Virtuoso apply
   one request as one transaction: readers see the old release until it commits, then the new
   one. There are no staging graphs for a reader's union default graph to pick up, and a load
   killed mid-way leaves nothing behind but its lease, which expires.
5. Check that the marker is there (a 200 from a proxy or login page that did nothing has no
   marker), that each graph holds the expected number of triples and that no staging graph of
   an older loader remains; then give the lease back.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Literal
from urllib.parse import quote_plus

import httpx
import pyoxigraph as ox

from clusterlod import loadtext as text
from clusterlod.errors import ClusterlodError, LoadError, LoadNotVerified
from clusterlod.loadtext import (DIST_FILE, TMP_PREFIX, Dataset, GraphCount, LoadReport,  # noqa: F401 (the API)
                                 Progress, chunks, progress_printer, read_dataset)

Method = Literal["auto", "gsp", "update"]
AuthScheme = Literal["auto", "basic", "digest"]

#: Operations per request stay small: Virtuoso compiles each into SQL and refuses one whose
#: generated SQL exceeds 10,000 lines (SP031), which a 1,000-triple INSERT DATA already does.
DEFAULT_CHUNK = (500, 256 * 1024)
#: Virtuoso compiles INSERT DATA triples into SQL code unless told to pass them as data: with this
#: the real build loads in seconds instead of 20 s and more (the time grows with the square of the
#: text). Sent only to a server that names itself Virtuoso; other stores would refuse DEFINE.
VIRTUOSO_PROLOGUE = "DEFINE sql:big-data-const 1\n"
#: The whole release travels in one request; beyond this the store's bulk loader is the way.
MAX_REQUEST_BYTES = 256 * 1024 * 1024
#: How long a lease lasts unless renewed by a new load (store clock).
DEFAULT_LEASE = 900.0

RESULTS_JSON = "application/sparql-results+json"


class Unsupported(LoadError):
    """The endpoint exists but does not take this kind of request (405, 415, 501)."""


class LeaseHeld(LoadError):
    """Another load holds the lease on a target graph: this one refused (or waited in vain)."""


class NotApplied(LoadError):
    """The load request was answered but the store does not hold this load (no marker)."""


class CountMismatch(LoadNotVerified):
    """The load committed but the store holds other counts than the build."""


# --------------------------------------------------------------------------- every HTTP call
# The only places that talk to the store, so they can be pointed at a shared SPARQL client.


def _select(client: Client, sparql: str, what: str) -> list[dict[str, str]]:
    """Run a SELECT and return its bindings as plain strings."""
    response = client.request("POST", client.query_url, what, data={"query": sparql},
                              headers={"Accept": RESULTS_JSON})
    data = _results_json(response, client.query_url)
    return [{k: v["value"] for k, v in row.items()} for row in data.get("results", {}).get("bindings", [])]


def _check_query(client: Client) -> str:
    """Fail early, in one line, when the query URL is not a SPARQL endpoint; the server's name."""
    response = client.request("POST", client.query_url, "checking the query endpoint",
                              data={"query": "ASK {}"}, headers={"Accept": RESULTS_JSON})
    data = _results_json(response, client.query_url)
    # Virtuoso 7.2 answers ASK in JSON as a one-row SELECT of ?__ASK_RETVAL, not as a boolean.
    if not isinstance(data.get("boolean"), bool) and not isinstance(data.get("results", {}).get("bindings"), list):
        raise LoadError(f"{client.query_url} is not a SPARQL endpoint: ASK gave no answer")
    return response.headers.get("server", "")


def _update(client: Client, sparql: str, what: str) -> httpx.Response:
    return client.request("POST", client.update_url, what, data={"update": sparql},
                          headers={"Accept": f"{RESULTS_JSON}, */*;q=0.1"})


def _update_streamed(client: Client, body: _Body, what: str) -> httpx.Response:
    """One update request whose form-encoded body is sent piece by piece (progress per piece)."""
    return client.request("POST", client.update_url, what, content=body,
                          headers={"Accept": f"{RESULTS_JSON}, */*;q=0.1", "Content-Length": str(body.size),
                                   "Content-Type": "application/x-www-form-urlencoded"})


def _update_quietly(client: Client, sparql: str) -> bool:
    """Best effort, no retries (clean-up after a failure): True when the store took it."""
    try:
        response = client.http.post(client.update_url, data={"update": sparql}, timeout=min(client.timeout, 10.0))
    except httpx.HTTPError:
        return False
    return response.status_code < 300


# --------------------------------------------------------------------------- HTTP

class AutoAuth(httpx.Auth):
    """Answer whichever challenge the server sends: Virtuoso asks for Digest, Fuseki and GraphDB Basic."""

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        if challenge.startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request, which we already sent
            try:
                request = flow.send(response)
                while True:
                    response = yield request
                    request = flow.send(response)
            except StopIteration:
                return
        self._scheme = "basic"
        yield from self._basic.auth_flow(request)


def make_auth(user: str | None, password: str | None, scheme: AuthScheme = "auto") -> httpx.Auth | None:
    """Credentials for httpx, or None for an open endpoint."""
    if user is None:
        return None
    password = password or ""
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    return AutoAuth(user, password)


#: 500 answers that are the store's verdict on the request (a SPARQL or SQL error), not a hiccup:
#: retrying them would only delay the same error.
_PERMANENT_500 = re.compile(r"does not exist|syntax|parse|\b(SP|SQ|SR|RDF)\d{3}\b|Virtuoso \d{5} Error", re.I)


@dataclass
class Client:
    """One store: SPARQL query and update endpoints, with retries and clear errors."""

    query_url: str
    update_url: str
    auth: httpx.Auth | None = None
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 0.5
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(auth=self.auth, timeout=self.timeout, follow_redirects=True,
                                 headers={"User-Agent": "clusterlod-load"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport

    def request(self, method: str, url: str, what: str, **kwargs: object) -> httpx.Response:
        """Send with retries on connection errors and 5xx; turn every other failure into one line."""
        attempt = 0
        while True:
            try:
                response = self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TimeoutException as error:
                raise LoadError(f"{what}: no answer from {url} within {self.timeout:g} s "
                                f"({type(error).__name__}); raise --timeout for a slow store") from error
            except httpx.TransportError as error:
                if attempt >= self.retries:
                    raise LoadError(f"{what}: cannot reach {url} after {attempt + 1} tries: {error}") from error
            else:
                if response.status_code < 500 or attempt >= self.retries or _permanent(response):
                    return self._checked(response, url, what)
            attempt += 1
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def _checked(self, response: httpx.Response, url: str, what: str) -> httpx.Response:
        status = response.status_code
        if status < 300:
            return response
        if status == 401:
            hint = "check --user and --password" if self.auth else "the endpoint needs --user and --password"
            raise LoadError(f"{what}: {url} refused the credentials (401 Unauthorized): {hint}")
        if status == 403 or (status == 500 and "SECURITY" in response.text[:2000]):  # Virtuoso: 500 SR186
            raise LoadError(f"{what}: {url} forbids this ({status} {response.reason_phrase}): the user may read "
                            "but not write; "
                            "use an endpoint and user allowed to update (Virtuoso: /sparql-auth as dba "
                            "or a user granted SPARQL_UPDATE)")
        if status == 404:
            raise LoadError(f"{what}: {url} not found (404): check the endpoint URL")
        if status in (405, 415, 501):
            raise Unsupported(f"{what}: {url} does not accept this ({status} {response.reason_phrase}): "
                              "is it the SPARQL Update endpoint?")
        raise LoadError(f"{what}: {url} answered {status} {response.reason_phrase}: {_gist(response)}")


def _permanent(response: httpx.Response) -> bool:
    return response.status_code == 500 and bool(_PERMANENT_500.search(response.text[:2000]))


def _gist(response: httpx.Response) -> str:
    """The first meaningful lines of an answer, for a one-line message.

    Tags are stripped only from an HTML page (whose IRIs are escaped as &lt;…&gt;); a plain-text
    error keeps its ``<IRI>``s, which are what tells the user which graph was meant.
    """
    body = response.text
    if "html" in response.headers.get("content-type", "").lower():
        body = unescape(re.sub(r"<[^>]*>", " ", body))
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return (" ".join(lines[:3]) or "(empty body)")[:300]


def _kind(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip() or "no content type"


def _results_json(response: httpx.Response, url: str) -> dict:
    try:
        data = json.loads(response.text)
    except ValueError:
        raise LoadError(f"{url} is not a SPARQL endpoint: it answered {_kind(response)}, "
                        "not SPARQL results") from None
    if not isinstance(data, dict) or ("boolean" not in data and "results" not in data):
        raise LoadError(f"{url} is not a SPARQL endpoint: it answered JSON that is not SPARQL results")
    return data


class _Body:
    """A form-encoded ``update=…`` body in pieces; iterable again for a retry or an auth challenge.

    Percent-encoding works character by character, so the encoded pieces add up to the encoding
    of the whole text, and the body has a known length (no chunked transfer encoding).
    """

    def __init__(self, pieces: list[tuple[str, Progress | None]], progress: Callable[[Progress], None] | None):
        self.pieces = [(quote_plus(piece).encode("ascii"), step) for piece, step in pieces]
        self.pieces.insert(0, (b"update=", None))
        self.size = sum(len(piece) for piece, _ in self.pieces)
        self.progress = progress

    def prepend(self, prologue: str) -> None:
        self.pieces.insert(1, (quote_plus(prologue).encode("ascii"), None))
        self.size += len(self.pieces[1][0])

    def __iter__(self) -> Iterator[bytes]:
        for piece, step in self.pieces:
            yield piece
            if step is not None and self.progress is not None:
                self.progress(step)


# --------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class Target:
    """Where to load: the SPARQL query and update endpoints (``graph_store`` is no longer used)."""

    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None

    @property
    def query_url(self) -> str:
        return text.endpoint_url(self.endpoint, "--endpoint")

    @property
    def update_url(self) -> str:
        """The update URL; for an endpoint ending in /query (Oxigraph, Fuseki) its sibling /update."""
        if self.update_endpoint:
            return text.endpoint_url(self.update_endpoint, "--update-endpoint")
        if self.query_url.rstrip("/").endswith("/query"):
            return self.query_url.rstrip("/")[: -len("query")] + "update"
        return self.query_url


def _moment(value: str) -> datetime:
    """An xsd:dateTime from the store; Virtuoso's NOW() has no zone (taken as UTC, as we write)."""
    value = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Lease:
    """One load at a time per target graph, by a lease the store holds.

    Take: insert our lease, then read all leases. If another live lease names one of our graphs,
    withdraw ours and wait or refuse. Whichever of two loads inserts second sees the first one's
    lease (each request commits before the read), so at most one goes on; both may withdraw, and retry.
    """

    client: Client
    graphs: set[str]
    seconds: float
    say: Callable[[str], None]
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    holder: str = field(default_factory=lambda: f"{socket.gethostname()} pid {os.getpid()}")
    expires: str = ""

    @property
    def node(self) -> ox.NamedNode:
        return text.lease_node(self.token)

    def take(self, wait: float) -> None:
        """Loads that start at the same moment may all back off: they retry at random for 2 s."""
        deadline = time.monotonic() + max(wait, 2.0)
        while True:
            now = _moment(_select(self.client, text.NOW_SELECT, "reading the store's clock")[0]["now"])
            self.expires = (now + timedelta(seconds=self.seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            _update(self.client, text.lease_insert(self.token, self.holder, self.expires, sorted(self.graphs)),
                    "taking the lease")
            blocking = self._others()
            if not blocking:
                return
            _update(self.client, text.lease_delete(self.node), "withdrawing the lease")
            if time.monotonic() >= deadline:
                graph, holder, expires = blocking[0]
                raise LeaseHeld(f"<{graph}> is being loaded by {holder} (lease until {expires}, store clock); "
                                "nothing was sent: try again later or give --wait SECONDS")
            time.sleep(min(0.1 + random.random() / 2, max(0.0, deadline - time.monotonic())))

    def _others(self) -> list[tuple[str, str, str]]:
        """Live leases of other loads on our graphs; expired ones are removed on the way."""
        leases: dict[str, dict] = {}
        for row in _select(self.client, text.LEASES_SELECT, "reading the leases"):
            lease = leases.setdefault(row["lease"], {**row, "graphs": set()})
            if "graph" in row:
                lease["graphs"].add(row["graph"])
        blocking = []
        for name, lease in sorted(leases.items()):
            if name == self.node.value or not lease["graphs"] & self.graphs:
                continue
            if _moment(lease["expires"]) <= _moment(lease["now"]):
                self.say(f"removing the expired lease of {lease['holder']} (until {lease['expires']})")
                _update(self.client, text.lease_delete(text.iri(name, "lease")), "removing an expired lease")
                continue
            blocking.append((min(lease["graphs"] & self.graphs), lease["holder"], lease["expires"]))
        return blocking

    def give_back(self) -> bool:
        return _update_quietly(self.client, text.lease_delete(self.node))


def load(source: Path | Dataset, target: Target, *, graph: str | None = None, method: Method = "auto",
         user: str | None = None, password: str | None = None, auth: AuthScheme = "auto",
         chunk_triples: int | None = None, chunk_bytes: int | None = None,
         timeout: float = 60.0, retries: int = 4, backoff: float = 0.5,
         lease: float = DEFAULT_LEASE, wait: float = 0.0,
         progress: Callable[[Progress], None] | None = None,
         notice: Callable[[str], None] | None = None) -> LoadReport:
    """Load the dataset in one transaction and return the per-graph counts found afterwards.

    Raises LoadError when the load did not complete (targets as they were) and NotApplied when
    the store does not hold it afterwards. A committed load whose counts differ is reported, not
    raised: the caller decides (the CLI exits non-zero).
    """
    started = time.monotonic()
    say = notice or (lambda message: None)
    query_url, update_url = target.query_url, target.update_url  # parsed before anything is read or sent
    if method == "gsp":
        raise LoadError("--method gsp is no longer offered: the Graph Store protocol cannot replace several "
                        "graphs in one transaction; leave --method out (one SPARQL Update request)")
    if target.graph_store:
        say("--graph-store is not used: the load is one SPARQL Update request, a single transaction")
    dataset = source if isinstance(source, Dataset) else read_dataset(Path(source), graph)
    token = uuid.uuid4().hex
    body, sent = _request_body(dataset, chunk_triples or DEFAULT_CHUNK[0], chunk_bytes or DEFAULT_CHUNK[1],
                               text.marker_insert(token), progress)
    if body.size > MAX_REQUEST_BYTES:
        raise LoadError(f"{dataset.source}: {body.size} bytes is more than one update request may carry "
                        f"here ({MAX_REQUEST_BYTES}); use the store's bulk loader (docs/loading.md)")
    with Client(query_url, update_url, make_auth(user, password, auth),
                timeout=timeout, retries=retries, backoff=backoff) as client:
        if _check_query(client).startswith("Virtuoso"):
            body.prepend(VIRTUOSO_PROLOGUE)
        held = Lease(client, set(dataset.graphs), lease, say, token)
        try:
            held.take(wait)
            for leftover in sorted(_graphs_with_prefix(client, TMP_PREFIX)):
                say(f"dropping <{leftover}>, a staging graph left by an older clusterlod load")
                _update(client, text.drop_text(text.iri(leftover, "staging graph")), "dropping a staging graph")
            try:
                answer = _update_streamed(client, body, "loading the release (one update request)")
            except LoadError as error:
                if "no answer" in str(error) or "cannot reach" in str(error):
                    raise LoadError(f"{error}; the store holds the old release, or the new one if it got the "
                                    "whole request, never a mixture") from error
                raise
            report = LoadReport([], "update", sent, body.size)
            _verify(client, held, answer, dataset, report)
        except BaseException:
            if not held.give_back():
                say(f"could not give back the lease; it expires at {held.expires} (store clock)")
            raise
        if not held.give_back():
            say(f"could not give back the lease; it expires at {held.expires} (store clock)")
    report.seconds = time.monotonic() - started
    return report


def _request_body(dataset: Dataset, max_triples: int, max_bytes: int, marker: str,
                  progress: Callable[[Progress], None] | None) -> tuple[_Body, int]:
    """Every graph's DROP and INSERT operations, then the marker: one request, a progress step per piece."""
    pieces: list[tuple[str, Progress | None]] = []
    sent = size = 0
    total = len(dataset.graphs)
    for index, (name, triples) in enumerate(dataset.graphs.items(), start=1):
        node = text.iri(name, "graph")
        pieces.append(((" ;\n" if pieces else "") + text.drop_text(node), None))
        done = 0
        for chunk in chunks(triples, max_triples, max_bytes):
            done += chunk.triples
            sent += chunk.triples
            size += chunk.size
            pieces.append((" ;\n" + text.insert_text(node, chunk),
                           Progress(name, index, total, done, len(triples), size)))
    pieces.append((" ;\n" + marker, None))
    return _Body(pieces, progress), sent


def _graphs_with_prefix(client: Client, prefix: str) -> list[str]:
    rows = _select(client, text.prefix_select(prefix), "looking for staging graphs")
    return [row["g"] for row in rows if "g" in row]


def _count(client: Client, graph: str) -> int:
    rows = _select(client, text.count_select(text.iri(graph, "graph")), f"counting <{graph}>")
    try:
        return int(rows[0]["n"])
    except (IndexError, KeyError, ValueError) as error:
        raise LoadError(f"counting <{graph}>: unexpected answer {rows!r}") from error


def _verify(client: Client, held: Lease, answer: httpx.Response, dataset: Dataset, report: LoadReport) -> None:
    """The store holds this load: its marker, no staging graph, and the counts (reported)."""
    rows = _select(client, text.marker_select(held.token), "checking that the load was applied")
    if [row.get("token") for row in rows] != [held.token]:
        raise NotApplied(f"{client.update_url} answered the load {answer.status_code} {_kind(answer)} "
                         f"({_gist(answer)[:80]}) but the store does not hold it: a proxy or login page may "
                         "have answered instead of the store; the targets are as they were")
    left = _graphs_with_prefix(client, TMP_PREFIX)
    if left:
        raise LoadError(f"the load was applied but staging graph <{left[0]}> is still in the store")
    report.counts = [GraphCount(name, len(triples), _count(client, name))
                     for name, triples in dataset.graphs.items()]
