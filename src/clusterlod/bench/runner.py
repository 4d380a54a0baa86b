"""The whole benchmark: each size in child processes, so timings and peak memory do not leak between them.

One child runs clusterlod's stages, one the plain way, one the real
``clusterlod build`` command; the report goes to report.json, report.md and a plot.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clusterlod.bench.load import server_load
from clusterlod.bench.report import markdown, plot, targets

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}


def in_child(arguments: list[str]) -> tuple[dict[str, Any] | None, float, float]:
    """Run a child process; return the JSON it prints, its wall time and the peak RSS in MB of it and
    its own children together (the build's gate runs in a process of its own; see tree_rss_mb)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=out, stderr=err)
        sampler = PeakSampler(process.pid)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not a running maximum
        wall = time.perf_counter() - start
        sampled = sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode().strip(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments[:6])} failed ({process.returncode}): {errors[-2000:]}")
    return (json.loads(text) if text.startswith("{") else None), wall, max(usage.ru_maxrss / 1024, sampled)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now, in MB (0 once it is gone).

    Parents are read from /proc/<pid>/stat (field 4): this kernel has no /proc/<pid>/task/<tid>/children.
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()  # after "(command name)", which may hold spaces
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # field 24: rss in pages
        except (OSError, ValueError, IndexError):
            continue
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += rss.get(current, 0)
        pending += children.get(current, [])
    return total / 1024 / 1024


class PeakSampler:
    """The largest tree_rss_mb seen, sampled every 20 ms in a thread until stop()."""

    def __init__(self, pid: int, interval: float = 0.02):
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pid, interval), daemon=True)
        self._thread.start()

    def _run(self, pid: int, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak = max(self.peak, tree_rss_mb(pid))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def measure_size(project_root: Path, label: str, triples: int, work: Path, plain: bool,
                 budget: float) -> dict[str, Any]:
    """One size: generate the input, then clusterlod's stages, the real build command, the plain way."""
    from clusterlod.bench.synthetic import generate, projects_for

    root = generate(project_root, work / f"input-{label}", projects_for(triples - base_triples(project_root)))
    python = [sys.executable, "-m", "clusterlod.bench.stages"]
    ours, _, _ = in_child([*python, "clusterlod", str(root), str(work / f"stages-{label}")])
    cli_out = work / f"dist-{label}"
    _, cli_wall, cli_rss = in_child([sys.executable, "-m", "clusterlod", "build", "--root", str(root),
                                     "--out", str(cli_out)])
    ours["build_command"] = {"seconds": cli_wall, "peak_rss_mb": round(cli_rss, 1)}
    entry = {"label": label, "triples": ours["triples"], "clusterlod": ours}
    if plain:
        theirs, plain_wall, plain_rss = in_child([*python, "plain", str(root), str(budget)])
        theirs["peak_rss_mb"] = round(plain_rss, 1)
        entry["plain"] = theirs
    shutil.rmtree(work / f"stages-{label}", ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return entry


def base_triples(project_root: Path) -> int:
    """Triples of the real data alone: the synthetic projects make up the rest of a size."""
    from clusterlod.build import assemble
    from clusterlod.release.rdfio import sorted_quads, union_triples

    return len(union_triples(sorted_quads(assemble(project_root).quads)))


def cold_start(project_root: Path, work: Path, repeats: int = 3) -> dict[str, Any]:
    """`clusterlod build` of the real document in a fresh process, validation and every syntax included."""
    times = []
    for _ in range(repeats):
        _, wall, _ = in_child([sys.executable, "-m", "clusterlod", "build", "--root", str(project_root),
                               "--out", str(work / "cold")])
        times.append(wall)
    return {"runs_seconds": times, "best_seconds": min(times), "median_seconds": sorted(times)[len(times) // 2]}


def real_queries(project_root: Path, work: Path) -> dict[str, float]:
    """Each canned query on the real data's embedded store, best of five, in milliseconds."""
    from clusterlod.build import build
    from clusterlod.sparql import canned as queries

    dist = work / "real-dist"
    build(project_root, dist)
    store = queries.open_store(dist)
    timings = {}
    for canned in queries.discover():
        text = queries.prepare(canned)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            queries.run_local(text, store, canned.name)
            best = min(best, time.perf_counter() - start)
        timings[canned.name] = best * 1000
    return timings


def run(project_root: Path, labels: list[str], out: Path, plain: bool = True, budget: float = 300,
        server: bool = True, server_seconds: float = 5, progress: Callable[[str], None] = lambda m: None,
        command: str = "clusterlod bench") -> dict[str, Any]:
    """The whole benchmark; writes report.json, report.md and time-vs-size.png into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clusterlod-bench-"))
    try:
        report: dict[str, Any] = {
            "command": command,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "sizes": [],
        }
        progress("cold start of the real document")
        report["cold_start"] = cold_start(project_root, work)
        report["real_queries_ms"] = real_queries(project_root, work)
        for label in sorted(labels, key=lambda name: SIZES[name]):
            progress(f"size {label}")
            report["sizes"].append(measure_size(project_root, label, SIZES[label], work, plain, budget))
        if server:
            progress("server load")
            report["server"] = server_load(project_root, work, server_seconds)
        report["targets"] = targets(report)
        (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        (out / "report.md").write_text(markdown(report), encoding="utf-8")
        plot(report, out / "time-vs-size.png")
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


