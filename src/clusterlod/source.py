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

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end


class QuoteNotFound(ValueError):
    pass


class SourceText:
    """The document's text, with quote lookup that refuses ambiguity."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def occurrences(self, quote: str) -> list[int]:
        found, start = [], self.text.find(quote)
        while start != -1:
            found.append(start)
            start = self.text.find(quote, start + 1)
        return found

    def locate(self, quote: str, within: Span | None = None, occurrence: int | None = None) -> Span:
        """Find ``quote``: unique in the text, else unique inside ``within``, else the n-th."""
        if not quote:
            raise QuoteNotFound("the quote is empty")
        starts = self.occurrences(quote)
        if not starts:
            raise QuoteNotFound(f"quote not found verbatim in {self.path.name}: {quote!r}")
        if occurrence is not None:
            if not 1 <= occurrence <= len(starts):
                raise QuoteNotFound(f"quote occurs {len(starts)} time(s), not {occurrence}: {quote!r}")
            starts = [starts[occurrence - 1]]
        elif len(starts) > 1 and within is not None:
            starts = [s for s in starts if within.start <= s and s + len(quote) <= within.end] or starts
        if len(starts) > 1:
            raise QuoteNotFound(
                f"quote occurs {len(starts)} times in the source; make it longer or add 'occurrence': {quote!r}"
            )
        start = starts[0]
        return Span(start, start + len(quote), self.line_of(start))
