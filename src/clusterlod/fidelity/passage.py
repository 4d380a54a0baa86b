"""A record quotes its own passage: its extra quotes come from the lines its ``source`` quotes cover.

A record is anchored to the page by its ``source`` quotes; the lines they cover are
its own passage. Every other quote of the record (a figure's number, a date, an
English name the page prints, a provision) must be printed inside that passage, so
``companies: {value: 550, quote: 約550社}`` on the Hokkaido project, whose lines print
約570社, is refused although K-RIP's lines print 約550社; and widening Hokkaido's ``source``
to K-RIP's line does not help, since a figure may not be quoted from the first quote's lines
of another record of the same type. Two exceptions, both
anchored by the data itself: a Document's passage is the whole page, and a figure's
``as_of_quote`` (数値は平成20年現在, a note on every figure of a section) may stand
anywhere in the lines its section's records quote. A quote printed several times in
the passage is refused as ambiguous: quote more words.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from clusterlod.sources.records import Record
from clusterlod.sources.source import QuoteNotFound, SourceText, Span

Lines = tuple[int, int]


@dataclass
class Note:
    """An as-of note outside its record's lines, checked once every section's lines are known."""

    record: Record
    line: int
    quote: str
    span: Span
    section: str


@dataclass
class Figure:
    """A figure's quote, checked once every record's first lines are known."""

    record: Record
    line: int
    quote: str
    span: Span


@dataclass
class Passages:
    """The lines each record and each section quote, and the notes and figures still to check."""

    source: SourceText
    sections: dict[str, list[Lines]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    #: (record type, line) -> the records of that type whose first ``source`` quote covers the line, with its lines.
    firsts: dict[tuple[str, int], list[tuple[str, Lines]]] = field(default_factory=dict)

    def anchor(self, record: Record, first: Span) -> None:
        """A record's first ``source`` quote: the lines no other record of its type may take a figure from."""
        lines = self.lines(first.start, first.end - first.start)
        for number in range(lines[0], lines[1] + 1):
            self.firsts.setdefault((record.type, number), []).append((record.id, lines))

    def figure(self, record: Record, line: int, quote: str, span: Span) -> None:
        self.figures.append(Figure(record, line, quote, span))

    def lines(self, start: int, length: int) -> Lines:
        return self.source.line_of(start), self.source.line_of(start + max(length, 1) - 1)

    def cover(self, section: str, span: Span) -> None:
        """A ``source`` quote of some record: its lines belong to ``section``'s printed extent."""
        self.sections.setdefault(section, []).append(self.lines(span.start, span.end - span.start))

    def locate(self, record: Record, line: int, quote: str, own: list[Span], primary: Span | None,
               section: str, note: bool = False) -> Span:
        """The one place in ``record``'s passage (the lines of ``own``) where ``quote`` is printed."""
        passage = [self.lines(span.start, span.end - span.start) for span in own]
        inside = sorted({s for first, last in passage
                         for s in self.source.occurrences(quote, self.line_start(first), self.line_start(last + 1))})
        if len(inside) > 1 and primary is not None:
            in_primary = [s for s in inside if primary.start <= s and s + len(quote) <= primary.end]
            inside = in_primary if len(in_primary) == 1 else inside
        if len(inside) > 1:
            raise record.error(f"the quote {quote!r} is printed {len(inside)} times in this record's own passage; "
                               "quote more words", line)
        if inside:
            return self.span(inside[0], quote)
        starts = self.source.occurrences(quote)  # the whole text, only when the passage lacks it
        if not starts:
            raise record.error(str(QuoteNotFound(f"quote not found verbatim in {self.source.path.name}: {quote!r}")),
                               line)
        if note and len(starts) == 1:
            span = self.span(starts[0], quote)
            self.notes.append(Note(record, line, quote, span, section))
            return span
        printed_at = ", ".join(str(self.source.line_of(s)) for s in starts)
        raise record.error(f"the quote {quote!r} is not in this record's own passage (source lines "
                           f"{_show(passage)}, which its 'source' quotes cover); it is printed only at line "
                           f"{printed_at}: a record quotes its own words, or widens its 'source'", line)

    def line_start(self, line: int) -> int:
        """The offset where ``line`` starts (the text's end past the last line)."""
        starts = self.source.line_starts
        return starts[line - 1] if line <= len(starts) else len(self.source.text)

    def span(self, start: int, quote: str) -> Span:
        return Span(start, start + len(quote), self.source.line_of(start))

    def check(self) -> None:
        """What needs every record read: the as-of notes, and that no figure is another record's."""
        self.check_notes()
        self.check_figures()

    def check_figures(self) -> None:
        """A figure's quote must not stand in the first quote's lines of another record of the same type: a
        record cannot take K-RIP's 約550社 by adding K-RIP's line to its own ``source``."""
        for figure in self.figures:
            first, last = self.lines(figure.span.start, len(figure.quote))
            for other, (start, end) in self.firsts.get((figure.record.type, first), []):
                if other != figure.record.id and start <= first and last <= end:
                    raise figure.record.error(
                        f"the figure's quote {figure.quote!r} (source line {first}) is printed in the lines of record "
                        f"'{other}' ({_show([(start, end)])}), another {figure.record.type}: a figure is quoted from "
                        "its own record's lines", figure.line)

    def check_notes(self) -> None:
        """Each as-of note outside its record's lines must stand in lines its section's records quote."""
        merged: dict[str, list[Lines]] = {}
        for note in self.notes:
            if note.section not in merged:
                merged[note.section] = _merge(self.sections.get(note.section, []))
            if not _covered(self.lines(note.span.start, len(note.quote)), merged[note.section]):
                raise note.record.error(f"the note {note.quote!r} (source line {note.span.line}) is neither in this "
                                        "record's own passage nor in the lines its section's records quote", note.line)


def _merge(extent: list[Lines]) -> list[Lines]:
    """Sorted, overlapping or touching line ranges joined: one bisect finds a line's range."""
    merged: list[Lines] = []
    for first, last in sorted(extent):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _covered(lines: Lines, merged: list[Lines]) -> bool:
    at = bisect.bisect_right(merged, (lines[0], float("inf"))) - 1
    return at >= 0 and merged[at][0] <= lines[0] and lines[1] <= merged[at][1]


def _show(passage: list[Lines]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in sorted(set(passage)))
