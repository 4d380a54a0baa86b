"""The benchmark's report: targets, Markdown, the log-log plot and the terminal table."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def total(stages: dict[str, dict[str, Any]]) -> tuple[float, bool]:
    """Sum of the stages; the flag says it is a lower bound (a stage stopped at its budget or failed)."""
    seconds, bound = 0.0, False
    for stage in stages.values():
        if stage.get("background"):
            continue  # timed beside the stages (the gate's process, its loading thread), not added to them
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
        add("real document, cold `clusterlod build`", "< 2 s",
            f"{cold['best_seconds']:.2f} s (best of {len(cold['runs_seconds'])})", cold["best_seconds"] < 2)
    real = report.get("real_queries_ms")
    if real:
        worst = max(real.values())
        add("every canned query on the real data", "< 20 ms each", f"slowest {worst:.1f} ms", worst < 20)
    by_label = {s["label"]: s for s in report["sizes"]}
    big = by_label.get("1M")
    if big:
        cli = big["clusterlod"]["build_command"]
        add("1M triples: whole build", "< 40 s", f"{cli['seconds']:.1f} s", cli["seconds"] < 40)
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
    light = next((r for r in report.get("server", []) if r["name"] == "light SPARQL query beside heavy clients"), None)
    if light:
        heavy = next(r for r in report["server"] if r["name"].startswith("heavy SPARQL COUNT"))
        add(f"server: light query beside {heavy['clients']} heavy clients of another address",
            "p99 < 500 ms, no errors", f"p99 {light['p99_ms']:.1f} ms, {light['errors']} errors",
            light["p99_ms"] < 500 and light["errors"] == 0)
    add("validation agrees with pySHACL", "same conforms and violations",
        "checked by tests/test_shacl.py (not timed here)", None)
    add("the engine passes the W3C SHACL Core suite", "no false conforms",
        "checked by tests/test_w3c_shacl.py (not timed here)", None)
    return found


def _cell(stage: dict[str, Any] | None) -> str:
    if stage is None:
        return "—"
    if stage.get("seconds") is not None:
        failed = f" ({len(stage['failed'])} failed)" if stage.get("failed") else ""
        return f"{stage['seconds']:.3f}{failed}" + (" ‡" if stage.get("background") else "")
    if "over" in stage:
        return f"> {stage['over']:.0f}"
    return "error"


def markdown(report: dict[str, Any]) -> str:
    lines = ["# clusterlod benchmark", "",
             (f"Machine: {report['machine']['cpus']} CPUs, Python {report['machine']['python']}, "
              f"{report['machine']['platform']}."),
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
            line += (f" **{'> ' if bound else ''}{theirs_total:.2f}** |"
                     f" **{'>= ' if bound else ''}{theirs_total / ours_total:.1f}x** |")
        else:
            line += " — | |"
        lines += [line, "",
                  f"`clusterlod build` as a command: {ours['build_command']['seconds']:.2f} s, "
                  f"peak RSS {ours['build_command']['peak_rss_mb']:.0f} MB"
                  + (f"; plain way peak RSS {theirs['peak_rss_mb']:.0f} MB." if theirs else "."), ""]
        if any(stage.get("background") for stage in ours["stages"].values()):
            lines += ["‡ timed beside the stages: in the gate's process (the union, loaded while the graph is "
                      "made, then pyshacl-turbo) and in the thread that loads the written N-Quads for the quality "
                      "checks; not added to the total, the sum of the stages' wall time. \"validate\" compares "
                      "pyshacl-turbo with pySHACL on the same data.", ""]
    if report.get("server"):
        lines += ["## Server (`clusterlod serve`, real data, loopback)", "",
                  "| requests | clients | req/s | p50 (ms) | p99 (ms) | errors |", "|---|---:|---:|---:|---:|---:|"]
        for row in report["server"]:
            lines.append(f"| {row['name']} | {row['clients']} | {row['rps']:.0f} | {row['p50_ms']:.1f}"
                         f" | {row['p99_ms']:.1f} | {row['errors']} |")
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
                     f"{s['clusterlod']['build_command']['seconds']:.2f}",
                     f"{s['clusterlod']['build_command']['peak_rss_mb']:.0f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    for t in report["targets"]:
        mark = {True: "met", False: "NOT MET", None: "(see tests)"}[t["met"]]
        lines.append(f"{mark:>10}  {t['name']}: {t['measured']} (goal {t['target']})")
    return "\n".join(lines)


