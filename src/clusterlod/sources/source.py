"""The source text and exact quotes in it.

A quote is an exact substring of the source (no whitespace folding: the PDF's
line breaks are part of the text). Offsets are in Unicode code points, lines
count from 1, so a reader can find the words with any editor.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    line: int

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


GRAM = 6
INDEX_ABOVE = 100_000  # characters; below this a plain scan is as fast as building the index


class QuoteNotFound(ValueError):
    pass


class GramIndex:
    """Where a string occurs in a long text, found through its rarest ``gram``-gram: a few candidates, not the
    whole text (the benchmark's sources run to megabytes)."""

    def __init__(self, text: str, gram: int):
        self.text = text
        self.gram = gram
        self._grams: dict[str, list[int]] | None = None

    def _index(self) -> dict[str, list[int]]:
        if self._grams is None:
            grams: dict[str, list[int]] = {}
            text, gram = self.text, self.gram
            for i in range(len(text) - gram + 1):
                grams.setdefault(text[i:i + gram], []).append(i)
            self._grams = grams
        return self._grams

    def find_all(self, needle: str) -> list[int]:
        """Every offset where ``needle`` (at least ``gram`` characters long) starts."""
        index, gram = self._index(), self.gram
        offset, candidates = min(((k, index.get(needle[k:k + gram], ())) for k in range(len(needle) - gram + 1)),
                                 key=lambda found: len(found[1]))
        return [i - offset for i in candidates if i >= offset and self.text.startswith(needle, i - offset)]


class SourceText:
    """The document's text, with quote lookup that refuses ambiguity."""

    def __init__(self, path: Path, display: str | None = None):
        from clusterlod.sources.records import read_text

        self.path = path
        self.text = read_text(path, display or str(path))  # not UTF-8: one error naming the file and line
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        self._grams = GramIndex(self.text, GRAM)

    @property
    def line_starts(self) -> list[int]:
        """The offset each line starts at (line 1 at 0)."""
        return self._line_starts

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def occurrences(self, quote: str, start: int = 0, end: int | None = None) -> list[int]:
        end = len(self.text) if end is None else end
        if start == 0 and end == len(self.text) and len(quote) >= GRAM and len(self.text) > INDEX_ABOVE:
            return self._grams.find_all(quote)
        found, at = [], self.text.find(quote, start, end)
        while at != -1:
            found.append(at)
            at = self.text.find(quote, at + 1, end)
        return found

    def locate(self, quote: str, within: Span | None = None, occurrence: int | None = None) -> Span:
        """Find ``quote``: the one inside ``within`` if there is exactly one, else the one in the text,
        else the n-th."""
        if not quote:
            raise QuoteNotFound("the quote is empty")
        starts = self.occurrences(quote, within.start, within.end) if within is not None and occurrence is None else []
        if len(starts) != 1:
            starts = self.occurrences(quote)
        if not starts:
            raise QuoteNotFound(f"quote not found verbatim in {self.path.name}: {quote!r}")
        if occurrence is not None:
            if not 1 <= occurrence <= len(starts):
                raise QuoteNotFound(f"quote occurs {len(starts)} time(s), not {occurrence}: {quote!r}")
            starts = [starts[occurrence - 1]]
        if len(starts) > 1:
            raise QuoteNotFound(
                f"quote occurs {len(starts)} times in the source; make it longer or add 'occurrence': {quote!r}"
            )
        start = starts[0]
        return Span(start, start + len(quote), self.line_of(start))
