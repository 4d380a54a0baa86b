"""The URL layout shared by the server and the static site: IRI <-> local path <-> file.

``<base>id/cluster/x`` is served at ``/id/cluster/x`` (it answers 303); its documents
are ``/id/cluster/x.ja.html``, ``.en.html``, ``.html`` (language chosen by the
server; Japanese in the static tree) and ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``.
Files of the release are under ``/download/``. The same names are the files of
``clusterlod site``, so nginx and Apache only have to add the 303s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from clusterlod.web.http.negotiation import BY_EXTENSION, LANGUAGES

DOWNLOAD = "download/"
SPARQL = "sparql"
#: ``/a/b.ja.html`` -> ("a/b", "ja", "html"); ``/a/b.ttl`` -> ("a/b", None, "ttl").
DOCUMENT = re.compile(r"^(?P<stem>.+?)(?:\.(?P<lang>ja|en))?\.(?P<ext>html|ttl|jsonld|nt|rdf)$")
#: Below ``dataset/version/``: ``X`` (the version's IRI), ``X.ja.html``, ``X.ttl`` (its catalogue),
#: ``X/download/<file>`` (a file of that version, from the archive).
VERSION_PATH = re.compile(r"^(?P<version>(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))"
                          r"(?:(?:\.(?P<lang>ja|en))?\.(?P<ext>html|ttl)|/download/(?P<file>[^?#]+))?$")
#: Encoded separators and dot-segments: never part of a valid request here.
_TRICKS = re.compile(r"%2f|%5c|%2e|%00|\\|\x00", re.IGNORECASE)


def is_suspicious(raw_path: bytes | str) -> bool:
    """True for path tricks (``..``, encoded slashes or dots, backslashes, empty segments)."""
    raw = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else raw_path
    if _TRICKS.search(raw):
        return True
    segments = unquote(raw).split("/")[1:]
    return any(s in (".", "..") for s in segments) or "" in segments[:-1]


@dataclass(frozen=True)
class Layout:
    """Maps the IRIs of one base onto paths below a root (``/`` on the server, ``../..`` in files)."""

    base: str

    def local(self, iri: str) -> str | None:
        """The path of ``iri`` below the base without a leading slash, or None if it is elsewhere."""
        if not iri.startswith(self.base):
            return None
        return iri[len(self.base):]

    def iri(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def page_href(self, iri: str, lang: str, root: str) -> str:
        """Where a link to ``iri`` goes from a page in ``lang``: its page, a file, or the IRI itself."""
        rest = self.local(iri)
        if rest is None:
            return iri
        path, hash_, fragment = rest.partition("#")
        if path == "":
            target = f"index.{lang}.html"
        elif path.startswith(DOWNLOAD) or path == SPARQL:
            target = path
        else:
            target = f"{path}.{lang}.html"
        return root + target + (hash_ + fragment)

    def document_href(self, iri: str, extension: str, root: str, lang: str | None = None) -> str:
        rest = self.local(iri) or ""
        stem = rest if rest else "index"
        middle = f".{lang}" if lang else ""
        return f"{root}{stem}{middle}.{extension}"


def split_document(path: str) -> tuple[str, str | None, str] | None:
    """``id/x/y.en.html`` -> ("id/x/y", "en", "html"); None when the path names no document."""
    match = DOCUMENT.match(path)
    if not match or match["ext"] not in BY_EXTENSION:
        return None
    lang = match["lang"]
    if lang is not None and (lang not in LANGUAGES or match["ext"] != "html"):
        return None
    return match["stem"], lang, match["ext"]


def relative_root(path: str) -> str:
    """The relative prefix leading from the folder of ``path`` back to the site root."""
    depth = path.count("/")
    return "../" * depth if depth else "./"
