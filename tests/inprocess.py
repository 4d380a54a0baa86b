"""The app in this process, reached through httpx.ASGITransport: no port, no subprocess.

Most server tests use this; a few smoke tests (tests/test_serve_smoke.py) still start a
real `clusterlod serve`, for what only a real socket shows (timeouts, connection limits).
The query workers are real processes either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import anyio.from_thread
import httpx

from clusterlod.web.app import create_app
from clusterlod.web.limits import Settings


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
