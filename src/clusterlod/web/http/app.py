"""The ASGI application: dereferenceable IRIs, pages, downloads and the SPARQL endpoint.

Every answer for a resource is computed once and cached (the release is
immutable while served), so a page request is routing plus a dict lookup.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.resources
import io
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from xml.sax.saxutils import escape as xml_escape

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from clusterlod import formats
from clusterlod.errors import RemoteError
from clusterlod.release.archive import ARCHIVE_DIR
from clusterlod.release.catalog import media_type as file_media_type
from clusterlod.web.http import memento, negotiation, signposting, wellknown
from clusterlod.web.http.connections import GONE
from clusterlod.web.http.fairness import Busy, ClientTurns
from clusterlod.web.http.limits import SD, Settings, service_description
from clusterlod.web.http.negotiation import BY_EXTENSION, HTML, LANG_COOKIE, LANGUAGES, VARY_ALL, VARY_LANGUAGE
from clusterlod.web.http.operations import Operations
from clusterlod.web.lookup.routes import LookupRoutes, opener
from clusterlod.web.pages.canned import read_queries
from clusterlod.web.pages.describe import serialize
from clusterlod.web.pages.render import Renderer
from clusterlod.web.release import paths
from clusterlod.web.release.generations import Generation, Generations, no_release
from clusterlod.web.release.pidfile import PidFile
from clusterlod.web.release.ranges import FileSource, file_response
from clusterlod.web.release.served import DATASET_FILE, Release
from clusterlod.web.sparql import protocol as sparql
from clusterlod.web.sparql.worker import GRAPH_VARIANTS, RESULT_VARIANTS, Outcome, QueryPool, QueryRequest

CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
             "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "86400"}
HTML_TYPE = "text/html; charset=utf-8"
CACHE = {"Cache-Control": "public, max-age=3600"}
TEXT_DATA_TYPES = (formats.N_TRIPLES.media_type, formats.N_QUADS.media_type, formats.TRIG.media_type)
#: Sent with every HTML answer: scripts, styles and fetches from this server only, no plugins, no framing.
HTML_SECURITY = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                                 b"frame-ancestors 'none'; form-action 'self'"),
]
NOSNIFF = (b"x-content-type-options", b"nosniff")
#: Longer path segments are no file name here (most file systems stop at 255 bytes).
MAX_SEGMENT_BYTES = 255
COOKIE_AGE = 365 * 24 * 3600
#: At shutdown, what a reload under way and the release's query workers get to finish (s).
STOP_GRACE_S = 3.0


def data_media(extension: str) -> str:
    media = BY_EXTENSION[extension].media_type
    return media + "; charset=utf-8" if media.startswith("text/") else media


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Every file under static/ (vendored YASGUI included) by its path there, with its media type."""
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
             ".md": "text/markdown; charset=utf-8", "": "text/plain; charset=utf-8",
             ".txt": f"{formats.TEXT_MEDIA_TYPE}; charset=utf-8", ".json": formats.JSON_MEDIA_TYPE}
    files = {}
    folders = [("", importlib.resources.files("clusterlod").joinpath("static"))]
    while folders:
        prefix, folder = folders.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                folders.append((f"{prefix}{entry.name}/", entry))
            elif entry.is_file():
                media = types.get(Path(entry.name).suffix, formats.OCTET_STREAM)
                files[prefix + entry.name] = (entry.read_bytes(), media)
    return files


@dataclasses.dataclass(frozen=True)
class Download:
    """A file of the release in the generation's private copy, streamed from there on each request."""

    path: Path
    size: int
    media_type: str
    digest: str
    mtime: float | None

    def open(self) -> BinaryIO:
        return open(self.path, "rb")


@dataclasses.dataclass(eq=False)
class Served:
    """What the handlers use of one release; a reload builds a new one whole (web/generations.py)."""

    release: Release
    renderer: Renderer
    sitemap_body: bytes
    downloads: dict[str, Download] = dataclasses.field(default_factory=dict)
    queries: Any = None
    #: The release's lookup index and services (web/lookup/), built once on first use.
    lookup: Any = None
    #: The landing page's FAIR signposts (web/http/signposting.py), read once from the catalogue.
    signposts: list[signposting.Link] = dataclasses.field(default_factory=list)


class Site:
    """The handlers, sharing the static files and the generation of the release being served.

    ``release``, ``renderer``, ``downloads``, ``sitemap_body`` and ``queries`` are those of
    the generation the request was pinned to when it arrived, so no answer mixes two releases.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.static = _static_files()
        self.turns = ClientTurns(settings.max_client_queries)
        #: Tables drawn at once, whoever asks: parsing a 10 MB answer costs memory, so no more than workers.
        self.drawing = anyio.CapacityLimiter(settings.query_workers)
        self.started = False
        #: Counters of the generations already closed, so /metrics never goes backwards on a reload.
        self.retired = {"restarts": 0, "hits": 0, "misses": 0}
        #: Called at stop before the release is closed (the access log's writer).
        self.closers: list[Callable[[], None]] = []
        drain = settings.timeout * 2 + settings.header_timeout + 30
        self.generations = Generations(settings.dist, self._open, self._close, drain)

    def _open(self, generation: Generation) -> Served:
        """Everything one release needs, built before anyone is shown it (the first one at start-up)."""
        s = self.settings
        if not s.endpoint and DATASET_FILE not in generation.snapshot.digests:
            raise no_release(s.dist, f"{DATASET_FILE} is missing")
        release = Release(generation.snapshot.folder, s.base, s.endpoint, s.timeout)
        served = Served(release, Renderer(release, read_queries(s.queries)),
                        sitemap(release, release.ns.base),  # from the configured base, never Host
                        lookup=opener(release, s),
                        signposts=signposting.landing_links(release.catalog.store, release.ns.base))
        generation.parts = served  # seen by warm() through the pin, and closed if starting fails
        if self.started:
            self._start(generation, served)
        return served

    def _start(self, generation: Generation, served: Served) -> None:
        """Query workers started and ready: the release is ready to be shown. Pages are rendered on their first
        visit (a few ms) and kept: rendering all of them at start cost about 4 cpu-s and every page's bytes in
        memory at each start and reload, for visits that may never come."""
        s = self.settings
        if s.endpoint:
            served.queries = sparql.RemoteQueries(s.endpoint, s.timeout, s.max_result_bytes)
            return
        served.queries = QueryPool(generation.snapshot.folder / DATASET_FILE, served.release.ns.base,
                                   s.query_workers, s.timeout, s.max_result_bytes, s.worker_memory_mb,
                                   s.answer_cache_bytes)
        served.queries.wait_ready()

    def _close(self, generation: Generation) -> None:
        queries = generation.parts.queries if generation.parts else None
        if isinstance(queries, QueryPool):
            self.retired["restarts"] += queries.restarts
            self.retired["hits"] += queries.answers.hits
            self.retired["misses"] += queries.answers.misses
            queries.close(grace=2.0)

    # The parts of the pinned generation, by the names the handlers always used.
    @property
    def release(self) -> Release:
        return self.generations.pinned().parts.release

    @property
    def renderer(self) -> Renderer:
        return self.generations.pinned().parts.renderer

    @property
    def downloads(self) -> dict[str, Download]:
        return self.generations.pinned().parts.downloads

    @property
    def sitemap_body(self) -> bytes:
        return self.generations.pinned().parts.sitemap_body

    @property
    def signposts(self) -> list[signposting.Link]:
        return self.generations.pinned().parts.signposts

    def signposted(self, response: Response, links: list[signposting.Link] | None = None) -> Response:
        """The response with FAIR signposting ``Link:`` headers (the landing page's, unless ``links``)."""
        response.headers["Link"] = signposting.header(self.signposts if links is None else links)
        return response

    async def linkset(self, request: Request) -> Response:
        """The landing page's signposts as an RFC 9264 linkset (``/linkset``, ``/linkset.json``)."""
        anchor = self.release.ns.base
        if request.url.path.endswith(".json"):
            return Response(signposting.linkset_json(anchor, self.signposts), 200, {**CORS, **CACHE},
                            media_type=signposting.LINKSET_JSON_TYPE)
        return Response(signposting.linkset_text(anchor, self.signposts), 200, {**CORS, **CACHE},
                        media_type=signposting.LINKSET_TYPE)

    @property
    def queries(self) -> Any:
        return self.generations.pinned().parts.queries

    def start(self) -> None:
        """Query workers start with the server (not at import), so tests and the CLI control them."""
        generation = self.generations.current
        self._start(generation, generation.parts)
        self.started = True

    def stop(self, grace: float | None = None) -> None:
        for close in self.closers:
            close()
        self.generations.close(grace)

    # ------------------------------------------------------------ helpers
    def language(self, request: Request) -> str:
        return negotiation.choose_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                                           request.headers.get("accept-language"))

    @staticmethod
    def remember(request: Request, response: Response) -> Response:
        """``?lang=`` is the switch: remember the choice in a cookie."""
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie(LANG_COOKIE, chosen, max_age=COOKIE_AGE, path="/", samesite="lax")
        return response

    def html(self, request: Request, body: bytes, lang: str, status: int = 200, vary: bool | str = False) -> Response:
        """An HTML answer; ``vary`` True when its language was negotiated, or the whole ``Vary`` to send."""
        headers = {"Content-Language": lang}
        if vary:
            headers["Vary"] = vary if isinstance(vary, str) else VARY_LANGUAGE
        return self.remember(request, Response(body, status, headers, media_type=HTML_TYPE))

    def not_found(self, request: Request) -> Response:
        document = paths.split_document(request.url.path.lstrip("/"))
        lang = document[1] if document and document[1] else self.language(request)  # /x.en.html: English
        guess = request.url.path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
        guess = guess.replace("-", " ") if guess.isascii() and len(guess) < 80 else ""
        body = self.renderer.not_found(lang, "/", guess)
        headers = {"Content-Language": lang}
        if not (document and document[1]):  # the language was negotiated: a cache keeping 404s must know
            headers["Vary"] = VARY_LANGUAGE
        return Response(body, 404, headers, media_type=HTML_TYPE)

    def page(self, iri: str, lang: str) -> bytes:
        key = ("page", iri, lang)
        body = self.release.pages.get(key)
        if body is None:
            body = self.release.pages[key] = self.renderer.resource(iri, lang, "/")
        return body

    def redirect(self, request: Request, stem: str) -> Response:
        """303 to the document the client prefers: ``stem.<lang>.html`` or ``stem.<ext>``."""
        variant = negotiation.choose(request.headers.get("accept"))
        headers = {**CORS, "Vary": VARY_ALL}
        if variant is None:
            offered = ", ".join(m for v in negotiation.VARIANTS for m in v.media_types)
            return PlainTextResponse(f"clusterlod: not acceptable; this resource is available as {offered}\n",
                                     406, headers)
        extension = f"{self.language(request)}.html" if variant is HTML else variant.extension
        return RedirectResponse(f"/{stem}.{extension}", 303, headers)


    async def blocking(self, handler: Callable[[Request], Response], request: Request) -> Response:
        """Embedded data: answer at once (a dict lookup). A remote store: in a thread, so one slow
        page never holds up the others, and a failure of the store is one line (504 on a timeout)."""
        if not self.settings.endpoint:
            return handler(request)
        try:
            return await anyio.to_thread.run_sync(handler, request)
        except RemoteError as failure:  # the one SPARQL client's failure: 504 on its timeout, else 502
            return remote_error_response(request, failure)

    # ------------------------------------------------------------ handlers
    async def resource(self, request: Request) -> Response:
        return await self.blocking(self._resource, request)

    def _resource(self, request: Request) -> Response:
        """Any path under the base: a resource IRI (303) or one of its documents."""
        path = request.url.path.lstrip("/")
        release = self.release
        document = paths.split_document(path)
        if document:
            stem, lang, extension = document
            iri = release.layout.iri(stem)
            if not release.is_resource(iri):
                return self.not_found(request)
            if extension == "html":
                chosen = lang or self.language(request)
                response = self.html(request, self.page(iri, chosen), chosen, vary=lang is None)
            else:
                syntax = BY_EXTENSION[extension].syntax
                response = Response(release.document(iri, syntax), 200, {**CORS, **CACHE},
                                    media_type=data_media(extension))
            return self.signposted(response) if iri == release.ns.dataset else response
        iri = release.layout.iri(path)
        moment = request.headers.get("accept-datetime")
        if iri == release.ns.dataset and moment is not None and release.versions:
            return self.timegate(moment)
        if release.is_resource(iri):
            return self.redirect(request, path)
        source_file = release.download_path(path) if path and not path.startswith(paths.DOWNLOAD) else None
        if source_file is not None:  # e.g. <base>reference/identifiers.csv, named in the data
            return RedirectResponse(f"/{paths.DOWNLOAD}{path}", 301, CORS)
        return self.not_found(request)

    async def home(self, request: Request) -> Response:
        return await self.blocking(self._home, request)

    def _home(self, request: Request) -> Response:
        variant = negotiation.choose(request.headers.get("accept"))
        if variant is not None and variant is not HTML:
            return self.redirect(request, "dataset")
        name = request.url.path.strip("/")
        lang = name.split(".")[1] if name.count(".") == 2 else self.language(request)
        key = ("index", lang)
        body = self.release.pages.get(key)
        if body is None:
            body = self.release.pages[key] = self.renderer.index(lang, "/")
        return self.signposted(self.html(request, body, lang,
                                         vary=VARY_ALL if name.count(".") != 2 else negotiation.VARY_ACCEPT))

    async def version(self, request: Request) -> Response:
        return await self.blocking(self._version, request)

    def _version(self, request: Request) -> Response:
        """``/dataset/version/X`` (303), its page, its catalogue (``X.ttl``) and its files (``X/download/…``)."""
        rest = request.path_params["rest"]
        match = paths.VERSION_PATH.match(rest)
        versions = {v.version: v for v in self.release.versions}
        if not match or match["version"] not in versions or (match["lang"] and match["ext"] != "html"):
            return self.not_found(request)
        entry = versions[match["version"]]
        response = self._version_answer(request, entry, match["lang"], match["ext"], match["file"])
        if response.status_code in (200, 206, 304):  # a Memento of the dataset (RFC 7089)
            response.headers["Memento-Datetime"] = memento.http_date(entry)
            link = memento.links(self.release.ns.dataset)
            response.headers["Link"] = f"{response.headers['Link']}, {link}" if "link" in response.headers else link
        return response

    def _version_answer(self, request: Request, entry: Any, lang: str | None, extension: str | None,
                        name: str | None) -> Response:
        version = entry.version
        if name is not None:
            body = entry.read(name, self.release.dist)
            if body is None:
                return self.not_found(request)
            media = file_media_type(Path(name))
            if media.startswith("text/") or media in TEXT_DATA_TYPES:
                media += "; charset=utf-8"
            source = FileSource(lambda: io.BytesIO(body), len(body))  # an archived file, decompressed
            return self.signposted(file_response(request, source, media, {**CORS, **CACHE},
                                                 hashlib.sha256(body).hexdigest(), None),
                                   [signposting.Link(entry.iri, "collection", "text/html")])
        if extension == "ttl":
            return Response(entry.catalog, 200, {**CORS, **CACHE}, media_type=data_media("ttl"))
        if extension == "html":
            chosen = lang or self.language(request)
            key = ("version", version, chosen)
            body = self.release.pages.get(key)
            if body is None:
                body = self.release.pages[key] = self.renderer.version_page(version, chosen, "/") or b""
            return self.html(request, body, chosen, vary=lang is None)
        variant = negotiation.choose(request.headers.get("accept"))
        headers = {**CORS, "Vary": VARY_ALL}
        if variant is None:
            return PlainTextResponse("clusterlod: not acceptable; a version is available as text/html and "
                                     "text/turtle\n", 406, headers)
        target = f"{self.language(request)}.html" if variant is HTML else "ttl"
        return RedirectResponse(f"/dataset/version/{version}.{target}", 303, headers)

    def timegate(self, header: str) -> Response:
        """Memento (RFC 7089): the dataset IRI with Accept-Datetime answers 302 to the version current then."""
        dataset = self.release.ns.dataset
        moment = memento.parse(header)
        headers = {**CORS, "Vary": "accept-datetime", "Link": memento.links(dataset)}
        if moment is None:
            return PlainTextResponse("clusterlod: Accept-Datetime is no HTTP date (RFC 1123)\n", 400, headers)
        chosen = memento.select(self.release.versions, moment)
        return RedirectResponse(f"/dataset/version/{chosen.version}", 302, headers)

    async def timemap(self, request: Request) -> Response:
        body = memento.timemap(self.release.ns.dataset, self.release.versions)
        return Response(body, 200, {**CORS, **CACHE}, media_type=memento.LINK_FORMAT)

    async def labels(self, request: Request) -> Response:
        return await self.blocking(self._labels, request)

    def _labels(self, request: Request) -> Response:
        """The labels the query page's script shows on YASGUI's result links."""
        lang = request.url.path.split(".")[1]  # /labels.ja.json: only the routes of LANGUAGES lead here
        key = ("labels", lang)
        body = self.release.pages.get(key)
        if body is None:
            body = self.release.pages[key] = self.renderer.labels_json(lang)
        return Response(body, 200, {**CORS, **CACHE}, media_type=formats.JSON_MEDIA_TYPE)

    async def void(self, request: Request) -> Response:
        return self.redirect(request, "dataset")

    async def search(self, request: Request) -> Response:
        """The search page: ranked results with the words that matched, and facets (web/lookup/search.py)."""
        name = request.url.path.strip("/")
        lang = name.split(".")[1] if name.count(".") == 2 else self.language(request)

        def work(params: dict[str, str]) -> Response:
            found = self.lookup.search(params)
            body = self.renderer.search_page(lang, "/", found, params, self.generations.pinned().parts.lookup.get())
            return self.html(request, body, lang, vary=name.count(".") != 2)
        return await self.lookup.run(request, work)

    async def static_file(self, request: Request) -> Response:
        entry = self.static.get(request.path_params["name"])
        if entry is None:
            return self.not_found(request)
        return Response(entry[0], 200, {"Cache-Control": "public, max-age=86400"}, media_type=entry[1])

    async def download(self, request: Request) -> Response:
        """A file of the release, with its SHA-256 as ETag, Last-Modified, 304 and byte ranges."""
        relative = request.path_params["path"]
        if not relative or relative.endswith("/") or relative.startswith(ARCHIVE_DIR + "/"):
            # a file is not a folder (/download/catalog.ttl/ is no file); the archive's copy is served per version
            return self.not_found(request)
        entry = self.downloads.get(relative)
        if entry is None:
            path = self.release.download_path(relative)
            if path is None:
                return self.not_found(request)
            key = path.relative_to(self.release.dist.resolve()).as_posix()
            snapshot = self.generations.pinned().snapshot
            if key not in snapshot.digests:  # only what the catalogue lists (and itself) is in the copy
                return self.not_found(request)
            media = file_media_type(path)
            if media.startswith("text/") or media in TEXT_DATA_TYPES:
                media += "; charset=utf-8"
            entry = self.downloads[relative] = Download(path, path.stat().st_size, media, snapshot.digests[key],
                                                        snapshot.mtimes.get(key))
        return self.signposted(file_response(request, FileSource(entry.open, entry.size), entry.media_type,
                                             {**CORS, **CACHE}, entry.digest, entry.mtime),
                               signposting.item_links(self.release.ns.base))

    async def sitemap(self, request: Request) -> Response:
        return Response(self.sitemap_body, 200, CACHE, media_type=formats.XML_MEDIA_TYPE)

    async def favicon(self, request: Request) -> Response:
        return Response(wellknown.favicon_ico(), 200, CACHE, media_type="image/x-icon")

    async def robots(self, request: Request) -> Response:
        return Response(wellknown.robots_txt(self.release.ns.base), 200, CACHE, media_type=formats.TEXT_MEDIA_TYPE)

    async def sparql(self, request: Request) -> Response:
        s = self.settings
        try:
            with anyio.fail_after(s.header_timeout):  # a body trickled in slowly holds a connection too
                parsed = await sparql.parse(request, s.max_request_bytes, s.max_nesting)
        except sparql.TooLarge:
            return too_large(s.max_request_bytes)
        except TimeoutError:
            return PlainTextResponse(f"clusterlod: the request did not arrive within {s.header_timeout:g} s\n", 408,
                                     {**CORS, "Connection": "close"})
        except ClientDisconnect:  # nobody to answer: one rate-limited line, not a traceback each time
            GONE()
            return Response(b"", 400)
        lang = self.language(request)
        if parsed is None:
            variant = negotiation.choose(request.headers.get("accept"))
            if variant is not None and variant is not HTML:  # the service description, with the limits
                body = serialize(service_description(self.release.ns.base + paths.SPARQL, s), variant.syntax,
                                 {**self.release.prefixes, "sd": SD})
                return Response(body, 200, {**CORS, "Vary": VARY_ALL}, media_type=data_media(variant.extension))
            return self.html(request, self.renderer.editor(lang, "/", ""), lang, vary=VARY_ALL)
        wants_html = isinstance(parsed, QueryRequest) and \
            negotiation.choose(parsed.accept, (HTML, *RESULT_VARIANTS, *GRAPH_VARIANTS)) is HTML and \
            "text/html" in (parsed.accept or "")
        if isinstance(parsed, Outcome):
            if wants_html or "text/html" in (request.headers.get("accept") or ""):
                return self.html(request, self.renderer.editor(lang, "/", "", error=parsed.body.decode()), lang,
                                 parsed.status, vary=VARY_ALL)
            return outcome_response(parsed)
        client = request.client.host if request.client else None
        try:
            async with self.turns.turn(client, s.timeout):  # one client cannot take every worker
                if wants_html:  # the query, then the table and the page, in threads: a big table stalls no one
                    inner = dataclasses.replace(parsed, accept=formats.RESULTS_ACCEPT)
                    # The answer (up to --max-result-bytes) and its parse live only while a drawing slot is
                    # held: 30 tables asked at once hold query_workers answers, not 30.
                    async with self.drawing:
                        outcome = await anyio.to_thread.run_sync(self.queries.run, inner)
                        status = outcome.status
                        body = await anyio.to_thread.run_sync(self.results_page, parsed.query, outcome, lang)
                        del outcome
                    return self.html(request, body, lang, status, vary=VARY_ALL)
                return outcome_response(await anyio.to_thread.run_sync(self.queries.run, parsed))
        except Busy:
            return PlainTextResponse(f"clusterlod: this client already runs {s.max_client_queries} "
                                     f"quer{'y' if s.max_client_queries == 1 else 'ies'} at once; try again when "
                                     "it is answered\n", 429, {**CORS, "Vary": VARY_ALL, "Retry-After": "1"})

    def results_page(self, query: str, outcome: Outcome, lang: str) -> bytes:
        """Blocking: the query editor with the answer drawn as a table of at most ``max_html_rows`` rows."""
        limit = self.settings.max_html_rows
        table, error, raw = None, None, None
        if outcome.status != 200:
            error = outcome.body.decode("utf-8", "replace")
        elif "json" in outcome.media_type:
            table = self.renderer.results_table(outcome.body, lang, "/", limit)
        else:
            lines = outcome.body.decode("utf-8", "replace").split("\n", limit)
            raw = "\n".join(lines[:limit]) + ("\n…" if len(lines) > limit else "")
        return self.renderer.editor(lang, "/", query, table=table, error=error, raw=raw)


def remote_error_response(request: Request, failure: Exception) -> Response:
    """A page or document that needed a remote store that failed: 504 on its timeout, else 502; one line."""
    return outcome_response(sparql.remote_failure(failure))


def outcome_response(outcome: Outcome) -> Response:
    headers = {**CORS, "Vary": VARY_ALL, **outcome.headers}  # /sparql's HTML answer shares its URL
    return Response(outcome.body, outcome.status, headers, media_type=outcome.media_type)


def too_large(limit: int) -> Response:
    return PlainTextResponse(f"clusterlod: the request is larger than the limit of {limit} bytes\n", 413, CORS)


def sitemap(release: Release, origin: str) -> bytes:
    """Every page in both languages, with hreflang alternates."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    stems = ["index"] + sorted(iri[len(release.ns.base):] for iri in release.resources)
    for stem in stems:
        for lang in LANGUAGES:
            lines.append(f"<url><loc>{xml_escape(origin + stem)}.{lang}.html</loc>")
            for other in LANGUAGES:
                href = f"{xml_escape(origin + stem)}.{other}.html"
                lines.append(f'<xhtml:link rel="alternate" hreflang="{other}" href="{href}"/>')
            lines.append("</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


class Guard:
    """Pure ASGI: refuse path tricks (404) and oversized bodies (413), answer CORS preflights."""

    def __init__(self, app: Callable[..., Awaitable[None]], site: Site):
        self.app, self.site = app, site

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        raw_path = scope.get("raw_path") or scope["path"].encode()
        if paths.is_suspicious(raw_path) or any(len(s) > MAX_SEGMENT_BYTES for s in scope["path"].encode().split(b"/")):
            return await self.site.not_found(request)(scope, receive, secured(send))
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.site.settings.max_request_bytes:
            return await too_large(self.site.settings.max_request_bytes)(scope, receive, send)
        if scope["method"] == "OPTIONS":
            return await Response(b"", 204, PREFLIGHT)(scope, receive, send)
        return await self.app(scope, receive, secured(send))


def secured(send: Callable) -> Callable:
    """Add ``nosniff`` to every answer and the Content-Security-Policy to HTML ones."""
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers.append(NOSNIFF)
            if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers) and \
                    not any(k == b"content-security-policy" for k, _ in headers):  # a lookup preview sets its own
                headers.extend(HTML_SECURITY)
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


def create_app(settings: Settings, access_log: TextIO | None = None, pid_file: Path | None = None) -> Any:
    """The application for uvicorn: routes, the guard in front of them, operations (web/operations.py) outermost.

    ``pid_file`` is written once SIGHUP reloads (so `clusterlod reload` never finds a server that a
    SIGHUP would still kill) and removed at shutdown.
    """
    site = Site(settings)
    site.lookup = LookupRoutes(site)
    routes = [
        Route("/", site.home, methods=["GET", "HEAD"]),
        Route("/index.html", site.home, methods=["GET", "HEAD"]),
        Route("/index.ja.html", site.home, methods=["GET", "HEAD"]),
        Route("/index.en.html", site.home, methods=["GET", "HEAD"]),
        Route("/search", site.search, methods=["GET", "HEAD"]),
        Route("/search.html", site.search, methods=["GET", "HEAD"]),
        Route("/search.ja.html", site.search, methods=["GET", "HEAD"]),
        Route("/search.en.html", site.search, methods=["GET", "HEAD"]),
        Route("/sparql", site.sparql, methods=["GET", "HEAD", "POST"]),
        *[Route(f"/labels.{lang}.json", site.labels, methods=["GET", "HEAD"]) for lang in LANGUAGES],
        Route("/sitemap.xml", site.sitemap, methods=["GET", "HEAD"]),
        Route("/linkset", site.linkset, methods=["GET", "HEAD"]),
        Route("/linkset.json", site.linkset, methods=["GET", "HEAD"]),
        Route("/favicon.ico", site.favicon, methods=["GET", "HEAD"]),
        Route("/robots.txt", site.robots, methods=["GET", "HEAD"]),
        Route("/.well-known/void", site.void, methods=["GET", "HEAD"]),
        *site.lookup.routes(),
        Route("/static/{name:path}", site.static_file, methods=["GET", "HEAD"]),
        Route("/download/{path:path}", site.download, methods=["GET", "HEAD"]),
        Route("/dataset/version/{rest:path}", site.version, methods=["GET", "HEAD"]),
        Route(f"/dataset/{memento.TIMEMAP}", site.timemap, methods=["GET", "HEAD"]),
        Route("/{path:path}", site.resource, methods=["GET", "HEAD"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await anyio.to_thread.run_sync(site.start)
        hangup = reload_on_sighup(site)
        holder = PidFile(pid_file) if pid_file is not None else None
        if holder is not None:
            holder.write(site.generations.current.id)
            site.generations.on_outcome = holder.record
        try:
            yield
        finally:
            if holder is not None:
                holder.remove()
            if hangup is not None:
                hangup()
            site.stop(STOP_GRACE_S)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={RemoteError: remote_error_response})
    app.state.site = site
    return Operations(Guard(app, site), site, access_log)


def reload_on_sighup(site: Site) -> Callable[[], None] | None:
    """SIGHUP loads dist/ again and switches to it (web/generations.py); returns how to stop listening.

    The signal only wakes the event loop (``loop.add_signal_handler``: the C handler writes a byte
    to the loop's wake-up socket), and the loop asks the reload thread for one more reload. No
    Python code runs inside the signal handler, so a storm of SIGHUPs can neither re-enter it
    nor wait on a lock it holds (issue 29: 5,600 SIGHUPs a millisecond apart froze the server
    for good); they coalesce into at most one reload after the one under way.
    """
    import asyncio

    try:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, site.generations.request_reload)
    except (RuntimeError, ValueError, NotImplementedError, AttributeError):
        return None  # not the main thread (an embedding), or no SIGHUP on this system

    def stop() -> None:
        loop.remove_signal_handler(signal.SIGHUP)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a stopping server ignores reloads rather than die of one

    return stop
