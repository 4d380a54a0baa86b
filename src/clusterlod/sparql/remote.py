"""The one SPARQL protocol client: query, update and the Graph Store protocol, over httpx.

Every module that talks to a SPARQL server over HTTP goes through :class:`SparqlClient`
(``clusterlod query --endpoint``, ``links``, ``serve --endpoint``, ``load``), so they share:

- one check of the endpoint URL (http or https only; credentials in the URL are taken
  out of it and used to authenticate, and never appear in a message);
- one timeout (seconds, a float) that bounds each request whole: connecting, sending, and
  reading all of the answer (every read and write of the socket gets only the time left, so
  an endpoint trickling a byte a second is cut at the timeout, not after hours);
- one cap on the size of an answer (:data:`MAX_ANSWER_BYTES`, ``--max-answer-bytes``): the
  body is read in pieces and refused past it, never held whole first;
- redirects followed only to the same scheme, host and port, at most :data:`MAX_REDIRECTS`
  times; a request (and its body) is never sent to another origin;
- one retry policy: retries with exponential back-off
  on connection errors and 5xx answers only, and never on a 500 that is the store's
  verdict on the request (a syntax or security error), which would only come back again;
- one mapping of HTTP answers to :class:`EndpointFailure` (a ``RemoteError``) carrying the
  status, the endpoint and a short, sanitised first line of the body;
- the query form taken from :func:`clusterlod.sparql.sparql_text.inspect`, never guessed from
  the text by regular expressions (a comment saying "add up" is not ``ADD``);
- basic and digest authentication, chosen by the server's challenge unless forced.

SPARQLWrapper is not used here: it cannot report the status and body of every HTTP error
(it folds them into exception messages), has no retries, no digest-or-basic choice and no
Graph Store protocol; httpx does all of it with one transport. See docs/development.md.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Self
from urllib.parse import unquote, urlsplit, urlunsplit

import httpcore
import httpx
import pyoxigraph as ox

from clusterlod import __version__, formats
from clusterlod.errors import RemoteError, UsageError
from clusterlod.sparql import answers
from clusterlod.sparql.answers import Answer
from clusterlod.sparql.sparql_text import inspect

AuthScheme = Literal["auto", "basic", "digest"]
USER_AGENT = f"clusterlod/{__version__}"
#: Oxigraph's protocol parameter asking for the union of all graphs as the default graph.
UNION_PARAMETER = "union-default-graph"
#: 500 answers that are the store's verdict on the request (a SPARQL or SQL error), not a hiccup.
_PERMANENT_500 = re.compile(r"does not exist|syntax|parse|\b(SP|SQ|SR|RDF)\d{3}\b|Virtuoso \d{5} Error|SECURITY",
                            re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FIRST_LINE_LIMIT = 200

# The client's limits, defined once: the commands' option defaults, the client's and the table in
# docs/querying.md (written by :func:`limits_table` through scripts/gen-docs).
#: Seconds one request may take, whole (``--timeout`` of query and links).
TIMEOUT = 30.0
#: ``load``'s ``--timeout``: its one update request carries the whole release.
LOAD_TIMEOUT = 60.0
#: Bytes of one answer read at most (``--max-answer-bytes``); a larger answer is refused.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
#: Redirects followed for one request, on the same scheme, host and port only.
MAX_REDIRECTS = 5
#: Of an error answer, or of the answer to an update, only the first line is used: this much is read.
ERROR_BODY_BYTES = 4096
#: The content codings an answer may come in (asked for by Accept-Encoding): one layer at most.
CONTENT_CODINGS = ("", "identity", "gzip", "x-gzip", "deflate")
#: A body is written in slices this large, each given only the time left.
WRITE_SLICE = 16 * 1024


@dataclass(frozen=True)
class ClientLimit:
    """One limit of the SPARQL client, as the docs show it."""

    option: str
    default: float | int
    unit: str
    help: str


CLIENT_LIMITS: tuple[ClientLimit, ...] = (
    ClientLimit("--timeout", TIMEOUT, "s",
                "Time one request may take, whole: connecting, sending it and reading all of the answer. An "
                f"answer still coming at the timeout is cut (exit `REMOTE`). `load` has {LOAD_TIMEOUT:g} s, "
                "`serve --endpoint` its own `--timeout`."),
    ClientLimit("--max-answer-bytes", MAX_ANSWER_BYTES, "bytes",
                "Largest answer read, counted as it arrives (after any compression is undone); a larger one "
                "stops the command with one line (exit `REMOTE`, `LOAD_FAILED` for `load`). `serve --endpoint` "
                "cuts its `/sparql` answers at its own `--max-result-bytes`."),
    ClientLimit("fixed", MAX_REDIRECTS, "redirects",
                "Redirects followed for one request, and only to the same scheme, host and port; a redirect "
                "elsewhere or one more is not followed (one line, exit `REMOTE`), so a request and its body "
                "never reach another host."),
)


def limits_table() -> str:
    """The client's limits as a Markdown table (docs/querying.md)."""
    lines = ["| Option | Default | What it bounds |", "|---|---|---|"]
    for limit in CLIENT_LIMITS:
        option = f"`{limit.option}`" if limit.option.startswith("--") else limit.option
        default = f"{limit.default:,}" if isinstance(limit.default, int) else f"{limit.default:g}"
        if limit.unit == "bytes" and limit.default % 2 ** 20 == 0:
            default += f" bytes ({limit.default // 2 ** 20} MiB)"
        else:
            default += f" {limit.unit}"
        lines.append(f"| {option} | {default} | {limit.help} |")
    return "\n".join(lines) + "\n"


class EndpointFailure(RemoteError):
    """A remote endpoint failed: ``reason`` is timeout, unreachable, http, redirect, size or answer.

    ``status`` is the HTTP status (None when there was no answer), ``endpoint`` the URL
    without credentials, ``detail`` the short first line of the body.
    """

    def __init__(self, message: str, *, endpoint: str, reason: str, status: int | None = None, detail: str = ""):
        super().__init__(message)
        self.endpoint, self.reason, self.status, self.detail = endpoint, reason, status, detail


def first_line(body: bytes | str | None, markup: bool = True) -> str:
    """The first meaningful line of a body, without markup or control characters, at most 200 characters.

    ``markup=False`` (a text/plain answer) keeps ``<…>``: there they are IRIs, the very part of
    "The graph <urn:…> does not exist" that tells which graph was meant.
    """
    if isinstance(body, bytes):
        body = body[:4096].decode("utf-8", "replace")
    text = (body or "")[:4096]
    for line in (_TAG.sub("\n", text) if markup else text).splitlines():
        line = " ".join(_CONTROL.sub(" ", line).split())
        if line and not line.startswith("<!"):
            return line if len(line) <= FIRST_LINE_LIMIT else line[:FIRST_LINE_LIMIT - 3] + "..."
    return "(no message)"


def check_url(url: str | None, option: str = "--endpoint") -> tuple[str, tuple[str, str] | None]:
    """An http(s) URL without its credentials, and the credentials; anything else is refused.

    Only the protocol is ever spoken: a ``file:`` or empty URL is refused (a usage error: nothing was
    contacted), never opened.
    """
    text = (url or "").strip()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port == -1:
        shown = text if "@" not in text else "(a URL with credentials)"
        raise UsageError(f"{option} {shown!r}: give an http:// or https:// URL of a SPARQL endpoint")
    credentials = None
    if parts.username is not None or parts.password is not None:
        credentials = (unquote(parts.username or ""), unquote(parts.password or ""))
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, "")), credentials


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
        if response.headers.get("www-authenticate", "").lower().startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request, which was already sent
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


class Deadline(threading.local):
    """When the request this thread is sending must be over (``time.monotonic()``), or None."""

    at: float | None = None

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        previous, self.at = self.at, time.monotonic() + seconds
        try:
            yield
        finally:
            self.at = previous

    def left(self, timeout: float | None, late: type[Exception]) -> float | None:
        """``timeout``, but no more than the time left; ``late`` is raised once none is left."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise late("the request took all of its time")
        return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake gets only the request's time left."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self.inner, self.deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), WRITE_SLICE):
            self.inner.write(buffer[start:start + WRITE_SLICE], self.deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self.inner.start_tls(ssl_context, server_hostname, self.deadline.left(timeout, httpcore.ConnectTimeout))
        return _BoundedStream(tls, self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    """httpcore's sockets, each wrapped in a :class:`_BoundedStream`.

    httpx's timeouts apply to each socket operation alone: an endpoint sending one byte a second
    never trips a 30 s read timeout. Bounding every operation by the time left bounds the whole.
    """

    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self.inner, self.deadline = inner, deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        stream = self.inner.connect_tcp(host, port, self.deadline.left(timeout, httpcore.ConnectTimeout),
                                        local_address, socket_options)
        return _BoundedStream(stream, self.deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        stream = self.inner.connect_unix_socket(path, self.deadline.left(timeout, httpcore.ConnectTimeout),
                                                socket_options)
        return _BoundedStream(stream, self.deadline)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def bounded_client(deadline: Deadline, **options: Any) -> httpx.Client:
    """An httpx client whose connections (direct or through a proxy) all keep ``deadline``.

    httpx offers no public way to give its transports a network backend, so the backend of each
    connection pool is wrapped once, before any connection exists; tests/test_remote_hardening.py
    fails if a new httpx stops honouring it.
    """
    client = httpx.Client(**options)
    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        if pool is None or not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
            raise RuntimeError(f"httpx {httpx.__version__}: cannot bound its connections by a deadline")
        pool._network_backend = _BoundedBackend(pool._network_backend, deadline)
    return client


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (the scheme's default when none is written)."""
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


@dataclass(frozen=True)
class Reply:
    """A successful answer as it came: the body (possibly cut at ``max_bytes``) and its media type."""

    body: bytes
    media_type: str
    truncated: bool = False
    status: int = 200
    #: The ``Server`` header: how the store names itself (load adds a Virtuoso-only prologue).
    server: str = ""
    reason: str = ""


class SparqlClient:
    """One SPARQL store: its query, update and Graph Store URLs, credentials, timeout and retries."""

    def __init__(self, query_url: str, *, update_url: str | None = None, graph_store_url: str | None = None,
                 user: str | None = None, password: str | None = None, auth: AuthScheme = "auto",
                 timeout: float = TIMEOUT, retries: int = 2, backoff: float = 0.5, agent: str = USER_AGENT,
                 max_answer_bytes: int = MAX_ANSWER_BYTES):
        self.query_url, url_credentials = check_url(query_url)
        self.update_url = check_url(update_url, "--update-endpoint")[0] if update_url else self.query_url
        self.graph_store_url = check_url(graph_store_url, "--graph-store")[0] if graph_store_url else None
        if user is None and url_credentials:
            user, password = url_credentials
        self.has_credentials = user is not None
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.max_answer_bytes = max_answer_bytes
        self.deadline = Deadline()
        self.auth = make_auth(user, password, auth)  # applied by _send, so no challenge's body is read whole
        self.http = bounded_client(self.deadline, timeout=timeout, follow_redirects=False,
                                   headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def request(self, method: str, url: str, what: str, max_bytes: int | None = None, *,
                retries: int | None = None, timeout: float | None = None, **kwargs: object) -> Reply:
        """Send with retries on connection errors and 5xx; every other failure is one EndpointFailure.

        ``timeout`` bounds each try whole, redirects included. ``max_bytes`` cuts the answer there
        and says so (``Reply.truncated``: serve's own result limit); without it an answer over the
        client's ``max_answer_bytes`` is refused. ``retries`` and ``timeout`` override the client's
        for this request (a best-effort clean-up wants no retries and a short wait).
        """
        retries = self.retries if retries is None else retries
        timeout = self.timeout if timeout is None else timeout
        attempt = 0
        while True:
            try:
                with self.deadline.within(timeout):
                    reply = self._exchange(method, url, what, max_bytes, timeout, kwargs)
            except httpx.TimeoutException:
                raise EndpointFailure(f"{what}: {url} did not answer within {timeout:g} s (--timeout)",
                                      endpoint=url, reason="timeout") from None
            except httpx.TransportError as error:
                if attempt >= retries:
                    tries = f" after {attempt + 1} tries" if attempt else ""
                    raise EndpointFailure(f"{what}: cannot reach {url}{tries}: {first_line(str(error))}",
                                          endpoint=url, reason="unreachable") from None
            else:
                status = reply.status
                if status < 300:
                    return reply
                if status < 500 or attempt >= retries or _permanent(status, reply.body):
                    raise self.failure(status, reply.reason, reply.body, url, what, media_type=reply.media_type)
            attempt += 1
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def _exchange(self, method: str, url: str, what: str, max_bytes: int | None, timeout: float,
                  options: dict[str, Any]) -> Reply:
        """One try: the request, its redirects on the same origin, and the answer read within bounds.

        A redirect's body is never read, and one to another scheme, host or port is not followed,
        so nothing (above all not a load's body) is sent there.
        """
        request = self.http.build_request(method, url, timeout=timeout, **options)
        origin = _origin(request.url)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(request)
            try:
                following = response.next_request
                if following is None:
                    body, truncated = self._body(response, url, what, max_bytes)
                    return Reply(body, response.headers.get("content-type", "").split(";")[0].strip().lower(),
                                 truncated, response.status_code, response.headers.get("server", ""),
                                 response.reason_phrase)
                if _origin(following.url) != origin:
                    there = first_line(f"{following.url.scheme}://{following.url.netloc.decode('ascii', 'replace')}/")
                    raise EndpointFailure(f"{what}: {url} redirected to {there}, another scheme, host or port: "
                                          "not followed", endpoint=url, reason="redirect",
                                          status=response.status_code)
            finally:
                response.close()
            request = following
        raise EndpointFailure(f"{what}: {url} redirected more than {MAX_REDIRECTS} times (a loop?): not followed "
                              "further", endpoint=url, reason="redirect")

    def _send(self, request: httpx.Request) -> httpx.Response:
        """One request, answering an authentication challenge; the answer's body is not read yet.

        httpx's own authentication reads a challenge's body whole, which a hostile endpoint could
        make endless; here a challenge is closed unread and only its headers are used.
        """
        if self.auth is None:
            return self.http.send(request, stream=True, auth=None)
        flow = self.auth.sync_auth_flow(request)
        sending = next(flow)
        while True:
            response = self.http.send(sending, stream=True, auth=None)
            try:
                sending = flow.send(response)
            except StopIteration:
                return response
            except BaseException:
                response.close()
                raise
            response.close()

    def _body(self, response: httpx.Response, url: str, what: str, max_bytes: int | None) -> tuple[bytes, bool]:
        """The answer's body within its bound: cut at ``max_bytes``, or refused over the client's cap.

        Only one layer of gzip or deflate is undone: each is bounded in ratio (about 1,000 to 1), so one
        piece read from the socket cannot become gigabytes before the cap is checked, as stacked
        layers ("gzip, gzip") or another coding could.
        """
        coding = response.headers.get("content-encoding", "").strip().lower()
        if coding not in CONTENT_CODINGS:
            if response.status_code >= 300:
                return b"", False
            raise EndpointFailure(f"{what}: {url} answered in the content coding {first_line(coding)!r}, which "
                                  f"is not read here (only {', '.join(c for c in CONTENT_CODINGS if c)})",
                                  endpoint=url, reason="answer", status=response.status_code)
        if response.status_code >= 300:
            return _read(response, ERROR_BODY_BYTES)[0], False  # only its first line is ever shown
        if max_bytes is not None:
            return _read(response, max_bytes)
        cap = self.max_answer_bytes
        declared = response.headers.get("content-length", "")
        body, over = (b"", True) if declared.isdigit() and int(declared) > cap else _read(response, cap)
        if over:
            raise EndpointFailure(f"{what}: {url} answered more than {cap:,} bytes (--max-answer-bytes): ask for "
                                  "less (LIMIT) or raise the limit", endpoint=url, reason="size",
                                  status=response.status_code)
        return body, False

    def failure(self, status: int, reason: str, body: bytes, url: str, what: str,
                media_type: str = "") -> EndpointFailure:
        """One line for an HTTP error answer, with a hint where the status has an obvious cause."""
        detail = first_line(body, markup=media_type != "text/plain")
        hints = {401: "check the user name and password" if self.has_credentials
                 else "the endpoint needs credentials, e.g. http://user:password@host/sparql",
                 403: "the user may not do this (to write: an endpoint and user allowed to update)",
                 404: "check the endpoint URL"}
        hint = f" ({hints[status]})" if status in hints else ""
        return EndpointFailure(f"{what}: {url} answered HTTP {status} {reason}{hint}: {detail}",
                               endpoint=url, reason="http", status=status, detail=detail)

    # ------------------------------------------------------------------ queries

    def send_query(self, text: str, accept: str, *, default_graphs: Sequence[str] = (),
                   named_graphs: Sequence[str] = (), union: bool = False, max_bytes: int | None = None,
                   what: str = "query") -> Reply:
        """POST a query (form-encoded) and return the answer as it came, in the media type asked for.

        ``union`` asks for the union of all graphs as the default graph, but only when neither the
        request nor the query names a dataset (the same rule as the embedded store).
        """
        data: dict[str, str | list[str]] = {"query": text}
        if default_graphs:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            data["named-graph-uri"] = list(named_graphs)
        params = {}
        if union and not default_graphs and not named_graphs and not inspect(text).names_dataset:
            params[UNION_PARAMETER] = "true"
        return self.request("POST", self.query_url, what, max_bytes, data=data, params=params,
                            headers={"Accept": accept})

    def query(self, text: str, *, union: bool = False, what: str = "query") -> Answer:
        """Run any query; its form (from the parsed text) decides what is asked for and returned."""
        form = inspect(text).form
        if form is None:
            raise RemoteError(f"{what}: not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
        graph = form in answers.GRAPH_FORMS
        accept = f"{formats.TURTLE.media_type}, {formats.N_TRIPLES.media_type};q=0.9" if graph \
            else f"{formats.SPARQL_RESULTS_JSON}, {formats.JSON_MEDIA_TYPE};q=0.5"
        return self._answer(form, self.send_query(text, accept, union=union, what=what), what)

    def _answer(self, form: str, reply: Reply, what: str) -> Answer:
        graph = form in answers.GRAPH_FORMS
        try:
            if graph:
                return Answer(form, triples=answers.from_graph(reply.media_type, reply.body))
            return answers.from_results_json(form, reply.body)
        except answers.NotAnAnswer as error:
            kind = "an RDF graph" if graph else "a SPARQL answer"
            raise EndpointFailure(f"{what}: {self.query_url} did not give {kind} "
                                  f"({reply.media_type or 'no content type'}): {error}; {first_line(reply.body)}",
                                  endpoint=self.query_url, reason="answer", status=200,
                                  detail=first_line(reply.body)) from None

    def select(self, text: str, *, union: bool = False, what: str = "query") -> list[dict[str, answers.Term]]:
        """The rows of a SELECT as {variable: term}, unbound variables left out."""
        answer = self._expect(text, "SELECT", union, what)
        return [{v: t for v, t in zip(answer.variables, row, strict=True) if t is not None} for row in answer.rows]

    def ask(self, text: str, *, union: bool = False, what: str = "query") -> bool:
        return bool(self._expect(text, "ASK", union, what).boolean)

    def construct(self, text: str, *, union: bool = False, what: str = "query") -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE."""
        return self._expect(text, answers.GRAPH_FORMS, union, what).triples

    def _expect(self, text: str, forms: str | tuple[str, ...], union: bool, what: str) -> Answer:
        answer = self.query(text, union=union, what=what)
        if answer.form not in ((forms,) if isinstance(forms, str) else forms):
            raise RemoteError(f"{what}: expected a {forms} query, got {answer.form}")
        return answer

    def count(self, graph: str, what: str | None = None) -> int:
        """The number of triples in one named graph, as the server counts them."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                           what=what or f"counting <{graph}>")
        try:
            return int(rows[0]["n"].value)
        except (IndexError, KeyError, ValueError, AttributeError):
            raise RemoteError(f"counting <{graph}>: {self.query_url} gave no count") from None

    def graphs_with_prefix(self, prefix: str, what: str = "listing graphs") -> list[str]:
        literal = str(ox.Literal(prefix))
        rows = self.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                           f"FILTER(STRSTARTS(STR(?g), {literal})) }}", what=what)
        return sorted(row["g"].value for row in rows if "g" in row)

    def check_query(self, what: str = "checking the query endpoint") -> str:
        """Fail early, in one line, when the query URL is not a SPARQL endpoint (``ASK {}``).

        Returns the server's name (its ``Server`` header, "" if none), for store-specific hints.
        """
        reply = self.send_query("ASK {}", f"{formats.SPARQL_RESULTS_JSON}, {formats.JSON_MEDIA_TYPE};q=0.5",
                                what=what)
        self._answer("ASK", reply, what)
        return reply.server

    # ------------------------------------------------------------------ update

    def update(self, text: str, what: str = "update", *, retries: int | None = None,
               timeout: float | None = None) -> None:
        """POST a SPARQL Update (form-encoded) to the update URL; only the start of its answer is read."""
        self.request("POST", self.update_url, what, ERROR_BODY_BYTES, data={"update": text}, retries=retries,
                     timeout=timeout,
                     headers={"Accept": f"{formats.SPARQL_RESULTS_JSON}, */*;q=0.1"})

    def send_update(self, body: Iterable[bytes], size: int, what: str = "update") -> Reply:
        """POST an update whose form-encoded body (``update=…``, already encoded) is sent as it is iterated.

        For a body too large to build twice in memory (a whole release, up to 256 MiB), with progress
        as it goes. ``body`` must iterate again from the start (a retry or an auth challenge resends
        it); ``size`` is its length, sent as Content-Length (no chunked encoding, which some refuse).
        Only the start of the answer is read (``Reply.truncated`` past it): once the store has taken the
        whole request, an answer too large must not turn a committed load into a failed one.
        """
        return self.request("POST", self.update_url, what, ERROR_BODY_BYTES, content=body,
                            headers={"Accept": f"{formats.SPARQL_RESULTS_JSON}, */*;q=0.1",
                                     "Content-Type": formats.FORM_URLENCODED,
                                     "Content-Length": str(size)})

    # ------------------------------------------------------------------ Graph Store protocol

    def _store_url(self) -> str:
        if self.graph_store_url is None:
            raise RemoteError("the Graph Store protocol needs a Graph Store URL (--graph-store)")
        return self.graph_store_url

    def gsp_get(self, graph: str, what: str = "reading a graph") -> list[ox.Triple]:
        reply = self.request("GET", self._store_url(), what, params={"graph": graph},
                             headers={"Accept": f"{formats.N_TRIPLES.media_type}, {formats.TURTLE.media_type};q=0.9"})
        try:
            return answers.from_graph(reply.media_type, reply.body)
        except answers.NotAnAnswer as error:
            raise EndpointFailure(f"{what}: {self.graph_store_url} did not give a graph: {error}",
                                  endpoint=self._store_url(), reason="answer", status=200) from None

    def gsp_put(self, graph: str, body: bytes | str, media_type: str = formats.N_TRIPLES.media_type,
                what: str = "replacing a graph") -> None:
        """PUT replaces the graph with ``body``."""
        self._gsp_send("PUT", graph, body, media_type, what)

    def gsp_post(self, graph: str, body: bytes | str, media_type: str = formats.N_TRIPLES.media_type,
                 what: str = "adding to a graph") -> None:
        """POST adds ``body`` to the graph."""
        self._gsp_send("POST", graph, body, media_type, what)

    def gsp_delete(self, graph: str, what: str = "deleting a graph", missing_ok: bool = True) -> None:
        try:
            self.request("DELETE", self._store_url(), what, ERROR_BODY_BYTES, params={"graph": graph})
        except EndpointFailure as error:
            if not (missing_ok and error.status == 404):
                raise

    def _gsp_send(self, method: str, graph: str, body: bytes | str, media_type: str, what: str) -> None:
        content = body.encode("utf-8") if isinstance(body, str) else body
        self.request(method, self._store_url(), what, ERROR_BODY_BYTES, params={"graph": graph}, content=content,
                     headers={"Content-Type": f"{media_type}; charset=utf-8"})


def _permanent(status: int, body: bytes) -> bool:
    """A 500 that states the store's verdict on the request: asking again gives the same answer."""
    return status == 500 and bool(_PERMANENT_500.search(body[:2000].decode("utf-8", "replace")))


def _read(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """The body, never more than ``max_bytes`` (+1 to tell that it was cut) held in memory."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes + 1], True
    return b"".join(chunks), False
