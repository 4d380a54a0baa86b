"""Curated YAML records, read with the line each record and field starts on.

Scalars are read as plain strings (no YAML type guessing: ``2008-02-30`` must
reach our own date check, not PyYAML's), so every error can name the file,
the line and the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _plain(node: yaml.Node) -> Any:
    """Turn a composed YAML node into str / list / dict of plain Python values."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {_plain(key): _plain(value) for key, value in node.value}
    raise TypeError(node)


def _child_lines(node: yaml.Node) -> dict[Any, int]:
    if isinstance(node, yaml.MappingNode):
        return {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if isinstance(node, yaml.SequenceNode):
        return {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}
    return {}


def _compose(path: Path, display: str) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(display, None, None, f"not UTF-8 text ({error.reason})") from None
    try:
        return yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "malformed YAML"
        raise DataError(display, line, None, f"malformed YAML: {problem}") from None


def read_mapping(path: Path, display: str | None = None) -> dict[str, Any]:
    """Read a YAML file holding one mapping (e.g. dataset.yaml)."""
    display = display or str(path)
    node = _compose(path, display)
    if not isinstance(node, yaml.MappingNode):
        raise DataError(display, 1, None, "expected a mapping of keys to values")
    return _plain(node)


def read_records(path: Path, display: str | None = None) -> list[Record]:
    """Read a YAML file holding a list of records, keeping their line numbers."""
    display = display or str(path)
    node = _compose(path, display)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise DataError(display, node.start_mark.line + 1, None, "expected a list of records (each starting with '- id:')")
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
                raise DataError(display, key.start_mark.line + 1, None, f"field '{key.value}' given twice")
            fields[key.value] = Value(_plain(value), value.start_mark.line + 1, _child_lines(value))
        ident = fields.pop("id", None)
        kind = fields.pop("type", None)
        if ident is None or not isinstance(ident.data, str) or not ident.data:
            raise DataError(display, line, None, "record has no 'id'")
        if kind is None or not isinstance(kind.data, str):
            raise DataError(display, line, ident.data, "record has no 'type'")
        records.append(Record(ident.data, kind.data, fields, Path(display), line))
    return records
