"""The publication's sources on disk: data/, ontology/, shapes/, queries/.

Reads them into memory and nothing more; every later stage works from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterlod.errors import DataError
from clusterlod.sources.dataset import read_dataset
from clusterlod.sources.identifiers import Identifier, read_identifiers
from clusterlod.sources.records import Record, read_records
from clusterlod.sources.source import SourceText

DATASET_FILE = "dataset.yaml"
IDENTIFIERS_FILE = "reference/identifiers.csv"
#: The quality checks: the gate runs every query here and refuses a project that has none, so that it can
#: never pass because its checks were not found (they are the project's, like data/, never the package's).
QC_FOLDER = "queries/qc"
#: The project's input folders: an output folder is never one of them (release.atomic).
INPUT_FOLDERS = ("data", "ontology", "shapes", "queries", "src")


@dataclass
class Sources:
    root: Path
    records: list[Record]
    dataset: dict[str, Any]
    source: SourceText
    source_name: str
    identifiers: dict[tuple[str, str], list[Identifier]]
    ontology_files: list[Path]
    shapes_files: list[Path]


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def read_sources(root: Path) -> Sources:
    """Read every source of the publication; raises DataError naming file and line."""
    data = root / "data"
    if not data.is_dir():
        raise DataError(relative(data, root), None, None,
                        "no data/ folder here: run clusterlod from the project folder or pass --root")
    records: list[Record] = []
    for path in sorted(data.glob("*.yaml")):
        if path.name != DATASET_FILE:
            records.extend(read_records(path, relative(path, root)))
    dataset = read_dataset(data / DATASET_FILE, relative(data / DATASET_FILE, root))
    documents = [r for r in records if r.type == "Document"]
    if len(documents) != 1:
        raise DataError("data/", None, None, f"expected exactly one record of type Document, found {len(documents)}")
    text_field = documents[0].get("text")
    if text_field is None or not isinstance(text_field.data, str):
        raise documents[0].error("missing required field 'text' (the source text file, relative to data/)")
    text_path = inside(data, text_field.data, documents[0], text_field.line)
    if not text_path.is_file():
        raise documents[0].error(f"field 'text': no such file {relative(text_path, root)}", text_field.line)
    identifiers_path = data / IDENTIFIERS_FILE
    quality_checks(root / "queries")
    return Sources(
        root=root,
        records=records,
        dataset=dataset,
        source=SourceText(text_path, relative(text_path, root)),
        source_name=text_field.data,
        identifiers=read_identifiers(identifiers_path, relative(identifiers_path, root)),
        ontology_files=sorted((root / "ontology").glob("*.ttl")),
        shapes_files=sorted((root / "shapes").glob("*.ttl")),
    )


def quality_checks(queries: Path, shown: str = QC_FOLDER + "/") -> list[Path]:
    """The quality checks of a queries/ folder (qc/*.rq); none is a DataError, never a gate that passes."""
    found = sorted((queries / "qc").glob("*.rq"))
    if not found:
        raise DataError(shown, None, None, "no quality checks (*.rq) here: the gate will not pass a "
                        "project without its checks; copy the project's queries/ folder, or pass the right --root")
    return found


def inside(data: Path, name: str, record: Record, line: int) -> Path:
    """``data/name``, refused when the name leads outside data/ (``..``, an absolute path, a symlink)."""
    path = data / name
    try:
        path.resolve().relative_to(data.resolve())
    except ValueError:
        raise record.error(f"field 'text': {name!r} is outside data/; the source text must be a file under data/",
                           line) from None
    return path


def parse_turtle(path: Path, root: Path) -> list[ox.Triple]:
    """Parse a Turtle source with pyoxigraph; a syntax error names the file and line."""
    try:
        return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    except SyntaxError as error:
        line = getattr(error, "lineno", None)
        raise DataError(relative(path, root), line, None,
                        f"Turtle syntax error: {error.msg if hasattr(error, 'msg') else error}") from None
