"""The versions a built release can show: itself and every archived one (dist/releases/), by their catalogues.

Each version's facts (its date, files with sizes and checksums, its notes on what changed since the one
before) are read from that version's own catalogue, so a past version is shown as it was published.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.namespaces import STANDARD_PREFIXES
from clusterlod.release.archive import ARCHIVE_DIR, SUFFIX, Archived, archived
from clusterlod.release.catalog import EU, FORMAT_NAMES, IANA
from clusterlod.sources.dataset import version_key

DCAT, DCT, SPDX = STANDARD_PREFIXES["dcat"], STANDARD_PREFIXES["dcterms"], STANDARD_PREFIXES["spdx"]
ADMS = STANDARD_PREFIXES["adms"]


@dataclass(frozen=True)
class FileRow:
    """One file of a version, as its catalogue describes it."""

    name: str
    title: dict[str, str]
    format_name: str
    media_type: str
    size: int
    sha256: str


@dataclass
class Version:
    version: str
    date: str
    iri: str
    current: bool
    catalog: bytes
    notes: dict[str, str] = field(default_factory=dict)
    previous: str | None = None
    files: list[FileRow] = field(default_factory=list)
    archive: Archived | None = None

    def read(self, name: str, dist: Path) -> bytes | None:
        """One file of this version: from the archive, or from dist/ for the current one."""
        if self.archive is not None:
            return self.archive.read(name)
        if name not in {f.name for f in self.files} and name != formats.CATALOG_FILE:
            return None
        path = dist / name
        return path.read_bytes() if path.is_file() else None


def _values(store: ox.Store, subject: str, predicate: str) -> list[ox.Term]:
    return [q.object for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None)]


def _first(store: ox.Store, subject: str, predicate: str) -> str:
    values = sorted(v.value for v in _values(store, subject, predicate))
    return values[0] if values else ""


def _texts(store: ox.Store, subject: str, predicate: str) -> dict[str, str]:
    return {getattr(v, "language", "") or "": v.value for v in _values(store, subject, predicate)
            if isinstance(v, ox.Literal)}


def _first_subject(store: ox.Store, predicate: str) -> str:
    subjects = sorted(q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None))
    return subjects[0] if subjects else ""


def files_of(store: ox.Store, dataset: str, download: str) -> list[FileRow]:
    """The distributions a catalogue lists, with their names below ``download``, formats, sizes, checksums."""
    rows = []
    for node in sorted(v.value for v in _values(store, dataset, DCAT + "distribution")):
        code = _first(store, node, DCT + "format").removeprefix(EU + "file-type/")
        checksum = _first(store, node, SPDX + "checksum")
        rows.append(FileRow(node.removeprefix(download), _texts(store, node, DCT + "title"),
                            FORMAT_NAMES.get(code, code), _first(store, node, DCAT + "mediaType").removeprefix(IANA),
                            int(_first(store, node, DCAT + "byteSize") or 0),
                            _first(store, checksum, SPDX + "checksumValue") if checksum else ""))
    return rows


def _version(catalog: bytes, served: str, current: bool, entry: Archived | None) -> Version:
    """One version from its catalogue; ``served`` is the dataset IRI of the release serving it (its base may
    differ from the one the archived catalogue was published under, with ``--base``)."""
    store = ox.Store()
    store.load(catalog, format=ox.RdfFormat.TURTLE)
    dataset = _first(store, _first_subject(store, DCAT + "dataset"), DCAT + "dataset") or served
    base = dataset.removesuffix("dataset")
    number = _first(store, dataset, DCAT + "version")
    previous = _first(store, dataset, DCAT + "previousVersion")
    return Version(number, _first(store, dataset, DCT + "modified") or _first(store, dataset, DCT + "issued"),
                   f"{served}/version/{number}", current, catalog, _texts(store, dataset, ADMS + "versionNotes"),
                   previous.rsplit("/", 1)[-1] if previous else None,
                   files_of(store, dataset, base + "download/"), entry)


def read_versions(dist: Path, dataset: str) -> list[Version]:
    """The release in ``dist`` and every version archived with it, newest first."""
    versions: dict[str, Version] = {}
    catalog_path = dist / formats.CATALOG_FILE
    if catalog_path.is_file():
        current = _version(catalog_path.read_bytes(), dataset, True, None)
        versions[current.version] = current
    for entry in archived(dist / ARCHIVE_DIR):
        if entry.version in versions:
            versions[entry.version].archive = entry
            continue
        catalog = gzip.decompress((entry.folder / (formats.CATALOG_FILE + SUFFIX)).read_bytes())
        versions[entry.version] = _version(catalog, dataset, False, entry)
    return sorted(versions.values(), key=lambda v: version_key(v.version) if v.version else (), reverse=True)


def next_of(versions: list[Version], version: str) -> Version | None:
    """The version that followed ``version`` (whose previous it is): its notes say what changed."""
    return next((v for v in versions if v.previous == version), None)
