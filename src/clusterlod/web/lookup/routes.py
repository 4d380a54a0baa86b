"""The HTTP side of lookup: /reconcile and its parts, and /search.json; read-only, CORS like /sparql, in turns.

/reconcile answers the manifest, queries, extension, suggest, flyout, preview and view; every
answer allows any origin like /sparql, and each client takes turns like queries (web/fairness.py).

Each request reads the lookup parts of the release it was pinned to (``Served.lookup``), built once
per release: an answer never mixes two releases.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from clusterlod import formats
from clusterlod.web.http.fairness import Busy, ClientTurns
from clusterlod.web.http.negotiation import LANGUAGES
from clusterlod.web.lookup import suggest
from clusterlod.web.lookup.index import Index, Lazy, build
from clusterlod.web.lookup.preview import PREVIEW_POLICY, preview
from clusterlod.web.lookup.reconcile import BadRequest, Limits, Service, decode
from clusterlod.web.lookup.search import FACETS, ORIGINS, Found, Searcher
from clusterlod.web.sparql.protocol import TooLarge, read_body

CORS = {"Access-Control-Allow-Origin": "*"}
#: A JSONP callback must be a dotted JavaScript name, so nothing else can be made to run.
JSONP_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,63}(\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,3}")
JSON_TYPE = formats.JSON_MEDIA_TYPE
#: Results a search answers with at most (the facets count them all).
SEARCH_RESULTS = 200
SERVICE_NAMES = {"ja": "知的クラスター連携 LOD（clusterlod）", "en": "Cluster collaboration LOD (clusterlod)"}


@dataclass
class Lookup:
    """The lookup parts of one release: its index, reconciliation service and searcher, made on first use."""

    index: Index
    service: Service
    searcher: Searcher


def opener(release: Any, settings: Any) -> Lazy:
    """What a generation keeps: the lookup parts of its release, built once, the first time they are asked for."""
    limits = Limits(settings.max_lookup_batch, settings.max_lookup_chars, settings.max_lookup_candidates)

    def make() -> Lookup:
        ns = release.ns
        index = build(release.data, ns.base, ns.graph("document"), ns.graph("editorial/"))
        return Lookup(index, Service(index, limits), Searcher(index))

    return Lazy(make)


def json_response(data: Any, status: int = 200, extra: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status, {**CORS, **(extra or {})}, media_type=JSON_TYPE)


def refused(message: str, status: int = 400, extra: dict[str, str] | None = None) -> Response:
    return json_response({"error": message}, status, extra)


class LookupRoutes:
    """The handlers; ``site`` is the app's Site (settings, generations, language, pages)."""

    def __init__(self, site: Any):
        self.site = site
        self.turns = ClientTurns(site.settings.max_client_queries)
        #: Lookups computed at once, whoever asks (each is short; this keeps a burst off the event loop's threads).
        self.working = anyio.CapacityLimiter(max(1, site.settings.query_workers))

    def parts(self) -> Lookup:
        return self.site.generations.pinned().parts.lookup.get()

    async def params(self, request: Request) -> dict[str, str]:
        """The query string's parameters and, for a POST, the form body's (first value of each)."""
        values = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "POST":
            with anyio.fail_after(self.site.settings.header_timeout):
                body = await read_body(request, self.site.settings.max_request_bytes)
            for name, more in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                values.setdefault(name, []).extend(more)
        return {name: found[0] for name, found in values.items() if found}

    async def run(self, request: Request, work: Callable[[dict[str, str]], Response]) -> Response:
        """Parameters read, a turn of this client's taken, the work done in a thread; errors as one JSON line."""
        s = self.site.settings
        try:
            params = await self.params(request)
        except TooLarge:
            return refused(f"the request is larger than the limit of {s.max_request_bytes} bytes", 413)
        except TimeoutError:
            return refused(f"the request did not arrive within {s.header_timeout:g} s", 408, {"Connection": "close"})
        except ClientDisconnect:
            return Response(b"", 400)
        client = request.client.host if request.client else None
        try:
            async with self.turns.turn(client, s.timeout):
                response = await anyio.to_thread.run_sync(self._guarded, work, params, limiter=self.working)
            return padded(response, params.get("callback", ""))
        except Busy:
            return refused(f"this client already runs {s.max_client_queries} lookups at once; try again when it "
                           "is answered", 429, {"Retry-After": "1"})

    @staticmethod
    def _guarded(work: Callable[[dict[str, str]], Response], params: dict[str, str]) -> Response:
        try:
            return work(params)
        except BadRequest as problem:
            return refused(str(problem))

    @staticmethod
    def lang(request: Request) -> str:
        lang = request.path_params.get("lang", "ja")
        if lang not in LANGUAGES:
            raise BadRequest(f"no service in '{lang[:20]}': /reconcile/ja or /reconcile/en")
        return lang

    def root(self, request: Request) -> str:
        """The server's URL as the client reached it, for the manifest's links."""
        return str(request.base_url).rstrip("/")

    def limit(self, params: dict[str, str]) -> int:
        text = params.get("limit", "")
        cap = self.site.settings.max_lookup_candidates
        return max(1, min(int(text), cap)) if text.isdigit() else cap

    # ------------------------------------------------------------ /reconcile
    async def reconcile(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            lang = self.lang(request)
            service = self.parts().service
            if "queries" in params:
                return json_response(service.reconcile(decode(params["queries"], "queries"), lang))
            if "extend" in params:
                return json_response(service.extend(decode(params["extend"], "extend"), lang))
            return json_response(service.manifest(self.root(request), lang, SERVICE_NAMES[lang]))
        return await self.run(request, work)

    async def suggest(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            lang, kind = self.lang(request), request.path_params["kind"]
            service, prefix, limit = self.parts().service, params.get("prefix", ""), self.limit(params)
            if kind == "entity":
                cursor = params.get("cursor", "")
                return json_response(suggest.entities(service, prefix, params.get("type"), limit, lang,
                                                      int(cursor) if cursor.isdigit() and len(cursor) < 6 else 0))
            if kind == "type":
                return json_response(suggest.types(service, prefix, limit, lang))
            if kind == "property":
                return json_response(suggest.properties(service, prefix, limit, lang))
            return refused("suggest is /suggest/entity, /suggest/type or /suggest/property", 404)
        return await self.run(request, work)

    async def flyout(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            lang, kind = self.lang(request), request.path_params["kind"]
            found = suggest.flyout(self.parts().service, kind, params.get("id", "")[:500], lang) \
                if kind in ("entity", "type", "property") else None
            return json_response(found) if found else refused("no such id", 404)
        return await self.run(request, work)

    async def properties(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            return json_response(self.parts().service.propose(params.get("type"), params.get("limit"),
                                                              self.lang(request)))
        return await self.run(request, work)

    async def preview(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            lang = self.lang(request)
            parts = self.parts()
            entry = parts.index.entry(params.get("id", "")[:500])
            if entry is None:
                return refused("no such id", 404)
            href = self.site.release.layout.document_href(entry.iri, "html", "/", lang)
            return Response(preview(parts.index, entry, lang, href), 200,
                            {**CORS, "Content-Security-Policy": PREVIEW_POLICY.decode()},
                            media_type="text/html; charset=utf-8")
        return await self.run(request, work)

    async def view(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            entry = self.parts().index.entry(params.get("id", "")[:500])
            if entry is None:
                return refused("no such id", 404)
            href = self.site.release.layout.document_href(entry.iri, "html", "/", self.lang(request))
            return RedirectResponse(href, 303, CORS)
        return await self.run(request, work)

    # ------------------------------------------------------------ search
    def search(self, params: dict[str, str]) -> Found:
        """The search a page or /search.json asks for: text cut to the limit, facets as filters."""
        s = self.site.settings
        filters = {f: params[f][:200] for f in FACETS if params.get(f)}
        if "origin" in filters and filters["origin"] not in ORIGINS:
            raise BadRequest("origin is 'stated' or 'editorial'")
        return self.parts().searcher.search(params.get("q", "")[: s.max_lookup_chars], filters, SEARCH_RESULTS,
                                            params.get("kind", "")[:40])

    async def search_json(self, request: Request) -> Response:
        def work(params: dict[str, str]) -> Response:
            lang = params.get("lang") if params.get("lang") in LANGUAGES else "ja"
            return json_response(search_answer(self.parts(), self.search(params), lang, params))
        return await self.run(request, work)

    def routes(self) -> list[Route]:
        methods = ["GET", "HEAD", "POST"]
        return [
            Route("/reconcile", self.reconcile, methods=methods),
            Route("/reconcile/{lang}", self.reconcile, methods=methods),
            Route("/reconcile/{lang}/suggest/{kind}", self.suggest, methods=["GET", "HEAD"]),
            Route("/reconcile/{lang}/flyout/{kind}", self.flyout, methods=["GET", "HEAD"]),
            Route("/reconcile/{lang}/properties", self.properties, methods=["GET", "HEAD"]),
            Route("/reconcile/{lang}/preview", self.preview, methods=["GET", "HEAD"]),
            Route("/reconcile/{lang}/view", self.view, methods=["GET", "HEAD"]),
            Route("/search.json", self.search_json, methods=["GET", "HEAD"]),
        ]


def padded(response: Response, callback: str) -> Response:
    """JSONP for clients that still ask for it (OpenRefine's older suggest widget): ``callback(json);`` when the
    callback is a plain JavaScript name, else the JSON as it is."""
    if not callback or not JSONP_CALLBACK.fullmatch(callback) or response.media_type != JSON_TYPE:
        return response
    body = callback.encode("ascii") + b"(" + response.body + b");"
    return Response(body, response.status_code, CORS, media_type="text/javascript; charset=utf-8")


def facet_href(path: str, params: dict[str, str], facet: str, value: str | None) -> str:
    """The same search with one facet set to ``value`` (or removed when None)."""
    kept = {k: v for k, v in params.items() if k in ("q", "kind", "lang", *FACETS) and k != facet and v}
    if value is not None:
        kept[facet] = value
    return f"{path}?{urlencode(sorted(kept.items()))}" if kept else path


ORIGIN_WORDS = {"stated": {"ja": "原文にある", "en": "stated by the source"},
                "editorial": {"ja": "編集上の追加", "en": "editorial addition"}}


def search_answer(parts: Lookup, found: Found, lang: str, params: dict[str, str]) -> dict[str, Any]:
    """/search.json: the results with what matched, and every facet with counts and links."""
    index = parts.index
    results = []
    for hit in found.hits:
        entry = hit.entry
        results.append({
            "id": entry.id, "iri": entry.iri, "page": f"/id/{entry.id}.{lang}.html",
            "labels": {code: entry.labels[code] for code in ("ja", "en") if code in entry.labels},
            "types": [{"id": t, "name": index.terms[t].label(lang)} for t in entry.types if t in index.terms],
            "origin": entry.origin, "score": hit.score, "matched": hit.matched,
            "quote": {"text": hit.quote.text, "line": hit.quote.line} if hit.quote else None,
        })
    facets = {facet: [{"id": value, "name": parts.searcher.facet_label(facet, value, lang, ORIGIN_WORDS),
                       "count": count, "selected": found.filters.get(facet) == value,
                       "href": facet_href("/search.json", params, facet, value)}
                      for value, count in values]
              for facet, values in found.facets.items()}
    return {"query": found.query, "filters": found.filters, "total": found.total, "results": results,
            "facets": facets}
