"""`clusterlod serve` under load: a tiny keep-alive HTTP/1.1 client (a small wrk) on loopback."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from clusterlod import formats


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
            length, chunked = 0, False
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                elif line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
                    chunked = True  # e.g. Oxigraph's server
            if chunked:
                while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")  # the empty trailer
            elif length:
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
    ids = sorted({q.subject.value for q in ox.parse(path=str(dist / formats.DATASET_FILE))
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
        for name, paths in (("resource pages", pages), ("data documents (Turtle)", documents),
                            ("canned SPARQL query", sparql)):
            for clients in (1, 50):
                load(url, name, paths, clients, 1.0)  # warm-up
                r = load(url, name, paths, clients, seconds)
                results.append({"name": r.name, "clients": r.clients, "requests": r.requests, "errors": r.errors,
                                "rps": r.rps, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms})
        return results
    finally:
        stop(process)


