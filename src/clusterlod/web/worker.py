"""SPARQL queries in worker processes, so a runaway query can be stopped.

pyoxigraph cannot interrupt a query, and a thread cannot be killed; a process
can. Each worker holds its own copy of the (small, immutable) store; a query
that overruns the time limit costs its worker, which is replaced.
"""

from __future__ import annotations

import io
import multiprocessing
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterlod.namespaces import Namespaces
from clusterlod.web import negotiation
from clusterlod.web.describe import serialize
from clusterlod.web.negotiation import Variant

RESULT_VARIANTS = (
    Variant("srj", "application/sparql-results+json", ("application/json",)),
    Variant("srx", "application/sparql-results+xml", ("application/xml", "text/xml")),
    Variant("csv", "text/csv"),
    Variant("tsv", "text/tab-separated-values"),
)
RESULT_FORMATS = {
    "srj": ox.QueryResultsFormat.JSON, "srx": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_VARIANTS = negotiation.DATA_VARIANTS


@dataclass(frozen=True)
class QueryRequest:
    query: str
    accept: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Outcome:
    return Outcome(status, f"clusterlod: {message}\n".encode("utf-8"))


class ResultTooLarge(Exception):
    pass


class _Capped(io.RawIOBase):
    """A byte sink that gives up past the limit, so a huge result is never held whole."""

    def __init__(self, limit: int):
        self.limit, self.chunks, self.size = limit, [], 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge()
        self.chunks.append(bytes(data))
        return len(data)


def execute(store: ox.Store, request: QueryRequest, max_bytes: int, prefixes: dict[str, str]) -> Outcome:
    """Run one query and serialize it as the client asked; errors become clear bodies."""
    kwargs: dict = {"use_default_graph_as_union": not request.default_graphs}
    if request.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(request.query, **kwargs)
    except SyntaxError as e:
        return error(400, f"the query does not parse: {e}")
    except (ValueError, OSError) as e:
        return error(400, f"the query cannot be run: {e}")
    sink = _Capped(max_bytes)
    try:
        if isinstance(result, ox.QueryTriples):
            variant = negotiation.choose(request.accept, GRAPH_VARIANTS)
            if variant is None:
                return error(406, "a graph result is available as " + ", ".join(v.media_type for v in GRAPH_VARIANTS))
            triples, budget = [], max(1, max_bytes // 32)  # no triple serializes in under ~32 bytes
            for triple in result:
                triples.append(triple)
                if len(triples) > budget:
                    raise ResultTooLarge()
            sink.write(serialize(triples, variant.syntax, prefixes))
            media = variant.media_type
        else:
            variant = negotiation.choose(request.accept, RESULT_VARIANTS)
            if variant is None:
                return error(406, "results are available as " + ", ".join(v.media_type for v in RESULT_VARIANTS))
            result.serialize(sink, RESULT_FORMATS[variant.extension])
            media = variant.media_type
    except ResultTooLarge:
        return error(400, f"the result is larger than the limit of {max_bytes} bytes; add LIMIT (and OFFSET to page)")
    except (ValueError, OSError) as e:
        return error(400, f"the query failed: {e}")
    charset = "; charset=utf-8" if media.startswith(("text/", "application/sparql-results+json")) else ""
    return Outcome(200, b"".join(sink.chunks), media + charset)


def _serve(connection, dataset: str, max_bytes: int, base: str) -> None:
    store = ox.Store()
    store.load(path=dataset, format=ox.RdfFormat.N_QUADS)
    prefixes = Namespaces(base).prefixes()
    connection.send("ready")
    while True:
        request = connection.recv()
        if request is None:
            return
        connection.send(execute(store, request, max_bytes, prefixes))


class _Worker:
    def __init__(self, context, dataset: Path, max_bytes: int, base: str):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, str(dataset), max_bytes, base), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.connection.poll(timeout):
            self.ready = self.connection.recv() == "ready"
        return self.ready

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """A few worker processes over the dataset; each query gets ``timeout`` seconds."""

    def __init__(self, dataset: Path, base: str, size: int = 2, timeout: float = 10.0,
                 max_bytes: int = 10_000_000):
        self.dataset, self.base, self.timeout, self.max_bytes = dataset, base, timeout, max_bytes
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.workers: list[_Worker] = []
        self.lock = threading.Lock()
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self.context, self.dataset, self.max_bytes, self.base)
        with self.lock:
            self.workers.append(worker)
        self.idle.put(worker)

    def run(self, request: QueryRequest) -> Outcome:
        """Blocking: run in a thread. A query over time kills its worker and answers 503."""
        try:
            worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return error(503, "every query worker is busy; try again shortly")
        if not worker.wait_ready(60):
            self._retire(worker)
            return error(503, "the query worker did not start")
        worker.connection.send(request)
        if worker.connection.poll(self.timeout):
            outcome = worker.connection.recv()
            self.idle.put(worker)
            return outcome
        self._retire(worker)
        return error(503, f"the query ran longer than the time limit of {self.timeout:g} s and was stopped; "
                          "narrow it or add LIMIT")

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self.lock:
            self.workers.remove(worker)
        self._add()

    def close(self) -> None:
        with self.lock:
            workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop()
