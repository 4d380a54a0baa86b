"""Stated means printed: every text of ``graph/document`` given as the document's words is on the page.

The document graph claims to hold only what the source states. Its words — every
language-tagged literal (labels, alternative labels, titles, roles, provisions,
units, scope notes, the labels of figures and fiscal years) and every quote
(``oa:exact``) — must therefore occur in the source text, compared after one
documented normalisation that keeps meaning: Unicode NFKC (full-width and
half-width forms are the same letters: ＴＡＭＡ is TAMA, ２ is 2) and no white
space at all (spaces, full-width spaces and the extraction's line breaks, which
split Japanese words anywhere). Nothing looser: no case folding, no punctuation
dropped; the whole literal must occur. A text the page does not print belongs in an
editorial graph with a ``basis:`` (e.g. ``label: {ja: 表題, en: Title, basis:
editors-japanese-labels}``). The first violation is one DataError naming the
file, line and record and the literal; the build and ``validate`` both stop there
(BAD_DATA), before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from clusterlod.errors import DataError
from clusterlod.sources.records import Record
from clusterlod.sources.source import INDEX_ABOVE, GramIndex

if TYPE_CHECKING:
    from clusterlod.graph import Origin

OA_EXACT = "http://www.w3.org/ns/oa#exact"
SPACE = re.compile(r"\s+")
GRAM = 4


def fold(text: str) -> str:
    """The normalisation both sides are compared under: NFKC, then every white-space character removed."""
    return SPACE.sub("", unicodedata.normalize("NFKC", text))


def is_the_documents_words(quad: ox.Quad) -> bool:
    """The literals the rule covers: language-tagged text, and quotes."""
    obj = quad.object
    return isinstance(obj, ox.Literal) and (obj.language is not None or quad.predicate.value == OA_EXACT)


class Printed:
    """Whether a text occurs in the folded source; an index of GRAM-grams for long sources (the benchmark's)."""

    def __init__(self, source_text: str):
        self.text = fold(source_text)
        self._known: dict[str, bool] = {}
        self._grams = GramIndex(self.text, GRAM)

    def __contains__(self, literal: str) -> bool:
        folded = fold(literal)
        known = self._known.get(folded)
        if known is None:
            known = self._known[folded] = self._find(folded)
        return known

    def _find(self, folded: str) -> bool:
        if not folded:
            return False
        if len(folded) < GRAM or len(self.text) <= INDEX_ABOVE:
            return folded in self.text
        return bool(self._grams.find_all(folded))


def field_line(record: Record, text: str) -> int:
    """The line of the field (or key of a field) holding ``text``, else the record's own line."""
    wanted = fold(text)
    for value in record.fields.values():
        data = value.data
        if isinstance(data, str) and fold(data) == wanted:
            return value.line
        if isinstance(data, dict):
            for key, item in data.items():
                if isinstance(item, str) and fold(item) == wanted:
                    return value.line_of(key)
    return record.line


def check_printed(quads: Iterable[ox.Quad], document_graph: str, source_text: str, source_name: str,
                  origins: dict[str, Origin], records: dict[str, Record], prefixes: dict[str, str] | None = None
                  ) -> None:
    """Raise DataError (file, line, record, literal) for the first text of ``document_graph`` the source
    does not print; ``origins`` say which record each subject came from."""
    printed = Printed(source_text)
    for quad in quads:
        if quad.graph_name.value != document_graph or not is_the_documents_words(quad):
            continue
        literal = quad.object
        if literal.value in printed:
            continue
        tag = f"@{literal.language}" if literal.language else ""
        predicate = next((f"{prefix}:{quad.predicate.value[len(iri):]}" for prefix, iri in (prefixes or {}).items()
                          if quad.predicate.value.startswith(iri)), quad.predicate.value)
        message = (f"{literal.value!r}{tag} is stated as the document's words ({predicate}) but is "
                   f"not printed in {source_name} (compared after NFKC, white space removed); write the page's "
                   "words, or make the text editorial with a 'basis'")
        origin = origins.get(quad.subject.value)
        record = records.get(origin.record) if origin is not None else None
        if record is None:
            raise DataError(origin.path if origin else source_name, origin.line if origin else None,
                            origin.record if origin else None, message)
        raise record.error(message, field_line(record, literal.value))
