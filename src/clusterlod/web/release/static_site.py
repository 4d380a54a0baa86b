"""`clusterlod site`: the server's pages and data documents as files, for hosting without Python.

File names are the server's URLs (see :mod:`clusterlod.web.release.paths`); ``x.html`` is the
Japanese page. Links are relative, so the tree also works from a sub-folder or
from disk; only the 303s from the bare IRIs need the generated nginx/Apache rules.
"""

from __future__ import annotations

from pathlib import Path

from clusterlod import formats
from clusterlod.release.archive import ARCHIVE_DIR
from clusterlod.release.atomic import MARKER, check_replaceable, replace_directory
from clusterlod.web.http import signposting, wellknown
from clusterlod.web.http.app import _static_files, sitemap
from clusterlod.web.http.negotiation import DATA_VARIANTS, DEFAULT_LANGUAGE, LANGUAGES
from clusterlod.web.pages.canned import read_queries
from clusterlod.web.pages.render import Renderer
from clusterlod.web.release import webconf
from clusterlod.web.release.paths import relative_root
from clusterlod.web.release.served import Release
from clusterlod.web.sparql.worker import QueryRequest, execute

NGINX_FILE = "nginx.conf.example"


def write_site(dist: Path, out: Path, base: str | None = None, queries: Path | None = None) -> int:
    """Write the whole tree into ``out`` (replaced whole); returns the number of files written."""
    from clusterlod.release.rebase import check_site_base

    inputs = [dist, *([queries] if queries is not None else [])]
    check_replaceable(out, "site", inputs, _old_site)  # at once, before the release is read
    check_site_base(dist, base)  # never a site without its resource pages
    release = Release(dist, base)
    canned = read_queries(queries)
    renderer = Renderer(release, canned, static=True)
    written = 0
    with replace_directory(out, "site", inputs, _old_site) as tree:
        def put(relative: str, data: bytes) -> None:
            nonlocal written
            path = tree / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written += 1

        for iri in sorted(release.resources):
            stem = release.layout.local(iri)
            root = relative_root(stem)
            for lang in LANGUAGES:
                page = renderer.resource(iri, lang, root)
                put(f"{stem}.{lang}.html", page)
                if lang == DEFAULT_LANGUAGE:
                    put(f"{stem}.html", page)
            for variant in DATA_VARIANTS:
                put(f"{stem}.{variant.extension}", release.document(iri, variant.syntax))
        for lang in LANGUAGES:
            for name, page in (("index", renderer.index(lang, "./")),
                               ("search", renderer.search(lang, "./", "", status_all=True)),
                               ("404", renderer.not_found(lang, "/", ""))):
                put(f"{name}.{lang}.html", page)
                if lang == DEFAULT_LANGUAGE:
                    put(f"{name}.html", page)
            for query in canned:
                put(f"queries/{query.name}.{lang}.html", _query_page(release, renderer, query, lang))
        for query in canned:
            put(f"queries/{query.name}.rq", query.text.encode("utf-8"))
        for name, (data, _) in sorted(_static_files().items()):
            put(f"static/{name}", data)
        for path in sorted(p for p in release.dist.rglob("*")
                           if p.is_file() and p.name != MARKER and not _archive_copy(release, p)):
            put(f"download/{path.relative_to(release.dist).as_posix()}", path.read_bytes())
        for version in release.versions:  # <dataset>/version/X: its pages, catalogue and (archived) files
            stem = f"dataset/version/{version.version}"
            for lang in LANGUAGES:
                page = renderer.version_page(version.version, lang, relative_root(stem)) or b""
                put(f"{stem}.{lang}.html", page)
                if lang == DEFAULT_LANGUAGE:
                    put(f"{stem}.html", page)
            put(f"{stem}.ttl", version.catalog)
            if version.archive is not None:
                for name in version.archive.files():
                    put(f"{stem}/download/{name}", version.archive.read(name) or b"")
        put("sitemap.xml", sitemap(release, release.ns.base))
        signposts = signposting.landing_links(release.catalog.store, release.ns.base)
        put(signposting.LINKSET, signposting.linkset_text(release.ns.base, signposts))
        put(signposting.LINKSET + ".json", signposting.linkset_json(release.ns.base, signposts))
        put("favicon.ico", wellknown.favicon_ico())
        put("robots.txt", wellknown.robots_txt(release.ns.base))
        put("406.txt", b"clusterlod: not acceptable; resources are available as text/html, text/turtle, "
                       b"application/ld+json, application/n-triples and application/rdf+xml\n")
        put(NGINX_FILE, webconf.nginx(str(out.resolve())).encode("utf-8"))
        put(".htaccess", webconf.apache().encode("utf-8"))
    return written


def _old_site(folder: Path) -> bool:
    """A site written before the marker file (0.3.0 and older): its nginx example is one `site` wrote."""
    try:
        with open(folder / NGINX_FILE, encoding="utf-8") as example:
            return example.readline() == webconf.HEADER + "\n"
    except (OSError, UnicodeDecodeError):
        return False
def _archive_copy(release: Release, path: Path) -> bool:
    """A file of dist/releases/ (the archive's compressed copy): published decompressed, per version."""
    return path.relative_to(release.dist).parts[0] == ARCHIVE_DIR


def _query_page(release: Release, renderer: Renderer, query, lang: str) -> bytes:
    """A canned query with its results, computed now (a static host cannot run SPARQL)."""
    store = getattr(release.data, "store", None)
    table, error, raw = None, None, None
    if store is not None:
        accept = formats.RESULTS_ACCEPT
        outcome = execute(store, QueryRequest(query.text, accept), 10_000_000, release.prefixes)
        if outcome.status != 200:
            error = outcome.body.decode("utf-8", "replace")
        elif "json" in outcome.media_type:
            table = renderer.results_table(outcome.body, lang, "../")
        else:
            raw = outcome.body.decode("utf-8", "replace")
    return renderer.editor(lang, "../", query.text, table=table, error=error, name=query.name, raw=raw)

