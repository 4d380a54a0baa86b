"""Curated YAML records, read strictly, with the line each record and field starts on.

Scalars are read as plain strings (no YAML type guessing: ``2008-02-30`` must
reach our own date check, not PyYAML's), so every error can name the file,
the line and the record. Reading is strict: a key given twice at any depth, an
anchor or alias (curated files do not need them, and an alias bomb would grow
without bound), an empty file and text that is not UTF-8 are each refused with
one line naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from clusterlod.errors import DataError

#: libyaml's parser where PyYAML was built with it (about 10x faster); the same nodes and marks.
LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass
class Value:
    """A scalar, list or mapping from a record, with the line it starts on.

    ``lines`` gives the line of each key of a mapping value, or of each item of
    a list value (by index), so errors deep in a field still point at their line.
    """

    data: Any
    line: int
    lines: dict[Any, int] = field(default_factory=dict)

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


@dataclass
class Record:
    """One entity of the curated data: ``id``, ``type`` and its fields."""

    id: str
    type: str
    fields: dict[str, Value]
    path: Path
    line: int

    def error(self, message: str, line: int | None = None) -> DataError:
        return DataError(self.path, line or self.line, self.id, message)

    def get(self, name: str) -> Value | None:
        return self.fields.get(name)


def iri_problem(iri: str) -> str | None:
    """Why ``iri`` cannot be published, or None. Checked with oxigraph, the parser the writers use,
    so an IRI that passes here cannot fail later (bad percent-encoding, spaces, a relative IRI)."""
    import pyoxigraph as ox

    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "expected an absolute http(s) IRI"
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return str(error)
    return None


def _plain(node: yaml.Node, display: str = "") -> Any:
    """Turn a composed YAML node into str / list / dict of plain Python values; a repeated key is an error."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, display) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        for key, value in node.value:
            name = _plain(key, display)
            if not isinstance(name, str):
                raise DataError(display, key.start_mark.line + 1, None,
                                "keys must be plain words, not lists or mappings")
            line = key.start_mark.line + 1
            if name in out:
                raise DataError(display, line, None, f"key '{name}' given twice (lines {lines[name]} and {line})")
            out[name], lines[name] = _plain(value, display), line
        return out
    raise TypeError(node)


#: Cheap test first: only text with an & or * before a name can hold an anchor or an alias.
MAYBE_ANCHOR = re.compile(r"[&*][^\s,\[\]{}]")


def _refuse_anchors(text: str, display: str) -> None:
    """Refuse anchors and aliases; they are found by the parser's events, so quoted text is not mistaken for one."""
    if not MAYBE_ANCHOR.search(text):
        return
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            what = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            raise DataError(display, event.start_mark.line + 1, None,
                            f"YAML {what} '{event.anchor}' refused: curated files spell every value out")


def _child_lines(node: yaml.Node) -> dict[Any, int]:
    if isinstance(node, yaml.MappingNode):
        return {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if isinstance(node, yaml.SequenceNode):
        return {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}
    return {}


def read_text(path: Path, display: str) -> str:
    """A file's text as UTF-8; otherwise one error naming the file and the line of the first bad byte."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(display, None, None, "no such file") from None
    except OSError as error:
        raise DataError(display, None, None, f"cannot read the file ({error.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DataError(display, line, None,
                        f"not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})") from None


def _compose(path: Path, display: str) -> yaml.Node:
    text = read_text(path, display)
    try:
        _refuse_anchors(text, display)
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "malformed YAML"
        raise DataError(display, line, None, f"malformed YAML: {problem}") from None
    if node is None:
        raise DataError(display, 1, None,
                        "the file holds no data (an empty data file is an error: delete it, or restore its records)")
    return node


def read_mapping(path: Path, display: str | None = None) -> dict[str, Any]:
    """Read a YAML file holding one mapping (e.g. dataset.yaml)."""
    display = display or str(path)
    node = _compose(path, display)
    if not isinstance(node, yaml.MappingNode):
        raise DataError(display, 1, None, "expected a mapping of keys to values")
    return _plain(node, display)


def _id_of(item: yaml.MappingNode) -> str | None:
    """The record's id, for errors found before the record is whole."""
    return next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), None)


def read_records(path: Path, display: str | None = None) -> list[Record]:
    """Read a YAML file holding a list of records, keeping their line numbers."""
    display = display or str(path)
    node = _compose(path, display)
    if not isinstance(node, yaml.SequenceNode):
        raise DataError(display, node.start_mark.line + 1, None,
                        "expected a list of records (each starting with '- id:')")
    records = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise DataError(display, line, None, "a record must be a mapping with 'id' and 'type'")
        fields: dict[str, Value] = {}
        for key, value in item.value:
            if not isinstance(key, yaml.ScalarNode):
                raise DataError(display, key.start_mark.line + 1, None, "field names must be plain words")
            if key.value in fields:
                first = next(k.start_mark.line + 1 for k, _ in item.value if k.value == key.value)
                raise DataError(display, key.start_mark.line + 1, _id_of(item),
                                f"field '{key.value}' given twice (lines {first} and {key.start_mark.line + 1})")
            try:
                data = _plain(value, display)
            except DataError as error:
                raise DataError(error.path, error.line, _id_of(item), error.message) from None
            fields[key.value] = Value(data, value.start_mark.line + 1, _child_lines(value))
        ident = fields.pop("id", None)
        kind = fields.pop("type", None)
        if ident is None or not isinstance(ident.data, str) or not ident.data:
            raise DataError(display, line, None, "record has no 'id'")
        if kind is None or not isinstance(kind.data, str):
            raise DataError(display, line, ident.data, "record has no 'type'")
        records.append(Record(ident.data, kind.data, fields, Path(display), line))
    return records
