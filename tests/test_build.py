"""The build: deterministic, all-or-nothing, and following the base IRI everywhere."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from clusterlod.build import build
from clusterlod.errors import ClusterlodError, DataError


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(project_root: Path, tmp_path: Path) -> None:
    # Separate processes, so hash randomisation and caches cannot hide a difference.
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "clusterlod", "build", "--root", str(project_root),
                        "--out", str(tmp_path / name)], check=True)
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_the_release_has_every_syntax(built_dist: Path) -> None:
    names = set(tree(built_dist))
    for extension in ("ttl", "jsonld", "nt", "rdf", "trig", "nq"):
        assert f"clusterlod.{extension}" in names
    for name in ("ontology.ttl", "shapes.ttl", "catalog.ttl", "context.jsonld", "validation-report.ttl",
                 "source/knowledge-cluster-collaboration-2008.txt", "reference/identifiers.csv"):
        assert name in names


def test_a_failed_build_leaves_the_previous_release_as_it_was(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(project_copy, out)
    before = tree(out)
    events = project_copy / "data" / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace('end: "2007-11-30"', 'end: "2007-11-31"'),
                      encoding="utf-8")
    with pytest.raises(DataError):
        build(project_copy, out)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == [], "no staging folder left behind"


def gate_processes() -> list[int]:
    """This process's children that are the build's gate (found in /proc)."""
    import os

    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        if parent == os.getpid() and b"clusterlod.gate.run import serve" in command:
            found.append(int(entry.name))
    return found


def test_a_failed_build_ends_its_gate_process(project_copy: Path, tmp_path: Path) -> None:
    """The gate's process starts with the graph's first quads and validates while the build writes; a build
    that fails after that (here a quality check) must end it, or every failed build in a long-lived process
    (tests, a server) would leave a process and its store."""
    import threading

    (project_copy / "queries" / "qc" / "every-cluster.rq").write_text(
        "# title-en: Every cluster (a check that always fails)\n"
        "PREFIX clo: <https://w3id.org/clusterlod/ontology/>\nSELECT ?c WHERE { ?c a clo:Cluster } ORDER BY ?c\n",
        encoding="utf-8")
    threads = threading.active_count()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("clusterlod.graph.SINK_CHUNK", 500)  # data in many chunks: the gate gets its own process
        started = spawned(lambda: build(project_copy, tmp_path / "dist"), ClusterlodError, "every-cluster")
    assert started, "the gate's process never started: this test proves nothing"
    assert gate_processes() == []
    assert threading.active_count() == threads


def spawned(run: object, error: type[Exception], match: str) -> list[list[str]]:
    """The commands ``run`` started with subprocess.Popen (the real Popen still runs them), expecting it to
    raise ``error``."""
    started: list[list[str]] = []
    original = subprocess.Popen.__init__

    def counting(self: subprocess.Popen, args: list[str], *rest: object, **kwargs: object) -> None:
        started.append(list(args))
        original(self, args, *rest, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "__init__", counting)
        with pytest.raises(error, match=match):
            run()
    return started


def test_small_data_is_judged_without_a_process(project_root: Path, tmp_path: Path) -> None:
    """This project's data comes in one chunk: its gate runs in a thread, with the same verdict as in a process
    (the report is written into dist/, and test_two_builds_are_byte_identical compares builds)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "__init__", lambda *a, **k: pytest.fail("a process was started"))
        build(project_root, tmp_path / "one")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("clusterlod.graph.SINK_CHUNK", 500)
        build(project_root, tmp_path / "many")
    for name in ("validation-report.ttl", "clusterlod.nq", "catalog.ttl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "many" / name).read_bytes(), name


def test_bad_input_fails_before_the_gate_process_starts(project_copy: Path, tmp_path: Path) -> None:
    """A record the reader refuses stops the build before the graph's first quads, so no interpreter is
    started for the gate (the inner loop builds dozens of such projects)."""
    clusters = project_copy / "data" / "clusters.yaml"
    clusters.write_text(clusters.read_text(encoding="utf-8") + "\n- type: Cluster\n  id: Bad Id\n",
                        encoding="utf-8")
    started = spawned(lambda: build(project_copy, tmp_path / "dist"), DataError, "bad id")
    assert started == []


def test_a_script_without_a_main_guard_can_build(project_root: Path, tmp_path: Path) -> None:
    """build() from a plain script: the gate's process must not re-run the caller's main module
    (multiprocessing's spawn does, and refuses to start from an unguarded script)."""
    script = tmp_path / "publish.py"
    script.write_text("from pathlib import Path\nfrom clusterlod.build import build\n"
                      f"build(Path({str(project_root)!r}), Path({str(tmp_path / 'dist')!r}))\nprint('built')\n",
                      encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("built") == 1
    assert (tmp_path / "dist" / "clusterlod.nq").is_file()


def test_base_iri_is_followed_by_every_output(project_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(project_root, out, base="http://example.org/kc/")
    for name, data in tree(out).items():
        if name.endswith((".txt", ".csv")):
            continue
        assert b"w3id.org/clusterlod" not in data, name
    assert b"<http://example.org/kc/id/cluster/hokkaido-super-cluster>" in (out / "clusterlod.nt").read_bytes()


def test_validation_report_of_the_release_conforms(built_dist: Path) -> None:
    import rdflib

    report = rdflib.Graph().parse(built_dist / "validation-report.ttl")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert list(report.objects(None, SH.conforms)) == [rdflib.Literal(True)]


def test_source_copy_is_verbatim(project_root: Path, built_dist: Path) -> None:
    original = project_root / "data" / "source" / "knowledge-cluster-collaboration-2008.txt"
    shared = project_root.parent / "shared" / "source" / "knowledge-cluster-collaboration-2008.txt"
    if shared.exists():  # beside the checkout in this workplace and in CI
        assert filecmp.cmp(original, shared, shallow=False)
    assert filecmp.cmp(original, built_dist / "source" / original.name, shallow=False)
