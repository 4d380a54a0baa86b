"""Reading the release's CSV tables as a user's tools do: raw bytes, rows, and RDF through their CSVW metadata.

``to_rdf`` reads each table with the maintained ``csvw`` library (the metadata's dialect, datatypes, nulls and URI
templates: csvw parses and validates every cell) and turns each cell into the triple CSVW's csv2rdf mapping
(W3C, "Generating RDF from Tabular Data on the Web", minimal mode) gives it: the subject from aboutUrl, the
predicate from propertyUrl, the object from valueUrl or the typed value with its datatype and language.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from csvw import TableGroup
from rfc3986 import URIReference

XSD = "http://www.w3.org/2001/XMLSchema#"
METADATA = "csv-metadata.json"


@dataclass
class Tables:
    """The files of dist/csv/ as bytes, and the metadata as JSON: what the rule checks read and break."""

    files: dict[str, bytes]
    metadata: dict[str, Any]
    source: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path, source: str = "") -> Tables:
        files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}
        return cls(files, json.loads((folder / METADATA).read_text(encoding="utf-8")), source)

    def copy(self) -> Tables:
        return Tables(dict(self.files), copy.deepcopy(self.metadata), self.source)

    def schema(self, name: str) -> dict[str, Any]:
        return next(t for t in self.metadata["tables"] if t["url"] == name)

    def columns(self, name: str) -> list[dict[str, Any]]:
        return self.schema(name)["tableSchema"]["columns"]

    def text(self, name: str) -> str:
        """The file decoded as the metadata says (UTF-8; a BOM is the encoding's, not the text's)."""
        return self.files[name].decode("utf-8").removeprefix("\ufeff")

    def rows(self, name: str) -> list[list[str]]:
        """Every record, the header first, as the csv module reads it."""
        return list(csv.reader(io.StringIO(self.text(name), newline="")))

    def dicts(self, name: str) -> list[dict[str, str]]:
        header, *rows = self.rows(name)
        return [dict(zip(header, row, strict=False)) for row in rows]

    def write_rows(self, name: str, rows: list[list[str]]) -> None:
        """Replace a file by these rows, written as the build writes them (BOM, CRLF, minimal quoting)."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        self.files[name] = ("\ufeff" + buffer.getvalue()).encode("utf-8")

    def edit(self, name: str, column: str, row: int, value: str) -> None:
        """Set one cell (``row`` counts records after the header, from 0)."""
        rows = self.rows(name)
        rows[row + 1][rows[0].index(column)] = value
        self.write_rows(name, rows)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (folder / name).write_bytes(data)
        (folder / METADATA).write_text(json.dumps(self.metadata, ensure_ascii=False), encoding="utf-8")
        return folder / METADATA


def _lexical(column, value: Any) -> str:
    if isinstance(value, URIReference):
        return value.unsplit()
    if isinstance(value, bool):
        return "true" if value else "false"
    return column.datatype.formatted(value) if column is not None else str(value)


def to_rdf(metadata: Path) -> dict[str, set[tuple]]:
    """Each table's triples (rdflib terms), read through the metadata by csvw."""
    group = TableGroup.from_file(metadata)
    out: dict[str, set[tuple]] = {}
    for table in group.tables:
        columns = {c.name: c for c in table.tableSchema.columns}
        triples: set[tuple] = set()
        for number, row in enumerate(table.iterdicts(strict=True), 1):
            # URI templates see each cell's string value (CSVW: the variable is the cell's value as a string).
            strings = {k: ("" if v is None else _lexical(columns.get(k), v)) for k, v in row.items()}
            default = table.expand(table.tableSchema.aboutUrl, strings, _row=number)
            for name, value in row.items():
                column = columns[name]
                if column.suppressOutput or column.virtual or value is None or value == "":
                    continue
                subject = table.expand(column.aboutUrl, strings, _row=number) if column.aboutUrl else default
                predicate = table.expand(column.propertyUrl, strings, _row=number, _name=name)
                if column.valueUrl:
                    obj: Any = rdflib.URIRef(table.expand(column.valueUrl, strings, _row=number, _name=name))
                elif column.lang and column.lang != "und" and column.datatype.base == "string":  # und: no tag
                    obj = rdflib.Literal(strings[name], lang=column.lang)
                elif column.datatype.base == "string":
                    obj = rdflib.Literal(strings[name])
                else:
                    obj = rdflib.Literal(strings[name], datatype=rdflib.URIRef(XSD + column.datatype.base))
                triples.add((rdflib.URIRef(str(subject)), rdflib.URIRef(str(predicate)), obj))
        out[str(table.url)] = triples
    return out


def release_triples(nquads: Path) -> set[tuple]:
    """The union of the release's named graphs."""
    dataset = rdflib.Dataset()
    dataset.parse(nquads, format="nquads")
    return {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
