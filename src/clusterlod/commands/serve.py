"""`clusterlod serve` (the release over HTTP) and `clusterlod site` (the same as static files)."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from clusterlod.errors import ExitCode
from clusterlod.web.http.limits import LIMITS, Settings

dist_option = click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
                           show_default=True, help="The built release (`clusterlod build`).")
base_option = click.option("--base", default=None, metavar="IRI",
                           help="Base IRI of the release (default: read from its catalog.ttl).")


def limit_options(command: Callable) -> Callable:
    """One option per row of the limits table (web/limits.py), so the CLI cannot drift from it."""
    for limit in reversed(LIMITS):
        kind = click.IntRange(min=1) if limit.type is int else click.FloatRange(min=0.1)
        shown = limit.derived_from or True  # a default that follows other options is shown as its rule
        command = click.option(limit.option, limit.name, default=None if limit.derived_from else limit.default,
                               show_default=shown, type=kind, help=f"Unit: {limit.unit}. {limit.help}")(command)
    return command


queries_option = click.option("--queries", type=click.Path(file_okay=False, path_type=Path), default=Path("queries"),
                              show_default=True, help="Folder of canned *.rq queries listed on the index page.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@dist_option
@base_option
@click.option("--endpoint", default=None, metavar="URL",
              help="Serve the data of this SPARQL endpoint instead of the embedded store.")
@queries_option
@limit_options
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--access-log", type=click.File("a", encoding="utf-8", lazy=False), default=None, metavar="FILE|-",
              help="Write one line per request in the Combined Log Format to FILE (appended), or to stdout with -.")
@click.option("--pid-file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write the server's process id here once it is ready (removed when it stops), for "
                   "`clusterlod reload --pid-file FILE`.")
def serve(host: str, port: int, dist: Path, base: str | None, endpoint: str | None, queries: Path,
          log_level: str, access_log: TextIO | None, pid_file: Path | None, **limits: float | int) -> None:
    """Serve the release: dereferenceable IRIs, bilingual pages and a SPARQL endpoint.

    Every resource IRI answers 303 to its HTML page or data document by the Accept
    header; /sparql speaks the SPARQL 1.1 Protocol (read-only, with time and size
    limits); /dataset and /.well-known/void give the DCAT/VoID description;
    /healthz and /metrics (Prometheus) are for operators.

    The release is copied from DIST at start and never read again: after a new build,
    `clusterlod reload` (or `kill -HUP PID`) switches to it without a failed request.
    Every answer names its release in the X-Clusterlod-Release header.
    """
    import signal

    # Until the server reloads on it, a SIGHUP (a `reload` too early, a storm) must not kill it at start-up.
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        settings = Settings(dist=dist, base=base, endpoint=endpoint, queries=queries, **limits)
        if pid_file is not None:  # a live server's file is refused; a killed one's is replaced
            from clusterlod.web.release.pidfile import PidFile

            PidFile(pid_file).claim()
        sock = listen(host, port)  # first: a busy port is known at once, not after the release is copied and checked
        from clusterlod.web.http.app import create_app
        from clusterlod.web.http.connections import run

        with contextlib.closing(sock):
            app = create_app(settings, access_log, pid_file)
            what = f"the data of {endpoint}" if endpoint else str(dist)
            click.echo(f"clusterlod: serving {what} at http://{host}:{port}/", err=True)
            run(app, settings, host, port, log_level, sock)
    finally:
        signal.signal(signal.SIGHUP, previous)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced: a busy port is one line, not uvicorn's log."""
    from clusterlod.errors import ClusterlodError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on sockets that say they are TCP, and
    # without TCP_NODELAY every keep-alive answer waits about 40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
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
@click.option("--pid-file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              metavar="FILE", help="The file `clusterlod serve --pid-file FILE` wrote.")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Signal the server only if it serves this folder (default: whichever it serves).")
@click.option("--wait", type=click.FloatRange(min=0.1), default=120.0, show_default=True, metavar="SECONDS",
              help="How long to wait for the server to report the reload.")
def reload(pid_file: Path, dist: Path | None, wait: float) -> None:
    """Make a running `clusterlod serve` switch to the release now in its --dist folder, and say how it went.

    Signals only the process that holds FILE and whose command line is `clusterlod serve
    --pid-file FILE` (a stale file, or one naming another process, is refused with nothing
    signalled), sends it SIGHUP and waits for the outcome the server records beside FILE.
    The server copies and checks the new release and starts its query workers, then
    switches in one step; requests under way finish on the old release. If the new release
    cannot be read, the old one keeps serving and this command exits non-zero with the
    server's reason (also on its stderr and in /healthz's reload_error).
    """
    import signal
    import time

    from clusterlod.errors import ClusterlodError
    from clusterlod.web.release.pidfile import serving_process, wait_for_outcome

    pid = serving_process(pid_file, dist)
    sent = time.time()
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError as e:
        raise ClusterlodError(f"{pid_file}: no process {pid} is running (is `clusterlod serve` stopped?)") from e
    except PermissionError as e:
        raise ClusterlodError(f"{pid_file}: not allowed to signal process {pid}") from e
    outcome = wait_for_outcome(pid_file, pid, sent, wait)
    if outcome.get("outcome") == "refused":
        error = ClusterlodError(f"the server refused the release, still serving {outcome.get('release')}: "
                                f"{outcome.get('error')}")
        code = outcome.get("code")  # the server's reason's own code: 3 for a release unlike its catalogue
        error.exit_code = ExitCode(code) if code in ExitCode._value2member_map_ and code else ExitCode.ERROR
        raise error
    state = "now serving" if outcome.get("outcome") == "switched" else "unchanged, still serving"
    click.echo(f"clusterlod: reload: {state} release {outcome.get('release')}", err=True)


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@dist_option
@base_option
@queries_option
def site(out: Path, dist: Path, base: str | None, queries: Path) -> None:
    """Write the pages and data documents as a static tree, with nginx and Apache configs.

    OUT/ can be served by any web server; OUT/nginx.conf.example and OUT/.htaccess add
    the same 303 content negotiation as `clusterlod serve`. What computes an answer per
    request is not in it: the SPARQL endpoint, the search with facets and /reconcile (the
    OpenRefine service); proxy those paths to `clusterlod serve` (docs/serving.md).
    OUT is replaced whole, and only if it is missing, empty or a site clusterlod wrote
    (docs/release.md).
    """
    from clusterlod.web.release.static_site import write_site

    count = write_site(dist, out, base, queries)
    click.echo(f"clusterlod: wrote {count} files to {out}", err=True)


@click.command()
@click.option("--to", "target", required=True, metavar="URL",
              help="Where the release is served: the host of `clusterlod serve` or of the `clusterlod site` tree "
                   "(e.g. https://data.example.org/). A plain http(s) URL: no query, fragment or credentials, "
                   "no whitespace, %, $, backslash or quotes (Apache would read them as rules); refused, exit 2.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write the rules to FILE (e.g. clusterlod/.htaccess in a w3id.org checkout); default: stdout.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="Write exactly the files a w3id.org pull request needs into DIR (its clusterlod/ folder, "
                   "replaced whole): .htaccess and README.md, with a placeholder for the maintainers' contact.")
def redirects(target: str, out: Path | None, folder: Path | None) -> None:
    """Write the redirect rules of the base namespace: the .htaccess of its w3id.org folder.

    Every IRI under https://w3id.org/clusterlod/ is redirected to the same path under
    --to, with content negotiation kept: a resource IRI (id/..., ontology terms, dataset,
    graph/...) answers 303 to its HTML page (by Accept-Language) or its Turtle, JSON-LD,
    N-Triples or RDF/XML document (by Accept), the base itself to the index page or the
    dataset description, sparql 307, download/... and other files 302. docs/serving.md
    says how to register it at w3id.org.
    """
    from clusterlod.release.atomic import write_text
    from clusterlod.web.release.webconf import w3id

    rules = w3id(target)  # checks the URL first: refused, it is one line and exit 2, and nothing is written
    if folder is not None:
        from clusterlod.web.release.webconf import w3id_folder

        w3id_folder(folder, target)
    if folder is not None and out is None:
        return
    if out is None:
        click.echo(rules, nl=False)
    else:
        write_text(out, rules)
