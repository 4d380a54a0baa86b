"""One version, one place (issue 19), and the data's version apart from the software's (issue 27).

The software's version (package metadata, `clusterlod --version`, CHANGELOG.md's top section, the agent
the catalogue says built the data) and the data's version and date (data/dataset.yaml; the catalogue, the
release graph of the dump, the ontology's owl:versionInfo, dist/README.md, CITATION.cff) are each read
where a user reads them and compared: none is taken from clusterlod.__version__.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib
import yaml
from rdflib import OWL, RDF, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
INSTALLED = Path(sys.executable).with_name("clusterlod")
DATASET = "https://w3id.org/clusterlod/dataset"
DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
DCT_ISSUED = "http://purl.org/dc/terms/issued"
DCT_MODIFIED = "http://purl.org/dc/terms/modified"
PROV = Namespace("http://www.w3.org/ns/prov#")
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


def dataset_record() -> dict:
    return yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))


def test_the_software_version_is_the_changelogs(built_dist: Path) -> None:
    """The software's version: package, `--version`, CHANGELOG.md and the agent the catalogue says built the data."""
    version, _ = changelog_top()
    cli = subprocess.run([str(INSTALLED), "--version"], capture_output=True, text=True, check=True).stdout
    catalog = rdflib.Graph().parse(built_dist / "catalog.ttl")
    agents = {str(v) for activity in catalog.objects(URIRef(DATASET), PROV.wasGeneratedBy)
              for agent in catalog.objects(activity, PROV.wasAssociatedWith)
              if (agent, RDF.type, PROV.SoftwareAgent) in catalog
              for v in catalog.objects(agent, OWL.versionInfo)}
    said = {"package metadata": {importlib.metadata.version("clusterlod")},
            "clusterlod --version": set(re.findall(r"version (\S+)", cli)),
            "catalog.ttl prov:wasGeneratedBy agent": agents}
    drifted = {where: values for where, values in said.items() if values != {version}}
    assert not drifted, f"CHANGELOG.md says {version}; these say otherwise: {drifted}"


def test_every_place_says_the_data_version_and_date(built_dist: Path) -> None:
    """The data's version and date (issue 27): dataset.yaml's, wherever a reader meets them."""
    record = dataset_record()
    version, modified = record["version"], record["modified"]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    readme = (built_dist / "README.md").read_text(encoding="utf-8")
    said = {
        "catalog.ttl dcat:version": objects(built_dist / "catalog.ttl", ox.RdfFormat.TURTLE, DATASET, DCAT_VERSION),
        "clusterlod.nq dcat:version": objects(built_dist / "clusterlod.nq", ox.RdfFormat.N_QUADS, DATASET,
                                              DCAT_VERSION),
        "ontology.ttl owl:versionInfo": objects(built_dist / "ontology.ttl", ox.RdfFormat.TURTLE,
                                                "https://w3id.org/clusterlod/ontology", OWL_VERSION_INFO),
        "README.md": set(re.findall(r"Version: (\S+)", readme)),
        "CITATION.cff": {str(cff["version"])},
    }
    drifted = {where: values for where, values in said.items() if values != {version}}
    assert not drifted, f"dataset.yaml says {version}; these say otherwise: {drifted}"
    dates = {
        "catalog.ttl dct:modified": objects(built_dist / "catalog.ttl", ox.RdfFormat.TURTLE, DATASET, DCT_MODIFIED),
        "clusterlod.nq dct:modified": objects(built_dist / "clusterlod.nq", ox.RdfFormat.N_QUADS, DATASET,
                                              DCT_MODIFIED),
        "README.md": set(re.findall(r"Released: (\S+)", readme)),
        "CITATION.cff date-released": {str(cff["date-released"])},
    }
    drifted = {where: values for where, values in dates.items() if values != {modified}}
    assert not drifted, f"dataset.yaml says modified {modified}; these say otherwise: {drifted}"
    assert objects(built_dist / "catalog.ttl", ox.RdfFormat.TURTLE, DATASET, DCT_ISSUED) == {record["issued"]}
    assert record["issued"] <= modified


def test_versions_are_only_set_in_one_place() -> None:
    """pyproject reads the package's version; dataset.yaml states the data's; the ontology source states none."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^dynamic = \[\"version\"\]$", pyproject, re.MULTILINE)
    assert not re.search(r"^version = \"", pyproject, re.MULTILINE)
    assert re.fullmatch(r"\d+\.\d+\.\d+", dataset_record()["version"]), "the data's version is dataset.yaml's"
    ontology = (ROOT / "ontology" / "clusterlod.ttl").read_text(encoding="utf-8")
    assert not re.search(r"^\s*owl:version(Info|IRI)\b", ontology, re.MULTILINE)


def test_the_changelogs_released_sections_go_down() -> None:
    """Newest first, each version below the one above it: a bump that forgets the CHANGELOG shows here too."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = [tuple(int(p) for p in v.split(".")) for v in re.findall(r"^## (\d+\.\d+\.\d+)", text, re.MULTILINE)]
    assert len(versions) >= 3
    assert versions == sorted(versions, reverse=True)
