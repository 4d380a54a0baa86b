"""`clusterlod load`: put the built dataset into a SPARQL store in one transaction, verified."""

from __future__ import annotations

from pathlib import Path

import click

from clusterlod.commands.remote_options import max_answer_option, timeout_option
from clusterlod.sparql.remote import LOAD_TIMEOUT

#: Above this many triples a load shows progress even without --progress.
LARGE_LOAD = 50_000


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path), default="dist", required=False)
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL query endpoint (Oxigraph http://HOST:7878/query, Virtuoso http://HOST:8890/sparql-auth).")
@click.option("--update-endpoint", metavar="URL", default=None,
              help="SPARQL Update endpoint, if not the same URL (default: for .../query, the sibling .../update).")
@click.option("--graph-store", metavar="URL", default=None, hidden=True,
              help="No longer used (the load is one SPARQL Update request); accepted for old scripts.")
@click.option("--graph", metavar="IRI", default=None,
              help="Load the whole dataset into this one graph instead of its own named graphs.")
@click.option("--method", type=click.Choice(["auto", "gsp", "update"]), default="auto", hidden=True,
              help="Only update (one SPARQL Update request) is offered; gsp is refused with a reason.")
@click.option("--user", default=None, help="User name for Basic or Digest authentication.")
@click.option("--password", default=None, envvar="CLUSTERLOD_PASSWORD",
              help="Password (or set CLUSTERLOD_PASSWORD).")
@click.option("--auth", type=click.Choice(["auto", "basic", "digest"]), default="auto", show_default=True,
              help="Authentication scheme; auto answers whichever challenge the server sends.")
@click.option("--chunk-triples", type=click.IntRange(min=1), default=None,
              help="Most triples per INSERT DATA operation inside the one request (default 500).")
@click.option("--chunk-bytes", type=click.IntRange(min=1024), default=None,
              help="Most bytes per INSERT DATA operation (default 256 KiB).")
@click.option("--lease", "lease", type=click.FloatRange(min=1), default=900.0, show_default=True,
              help="Seconds the load's lease on its target graphs lasts (store clock) if it is not given back.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds to wait for another load of the same graphs to finish; 0 refuses at once.")
@timeout_option(LOAD_TIMEOUT)
@max_answer_option
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Retries, with back-off, on connection errors and 5xx answers.")
@click.option("--progress/--quiet", default=None,
              help=f"Show triples and bytes sent on stderr (default: only for loads over {LARGE_LOAD} triples).")
def load(source: Path, endpoint: str, update_endpoint: str | None, graph_store: str | None, graph: str | None,
         method: str, user: str | None, password: str | None, auth: str, chunk_triples: int | None,
         chunk_bytes: int | None, lease: float, wait: float, timeout: float, max_answer_bytes: int, retries: int,
         progress: bool | None) -> None:
    """Load SOURCE (a dist/ folder or an .nq/.trig file; default dist) into a SPARQL store.

    All graphs are replaced by one SPARQL Update request, which the store applies
    as one transaction: readers see the old release or the new one, never a
    mixture, and nothing is staged where a union default graph could show it.
    A lease held in the store keeps two loads of the same graphs apart. The load
    succeeds only if a marker written in the same transaction is found and every
    graph holds the build's triple count.
    """
    from clusterlod.stores import load as loader

    dataset = loader.read_dataset(source, graph)
    show = progress if progress is not None else dataset.total > LARGE_LOAD
    report = loader.load(
        dataset, loader.LoadTarget(endpoint, update_endpoint, graph_store), method=method,  # type: ignore[arg-type]
        user=user, password=password, auth=auth, chunk_triples=chunk_triples,  # type: ignore[arg-type]
        chunk_bytes=chunk_bytes, timeout=timeout, max_answer_bytes=max_answer_bytes, retries=retries, lease=lease,
        wait=wait,
        progress=loader.progress_printer() if show else None,
        notice=lambda message: click.echo(f"clusterlod: {message}", err=True))
    click.echo(report.table())
    if not report.ok:
        bad = [c.graph for c in report.counts if not c.ok]
        raise loader.CountMismatch(f"{len(bad)} graph(s) differ from the build on the server: {', '.join(bad)}")
