"""dataset.yaml, the publication's own metadata, read and checked like any record.

It is a record of type ``Dataset``: each key has a kind, as the fields of
model.py do, and a missing key, an unknown key, an impossible date or a licence
that is not an IRI is one error naming the file and the line, before anything
is built (the DCAT/VoID catalog reads these values at the end of a build). The data's version and dates
live here, apart from the software's version: a data correction is a record edit, not a code release.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from clusterlod.errors import DataError
from clusterlod.sources.records import _compose, _plain, iri_problem

RECORD_TYPE = "Dataset"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
LANGUAGE = re.compile(r"[a-z]{2,3}")
VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def _text(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"ja", "en"}:
        return "expected a mapping with 'ja' and 'en'"
    if not all(isinstance(v, str) and v.strip() for v in value.values()):
        return "'ja' and 'en' must be non-empty text"
    return None


def _slug(value: Any) -> str | None:
    return None if isinstance(value, str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) else \
        "expected lower-case ASCII letters, digits and single hyphens"


def _date(value: Any) -> str | None:
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return "expected a date YYYY-MM-DD (ASCII digits)"
    year, month, day = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"impossible date {value}"
    return None


def _version(value: Any) -> str | None:
    ok = isinstance(value, str) and VERSION.fullmatch(value)
    return None if ok else "expected a version MAJOR.MINOR.PATCH such as \"0.4.0\" (quoted, ASCII digits)"


def _iri(value: Any) -> str | None:
    return "expected an IRI" if not isinstance(value, str) else iri_problem(value)


def _languages(value: Any) -> str | None:
    ok = isinstance(value, list) and value and all(isinstance(v, str) and LANGUAGE.fullmatch(v) for v in value)
    return None if ok else "expected a list of language codes such as [ja, en]"


def _keywords(value: Any) -> str | None:
    ok = isinstance(value, dict) and set(value) <= {"ja", "en"} and all(
        isinstance(words, list) and all(isinstance(w, str) and w.strip() for w in words) for words in value.values())
    return None if ok else "expected {ja: [...], en: [...]} lists of words"


def _country(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)
    return None if ok else "expected a country code of the EU country authority list, such as JPN"


def _years(value: Any) -> str | None:
    ok = isinstance(value, dict) and set(value) == {"start", "end"} and all(
        isinstance(v, str) and re.fullmatch(r"[0-9]{4}", v) for v in value.values())
    if not ok:
        return "expected {start: YYYY, end: YYYY} (ASCII digits)"
    return None if value["start"] <= value["end"] else f"the end {value['end']} is before the start {value['start']}"


def _rights(value: Any) -> str | None:
    ok = isinstance(value, dict) and value and set(value) <= {"ja", "en"} and all(
        isinstance(v, str) and v.strip() for v in value.values())
    return None if ok else "expected {en: ...} (and optionally ja:) non-empty text"


#: The Dataset record type: key -> (check, required).
FIELDS: dict[str, tuple[Callable[[Any], str | None], bool]] = {
    "id": (_slug, True),
    "title": (_text, True),
    "description": (_text, True),
    "version": (_version, True),
    "issued": (_date, True),
    "modified": (_date, True),
    "language": (_languages, True),
    "licence": (_iri, True),
    "publisher": (_text, True),
    "creator": (_text, True),
    "attribution": (_text, True),
    "keywords": (_keywords, False),
    "spatial": (_country, True),
    "temporal": (_years, True),
    "source_rights": (_rights, True),
}


def read_dataset(path: Path, display: str) -> dict[str, Any]:
    """The checked metadata as plain values; DataError names the file, line and key on the first problem."""
    node = _compose(path, display)
    if not isinstance(node, yaml.MappingNode):
        raise DataError(display, node.start_mark.line + 1, RECORD_TYPE, "expected a mapping of keys to values")
    data = _plain(node, display)
    lines = {k.value: v.start_mark.line + 1 for k, v in node.value}
    record = data.get("id") if isinstance(data.get("id"), str) else None
    for key, value in data.items():
        if key not in FIELDS:
            raise DataError(display, lines[key], record, f"unknown key '{key}' (expected {', '.join(FIELDS)})")
        problem = FIELDS[key][0](value)
        if problem:
            raise DataError(display, lines[key], record, f"key '{key}': {problem}")
    missing = [key for key, (_, required) in FIELDS.items() if required and key not in data]
    if missing:
        raise DataError(display, 1, record, f"missing required key(s): {', '.join(missing)}")
    if data["modified"] < data["issued"]:
        raise DataError(display, lines["modified"], record,
                        f"key 'modified': {data['modified']} is before the first issue {data['issued']}")
    return data


def release_version(meta: dict[str, Any]) -> str:
    """The data's version (dataset.yaml), as the catalogue's dcat:version, the release graph and the ontology's
    owl:versionInfo all say it: one function, so the three cannot disagree."""
    return str(meta["version"])


def release_date(meta: dict[str, Any]) -> str:
    """The data's date of change (YYYY-MM-DD, dataset.yaml ``modified``): the catalogue's and the ontology's
    dct:modified."""
    return str(meta["modified"])


def version_key(version: str) -> tuple[int, ...]:
    """A MAJOR.MINOR.PATCH version as numbers, so 0.10.0 sorts after 0.9.0."""
    return tuple(int(part) for part in version.split("."))
