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
                  errors: list[int], offset: int, source: str | None = None) -> None:
    """One keep-alive HTTP/1.1 connection sending GETs until the deadline (a tiny wrk).

    ``source`` is the local address to connect from: any 127/8 address is loopback, so
    one machine can be several clients to the server's per-client limits.
    """
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0) if source else None)
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
    return _result(name, clients, latencies, errors, elapsed)


def _result(name: str, clients: int, latencies: list[float], errors: list[int], elapsed: float) -> LoadResult:
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0  # noqa: E731
    return LoadResult(name, clients, len(latencies), len(errors), elapsed, pick(0.50), pick(0.99))


#: The issue's heavy client: a COUNT over every pair of triples (seconds of a worker's time on the real data).
HEAVY_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
LIGHT_QUERY = "ASK { ?s ?p ?o }"
HEAVY_SOURCE, LIGHT_SOURCE = "127.0.0.2", "127.0.0.1"


def distinct_queries(text: str, tag: str, count: int = 20_000) -> list[str]:
    """``/sparql`` paths for ``text`` made distinct by a comment (``tag`` apart from other runs'),
    so no cached answer stands in for a worker."""
    return [f"/sparql?query={quote(f'{text} # {tag} {n}')}" for n in range(count)]


def beside_heavy(url: str, heavy_clients: int, seconds: float) -> tuple[LoadResult, LoadResult]:
    """A light query's latency from one address while ``heavy_clients`` connections of another send
    heavy COUNTs: what one greedy client costs everyone else. Returns (light, heavy)."""
    parts = urlsplit(url)

    async def main() -> tuple[list[float], list[int], list[float], list[int], float]:
        light, light_errors, heavy, heavy_errors = [], [], [], []
        start = time.perf_counter()
        deadline = start + seconds
        heavy_paths, light_paths = distinct_queries(HEAVY_COUNT, "heavy"), distinct_queries(LIGHT_QUERY, "beside")
        greedy = [asyncio.create_task(_client(parts.hostname, parts.port, heavy_paths, deadline, heavy, heavy_errors,
                                              i * 7, HEAVY_SOURCE)) for i in range(heavy_clients)]
        await asyncio.sleep(min(0.5, seconds / 4))  # the heavy queries hold their workers first
        await _client(parts.hostname, parts.port, light_paths, deadline, light, light_errors, 0, LIGHT_SOURCE)
        for task in greedy:  # a heavy answer can take longer than the run: not waited for
            task.cancel()
        await asyncio.gather(*greedy, return_exceptions=True)
        return light, light_errors, heavy, heavy_errors, time.perf_counter() - start

    light, light_errors, heavy, heavy_errors, elapsed = asyncio.run(main())
    return (_result("light SPARQL query beside heavy clients", 1, light, light_errors, elapsed),
            _result("heavy SPARQL COUNT (one address)", heavy_clients, heavy, heavy_errors, elapsed))


def row(r: LoadResult) -> dict[str, Any]:
    return {"name": r.name, "clients": r.clients, "requests": r.requests, "errors": r.errors,
            "rps": r.rps, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms}


def server_load(project_root: Path, work: Path, seconds: float) -> list[dict[str, Any]]:
    """`clusterlod serve` of the real data, under 1 and 50 concurrent clients, in a separate process;
    then a light query alone and beside ten clients of one address sending heavy COUNTs."""
    from clusterlod.bench.processes import free_port, start_server, stop
    from clusterlod.build import build
    from clusterlod.namespaces import Namespaces
    from clusterlod.sparql import canned as queries

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
                results.append(row(r))
        alone = load(url, "light SPARQL query alone", distinct_queries(LIGHT_QUERY, "alone"), 1, seconds)
        results.append(row(alone))
        results += [row(r) for r in beside_heavy(url, 10, max(seconds, 2.0))]
        return results
    finally:
        stop(process)


