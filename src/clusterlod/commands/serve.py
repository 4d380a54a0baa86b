"""`clusterlod serve` (the release over HTTP) and `clusterlod site` (the same as static files)."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path

import click

from clusterlod.web.limits import LIMITS, Settings

dist_option = click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
                           show_default=True, help="The built release (`clusterlod build`).")
base_option = click.option("--base", default=None, metavar="IRI",
                           help="Base IRI of the release (default: read from its catalog.ttl).")


def limit_options(command: Callable) -> Callable:
    """One option per row of the limits table (web/limits.py), so the CLI cannot drift from it."""
    for limit in reversed(LIMITS):
        kind = click.IntRange(min=1) if limit.type is int else click.FloatRange(min=0.1)
        command = click.option(limit.option, limit.name, default=limit.default, show_default=True, type=kind,
                               help=f"Unit: {limit.unit}. {limit.help}")(command)
    return command


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
@limit_options
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(host: str, port: int, dist: Path, base: str | None, endpoint: str | None, queries: Path,
          log_level: str, **limits: float | int) -> None:
    """Serve the release: dereferenceable IRIs, bilingual pages and a SPARQL endpoint.

    Every resource IRI answers 303 to its HTML page or data document by the Accept
    header; /sparql speaks the SPARQL 1.1 Protocol (read-only, with time and size
    limits); /dataset and /.well-known/void give the DCAT/VoID description.
    """
    from clusterlod.web.app import create_app
    from clusterlod.web.connections import run

    settings = Settings(dist=dist, base=base, endpoint=endpoint, queries=queries, **limits)
    app = create_app(settings)
    sock = listen(host, port)
    what = f"the data of {endpoint}" if endpoint else str(dist)
    click.echo(f"clusterlod: serving {what} at http://{host}:{port}/", err=True)
    run(app, settings, host, port, log_level, sock)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced: a busy port is one line, not uvicorn's log."""
    from clusterlod.errors import ClusterlodError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart need not wait
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        reason = "the port is in use (another server?): pick another --port" if error.errno == errno.EADDRINUSE \
            else (error.strerror or str(error))
        raise ClusterlodError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


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
