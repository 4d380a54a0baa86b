"""What an operator needs around the application: /healthz, /metrics, the access log, the release header.

:class:`Operations` is the outermost ASGI layer. It pins each request to the generation
current when it arrived (:mod:`clusterlod.web.release.generations`), names that release in every
answer (``X-Clusterlod-Release``), counts the request for ``/metrics`` (Prometheus text
format, written by the maintained ``prometheus_client``) and writes one Combined Log Format
line per request when an access log was asked for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import queue
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

import anyio
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from clusterlod import __version__
from clusterlod.web.release.generations import PINNED, RELEASE_HEADER
from clusterlod.web.release.paths import split_document

HEALTH_PATH, METRICS_PATH = "/healthz", "/metrics"
#: Latency buckets (seconds): a cached page is well under a millisecond, a query up to --timeout.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Fixed route names, so a flood of distinct paths cannot grow the metrics.
ROUTES = ("index", "page", "document", "resource", "download", "sparql", "search", "reconcile", "labels", "static",
          "sitemap", "void", "healthz", "metrics", "invalid")
#: Peers whose X-Forwarded-For is believed (uvicorn's FORWARDED_ALLOW_IPS default): a proxy on this host.
TRUSTED_PROXIES = frozenset({"127.0.0.1"})
#: Access-log lines waiting for the writer; past it, lines are dropped and counted, the server never waits.
LOG_QUEUE_LINES = 10_000
#: How long one probe of the --endpoint store answers every /healthz (s): a flood of them is one probe a second.
HEALTH_PROBE_S = 1.0
EXPOSE = (b"access-control-expose-headers", f"{RELEASE_HEADER}, ETag".encode())
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Each metric with what it counts, as docs/serving.md lists them.
METRICS = (
    ("clusterlod_http_requests_total", "counter", "Requests answered, by route (fixed names) and status code."),
    ("clusterlod_http_request_duration_seconds", "histogram",
     "Time from the request's arrival to the end of its answer, by route."),
    ("clusterlod_http_requests_in_flight", "gauge", "Requests being answered now."),
    ("clusterlod_query_worker_restarts_total", "counter",
     "Query workers replaced because they died or overran --timeout."),
    ("clusterlod_answer_cache_hits_total", "counter", "SPARQL answers served from the answer cache."),
    ("clusterlod_answer_cache_misses_total", "counter", "SPARQL queries the answer cache did not hold."),
    ("clusterlod_release_info", "gauge",
     "Always 1; its labels name the release being served (content hash, dcat:version)."),
    ("clusterlod_release_loaded_timestamp_seconds", "gauge", "When the release being served was loaded (Unix time)."),
    ("clusterlod_release_reloads_total", "counter", "Switches to a new release (SIGHUP or `clusterlod reload`)."),
    ("clusterlod_release_reload_failures_total", "counter",
     "Reloads refused because dist/ could not be read; the old release kept serving."),
    ("clusterlod_access_log_dropped_total", "counter",
     "Access-log lines dropped because the log could not take them (a full disk, a reader of `-` that stopped): "
     "the server never waits for its log."),
)


#: What /healthz answers, field by field, as docs/serving.md lists them.
HEALTH_FIELDS = (
    ("status", '`"ok"` (200), or `"unavailable"` (503) when the store of `--endpoint` does not answer `ASK {}`'),
    ("release", "the release being served: its content hash, also sent as `X-Clusterlod-Release` on every answer"),
    ("version", "the dataset's `dcat:version` in that release's catalogue (`null` when it states none)"),
    ("clusterlod", "the version of clusterlod serving it"),
    ("loaded", "when that release was loaded (ISO 8601, UTC)"),
    ("store", '`"embedded"`, or `{"endpoint": URL, "reachable": true}` (or `false`) with `--endpoint`: one '
              '`ASK {}` at a time, its answer kept for a second, however many ask'),
    ("error", "with 503 only: the store's failure, one line"),
    ("reload_error", "why the last reload was refused (the release above kept serving), one line; `null` once a "
                     "reload succeeds"),
)


def markdown_table() -> str:
    """The /healthz fields and the /metrics series, as the tables of docs/serving.md."""
    lines = ["| `/healthz` field | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {meaning} |" for name, meaning in HEALTH_FIELDS]
    lines += ["", "| metric | type | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {kind} | {meaning} |" for name, kind, meaning in METRICS]
    routes = ", ".join(f"`{r}`" for r in ROUTES)
    return "\n".join(lines) + f"\n\nThe `route` label is one of {routes}.\n"


def route_of(path: str) -> str:
    """One of :data:`ROUTES` for a request path."""
    if path in ("/", "/index.html", "/index.ja.html", "/index.en.html"):
        return "index"
    fixed = {"/sparql": "sparql", "/sitemap.xml": "sitemap", "/.well-known/void": "void",
             HEALTH_PATH: "healthz", METRICS_PATH: "metrics", "/favicon.ico": "static", "/robots.txt": "static"}
    if path in fixed:
        return fixed[path]
    if not path.startswith("/"):  # a head refused before it was read (no path) or an absolute-form target
        return "invalid"
    for prefix, name in (("/download/", "download"), ("/static/", "static"), ("/search", "search"),
                         ("/reconcile", "reconcile"), ("/labels.", "labels")):
        if path.startswith(prefix):
            return name
    document = split_document(path.lstrip("/"))
    if document:
        return "page" if document[2] == "html" else "document"
    return "resource"


class _Live:
    """The collector reading the server's own counters at scrape time."""

    def __init__(self, site: Any, dropped: Callable[[], int]):
        self.site, self.dropped = site, dropped

    def collect(self) -> Iterator[Any]:
        site = self.site
        generation = site.generations.current
        pool = generation.parts.queries if generation.parts else None
        restarts, hits, misses = (site.retired["restarts"], site.retired["hits"], site.retired["misses"])
        if pool is not None and hasattr(pool, "restarts"):
            restarts, hits, misses = restarts + pool.restarts, hits + pool.answers.hits, misses + pool.answers.misses
        docs = {name: text for name, _, text in METRICS}
        yield CounterMetricFamily("clusterlod_query_worker_restarts", docs["clusterlod_query_worker_restarts_total"],
                                  value=restarts)
        yield CounterMetricFamily("clusterlod_answer_cache_hits", docs["clusterlod_answer_cache_hits_total"],
                                  value=hits)
        yield CounterMetricFamily("clusterlod_answer_cache_misses", docs["clusterlod_answer_cache_misses_total"],
                                  value=misses)
        info = GaugeMetricFamily("clusterlod_release_info", docs["clusterlod_release_info"],
                                 labels=["release", "version"])
        info.add_metric([generation.id, generation.snapshot.version or ""], 1)
        yield info
        yield GaugeMetricFamily("clusterlod_release_loaded_timestamp_seconds",
                                docs["clusterlod_release_loaded_timestamp_seconds"], value=generation.loaded_at)
        yield CounterMetricFamily("clusterlod_release_reloads", docs["clusterlod_release_reloads_total"],
                                  value=site.generations.reloads)
        yield CounterMetricFamily("clusterlod_release_reload_failures",
                                  docs["clusterlod_release_reload_failures_total"],
                                  value=site.generations.failed_reloads)
        yield CounterMetricFamily("clusterlod_access_log_dropped", docs["clusterlod_access_log_dropped_total"],
                                  value=self.dropped())


class Metrics:
    """The server's metrics, in a registry of its own (several apps may run in one process)."""

    def __init__(self, site: Any, dropped: Callable[[], int] = lambda: 0):
        docs = {name: text for name, _, text in METRICS}
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("clusterlod_http_requests", docs["clusterlod_http_requests_total"],
                                ["route", "status"], registry=self.registry)
        self.latency = Histogram("clusterlod_http_request_duration_seconds",
                                 docs["clusterlod_http_request_duration_seconds"], ["route"], buckets=BUCKETS,
                                 registry=self.registry)
        from prometheus_client import Gauge

        self.in_flight = Gauge("clusterlod_http_requests_in_flight", docs["clusterlod_http_requests_in_flight"],
                               registry=self.registry)
        self.registry.register(_Live(site, dropped))

    def observe(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The text format the scraper asks for (Prometheus text, or OpenMetrics), and its media type."""
        encoder, media_type = choose_encoder(accept or "")
        return encoder(self.registry), media_type


#: Apache's escapes in a log field (ap_escape_logitem); every other byte below 0x20 or from 0x7f is \\xhh.
_ESCAPES = {ord("\b"): "\\b", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord("\v"): "\\v",
            ord("\\"): "\\\\", ord('"'): '\\"'}
_FIELD = {byte: _ESCAPES.get(byte, chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}") for byte in range(256)}


def _log_field(value: str | bytes) -> str:
    """A field of a log line as Apache writes it (ap_escape_logitem): quotes and backslashes escaped, control
    bytes (C0, DEL, C1) and every byte from 0x80 (so non-UTF-8 bytes too) as ``\\xhh``; the line is ASCII.

    ``value`` is the bytes as received (a ``str`` stands for bytes 0-255, as headers are decoded).
    """
    raw = value.encode("latin-1", "backslashreplace") if isinstance(value, str) else value
    return "".join(_FIELD[byte] for byte in raw)


def combined_line(scope: dict, status: int, size: int, when: float) -> str:
    """One request in the Combined Log Format (Apache's ``combined``, nginx's default)."""
    headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
    client = (scope.get("client") or ("-", 0))[0]
    stamp = datetime.fromtimestamp(when, UTC)
    date = f"{stamp.day:02d}/{MONTHS[stamp.month - 1]}/{stamp.year}:{stamp:%H:%M:%S} +0000"
    if "method" in scope:
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        request = scope["method"].encode("latin-1") + b" " + target + \
            f" HTTP/{scope.get('http_version', '1.1')}".encode()
    else:
        request = b"-"  # a head refused before it could be read
    return (f'{_log_field(client)} - - [{date}] "{_log_field(request)}" {status} {size if size else "-"} '
            f'"{_log_field(headers.get("referer", b"-"))}" "{_log_field(headers.get("user-agent", b"-"))}"\n')


def forwarded_client(scope: dict) -> tuple[str, int] | None:
    """The client a trusted proxy names in X-Forwarded-For (the address it appended, the last), if it is
    an IP address; anything else (a name, a quote, a newline, a scope id) is ignored, never used or logged."""
    client = scope.get("client")
    if not client or client[0] not in TRUSTED_PROXIES:
        return None
    values = [v for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
    if not values:
        return None
    last = b",".join(values).rsplit(b",", 1)[-1].strip()
    if not (0 < len(last) <= 45) or not last.isascii() or b"%" in last:
        return None
    try:
        return str(ipaddress.ip_address(last.decode("ascii"))), 0
    except ValueError:
        return None


class AccessLog:
    """Lines handed to a writer thread through a bounded queue: the server never waits for its log.

    A log that cannot take lines (a reader of ``--access-log -`` that stopped reading, a full disk)
    costs the lines it cannot take, counted in ``clusterlod_access_log_dropped_total``, never a request.
    """

    def __init__(self, out: TextIO, capacity: int | None = None):
        self.out = out
        self.lines: queue.Queue[str | None] = queue.Queue(capacity or LOG_QUEUE_LINES)
        self.dropped = 0
        self.failed = False
        self.thread = threading.Thread(target=self._write, name="clusterlod-access-log", daemon=True)
        self.thread.start()

    def __call__(self, line: str) -> None:
        try:
            self.lines.put_nowait(line)
        except queue.Full:
            self.dropped += 1

    def _write(self) -> None:
        while True:
            line = self.lines.get()
            if line is None:
                return
            try:
                self.out.write(line)
                if self.lines.empty():
                    self.out.flush()
            except (OSError, ValueError) as e:  # a closed or broken log: said once, then lines are counted
                self.dropped += 1
                if not self.failed:
                    self.failed = True
                    print(f"clusterlod: cannot write the access log: {e}", file=sys.stderr, flush=True)

    def close(self, wait: float = 2.0) -> None:
        """Write what is queued (for ``wait`` seconds at most: a stuck log must not hold up the shutdown)."""
        try:
            self.lines.put(None, timeout=wait)
        except queue.Full:
            return
        self.thread.join(wait)


class Operations:
    """Pure ASGI, outermost: pin the generation, name it in the answer, /healthz and /metrics, count, log."""

    def __init__(self, app: Callable[..., Awaitable[None]], site: Any, access_log: TextIO | None = None):
        self.app, self.site = app, site
        self.access_log = AccessLog(access_log) if access_log is not None else None
        self.metrics = Metrics(site, lambda: self.access_log.dropped if self.access_log else 0)
        #: (the pool asked, until when it holds, reachable, error) of the last store probe, and the one under way.
        self._health: tuple[Any, float, bool, str | None] | None = None
        self._probing: asyncio.Future | None = None
        if self.access_log is not None:
            site.closers.append(self.access_log.close)

    def refused(self, scope: dict, status: int, size: int) -> None:
        """A request the connection layer refused before the application saw it (431, 400): counted and logged.

        ``scope`` holds what is known of it: the client, and the method, target and headers when its head
        was read (a head too large to read has none).
        """
        self.metrics.observe(route_of(scope.get("path", "")), status, 0.0)
        if self.access_log is not None:
            self.log(combined_line(scope, status, size, time.time()))

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        forwarded = forwarded_client(scope)
        if forwarded is not None:
            scope = {**scope, "client": forwarded}
        started, when = time.perf_counter(), time.time()
        generation = self.site.generations.acquire()
        token = PINNED.set(generation)
        answer = {"status": 500, "size": 0}
        release_header = (RELEASE_HEADER.lower().encode(), generation.id.encode())

        async def named(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                headers = [*message.get("headers", []), release_header]
                if any(k.lower() == b"access-control-allow-origin" for k, _ in headers):
                    headers.append(EXPOSE)  # so a script on another site can read which release answered
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and scope["method"] != "HEAD":  # the server drops it
                answer["size"] += len(message.get("body", b""))
            await send(message)

        self.metrics.in_flight.inc()
        try:
            if scope["path"] == HEALTH_PATH and scope["method"] in ("GET", "HEAD"):
                await self.health(generation)(scope, receive, named)
            elif scope["path"] == METRICS_PATH and scope["method"] in ("GET", "HEAD"):
                accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
                await self.metrics_response(accept)(scope, receive, named)
            else:
                await self.app(scope, receive, named)
        finally:
            PINNED.reset(token)
            self.site.generations.release(generation)
            self.metrics.in_flight.dec()
            self.metrics.observe(route_of(scope["path"]), answer["status"], time.perf_counter() - started)
            if self.access_log is not None:
                self.log(combined_line(scope, answer["status"], answer["size"], when))

    def log(self, line: str) -> None:
        self.access_log(line)

    async def probe(self, queries: Any) -> tuple[bool, str | None]:
        """Whether the --endpoint store answers ``ASK {}``: one probe at a time, its answer kept
        :data:`HEALTH_PROBE_S`, so a flood of /healthz costs the store one query a second, not one each."""
        cached = self._health
        if cached is not None and cached[0] is queries and time.monotonic() < cached[1]:
            return cached[2], cached[3]
        if self._probing is None or self._probing.done():
            self._probing = asyncio.ensure_future(self._ask(queries))
        return await asyncio.shield(self._probing)

    async def _ask(self, queries: Any) -> tuple[bool, str | None]:
        try:
            answer = await anyio.to_thread.run_sync(queries.client.ask, "ASK {}")
            result: tuple[bool, str | None] = (isinstance(answer, bool), None)
        except Exception as e:  # any failure of the store is "unreachable", said in one line
            result = (False, str(e).splitlines()[0] if str(e) else type(e).__name__)
        self._health = (queries, time.monotonic() + HEALTH_PROBE_S, *result)
        return result

    def health(self, generation: Any) -> Any:
        """A coroutine-returning ASGI app: 200 with the release, or 503 when the store cannot be reached."""
        from starlette.responses import Response

        site = self.site
        body: dict[str, Any] = {"status": "ok", "release": generation.id, "version": generation.snapshot.version,
                                "clusterlod": __version__,
                                "loaded": datetime.fromtimestamp(generation.loaded_at, UTC).isoformat(),
                                "store": "embedded", "reload_error": site.generations.last_error}

        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            status = 200
            if site.settings.endpoint:
                queries = generation.parts.queries
                reachable, error = await self.probe(queries)
                if error is not None:
                    body["error"] = error
                body["store"] = {"endpoint": queries.endpoint, "reachable": reachable}
                if not reachable:
                    status, body["status"] = 503, "unavailable"
            payload = (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
            await Response(payload, status, NO_STORE,
                           media_type="application/json")(scope, receive, send)

        return app

    def metrics_response(self, accept: str) -> Any:
        from starlette.responses import Response

        body, media_type = self.metrics.exposition(accept)
        return Response(body, 200, {**NO_STORE, "Vary": "Accept"}, media_type=media_type)
