"""The benchmark: clusterlod's pipeline beside the plain rdflib/pySHACL way, and the server under load.

Each size runs in child processes (one for clusterlod's stages, one for the
plain way, one for the real ``clusterlod build`` command), so timings and peak
memory (ru_maxrss of the child) do not leak between them. Plain-way stages
that would run for hours at 1M triples (rdflib's Turtle writer grows worse than
linearly) stop at a budget and are reported as "more than the budget", which
makes the speed-up a lower bound, never an overstatement.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
SYNTAXES = ("ttl", "jsonld", "nt", "rdf", "trig", "nq")


# ------------------------------------------------------------------ stages, run inside a child process

class OverBudget(Exception):
    pass


class Stopwatch:
    """Times named stages; a stage over ``budget`` seconds is stopped and recorded as such."""

    def __init__(self, budget: float | None = None):
        self.budget = budget
        self.stages: dict[str, dict[str, Any]] = {}

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        def stop(signum: int, frame: Any) -> None:
            raise OverBudget()

        if self.budget:
            signal.signal(signal.SIGALRM, stop)
            signal.setitimer(signal.ITIMER_REAL, self.budget)
        start = time.perf_counter()
        try:
            result = action()
            self.stages[name] = {"seconds": time.perf_counter() - start}
            return result
        except OverBudget:
            self.stages[name] = {"seconds": None, "over": self.budget}
            return None
        except Exception as error:  # noqa: BLE001 - a failing plain stage is reported, not fatal
            self.stages[name] = {"seconds": None, "error": f"{type(error).__name__}: {str(error)[:200]}"}
            return None
        finally:
            if self.budget:
                signal.setitimer(signal.ITIMER_REAL, 0)


def clusterlod_stages(root: Path, out: Path) -> dict[str, Any]:
    """clusterlod's pipeline, stage by stage, exactly as `clusterlod build` runs it."""
    import pyoxigraph as ox

    from clusterlod import canned as queries
    from clusterlod import catalog, formats, publish
    from clusterlod.build import check, graph_infos, make_publication, no_cyclic_gc
    from clusterlod.linksets import write_linksets
    from clusterlod.namespaces import Namespaces
    from clusterlod.project import read_sources
    from clusterlod.rdfio import sorted_quads, union_triples

    watch = Stopwatch()
    with no_cyclic_gc():
        sources = watch.run("read records", lambda: read_sources(root))
        ns = Namespaces()
        publication = watch.run("make the graph", lambda: make_publication(sources, ns))
        report = watch.run("validate", lambda: check(publication))
        assert report.conforms, report.text()
        quads = watch.run("sort", lambda: sorted_quads(publication.quads))
        triples = union_triples(quads)
        prefixes = publish.used_prefixes(quads, ns.prefixes())
        out.mkdir(parents=True, exist_ok=True)
        for syntax in formats.DATASET_SYNTAXES:
            path = out / f"{formats.DATASET_STEM}.{syntax.extension}"
            statements = quads if syntax.quads else triples
            watch.run(f"write {syntax.extension}", lambda: publish.write_rdf(path, statements, syntax, prefixes))
        watch.run("DCAT/VoID", lambda: (write_linksets(out, quads, ns), catalog.describe(
            ns, sources.dataset, out, graph_infos(publication), triples, ns.resource("document", "kc-collaboration-2008"), [])))
        store = ox.Store()
        watch.run("load embedded store", lambda: store.bulk_load(path=str(out / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS))
    query_ms = {}
    for canned in queries.discover():
        text = queries.prepare(canned)
        queries.run_local(text, store, canned.name)  # warm the store's caches once
        start = time.perf_counter()
        queries.run_local(text, store, canned.name)
        query_ms[canned.name] = (time.perf_counter() - start) * 1000
    watch.stages["run every canned query"] = {"seconds": sum(query_ms.values()) / 1000}
    return {"triples": len(triples), "stages": watch.stages, "queries_ms": query_ms}


def plain_stages(root: Path, budget: float) -> dict[str, Any]:
    """The plain way: rdflib graph, pySHACL, rdflib serializers, rdflib's SPARQL engine."""
    import pyoxigraph as ox
    import rdflib
    from pyshacl import validate as pyshacl_validate

    from clusterlod import canned as queries
    from clusterlod.graph import GraphBuilder
    from clusterlod.namespaces import Namespaces
    from clusterlod.project import IDENTIFIERS_FILE, parse_turtle, read_sources

    watch = Stopwatch(budget)
    sources = watch.run("read records", lambda: read_sources(root))
    ns = Namespaces()

    def make() -> rdflib.Dataset:
        built = GraphBuilder(ns, sources.source, sources.identifiers, IDENTIFIERS_FILE).build(sources.records)
        dataset = rdflib.Dataset(default_union=True)
        for q in built.quads:
            dataset.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object), rdflib.URIRef(q.graph_name.value)))
        ontology = dataset.graph(rdflib.URIRef(ns.graph("ontology")))
        for path in sources.ontology_files:
            ontology.parse(path, format="turtle")
        return dataset

    dataset = watch.run("make the graph", make)
    if dataset is None:
        return {"stages": watch.stages}
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    shapes = rdflib.Graph()
    for path in sources.shapes_files:
        for t in parse_turtle(path, root):
            shapes.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
    watch.run("validate", lambda: pyshacl_validate(union, shacl_graph=shapes, inference="none", advanced=True))
    out = Path(tempfile.mkdtemp(prefix="plain-"))
    try:
        for extension, fmt, graph in (("ttl", "turtle", union), ("jsonld", "json-ld", union), ("nt", "nt", union),
                                      ("rdf", "xml", union), ("trig", "trig", dataset), ("nq", "nquads", dataset)):
            watch.run(f"write {extension}", lambda: graph.serialize(destination=str(out / f"plain.{extension}"), format=fmt))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    query_ms: dict[str, float | None] = {canned.name: None for canned in queries.discover()}

    def run_queries() -> None:
        # One budget for the whole stage: at 1M triples rdflib takes minutes per query.
        for canned in queries.discover():
            start = time.perf_counter()
            try:
                list(dataset.query(queries.prepare(canned)))
            except OverBudget:
                raise
            except Exception:  # noqa: BLE001 - rdflib cannot run every query; it is left out
                continue
            query_ms[canned.name] = (time.perf_counter() - start) * 1000

    watch.run("run every canned query", run_queries)
    failed = sorted(name for name, v in query_ms.items() if v is None)
    stage = watch.stages["run every canned query"]
    if stage.get("seconds") is not None:
        # Queries rdflib cannot run are left out of its time (so the plain way looks faster, not slower).
        stage["seconds"] = sum(v for v in query_ms.values() if v is not None) / 1000
        stage["failed"] = failed
    del ox
    return {"stages": watch.stages, "queries_ms": query_ms}


def _rdflib(term: Any) -> Any:
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


# ------------------------------------------------------------------ children and their peak memory

def in_child(arguments: list[str]) -> tuple[dict[str, Any] | None, float, float]:
    """Run a child process; return the JSON it prints, its wall time and its own peak RSS in MB."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not a running maximum
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode().strip(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments[:6])} failed ({process.returncode}): {errors[-2000:]}")
    return (json.loads(text) if text.startswith("{") else None), wall, usage.ru_maxrss / 1024


def measure_size(project_root: Path, label: str, triples: int, work: Path, plain: bool, budget: float) -> dict[str, Any]:
    """One size: generate the input, then clusterlod's stages, the real build command, the plain way."""
    from clusterlod.synthetic import generate, projects_for

    root = generate(project_root, work / f"input-{label}", projects_for(triples - base_triples(project_root)))
    python = [sys.executable, "-m", "clusterlod.benchmark"]
    ours, _, _ = in_child([*python, "clusterlod", str(root), str(work / f"stages-{label}")])
    cli_out = work / f"dist-{label}"
    _, cli_wall, cli_rss = in_child([sys.executable, "-m", "clusterlod", "build", "--root", str(root), "--out", str(cli_out)])
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
    from clusterlod.rdfio import sorted_quads, union_triples

    return len(union_triples(sorted_quads(assemble(project_root).quads)))


def cold_start(project_root: Path, work: Path, repeats: int = 3) -> dict[str, Any]:
    """`clusterlod build` of the real document in a fresh process, validation and every syntax included."""
    times = []
    for n in range(repeats):
        _, wall, _ = in_child([sys.executable, "-m", "clusterlod", "build", "--root", str(project_root),
                               "--out", str(work / "cold")])
        times.append(wall)
    return {"runs_seconds": times, "best_seconds": min(times), "median_seconds": sorted(times)[len(times) // 2]}


def real_queries(project_root: Path, work: Path) -> dict[str, float]:
    """Each canned query on the real data's embedded store, best of five, in milliseconds."""
    from clusterlod import canned as queries
    from clusterlod.build import build

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


# ------------------------------------------------------------------ the server under load

@dataclass
class LoadResult:
    name: str
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _client(host: str, port: int, paths: list[str], deadline: float, latencies: list[float],
                  errors: list[int], offset: int) -> None:
    """One keep-alive HTTP/1.1 connection sending GETs until the deadline (a tiny wrk)."""
    reader, writer = await asyncio.open_connection(host, port)
    n = offset
    try:
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            start = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status >= 400:
                errors.append(status)
    except (ConnectionError, asyncio.IncompleteReadError):
        errors.append(-1)
    finally:
        writer.close()


def load(url: str, name: str, paths: list[str], clients: int, seconds: float) -> LoadResult:
    parts = urlsplit(url)

    async def main() -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(*(_client(parts.hostname, parts.port, paths, deadline, latencies, errors, i * 7)
                               for i in range(clients)))
        return latencies, errors, time.perf_counter() - start

    latencies, errors, elapsed = asyncio.run(main())
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0  # noqa: E731
    return LoadResult(name, clients, len(latencies), len(errors), elapsed, pick(0.50), pick(0.99))


def server_load(project_root: Path, work: Path, seconds: float) -> list[dict[str, Any]]:
    """`clusterlod serve` of the real data, under 1 and 50 concurrent clients, in a separate process."""
    from clusterlod import canned as queries
    from clusterlod.build import build
    from clusterlod.namespaces import Namespaces
    from clusterlod.testing.process import free_port, start_server, stop

    dist = work / "serve-dist"
    build(project_root, dist)
    import pyoxigraph as ox

    base = Namespaces().base
    ids = sorted({q.subject.value for q in ox.parse(path=str(dist / "clusterlod.nq"))
                  if q.subject.value.startswith(base + "id/")})
    pages = ["/" + i[len(base):] + ".ja.html" for i in ids]
    documents = ["/" + i[len(base):] + ".ttl" for i in ids]
    canned = queries.prepare(queries.resolve("totals-by-region"))
    sparql = [f"/sparql?query={quote(canned)}"]
    port = free_port()
    process = start_server(dist, port, log=work / "serve.log")
    try:
        url = f"http://127.0.0.1:{port}"
        results = []
        for name, paths in (("resource pages", pages), ("data documents (Turtle)", documents), ("canned SPARQL query", sparql)):
            for clients in (1, 50):
                load(url, name, paths, clients, 1.0)  # warm-up
                r = load(url, name, paths, clients, seconds)
                results.append({"name": r.name, "clients": r.clients, "requests": r.requests, "errors": r.errors,
                                "rps": r.rps, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms})
        return results
    finally:
        stop(process)


# ------------------------------------------------------------------ the report

def total(stages: dict[str, dict[str, Any]]) -> tuple[float, bool]:
    """Sum of the stages; the flag says it is a lower bound (a stage stopped at its budget or failed)."""
    seconds, bound = 0.0, False
    for stage in stages.values():
        if stage.get("seconds") is not None:
            seconds += stage["seconds"]
        else:
            seconds += stage.get("over") or 0.0
            bound = True
    return seconds, bound


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    found = []

    def add(name: str, target: str, measured: str, met: bool | None) -> None:
        found.append({"name": name, "target": target, "measured": measured, "met": met})

    cold = report.get("cold_start")
    if cold:
        add("real document, cold `clusterlod build`", "< 2 s", f"{cold['best_seconds']:.2f} s (best of {len(cold['runs_seconds'])})",
            cold["best_seconds"] < 2)
    real = report.get("real_queries_ms")
    if real:
        worst = max(real.values())
        add("every canned query on the real data", "< 20 ms each", f"slowest {worst:.1f} ms", worst < 20)
    by_label = {s["label"]: s for s in report["sizes"]}
    big = by_label.get("1M")
    if big:
        cli = big["clusterlod"]["build_command"]
        add("1M triples: whole build", "< 60 s", f"{cli['seconds']:.1f} s", cli["seconds"] < 60)
        add("1M triples: peak memory", "< 4 GB", f"{cli['peak_rss_mb'] / 1024:.2f} GB", cli["peak_rss_mb"] < 4096)
        if "plain" in big:
            ours, _ = total(big["clusterlod"]["stages"])
            theirs, bound = total(big["plain"]["stages"])
            ratio = theirs / ours if ours else 0
            add("1M triples: faster than the plain way", ">= 10x", f"{'>= ' if bound else ''}{ratio:.1f}x", ratio >= 10)
        worst = max(big["clusterlod"]["queries_ms"].values())
        add("1M triples: every canned query", "< 1 s each", f"slowest {worst:.0f} ms", worst < 1000)
        mid = by_label.get("100k")
        if mid:
            per_mid = mid["clusterlod"]["build_command"]["seconds"] / mid["triples"]
            per_big = cli["seconds"] / big["triples"]
            add("time per triple, 1M vs 100k", "<= 1.5x", f"{per_big / per_mid:.2f}x", per_big / per_mid <= 1.5)
    for row in report.get("server", []):
        if row["name"] == "resource pages" and row["clients"] == 50:
            add("server: resource pages at 50 clients", ">= 300 req/s, p99 < 200 ms, no errors",
                f"{row['rps']:.0f} req/s, p99 {row['p99_ms']:.1f} ms, {row['errors']} errors",
                row["rps"] >= 300 and row["p99_ms"] < 200 and row["errors"] == 0)
    add("validation agrees with pySHACL", "same conforms and violations",
        "checked by tests/test_shacl.py (not timed here)", None)
    return found


def _cell(stage: dict[str, Any] | None) -> str:
    if stage is None:
        return "—"
    if stage.get("seconds") is not None:
        failed = f" ({len(stage['failed'])} failed)" if stage.get("failed") else ""
        return f"{stage['seconds']:.3f}{failed}"
    if "over" in stage:
        return f"> {stage['over']:.0f}"
    return "error"


def markdown(report: dict[str, Any]) -> str:
    lines = ["# clusterlod benchmark", "",
             f"Machine: {report['machine']['cpus']} CPUs, Python {report['machine']['python']}, {report['machine']['platform']}.",
             f"Command: `{report['command']}`", ""]
    for size in report["sizes"]:
        ours = size["clusterlod"]
        theirs = size.get("plain")
        lines += [f"## {size['label']} ({size['triples']:,} triples)", "",
                  "| stage | clusterlod (s) | plain way (s) | speed-up |", "|---|---:|---:|---:|"]
        names = list(ours["stages"]) + [n for n in (theirs or {}).get("stages", {}) if n not in ours["stages"]]
        for name in names:
            a, b = ours["stages"].get(name), (theirs or {}).get("stages", {}).get(name)
            speed = ""
            if a and b and a.get("seconds"):
                if b.get("seconds") is not None:
                    speed = f"{b['seconds'] / a['seconds']:.1f}x" if a["seconds"] > 0 else ""
                elif "over" in b:
                    speed = f"> {b['over'] / a['seconds']:.0f}x"
            lines.append(f"| {name} | {_cell(a)} | {_cell(b)} | {speed} |")
        ours_total, _ = total(ours["stages"])
        line = f"| **total** | **{ours_total:.2f}** |"
        if theirs:
            theirs_total, bound = total(theirs["stages"])
            line += f" **{'> ' if bound else ''}{theirs_total:.2f}** | **{'>= ' if bound else ''}{theirs_total / ours_total:.1f}x** |"
        else:
            line += " — | |"
        lines += [line, "",
                  f"`clusterlod build` as a command: {ours['build_command']['seconds']:.2f} s, "
                  f"peak RSS {ours['build_command']['peak_rss_mb']:.0f} MB"
                  + (f"; plain way peak RSS {theirs['peak_rss_mb']:.0f} MB." if theirs else "."), ""]
    if report.get("server"):
        lines += ["## Server (`clusterlod serve`, real data, loopback)", "",
                  "| requests | clients | req/s | p50 (ms) | p99 (ms) | errors |", "|---|---:|---:|---:|---:|---:|"]
        for row in report["server"]:
            lines.append(f"| {row['name']} | {row['clients']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} |")
        lines.append("")
    lines += ["## Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for t in report["targets"]:
        met = {True: "yes", False: "**no**", None: "see note"}[t["met"]]
        lines.append(f"| {t['name']} | {t['target']} | {t['measured']} | {met} |")
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], path: Path) -> None:
    """Time against size, log-log, for both ways (a hollow marker: a lower bound)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.4), dpi=110)
    sizes = report["sizes"]
    xs = [s["triples"] for s in sizes]
    ours = [total(s["clusterlod"]["stages"])[0] for s in sizes]
    axes.plot(xs, ours, "o-", label="clusterlod")
    plain = [(s["triples"], *total(s["plain"]["stages"])) for s in sizes if "plain" in s]
    if plain:
        axes.plot([p[0] for p in plain], [p[1] for p in plain], "s--", label="plain rdflib + pySHACL")
        bounds = [p for p in plain if p[2]]
        if bounds:
            axes.plot([p[0] for p in bounds], [p[1] for p in bounds], "s", markerfacecolor="white",
                      label="plain: lower bound (stage budget hit)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("triples")
    axes.set_ylabel("seconds (sum of stages)")
    axes.set_title("Build, validate, publish and query: time against size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def table(report: dict[str, Any]) -> str:
    """The short table printed on the terminal."""
    rows = [("size", "triples", "clusterlod s", "plain s", "speed-up", "build cmd s", "peak MB")]
    for s in report["sizes"]:
        ours, _ = total(s["clusterlod"]["stages"])
        theirs, bound = total(s["plain"]["stages"]) if "plain" in s else (None, False)
        rows.append((s["label"], f"{s['triples']:,}", f"{ours:.2f}",
                     "—" if theirs is None else f"{'>' if bound else ''}{theirs:.2f}",
                     "—" if theirs is None else f"{'>=' if bound else ''}{theirs / ours:.1f}x",
                     f"{s['clusterlod']['build_command']['seconds']:.2f}", f"{s['clusterlod']['build_command']['peak_rss_mb']:.0f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    for t in report["targets"]:
        mark = {True: "met", False: "NOT MET", None: "(see tests)"}[t["met"]]
        lines.append(f"{mark:>10}  {t['name']}: {t['measured']} (goal {t['target']})")
    return "\n".join(lines)


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
        for label in sorted(labels, key=lambda l: SIZES[l]):
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


def main(argv: list[str]) -> None:
    """Child-process entry points: `clusterlod ROOT OUT` and `plain ROOT BUDGET` print JSON."""
    kind = argv[0]
    if kind == "clusterlod":
        result = clusterlod_stages(Path(argv[1]), Path(argv[2]))
    elif kind == "plain":
        result = plain_stages(Path(argv[1]), float(argv[2]))
    else:
        raise SystemExit(f"unknown benchmark child {kind!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
