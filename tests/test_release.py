"""A release that describes itself (issue 19): dist/README.md, the licence text, dct:license and dct:rights
in every syntax, bilingual distributions that say what each file is for, and the repository's licences."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import rdflib
import yaml
from rdflib import RDF, Literal, Namespace, URIRef

from clusterlod.build import build

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/clusterlod/"
DATASET = URIRef(BASE + "dataset")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
#: Every syntax of the whole dataset, with rdflib's parser name.
DUMPS = {"clusterlod.nq": "nquads", "clusterlod.trig": "trig", "clusterlod.ttl": "turtle",
         "clusterlod.jsonld": "json-ld", "clusterlod.rdf": "xml", "clusterlod.nt": "nt"}


def meta() -> dict:
    return yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))


def dist_files(dist: Path) -> list[str]:
    """The release's own files: not the marker that says the folder is clusterlod's (release.atomic), nor the
    copy of the archive of past releases (dist/releases/)."""
    from clusterlod.release.atomic import MARKER

    return sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*")
                  if p.is_file() and p.name != MARKER and p.relative_to(dist).parts[0] != "releases")


@pytest.fixture(scope="module")
def readme(built_dist: Path) -> str:
    return (built_dist / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog(built_dist: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(built_dist / "catalog.ttl")


def test_the_readme_lists_exactly_the_files_of_the_release(built_dist: Path, readme: str) -> None:
    files = dist_files(built_dist)
    for heading in ("### ファイル", "### Files"):
        section = readme.split(f"{heading} ({len(files)})", 1)
        assert len(section) == 2, f"no '{heading} ({len(files)})' in README.md"
        table = section[1].split("\n\n", 2)[1]
        assert re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE) == files


def test_the_readme_counts_the_graphs_as_the_dump_holds_them(built_dist: Path, readme: str) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(built_dist / "clusterlod.nq", format="nquads")
    counts = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    for heading in ("### 名前付きグラフ", "### Named graphs"):
        table = readme.split(f"{heading} ({len(counts)})", 1)[1].split("\n\n", 2)[1]
        rows = dict(re.findall(r"^\| `([^`]+)` — .*? \| (\d+) \|$", table, re.MULTILINE))
        assert {g: int(n) for g, n in rows.items()} == counts
        assert f"| {sum(counts.values())} |" in table


def test_the_readme_says_what_source_licence_and_citation_are_in_both_languages(readme: str) -> None:
    m = meta()
    ja, en = readme.split("## English", 1)
    for heading in ("### これは何か", "### ファイル", "### 読み込み方", "### 引用の仕方", "### 出典", "### ライセンス"):
        assert heading in ja
    for heading in ("### What this is", "### Files", "### How to load it", "### How to cite it", "### Source",
                    "### Licence"):
        assert heading in en
    assert m["attribution"]["ja"] in ja and m["attribution"]["en"] in en
    assert m["licence"] in ja and m["licence"] in en
    assert "LICENSE.txt" in ja and "LICENSE.txt" in en


def test_the_readmes_python_example_runs_in_the_release(built_dist: Path, readme: str) -> None:
    examples = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    assert len(examples) == 2 and examples[0] == examples[1], "one example, in the Japanese and English halves"
    example = examples[0]
    result = subprocess.run([sys.executable, "-c", example], cwd=built_dist, capture_output=True, text=True,
                            check=True, timeout=60)
    printed = dict(line.rsplit(" ", 1) for line in result.stdout.splitlines())
    assert printed[BASE + "graph/document"] == str(
        sum(1 for line in (built_dist / "clusterlod.nq").read_text(encoding="utf-8").splitlines()
            if line.endswith(f"<{BASE}graph/document> .")))


def test_the_readme_and_licence_are_the_same_for_the_same_release(built_dist: Path, tmp_path: Path) -> None:
    again = tmp_path / "dist"
    build(ROOT, again)
    for name in ("README.md", "LICENSE.txt", "catalog.ttl"):
        assert (again / name).read_bytes() == (built_dist / name).read_bytes(), name


def test_the_licence_text_is_cc_by_4_and_the_repository_has_both_licences(built_dist: Path) -> None:
    text = (built_dist / "LICENSE.txt").read_text(encoding="utf-8")
    assert text.startswith("Attribution 4.0 International")
    assert "Creative Commons Attribution 4.0 International Public License" in text
    assert (built_dist / "LICENSE.txt").read_bytes() == (ROOT / "LICENSE-DATA").read_bytes()
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert meta()["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    # The text says of itself: "dedicated to the public domain under the CC0 Public Domain Dedication".
    assert "dedicated to the public domain under the CC0" in " ".join(text.split())


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_every_syntax_carries_the_datasets_licence_and_rights(built_dist: Path, name: str) -> None:
    graph = rdflib.Dataset(default_union=True)  # the quad syntaxes hold it in graph/release
    graph.parse(built_dist / name, format=DUMPS[name])
    assert set(graph.objects(DATASET, DCT.license)) == {URIRef(meta()["licence"])}
    [rights] = set(graph.objects(DATASET, DCT.rights))
    assert (rights, RDF.type, DCT.RightsStatement) in graph
    labels = {label.language: str(label) for label in graph.objects(rights, rdflib.RDFS.label)}
    assert set(labels) == {"ja", "en"}
    assert "CC BY 4.0" in labels["ja"] and "CC BY 4.0" in labels["en"]


def test_every_distribution_is_titled_and_described_in_both_languages(catalog: rdflib.Graph,
                                                                       built_dist: Path) -> None:
    distributions = sorted(catalog.objects(DATASET, DCAT.distribution))
    assert [str(d)[len(BASE + "download/"):] for d in distributions] == [
        f for f in dist_files(built_dist) if f != "catalog.ttl"]
    seen = set()
    for node in distributions:
        for predicate in (DCT.title, DCT.description):
            values = list(catalog.objects(node, predicate))
            assert sorted(v.language for v in values) == ["en", "ja"], (node, predicate)
        description = str(catalog.value(node, DCT.description, any=True))
        assert not re.search(r"file of the release", description), node
        english = next(str(v) for v in catalog.objects(node, DCT.description) if v.language == "en")
        assert english not in seen, f"{node} has another file's description"
        seen.add(english)


def test_the_catalogue_links_the_readme_and_the_licence(catalog: rdflib.Graph) -> None:
    readme, licence = URIRef(BASE + "download/README.md"), URIRef(BASE + "download/LICENSE.txt")
    assert (DATASET, FOAF.page, readme) in catalog
    assert (DATASET, DCAT.distribution, licence) in catalog
    [rights] = set(catalog.objects(DATASET, DCT.rights))
    assert (rights, rdflib.RDFS.seeAlso, licence) in catalog
    assert list(catalog.objects(licence, DCT.license)) == [URIRef("https://creativecommons.org/publicdomain/zero/1.0/")]
    assert (readme, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/markdown")) in catalog
    assert catalog.value(DATASET, DCAT.version) == Literal(catalog.value(DATASET, rdflib.OWL.versionInfo))


def test_a_file_nobody_described_stops_the_build(project_root: Path, tmp_path: Path, monkeypatch) -> None:
    """A new kind of file cannot reach dist/ unexplained: the catalogue would have no text for it."""
    from clusterlod import build as pipeline
    from clusterlod.release import publish

    original = pipeline._extras

    def extras_and_a_stray_file(run) -> None:
        original(run)
        publish.copy_file(project_root / "data" / "dataset.yaml", run.staging / "stray.yaml")

    monkeypatch.setattr(pipeline, "STAGES", [(name, extras_and_a_stray_file if stage is original else stage)
                                             for name, stage in pipeline.STAGES])
    out = tmp_path / "dist"
    with pytest.raises(ValueError, match="stray.yaml"):
        build(project_root, out)
    assert not out.exists()
