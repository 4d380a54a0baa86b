"""`clusterlod serve` (the release over HTTP) and `clusterlod site` (the same as static files)."""

from __future__ import annotations

from pathlib import Path

import click

dist_option = click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
                           show_default=True, help="The built release (`clusterlod build`).")
base_option = click.option("--base", default=None, metavar="IRI",
                           help="Base IRI of the release (default: read from its catalog.ttl).")
queries_option = click.option("--queries", type=click.Path(file_okay=False, path_type=Path), default=Path("queries"),
                              show_default=True, help="Folder of canned *.rq queries listed on the index page.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@dist_option
@base_option
@click.option("--endpoint", default=None, metavar="URL",
              help="Serve the data of this SPARQL endpoint instead of the embedded store.")
@queries_option
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Time limit of a SPARQL query, seconds.")
@click.option("--max-result-bytes", default=10_000_000, show_default=True, type=int,
              help="Largest SPARQL result returned; larger ones are refused with 400.")
@click.option("--max-request-bytes", default=100_000, show_default=True, type=int,
              help="Largest request body or query accepted; larger ones get 413.")
@click.option("--query-workers", default=2, show_default=True, type=int,
              help="Processes running SPARQL queries (a query over the time limit costs its process).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(host: str, port: int, dist: Path, base: str | None, endpoint: str | None, queries: Path,
          timeout: float, max_result_bytes: int, max_request_bytes: int, query_workers: int, log_level: str) -> None:
    """Serve the release: dereferenceable IRIs, bilingual pages and a SPARQL endpoint.

    Every resource IRI answers 303 to its HTML page or data document by the Accept
    header; /sparql speaks the SPARQL 1.1 Protocol (read-only, with time and size
    limits); /dataset and /.well-known/void give the DCAT/VoID description.
    """
    import uvicorn

    from clusterlod.web.app import Settings, create_app

    settings = Settings(dist=dist, base=base, endpoint=endpoint, queries=queries, timeout=timeout,
                        max_result_bytes=max_result_bytes, max_request_bytes=max_request_bytes,
                        workers=query_workers)
    app = create_app(settings)
    click.echo(f"clusterlod: serving {dist} at http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level in ("info", "debug"),
                server_header=False)


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@dist_option
@base_option
@queries_option
def site(out: Path, dist: Path, base: str | None, queries: Path) -> None:
    """Write the pages and data documents as a static tree, with nginx and Apache configs.

    OUT/ can be served by any web server; OUT/nginx.conf.example and OUT/.htaccess add
    the same 303 content negotiation as `clusterlod serve`.
    """
    from clusterlod.web.static_site import write_site

    count = write_site(dist, out, base, queries)
    click.echo(f"clusterlod: wrote {count} files to {out}", err=True)
