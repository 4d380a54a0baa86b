"""The SPARQL 1.1 Protocol, read-only: GET, POST form and POST direct body.

Requests are parsed here into a :class:`QueryRequest`; the embedded store runs them in
worker processes (:mod:`clusterlod.web.sparql.worker`), a remote endpoint through :mod:`clusterlod.sparql.remote`.
Updates are refused before anything runs.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import anyio
import pyoxigraph as ox
from starlette.requests import Request

from clusterlod import formats
from clusterlod.sparql.sparql_text import QueryShape, inspect
from clusterlod.web.http import negotiation
from clusterlod.web.sparql.worker import BOOLEAN_VARIANTS, GRAPH_VARIANTS, RESULT_VARIANTS, Outcome, QueryRequest, error

FORM = formats.FORM_URLENCODED
QUERY_BODY = formats.SPARQL_QUERY
UPDATE_BODY = formats.SPARQL_UPDATE
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
FEDERATED = "SERVICE (federated query) is not allowed on this endpoint: it would make the server send requests"
GRAPH_PARAMETERS = ("default-graph-uri", "named-graph-uri")


class TooLarge(Exception):
    pass


def is_update(text: str) -> bool:
    """True when the text holds any update-only keyword (so it is refused with 403)."""
    return inspect(text).is_update


def nesting(text: str) -> int:
    """The deepest nesting of braces, parentheses and brackets outside strings, comments and IRIs."""
    return inspect(text).nesting


def check_graph(name: str, value: str) -> Outcome | None:
    """A dataset parameter must be one absolute IRI; checked here, before any worker sees it."""
    try:
        ox.NamedNode(value)
    except ValueError as e:
        return error(400, f"'{name}' must be an absolute IRI: {e}")
    return None


def check(text: str, shape: QueryShape, params: dict[str, list[str]], max_nesting: int) -> Outcome | None:
    """Every decision taken on the query before it is dispatched, in either mode."""
    if not text.strip():
        return error(400, "the query is empty")
    if shape.is_update:
        return error(403, READ_ONLY)
    if shape.federated:
        return error(400, FEDERATED)
    if shape.unclosed:
        return error(400, "the query has a quote that opens no string that ends")
    if shape.nesting > max_nesting:
        return error(400, f"the query nests braces, brackets or unary operators deeper than the limit of "
                          f"{max_nesting} levels")
    for name in GRAPH_PARAMETERS:
        for value in params.get(name, []):
            problem = check_graph(name, value)
            if problem is not None:
                return problem
    return None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes even when no Content-Length was sent."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _one(params: dict[str, list[str]], name: str) -> str | None | Outcome:
    values = params.get(name, [])
    if len(values) > 1:
        return error(400, f"give exactly one '{name}' parameter")
    return values[0] if values else None


async def parse(request: Request, limit: int, max_nesting: int = 100) -> QueryRequest | Outcome | None:
    """The protocol request, an error to answer, or None when no query was given (show the editor)."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in params:
        return error(403, READ_ONLY)
    text: str | None | Outcome = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        charset = content_type.lower().partition("charset=")[2].split(";")[0].strip().strip('"')
        body = await read_body(request, limit)
        if charset and charset not in ("utf-8", "utf8"):
            return error(415, f"send the request body as UTF-8 (got charset '{charset}')")
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return error(400, "the request body is not UTF-8")
        if media == UPDATE_BODY:
            return error(403, READ_ONLY)
        if media == FORM:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if "update" in form:
                return error(403, READ_ONLY)
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
            text = _one(params, "query")
        elif media == QUERY_BODY:
            if "query" in params:
                return error(400, "a direct POST carries the query in its body, not in a 'query' parameter")
            text = body.decode("utf-8", "replace")
        else:
            return error(415, f"POST a query as {FORM} or {QUERY_BODY} (got '{media or 'no content type'}')")
        if text is None:
            return error(400, "no 'query' parameter in the form")
    else:
        text = _one(params, "query")
        if text is None:
            return None
    if isinstance(text, Outcome):
        return text
    if len(text.encode("utf-8")) > limit:
        raise TooLarge()
    # The one reading of the text (every check below and the worker's dataset use it), in a thread:
    # linear, but a 100 KB query still costs milliseconds that no other request should wait for.
    shape = await anyio.to_thread.run_sync(inspect, text)
    problem = check(text, shape, params, max_nesting)
    if problem is not None:
        return problem
    return QueryRequest(text, request.headers.get("accept"), tuple(params.get("default-graph-uri", [])),
                        tuple(params.get("named-graph-uri", [])), shape.names_dataset)


class RemoteQueries:
    """Forwards read-only queries to a remote endpoint through :mod:`clusterlod.sparql.remote`, with the same limits.

    The query form comes from the parsed text (a comment saying "add up" is not ``ADD``);
    the dataset rule is the embedded store's: the union of all graphs unless the request or
    the query names one. ``run`` blocks: the app calls it in a worker thread. A remote that
    does not answer in time gives 504, one that fails or cannot be reached 502, one that
    refuses the query 400, each with one line.
    """

    def __init__(self, endpoint: str, timeout: float, max_bytes: int):
        from clusterlod.sparql.remote import SparqlClient

        self.client = SparqlClient(endpoint, timeout=timeout, retries=1, backoff=0.2)
        self.endpoint, self.timeout, self.max_bytes = self.client.query_url, timeout, max_bytes

    def run(self, request: QueryRequest) -> Outcome:
        from clusterlod.sparql.remote import EndpointFailure

        shape = inspect(request.query)
        if shape.is_update or shape.form is None:
            return error(403, READ_ONLY) if shape.is_update else error(400, "not a SPARQL query "
                                                                          "(no SELECT, ASK, CONSTRUCT or DESCRIBE)")
        variant = negotiation.choose(request.accept, variants_for(shape.form))
        if variant is None:  # decided here, before dispatch, with the embedded store's words
            return not_acceptable(shape.form)
        try:
            reply = self.client.send_query(request.query, variant.media_type, default_graphs=request.default_graphs,
                                           named_graphs=request.named_graphs, union=True,
                                           max_bytes=self.max_bytes, what="the remote endpoint")
        except EndpointFailure as failure:
            return remote_failure(failure)
        if reply.truncated:
            return error(400, f"the result is larger than the limit of {self.max_bytes} bytes; add LIMIT")
        media = reply.media_type or variant.media_type
        charset = "; charset=utf-8" if media.startswith("text/") or media.endswith("json") else ""
        return Outcome(200, reply.body, media + charset)


def variants_for(form: str | None) -> tuple:
    """The media types a query form can be answered in: a boolean has no CSV or TSV form."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_VARIANTS
    return BOOLEAN_VARIANTS if form == "ASK" else RESULT_VARIANTS


def not_acceptable(form: str | None) -> Outcome:
    """The 406 of either mode, worded as the embedded worker words it."""
    variants = variants_for(form)
    kind = {"CONSTRUCT": "a graph result is", "DESCRIBE": "a graph result is", "ASK": "an ASK result is"}
    return error(406, kind.get(form or "", "results are") + " available as "
                 + ", ".join(v.media_type for v in variants))


def remote_failure(failure: Exception) -> Outcome:
    """504 when the remote endpoint did not answer in time, 400 when it refused the query, else 502."""
    reason, status = getattr(failure, "reason", ""), getattr(failure, "status", None)
    if reason == "timeout":
        return error(504, str(failure))
    if reason == "http" and status is not None and 400 <= status < 500 and status not in (401, 403, 404):
        return error(400, f"the endpoint refused the query: {getattr(failure, 'detail', '')}")
    return error(502, str(failure))
