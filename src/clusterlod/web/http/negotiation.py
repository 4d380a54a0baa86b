"""Content and language negotiation, defined once for the server and the web-server configs.

The Python server parses ``Accept`` with q-values properly. nginx and Apache
cannot, so :func:`accept_patterns` turns the same rules into an ordered list of
regular expressions (q=1 first, then q=0.9 ... 0.1, server preference within a
level); both agree except for q-values that differ only in the second decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from clusterlod import formats

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANG_COOKIE = "lang"
#: ``Vary`` of an answer chosen by ``Accept`` and by language (``?lang=``'s cookie, ``Accept-Language``):
#: a shared cache (nginx's proxy_cache) must keep one copy per combination, or a Turtle client
#: gets the HTML an earlier browser was sent.
VARY_ALL = "Accept, Accept-Language, Cookie"
#: ``Vary`` of an answer chosen by language only (a page without a language in its path).
VARY_LANGUAGE = "Accept-Language, Cookie"
#: ``Vary`` of an answer chosen by ``Accept`` only.
VARY_ACCEPT = "Accept"


@dataclass(frozen=True)
class Variant:
    """One representation of a resource: its file extension and the media types naming it."""

    extension: str
    media_type: str
    aliases: tuple[str, ...] = ()
    syntax: formats.Syntax | None = None

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


HTML = Variant("html", formats.HTML_MEDIA_TYPE, ("application/xhtml+xml",))
#: Server preference, used to break ties: HTML first (the IRI is meant for people too).
VARIANTS: tuple[Variant, ...] = (
    HTML,
    Variant(formats.TURTLE.extension, formats.TURTLE.media_type, ("application/x-turtle",), formats.TURTLE),
    Variant(formats.JSON_LD.extension, formats.JSON_LD.media_type, ("application/json",), formats.JSON_LD),
    Variant(formats.N_TRIPLES.extension, formats.N_TRIPLES.media_type, (), formats.N_TRIPLES),
    Variant(formats.RDF_XML.extension, formats.RDF_XML.media_type, (), formats.RDF_XML),
)
BY_EXTENSION: dict[str, Variant] = {v.extension: v for v in VARIANTS}
DATA_VARIANTS = VARIANTS[1:]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q-values count as 1, like most servers."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 1.0
                q = min(max(q, 0.0), 1.0) if math.isfinite(q) else 1.0  # nan and inf are malformed too
        ranges.append((media, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> tuple[int, float]:
    """q of the most specific range matching ``media_type`` (specificity, q); (-1, 0) if none."""
    major = media_type.split("/")[0]
    best = (-1, 0.0)
    for media, q in ranges:
        specificity = 2 if media == media_type else 1 if media == f"{major}/*" else 0 if media == "*/*" else -1
        if specificity > best[0]:
            best = (specificity, q)
    return best


def choose(header: str | None, variants: tuple[Variant, ...] = VARIANTS) -> Variant | None:
    """The variant the client prefers; HTML without an ``Accept``; ``None`` if nothing is acceptable."""
    if not header or not header.strip():
        return variants[0]
    ranges = parse_accept(header)
    best: tuple[float, int] = (0.0, 0)
    chosen = None
    for rank, variant in enumerate(variants):
        # Wildcards match the variant's main media type only: application/* is not a request for XHTML.
        q = max([_quality(variant.media_type, ranges)[1]] +
                [q for m in variant.aliases for media, q in ranges if media == m])
        if q > best[0]:
            best, chosen = (q, rank), variant
    return chosen


def choose_language(query_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the remembered cookie, then ``Accept-Language``, else Japanese."""
    for value in (query_lang, cookie):
        if value in LANGUAGES:
            return value
    best, chosen = 0.0, DEFAULT_LANGUAGE
    for media, q in parse_accept(accept_language):
        primary = media.split("-")[0]
        if primary in LANGUAGES and q > best:
            best, chosen = q, primary
    return chosen


# ---------------------------------------------------------------- regexes for nginx / Apache

def _range_regex(media: str) -> str:
    return media.replace("+", r"\+").replace(".", r"\.").replace("*", r"\*")


def accept_patterns() -> list[tuple[str, str]]:
    """Ordered (case-insensitive PCRE, extension) pairs: the first match picks the variant.

    Level q=1 (no q parameter, or q=1) comes first, then q=0.9 down to q=0.1; in each
    level the explicit media types in server preference, then ``type/*`` and ``*/*``.
    """
    params = r"(\s*;\s*(?!q=)[^;,]*)*"
    end = r"\s*(,|$)"
    levels = [r"(\s*;\s*q=1(\.0*)?)?"] + [rf"\s*;\s*q=0?\.{d}[0-9]*" for d in range(9, 0, -1)]
    patterns: list[tuple[str, str]] = []
    for level in levels:
        for variant in VARIANTS:
            for media in variant.media_types:
                patterns.append((rf"(^|,)\s*{_range_regex(media)}{params}{level}{end}", variant.extension))
        seen_majors = []
        for variant in VARIANTS:
            major = variant.media_type.split("/")[0]
            if major not in seen_majors:
                seen_majors.append(major)
                patterns.append((rf"(^|,)\s*{major}/\*{params}{level}{end}", variant.extension))
        patterns.append((rf"(^|,)\s*\*/\*{params}{level}{end}", VARIANTS[0].extension))
    return patterns
