"""What changed, as data (issue 19): `clusterlod diff` and `clusterlod build --previous`.

The one-record change is made here, by editing the data, so the expected triples are the edit's, not the
code's output.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from conftest import ROOT
from inprocess import run_cli
from rdflib import RDF, Literal, Namespace, URIRef
from test_catalog import dcat_ap_problems

from clusterlod.build import build
from clusterlod.errors import ExitCode

INSTALLED = Path(sys.executable).with_name("clusterlod")
BASE = "https://w3id.org/clusterlod/"
DATASET = URIRef(BASE + "dataset")
CLUSTER = BASE + "id/cluster/tohoku-monozukuri-corridor"
ENGLISH = BASE + "graph/editorial/curated-english"
OLD_LABEL, NEW_LABEL = "TOHOKU Manufacturing Corridor", "Tohoku Manufacturing Corridor"
CS = Namespace("http://purl.org/vocab/changeset/schema#")
CLO = Namespace(BASE + "ontology/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EARLIER = "0.0.1"  # the version the previous release is made to state


def clusterlod(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(INSTALLED), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def previous_release(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real release's N-Quads as an earlier version would have said them: its dcat:version changed."""
    lines = (built_dist / "clusterlod.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    stated = [i for i, line in enumerate(lines) if f"<{DCAT}version> " in line]
    assert len(stated) == 1
    lines[stated[0]] = re.sub(r'"[^"]*"', f'"{EARLIER}"', lines[stated[0]])
    path = tmp_path_factory.mktemp("previous") / "previous.nq"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def changed_dist(previous_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with one record changed (one English label), built with --previous an earlier release."""
    import shutil

    from conftest import ROOT

    project = tmp_path_factory.mktemp("changed") / "project"
    for name in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, project / name)
    clusters = project / "data" / "clusters.yaml"
    text = clusters.read_text(encoding="utf-8")
    assert text.count(f"en: {OLD_LABEL}\n") == 1, "the record this test changes is gone: pick another"
    clusters.write_text(text.replace(f"en: {OLD_LABEL}\n", f"en: {NEW_LABEL}\n"), encoding="utf-8")
    out = project / "dist"
    build(project, out, previous=previous_release)
    return out


def test_a_release_against_itself_is_empty(built_dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "changes.ttl"
    result = clusterlod("diff", str(built_dist), str(built_dist / "clusterlod.nq"), "--out", str(out))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert len(rdflib.Graph().parse(out)) == 0


def test_one_changed_record_is_exactly_one_removed_and_one_added_triple(built_dist: Path, changed_dist: Path,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "changes.trig"
    result = clusterlod("diff", str(built_dist), str(changed_dist), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"graph {ENGLISH}: +1 -1",
        f'+ <{CLUSTER}> <{LABEL}> "{NEW_LABEL}"@en .',
        f'- <{CLUSTER}> <{LABEL}> "{OLD_LABEL}"@en .',
    ]
    changes = rdflib.Dataset(default_union=True)
    changes.parse(out, format="trig")
    [change_set] = list(changes.subjects(RDF.type, CS.ChangeSet))
    assert changes.value(change_set, CS.subjectOfChange) == URIRef(ENGLISH)
    assert (changes.value(change_set, CLO.addedTriples), changes.value(change_set, CLO.removedTriples)) == (
        Literal(1, datatype=rdflib.XSD.nonNegativeInteger), Literal(1, datatype=rdflib.XSD.nonNegativeInteger))
    for kind, label in ((CS.addition, NEW_LABEL), (CS.removal, OLD_LABEL)):
        [statement] = list(changes.objects(change_set, kind))
        assert (changes.value(statement, RDF.subject), changes.value(statement, RDF.predicate),
                changes.value(statement, RDF.object)) == (URIRef(CLUSTER), URIRef(LABEL), Literal(label, lang="en"))
    assert {r.language for r in changes.objects(change_set, CS.changeReason)} == {"ja", "en"}


def test_build_previous_links_the_previous_version_with_its_counts(built_dist: Path, changed_dist: Path) -> None:
    catalog = rdflib.Graph().parse(changed_dist / "catalog.ttl")
    assert list(catalog.objects(DATASET, DCAT.previousVersion)) == [URIRef(f"{DATASET}/version/{EARLIER}")]
    notes = {n.language: str(n) for n in catalog.objects(DATASET, ADMS.versionNotes)}
    assert set(notes) == {"ja", "en"}
    # The label's edit, and the version the release graph states.
    assert notes["en"].endswith("By graph: graph/editorial/curated-english: 1 added, 1 removed; "
                                "graph/release: 1 added, 1 removed.")
    assert "graph/editorial/curated-english（追加 1、削除 1）、graph/release（追加 1、削除 1）" in notes["ja"]
    # In words: the record whose label was edited, by its (new) label; nothing added or removed (issue 27).
    assert f"Records changed (1): {NEW_LABEL}." in notes["en"]
    assert "Records added" not in notes["en"] and "Records removed" not in notes["en"]
    assert "変更したレコード 1 件：ＴＯＨＯＫＵものづくりコリドー。" in notes["ja"]
    readme = (changed_dist / "README.md").read_text(encoding="utf-8")
    assert notes["ja"] in readme and notes["en"] in readme
    assert dcat_ap_problems(catalog) == []
    # A plain build links the newest archived release below its version (releases/), never silently nothing.
    version = yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))["version"]
    archived = sorted((tuple(int(n) for n in p.name.split(".")), p.name) for p in (ROOT / "releases").iterdir())
    below = [name for key, name in archived if key < tuple(int(n) for n in version.split("."))]
    assert below, "releases/ holds no version below dataset.yaml's: the archive is missing"
    assert list(rdflib.Graph().parse(built_dist / "catalog.ttl").objects(DATASET, DCAT.previousVersion)) == [
        URIRef(f"{DATASET}/version/{below[-1]}")]


def test_a_previous_release_of_the_same_version_is_refused(built_dist: Path, project_root: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = clusterlod("build", "--root", str(project_root), "--out", str(out), "--previous", str(built_dist))
    assert result.returncode == ExitCode.ERROR
    assert result.stderr.count("\n") == 1 and "new version" in result.stderr
    assert not out.exists()


def test_blank_node_labels_do_not_show_as_changes(tmp_path: Path) -> None:
    g = "<http://example.org/g>"
    old, new = tmp_path / "old.nq", tmp_path / "new.nq"
    old.write_text(f'<http://example.org/a> <http://example.org/p> _:x {g} .\n'
                   f'_:x <http://example.org/v> "1" {g} .\n'
                   f'_:y <http://example.org/v> "2" {g} .\n', encoding="utf-8")
    new.write_text(f'_:other <http://example.org/v> "2" {g} .\n'
                   f'<http://example.org/a> <http://example.org/p> _:b0 {g} .\n'
                   f'_:b0 <http://example.org/v> "1" {g} .\n', encoding="utf-8")
    assert clusterlod("diff", str(old), str(new)).stdout == ""
    new.write_text(new.read_text(encoding="utf-8").replace('"2"', '"3"'), encoding="utf-8")
    lines = clusterlod("diff", str(old), str(new)).stdout.splitlines()
    assert lines[0] == "graph http://example.org/g: +1 -1"
    assert [line[:2] + line.split(" ", 2)[2] for line in lines[1:]] == [
        '+ <http://example.org/v> "3" .', '- <http://example.org/v> "2" .']


def test_a_bad_release_is_one_line_naming_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/o> .\n<oops\n",
                   encoding="utf-8")
    result = clusterlod("diff", str(bad), str(bad))
    assert result.returncode == ExitCode.BAD_DATA
    assert result.stderr.count("\n") == 1 and f"{bad}:2" in result.stderr


@pytest.mark.parametrize("extension", ["ttl", "nt", "rdf", "trig", "nq"])
def test_the_changes_read_back_the_same_in_every_out_syntax(tmp_path: Path, extension: str) -> None:
    g = "<http://example.org/g>"
    old, new = tmp_path / "old.nq", tmp_path / "new.nq"
    old.write_text(f'<http://example.org/a> <http://example.org/p> "1" {g} .\n', encoding="utf-8")
    new.write_text(f'<http://example.org/a> <http://example.org/p> "2" {g} .\n'
                   f'<http://example.org/b> <http://example.org/p> _:x {g} .\n', encoding="utf-8")
    out = tmp_path / f"changes.{extension}"
    assert clusterlod("diff", str(old), str(new), "--summary", "--out", str(out)).stdout == \
        "graph http://example.org/g: +2 -1\n"
    changes = rdflib.Dataset(default_union=True)
    changes.parse(out, format={"ttl": "turtle", "nt": "nt", "rdf": "xml", "trig": "trig", "nq": "nquads"}[extension])
    [change_set] = list(changes.subjects(RDF.type, CS.ChangeSet))
    assert len(list(changes.objects(change_set, CS.addition))) == int(changes.value(change_set, CLO.addedTriples)) == 2
    assert len(list(changes.objects(change_set, CS.removal))) == int(changes.value(change_set, CLO.removedTriples)) == 1


def test_a_folder_without_a_release_is_one_line(tmp_path: Path) -> None:
    """Exit 1 as for `serve --dist empty/` (docs/cli.md: no built dist/ where one is needed), not 3."""
    result = clusterlod("diff", str(tmp_path), str(tmp_path))
    assert result.returncode == ExitCode.ERROR
    assert result.stderr.count("\n") == 1 and "clusterlod.nq" in result.stderr
    result = clusterlod("diff", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "changes.json"))
    assert result.returncode == ExitCode.USAGE and not (tmp_path / "changes.json").exists()


def _random_graph(seed: int) -> list[ox.Triple]:
    """Small graphs of look-alike blank nodes: where RDFC-1.0's deep algorithm has work to do."""
    import random

    rng = random.Random(seed)
    nodes = [ox.BlankNode(f"x{i}") for i in range(rng.randint(1, 7))]
    predicates = [ox.NamedNode(f"http://example.org/p{i}") for i in range(2)]
    return [ox.Triple(rng.choice([*nodes, ox.NamedNode("http://example.org/a")]), rng.choice(predicates),
                      rng.choice([*nodes, ox.Literal("v"), ox.Literal(str(rng.randint(0, 1)))]))
            for _ in range(rng.randint(1, 12))]


def test_the_budgeted_canonicaliser_labels_as_pyoxigraph_does() -> None:
    """release.canon is RDFC-1.0 as written; pyoxigraph's implementation is the independent reference."""
    from clusterlod.release.canon import canonicalize

    for seed in range(300):
        triples = _random_graph(seed)
        reference = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        reference.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        assert sorted({str(t) for t in canonicalize(triples)}) == sorted(str(q.triple) for q in reference), seed


def clique(path: Path, size: int) -> Path:
    """Issue 29, break 4: blank nodes each linked to every other (9 of them kept the old diff busy for 61 s)."""
    path.write_text("".join(f"_:n{a} <http://example.org/knows> _:n{b} <http://example.org/g> .\n"
                            for a in range(size) for b in range(size) if a != b), encoding="utf-8")
    return path


def test_a_poison_graph_is_refused_within_the_budget(tmp_path: Path) -> None:
    """In process, so the inner loop keeps it: exit 3 and one line naming the file, in about a quarter second."""
    poison = clique(tmp_path / "clique.nq", 9)
    result = run_cli("diff", str(poison), str(poison))
    assert result.returncode == ExitCode.BAD_DATA, result.stderr
    assert result.stderr.count("\n") == 1 and f"{poison}:" in result.stderr and "budget" not in result.stdout
    assert "poison graph" in result.stderr
    small = clique(tmp_path / "small.nq", 4)  # a few look-alikes are fine
    assert run_cli("diff", str(small), str(small)).returncode == 0


def test_a_poison_previous_release_stops_the_build(tmp_path: Path, project_root: Path) -> None:
    out = tmp_path / "dist"
    poison = clique(tmp_path / "previous.nq", 9)
    with poison.open("a", encoding="utf-8") as more:  # a release that says which version it is
        more.write(f'<{BASE}dataset> <{DCAT}version> "{EARLIER}" <{BASE}graph/release> .\n')
    result = run_cli("build", "--root", str(project_root), "--out", str(out), "--previous", str(poison))
    assert result.returncode == ExitCode.BAD_DATA, result.stderr
    assert result.stderr.count("\n") == 1 and "poison graph" in result.stderr
    assert not out.exists()


def test_a_line_over_the_parsers_limit_is_bad_data(tmp_path: Path) -> None:
    """pyoxigraph's parser stops at 16 MiB for one statement: that was a MemoryError and exit 70."""
    big = tmp_path / "big.nq"
    big.write_text('<http://example.org/a> <http://example.org/p> "ok" .\n'
                   f'<http://example.org/a> <http://example.org/p> "{"x" * (17 * 2**20)}" .\n', encoding="utf-8")
    result = run_cli("diff", str(big), str(big))
    assert result.returncode == ExitCode.BAD_DATA, result.stderr
    assert result.stderr.count("\n") == 1 and f"{big}:2:" in result.stderr


def test_the_changes_go_into_a_new_folder_whole(tmp_path: Path) -> None:
    """--out into a missing folder makes it (as build --out does); a file in the way is one line, exit 1."""
    old = tmp_path / "old.nq"
    old.write_text('<http://example.org/a> <http://example.org/p> "1" .\n', encoding="utf-8")
    out = tmp_path / "missing" / "folder" / "changes.ttl"
    assert run_cli("diff", str(old), str(old), "--out", str(out)).returncode == 0
    assert out.is_file() and [p.name for p in out.parent.iterdir()] == ["changes.ttl"]
    blocked = run_cli("diff", str(old), str(old), "--out", str(old / "changes.ttl"))
    assert blocked.returncode == ExitCode.ERROR and blocked.stderr.count("\n") == 1, blocked.stderr


def test_a_build_may_replace_the_release_it_follows(previous_release: Path, built_dist: Path, project_root: Path,
                                                    tmp_path: Path) -> None:
    """`build --previous dist` over dist/ itself: the previous release is read whole before the swap, so the
    output-folder guard (release.atomic) lets it be replaced, and the new catalogue links it."""
    import shutil

    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    shutil.copy(previous_release, dist / "clusterlod.nq")  # the same release, as an earlier version states it
    result = run_cli("build", "--root", str(project_root), "--out", str(dist), "--previous", str(dist))
    assert result.returncode == 0, result.stderr
    catalog = rdflib.Graph().parse(dist / "catalog.ttl")
    assert [str(v) for v in catalog.objects(DATASET, DCAT.previousVersion)] == [f"{BASE}dataset/version/{EARLIER}"]
