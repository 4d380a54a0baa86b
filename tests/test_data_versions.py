"""Data versions of their own and the archive of past releases (issue 27).

A label fix is a data release: edit the record, bump dataset.yaml's version, build; no code changes.
The archive (releases/<version>/) keeps every published version; the build links the newest one below
its own and says what changed by label. CITATION.cff is checked against the Citation File Format's
published schema (tests/data/citation-file-format-1.2.0) and against the dataset record.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import rdflib
import yaml
from conftest import ROOT
from rdflib import Namespace, URIRef

INSTALLED = Path(sys.executable).with_name("clusterlod")
DATASET = URIRef("https://w3id.org/clusterlod/dataset")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: SPDX's identifier for Creative Commons Attribution 4.0 International (spdx.org/licenses).
SPDX_IDS = {"https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0"}
CLUSTER_LABEL = "TOHOKU Manufacturing Corridor"


def clusterlod(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(INSTALLED), *args], capture_output=True, text=True, timeout=300)


def record() -> dict:
    return yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))


CFF_SCHEMA = Path(__file__).parent / "data" / "citation-file-format-1.2.0" / "schema.json"


def cff_problems(document: object) -> list[str]:
    """What the Citation File Format 1.2.0 schema finds wrong, as ``cffconvert --validate`` checks it."""
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    as_json = json.loads(json.dumps(document, default=str))  # YAML's dates as the strings CFF writes them
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(as_json)]


def test_citation_cff_validates_against_its_schema() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff_problems(cff) == []


def test_the_schema_check_finds_a_broken_citation() -> None:
    """The check can fail: a citation without authors, with a date that is no date, is refused."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    del cff["authors"]
    cff["date-released"] = "06/12/2026"
    problems = cff_problems(cff)
    assert any("authors" in p for p in problems) and any("date-released" in p for p in problems), problems


def test_citation_cff_agrees_with_the_dataset_record() -> None:
    cff, meta = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8")), record()
    assert (cff["type"], str(cff["version"]), str(cff["date-released"])) == ("dataset", meta["version"],
                                                                              meta["modified"])
    assert cff["title"] == " ".join(meta["title"]["en"].split())
    assert cff["license"] == SPDX_IDS[meta["licence"]]
    assert [a["name"] for a in cff["authors"]] == [meta["creator"]["en"]]
    assert str(DATASET) in {i["value"] for i in cff["identifiers"]}


def test_every_archived_release_is_whole(tmp_path: Path) -> None:
    """Each archived file decompresses to the size and SHA-256 its own catalogue gives."""
    versions = sorted(p for p in (ROOT / "releases").iterdir() if p.is_dir())
    assert versions, "no archived release"
    for folder in versions:
        catalog = rdflib.Graph().parse(data=gzip.decompress((folder / "catalog.ttl.gz").read_bytes()),
                                       format="turtle")
        assert {str(v) for v in catalog.objects(DATASET, DCAT.version)} == {folder.name}
        files = sorted(p for p in folder.rglob("*.gz") if p.name != "catalog.ttl.gz")
        assert len(files) >= 12
        for path in files:
            data = gzip.decompress(path.read_bytes())
            name = path.relative_to(folder).as_posix()[:-3]
            node = URIRef("https://w3id.org/clusterlod/download/" + name)
            assert int(catalog.value(node, DCAT.byteSize)) == len(data), name
            checksum = catalog.value(catalog.value(node, SPDX.checksum), SPDX.checksumValue)
            assert str(checksum) == hashlib.sha256(data).hexdigest(), name


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for name in ("data", "ontology", "shapes", "queries", "releases"):
        shutil.copytree(ROOT / name, project / name)
    return project


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}: pick another"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_label_fix_is_a_new_data_version_without_code(tmp_path: Path) -> None:
    project = _project(tmp_path)
    version = record()["version"]
    dist = project / "dist"
    assert clusterlod("build", "--root", str(project), "-q").returncode == 0
    archived = clusterlod("archive", "--root", str(project))
    assert archived.returncode == 0, archived.stderr
    assert (project / "releases" / version / "catalog.ttl.gz").is_file()
    # The fix: one label in the data.
    _set(project / "data" / "clusters.yaml", f"en: {CLUSTER_LABEL}\n", "en: Tohoku Manufacturing Corridor\n")
    before = {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    refused = clusterlod("build", "--root", str(project), "-q")
    assert refused.returncode != 0
    assert f"version {version} is already published with other data" in refused.stderr
    assert "data/dataset.yaml" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()} == before, "a refused build changed dist/"
    # Then the version in the record, and a build: nothing else.
    major, minor, patch = (int(n) for n in version.split("."))
    new = f"{major}.{minor}.{patch + 1}"
    _set(project / "data" / "dataset.yaml", f'version: "{version}"', f'version: "{new}"')
    built = clusterlod("build", "--root", str(project), "-q")
    assert built.returncode == 0, built.stderr
    catalog = rdflib.Graph().parse(dist / "catalog.ttl")
    assert {str(v) for v in catalog.objects(DATASET, DCAT.version)} == {new}
    assert list(catalog.objects(DATASET, DCAT.previousVersion)) == [URIRef(f"{DATASET}/version/{version}")]
    notes = {n.language: str(n) for n in catalog.objects(DATASET, ADMS.versionNotes)}
    assert "Records changed (1): Tohoku Manufacturing Corridor." in notes["en"]
    readme = (dist / "README.md").read_text(encoding="utf-8")
    assert f"Version: {new}" in readme and notes["en"] in readme
    # The archive travels with the release, for serve and site.
    assert (dist / "releases" / version / "catalog.ttl.gz").is_file()


def test_archiving_twice_is_the_same_and_other_content_is_refused(tmp_path: Path, built_dist: Path) -> None:
    project = _project(tmp_path)
    first = clusterlod("archive", "--root", str(project), "--dist", str(built_dist))
    assert first.returncode == 0, first.stderr
    folder = project / "releases" / record()["version"]
    stored = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert clusterlod("archive", "--root", str(project), "--dist", str(built_dist)).returncode == 0
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == stored
    changed = tmp_path / "changed"
    shutil.copytree(built_dist, changed)
    (changed / "LICENSE.txt").write_bytes(b"other\n")
    refused = clusterlod("archive", "--root", str(project), "--dist", str(changed))
    assert refused.returncode != 0 and "already archived with other content" in refused.stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == stored
