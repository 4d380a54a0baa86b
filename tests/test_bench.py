"""The benchmark runs on a tiny size and writes a well-formed report (no timing is judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clusterlod.bench import Stopwatch, total
from clusterlod.bench.synthetic import generate


def test_the_generator_writes_curated_records_that_build(project_root: Path, tmp_path: Path) -> None:
    from clusterlod.build import assemble

    root = generate(project_root, tmp_path / "synthetic", 40)
    records = yaml.safe_load((root / "data" / "synthetic-projects.yaml").read_text(encoding="utf-8"))
    projects = [r for r in records if r["type"] == "Cluster"]
    assert len(projects) == 40 and all("quote" in r["source"][0] for r in projects)
    assert {r["program"] for r in projects} == {"synthetic-program"}, "the real programme's 18 projects stay 18"
    real = assemble(project_root)
    grown = assemble(root)
    assert len(grown.quads) > len(real.quads) + 40 * 40
    assert (project_root / "data" / "synthetic-projects.yaml").exists() is False


def test_a_stage_over_its_budget_is_stopped_and_marked() -> None:
    import time

    watch = Stopwatch(budget=0.2)
    watch.run("fast", lambda: None)
    watch.run("slow", lambda: [time.sleep(0.05) for _ in range(100)])
    assert watch.stages["fast"]["seconds"] < 0.2
    assert watch.stages["slow"] == {"seconds": None, "over": 0.2}
    assert total(watch.stages) == (pytest.approx(0.2, abs=0.05), True)


def test_bench_runs_on_a_tiny_size_and_reports(project_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    result = subprocess.run([sys.executable, "-m", "clusterlod", "bench", "--root", str(project_root), "--sizes", "10k",
                             "--out", str(out), "--budget", "10", "--server-seconds", "0.3"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "speed-up" in result.stdout.splitlines()[0]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [size] = report["sizes"]
    assert size["label"] == "10k" and 5_000 < size["triples"] < 20_000
    for way in ("clusterlod", "plain"):
        stages = size[way]["stages"]
        assert {"read records", "make the graph", "validate", "write ttl", "write jsonld", "write nt", "write rdf",
                "write trig", "write nq", "run every canned query"} <= set(stages), way
    from clusterlod.build import STAGES

    timed = [name for name, stage in size["clusterlod"]["stages"].items() if not stage.get("background")]
    assert timed[:len(STAGES)] == [name for name, _ in STAGES], "the benchmark times the build's own stage list"
    assert size["clusterlod"]["stages"]["validate"]["seconds"] > 0
    assert size["plain"]["stages"]["validate"]["seconds"] > 0
    assert size["clusterlod"]["build_command"]["peak_rss_mb"] > 10
    assert set(size["clusterlod"]["queries_ms"]) == set(size["plain"]["queries_ms"])
    assert {(r["name"], r["clients"]) for r in report["server"]} == {
        (name, clients) for name in ("resource pages", "data documents (Turtle)", "canned SPARQL query")
        for clients in (1, 50)} | {("light SPARQL query alone", 1), ("light SPARQL query beside heavy clients", 1),
                                   ("heavy SPARQL COUNT (one address)", 10)}
    beside = next(r for r in report["server"] if r["name"] == "light SPARQL query beside heavy clients")
    assert beside["requests"] > 0 and beside["p99_ms"] > 0  # the "done when": its p99 is reported
    names = {t["name"] for t in report["targets"]}
    assert {"real document, cold `clusterlod build`", "every canned query on the real data",
            "server: resource pages at 50 clients", "server: light query beside 10 heavy clients of another address",
            "validation agrees with pySHACL"} <= names
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| stage | clusterlod (s) | plain way (s) | speed-up |" in markdown and "## Targets" in markdown
    assert (out / "time-vs-size.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_size_is_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "clusterlod", "bench", "--sizes", "5k"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "unknown size" in result.stderr


def test_peak_memory_counts_the_child_processes_too() -> None:
    """The build's gate runs in a process of its own: the peak reported must be the two together
    (here about 200 + 300 MB held at once), not the larger of them, which the rusage of a wait gives."""
    from clusterlod.bench.runner import in_child

    code = ("import subprocess, sys, time\n"
            "p = subprocess.Popen([sys.executable, '-c', \"b = b'x' * 300_000_000; import time; time.sleep(2)\"])\n"
            "time.sleep(0.7)\n"
            "a = b'y' * 200_000_000\n"
            "p.wait()\n")
    _, _, peak_mb = in_child([sys.executable, "-c", code])
    assert peak_mb >= 450
