"""The app in this process, reached through httpx.ASGITransport: no port, no subprocess; and the CLI's entry
point run in this process.

Most server tests use this; a few smoke tests (tests/test_serve_smoke.py) still start a
real `clusterlod serve`, for what only a real socket shows (timeouts, connection limits).
The query workers are real processes either way.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio.from_thread
import httpx

from clusterlod.cli import main
from clusterlod.web.http.app import create_app
from clusterlod.web.http.limits import Settings


class PortalTransport(httpx.BaseTransport):
    """A synchronous transport over httpx.ASGITransport, run on an event loop in a helper thread."""

    def __init__(self, app, portal) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> tuple[int, list, bytes]:
            body = request.content if hasattr(request, "_content") else b"".join(list(request.stream))
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self.inner.handle_async_request(forwarded)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self.portal.call(call)
        return httpx.Response(status, headers=headers, content=content, request=request)


@contextlib.contextmanager
def app_client(**settings) -> Iterator[httpx.Client]:
    """A client of a freshly started app (query workers included), stopped on exit."""
    app = create_app(Settings(**settings))
    app.site.start()
    try:
        with anyio.from_thread.start_blocking_portal() as portal, \
                httpx.Client(transport=PortalTransport(app, portal), base_url="http://testserver",
                             follow_redirects=False, timeout=60) as client:
            client.app = app
            yield client
    finally:
        app.site.stop()


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``clusterlod ARGS`` through the command's own entry point, in this process: its exit code, stdout and
    stderr, without starting an interpreter (the installed command itself is run by tests/test_failures.py and
    tests/test_cli.py; this is for the many cases that differ only in their input)."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["clusterlod", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
            try:
                main()
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(["clusterlod", *args], code, out.getvalue(), err.getvalue())
