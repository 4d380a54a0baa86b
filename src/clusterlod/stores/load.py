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

Every request goes through the project's one SPARQL client (:class:`clusterlod.sparql.remote.SparqlClient`);
this module only says what a failure means for the store's content (LOAD_FAILED: as before;
LOAD_NOT_VERIFIED: may hold the new release). The lease lives in :mod:`clusterlod.stores.loadlease`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote_plus

from clusterlod.errors import ClusterlodError, LoadError, LoadNotVerified, RemoteError
from clusterlod.sparql.remote import (
    LOAD_TIMEOUT,
    MAX_ANSWER_BYTES,
    AuthScheme,
    EndpointFailure,
    Reply,
    SparqlClient,
    first_line,
)
from clusterlod.stores import loadtext as text
from clusterlod.stores.loadlease import DEFAULT_LEASE, Lease, LeaseHeld  # noqa: F401 (the API)
from clusterlod.stores.loadtext import (  # noqa: F401 (the API)
    DIST_FILE,
    TMP_PREFIX,
    Dataset,
    GraphCount,
    LoadProgress,
    LoadReport,
    chunks,
    progress_printer,
    read_dataset,
)

Method = Literal["auto", "gsp", "update"]

#: Operations per request stay small: Virtuoso compiles each into SQL and refuses one whose
#: generated SQL exceeds 10,000 lines (SP031), which a 1,000-triple INSERT DATA already does.
DEFAULT_CHUNK = (500, 256 * 1024)
#: Virtuoso compiles INSERT DATA triples into SQL code unless told to pass them as data: with this
#: the real build loads in seconds instead of 20 s and more (the time grows with the square of the
#: text). Sent only to a server that names itself Virtuoso; other stores would refuse DEFINE.
VIRTUOSO_PROLOGUE = "DEFINE sql:big-data-const 1\n"
#: The whole release travels in one request; beyond this the store's bulk loader is the way.
MAX_REQUEST_BYTES = 256 * 1024 * 1024


class Unsupported(LoadError):
    """The endpoint exists but does not take this kind of request (405, 415, 501)."""


class NotApplied(LoadError):
    """The load request was answered but the store does not hold this load (no marker): nothing changed."""


class Unconfirmed(LoadNotVerified):
    """The whole load request was sent but no answer came: the store holds the old or the new release."""


class CountMismatch(LoadNotVerified):
    """The load committed but the store holds other counts than the build."""


# --------------------------------------------------------------------------- the client's failures, for a load

_WRITE_HINT = ("the user may read but not write: use an endpoint and user allowed to update "
               "(Virtuoso: /sparql-auth as dba or a user granted SPARQL_UPDATE)")


def _load_failure(error: RemoteError, kind: type[ClusterlodError], credentials: bool) -> ClusterlodError:
    """The client's one line, with the load's own hint; ``kind`` says what the store holds now."""
    message, status = str(error), getattr(error, "status", None)
    if status == 401:
        message += "; check --user and --password" if credentials else "; the endpoint needs --user and --password"
    elif status == 403 or (status == 500 and "SECURITY" in getattr(error, "detail", "")):  # Virtuoso SR186
        message += f"; {_WRITE_HINT}"
    elif status in (405, 415, 501) and kind is LoadError:
        return Unsupported(f"{message}; is it the SPARQL Update endpoint?")
    return kind(message)


@contextmanager
def _failing_as(client: SparqlClient, kind: type[ClusterlodError] = LoadError) -> Iterator[None]:
    """Every remote failure inside is a load failure of ``kind`` (exit code from errors.ExitCode)."""
    try:
        yield
    except RemoteError as error:
        raise _load_failure(error, kind, client.has_credentials) from error


class _Body:
    """A form-encoded ``update=…`` body in pieces; iterable again for a retry or an auth challenge.

    Percent-encoding works character by character, so the encoded pieces add up to the encoding
    of the whole text, and the body has a known length (no chunked transfer encoding).
    ``complete`` becomes true once every piece was handed to the connection: only then can the
    store have received the whole request (and committed it).
    """

    def __init__(self, pieces: list[tuple[str, LoadProgress | None]],
                 progress: Callable[[LoadProgress], None] | None):
        self.pieces = [(quote_plus(piece).encode("ascii"), step) for piece, step in pieces]
        self.pieces.insert(0, (b"update=", None))
        self.size = sum(len(piece) for piece, _ in self.pieces)
        self.progress = progress
        self.complete = False

    def prepend(self, prologue: str) -> None:
        self.pieces.insert(1, (quote_plus(prologue).encode("ascii"), None))
        self.size += len(self.pieces[1][0])

    def __iter__(self) -> Iterator[bytes]:
        for piece, step in self.pieces:
            yield piece
            if step is not None and self.progress is not None:
                self.progress(step)
        self.complete = True


# --------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class LoadTarget:
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


def load(source: Path | Dataset, target: LoadTarget, *, graph: str | None = None, method: Method = "auto",
         user: str | None = None, password: str | None = None, auth: AuthScheme = "auto",
         chunk_triples: int | None = None, chunk_bytes: int | None = None,
         timeout: float = LOAD_TIMEOUT, retries: int = 4, backoff: float = 0.5,
         max_answer_bytes: int = MAX_ANSWER_BYTES,
         lease: float = DEFAULT_LEASE, wait: float = 0.0,
         progress: Callable[[LoadProgress], None] | None = None,
         notice: Callable[[str], None] | None = None) -> LoadReport:
    """Load the dataset in one transaction and return the per-graph counts found afterwards.

    Raises LoadError (exit LOAD_FAILED) when the load did not complete and the targets are as they
    were, LoadNotVerified (exit LOAD_NOT_VERIFIED) when it may have committed but could not be
    checked. A committed load whose counts differ is reported, not raised: the caller decides
    (the CLI raises CountMismatch).
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
    with _open_client(query_url, update_url, user, password, auth, timeout, retries, backoff,
                      max_answer_bytes) as client:
        with _failing_as(client):
            if client.check_query().startswith("Virtuoso"):
                body.prepend(VIRTUOSO_PROLOGUE)
        held = Lease(client, set(dataset.graphs), lease, say, token)
        try:
            with _failing_as(client):
                held.take(wait)
                for leftover in client.graphs_with_prefix(TMP_PREFIX, "looking for staging graphs"):
                    say(f"dropping <{leftover}>, a staging graph left by an older clusterlod load")
                    client.update(text.drop_text(text.iri(leftover, "staging graph")), "dropping a staging graph")
            answer = _send(client, body)
            report = LoadReport([], "update", sent, body.size)
            with _failing_as(client, LoadNotVerified):  # it was answered 2xx: it may well have committed
                _verify(client, held, answer, dataset, report)
        finally:
            if held.may_hold and not held.give_back():
                say(f"could not give back the lease; it expires at {held.expires} (store clock)")
    report.seconds = time.monotonic() - started
    return report


@contextmanager
def _open_client(query_url: str, update_url: str, user: str | None, password: str | None, auth: AuthScheme,
                    timeout: float, retries: int, backoff: float,
                    max_answer_bytes: int = MAX_ANSWER_BYTES) -> Iterator[SparqlClient]:
    """The shared SPARQL client for one load (a refused URL is a load failure too)."""
    try:
        client = SparqlClient(query_url, update_url=update_url, user=user, password=password, auth=auth,
                              timeout=timeout, retries=retries, backoff=backoff, max_answer_bytes=max_answer_bytes)
    except RemoteError as error:
        raise LoadError(str(error)) from error
    with client:
        yield client


def _send(client: SparqlClient, body: _Body) -> Reply:
    """The one load request; without an answer, whether it may have committed depends on the body sent."""
    try:
        return client.send_update(body, body.size, "loading the release (one update request)")
    except EndpointFailure as error:
        if error.reason not in ("timeout", "unreachable"):
            raise _load_failure(error, LoadError, client.has_credentials) from error  # refused: nothing applied
        if body.complete:
            raise Unconfirmed(f"{error}; the whole request was sent but no answer came: the store holds the old "
                              "release or the new one, never a mixture; load again to be sure") from error
        raise LoadError(f"{error}; the request was cut before its end: the store holds the old release") from error


def _request_body(dataset: Dataset, max_triples: int, max_bytes: int, marker: str,
                  progress: Callable[[LoadProgress], None] | None) -> tuple[_Body, int]:
    """Every graph's DROP and INSERT operations, then the marker: one request, a progress step per piece."""
    pieces: list[tuple[str, LoadProgress | None]] = []
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
                           LoadProgress(name, index, total, done, len(triples), size)))
    pieces.append((" ;\n" + marker, None))
    return _Body(pieces, progress), sent


def _verify(client: SparqlClient, held: Lease, answer: Reply, dataset: Dataset, report: LoadReport) -> None:
    """The store holds this load: its marker, no staging graph, and the counts (reported)."""
    rows = client.select(text.marker_select(held.token), what="checking that the load was applied")
    if [row["token"].value for row in rows if "token" in row] != [held.token]:
        raise NotApplied(f"{client.update_url} answered the load {answer.status} "
                         f"{answer.media_type or 'no content type'} ({first_line(answer.body)[:80]}) but the "
                         "store does not hold it: a proxy or login page may have answered instead of the store; "
                         "the targets are as they were")
    left = client.graphs_with_prefix(TMP_PREFIX, "looking for staging graphs")
    if left:
        raise LoadNotVerified(f"the load was applied but staging graph <{left[0]}> is still in the store")
    report.counts = [GraphCount(name, len(triples), client.count(name)) for name, triples in dataset.graphs.items()]
