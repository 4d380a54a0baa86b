"""The verified list of external identifiers (data/reference/identifiers.csv).

No identifier is published unless it is in this list; each published link
carries the list's confidence and where the identifier was seen.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from clusterlod.errors import DataError

COLUMNS = ("entity_en", "entity_ja", "scheme", "identifier", "confidence", "where_seen")


@dataclass(frozen=True)
class Identifier:
    scheme: str
    key: str            # the identifier itself, without the list's parenthesised comment
    entity_en: str
    entity_ja: str
    confidence: str
    where_seen: str
    line: int

    @property
    def title_only(self) -> bool:
        return "title only" in self.confidence

    @property
    def verified_twice(self) -> bool:
        return self.confidence.startswith("verified twice")


def read_identifiers(path: Path, display: str | None = None) -> dict[tuple[str, str], list[Identifier]]:
    """Index the list by (scheme, identifier); one identifier may serve several entities (rows)."""
    from clusterlod.sources.records import read_text

    display = display or str(path)
    if not path.is_file():
        raise DataError(display, None, None, "no such file: every external identifier is published from this list "
                                             "(restore it, with only its header if there are none)")
    text = read_text(path, display)  # not UTF-8: one error naming the file and line
    index: dict[tuple[str, str], list[Identifier]] = {}
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if tuple(header or ()) != COLUMNS:
            raise DataError(display, 1, None, f"expected the header {','.join(COLUMNS)}")
        for row in reader:
            line = reader.line_num
            if len(row) != len(COLUMNS):
                raise DataError(display, line, None, f"expected {len(COLUMNS)} columns, found {len(row)}")
            entity_en, entity_ja, scheme, identifier, confidence, where_seen = row
            key = identifier.split(" (")[0].strip()
            index.setdefault((scheme, key), []).append(
                Identifier(scheme, key, entity_en, entity_ja, confidence, where_seen, line))
    return index


def best_row(rows: list[Identifier], label_ja: str | None) -> Identifier:
    """The row about this entity (same Japanese name) when the list has several."""
    return next((row for row in rows if label_ja and row.entity_ja == label_ja), rows[0])
