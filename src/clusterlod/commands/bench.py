"""`clusterlod bench`: the pipeline and the server at several sizes, beside the plain way."""

from __future__ import annotations

from pathlib import Path

import click

SIZE_CHOICES = ["10k", "100k", "1M", "10M"]


@click.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="The project folder whose data/ the synthetic input extends.")
@click.option("--sizes", default="10k,100k,1M", show_default=True,
              help=f"Comma-separated sizes in triples, from {', '.join(SIZE_CHOICES)}.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="bench-out", show_default=True,
              help="Where report.json, report.md and time-vs-size.png go.")
@click.option("--plain/--no-plain", default=True, show_default=True,
              help="Also run the plain way (rdflib graph, pySHACL, rdflib serializers and SPARQL).")
@click.option("--budget", type=float, default=300, show_default=True,
              help="Seconds a plain-way stage may take before it is stopped and reported as '> budget'.")
@click.option("--server/--no-server", default=True, show_default=True, help="Also load-test `clusterlod serve`.")
@click.option("--server-seconds", type=float, default=5, show_default=True, help="Length of each load run.")
@click.option("--generate", "generate_only", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Only write a synthetic project of the first size into this folder, then stop.")
def bench(root: Path, sizes: str, out: Path, plain: bool, budget: float, server: bool, server_seconds: float,
          generate_only: Path | None) -> None:
    """Time every stage at each size for clusterlod and for the plain way; load-test the server.

    Each size's input is generated in the curated YAML format (the real records
    plus synthetic projects and events) and goes through the real build path.
    Prints a table and writes report.json, report.md and a log-log plot.
    At 1M triples with the plain way, expect about 15 minutes.
    """
    from clusterlod import bench as benchmark
    from clusterlod.errors import ClusterlodError

    labels = [s.strip() for s in sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in benchmark.SIZES]
    if unknown or not labels:
        raise ClusterlodError(f"unknown size(s) {', '.join(unknown) or '(none)'}: "
                              f"choose from {', '.join(SIZE_CHOICES)}")
    if generate_only is not None:
        from clusterlod.bench.synthetic import generate, projects_for

        generate(root, generate_only, projects_for(benchmark.SIZES[labels[0]]))
        click.echo(f"clusterlod: wrote a synthetic project of about {labels[0]} triples to {generate_only}", err=True)
        return
    command = ("clusterlod bench --sizes " + ",".join(labels) + (f" --budget {budget:g}" if plain else " --no-plain")
               + (f" --server-seconds {server_seconds:g}" if server else " --no-server") + f" --out {out}")
    report = benchmark.run(root.resolve(), labels, out, plain, budget, server, server_seconds,
                           lambda message: click.echo(f"clusterlod: bench: {message}", err=True), command)
    click.echo(benchmark.table(report))
    click.echo(f"clusterlod: report in {out}/report.md, report.json and time-vs-size.png", err=True)
