"""One version, one place (issue 19): every place that says the version says the same one.

The package metadata, `clusterlod --version`, CHANGELOG.md's top released section, the built catalogue's
dcat:version, the release graph of the dump, the built ontology's owl:versionInfo and dist/README.md are
each read where a user reads them, and compared with each other: none is taken from clusterlod.__version__.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTALLED = Path(sys.executable).with_name("clusterlod")
DATASET = "https://w3id.org/clusterlod/dataset"
DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
DCT_ISSUED = "http://purl.org/dc/terms/issued"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
#: A released section of CHANGELOG.md: "## 0.3.0 — 2026-12-04".
RELEASED = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def changelog_top() -> tuple[str, str]:
    """The version and date of CHANGELOG.md's first section, which must be a released one."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## .*$", text, re.MULTILINE)
    assert first is not None, "CHANGELOG.md has no section"
    match = RELEASED.match(first.group(0))
    assert match, f"CHANGELOG.md's top section {first.group(0)!r} is not '## X.Y.Z — YYYY-MM-DD'"
    return match.group(1), match.group(2)


def objects(path: Path, fmt: ox.RdfFormat, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in ox.parse(path=str(path), format=fmt)
            if q.subject.value == subject and q.predicate.value == predicate}


def test_every_place_says_the_changelog_version(built_dist: Path) -> None:
    version, _ = changelog_top()
    cli = subprocess.run([str(INSTALLED), "--version"], capture_output=True, text=True, check=True).stdout
    said = {
        "package metadata": {importlib.metadata.version("clusterlod")},
        "clusterlod --version": set(re.findall(r"version (\S+)", cli)),
        "catalog.ttl dcat:version": objects(built_dist / "catalog.ttl", ox.RdfFormat.TURTLE, DATASET, DCAT_VERSION),
        "clusterlod.nq dcat:version": objects(built_dist / "clusterlod.nq", ox.RdfFormat.N_QUADS, DATASET,
                                              DCAT_VERSION),
        "ontology.ttl owl:versionInfo": objects(built_dist / "ontology.ttl", ox.RdfFormat.TURTLE,
                                                "https://w3id.org/clusterlod/ontology", OWL_VERSION_INFO),
        "README.md": set(re.findall(r"Version: (\S+)", (built_dist / "README.md").read_text(encoding="utf-8"))),
    }
    drifted = {where: values for where, values in said.items() if values != {version}}
    assert not drifted, f"CHANGELOG.md says {version}; these say otherwise: {drifted}"


def test_the_release_date_is_the_changelogs(built_dist: Path) -> None:
    _, date = changelog_top()
    meta = yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))
    assert meta["issued"] == date
    assert objects(built_dist / "catalog.ttl", ox.RdfFormat.TURTLE, DATASET, DCT_ISSUED) == {date}


def test_versions_are_only_set_in_one_place() -> None:
    """pyproject reads the package's version; dataset.yaml and the ontology source do not state one."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^dynamic = \[\"version\"\]$", pyproject, re.MULTILINE)
    assert not re.search(r"^version = \"", pyproject, re.MULTILINE)
    assert "version" not in yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))
    ontology = (ROOT / "ontology" / "clusterlod.ttl").read_text(encoding="utf-8")
    assert not re.search(r"^\s*owl:version(Info|IRI)\b", ontology, re.MULTILINE)


def test_the_changelogs_released_sections_go_down() -> None:
    """Newest first, each version below the one above it: a bump that forgets the CHANGELOG shows here too."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = [tuple(int(p) for p in v.split(".")) for v in re.findall(r"^## (\d+\.\d+\.\d+)", text, re.MULTILINE)]
    assert len(versions) >= 3
    assert versions == sorted(versions, reverse=True)
