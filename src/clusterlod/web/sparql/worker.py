"""SPARQL queries in worker processes, so a runaway query can be stopped.

pyoxigraph cannot interrupt a query, and a thread cannot be killed; a process
can. Each worker holds its own copy of the (small, immutable) store; a query
that overruns the time limit costs its worker, which is replaced.
"""

from __future__ import annotations

import io
import multiprocessing
import queue
import resource
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.namespaces import Namespaces
from clusterlod.sparql.sparql_text import dataset_arguments
from clusterlod.web.http import negotiation
from clusterlod.web.http.negotiation import Variant
from clusterlod.web.pages.describe import serialize
from clusterlod.web.sparql.answers_cache import AnswerCache

RESULT_VARIANTS = (
    Variant("srj", formats.SPARQL_RESULTS_JSON, (formats.JSON_MEDIA_TYPE,)),
    Variant("srx", formats.SPARQL_RESULTS_XML, (formats.XML_MEDIA_TYPE, "text/xml")),
    Variant("csv", formats.SPARQL_RESULTS_CSV),
    Variant("tsv", formats.SPARQL_RESULTS_TSV),
)
RESULT_FORMATS = {
    "srj": ox.QueryResultsFormat.JSON, "srx": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
BOOLEAN_VARIANTS = RESULT_VARIANTS[:2]  # a boolean has no CSV or TSV form in SPARQL 1.1
GRAPH_VARIANTS = negotiation.DATA_VARIANTS


@dataclass(frozen=True)
class QueryRequest:
    query: str
    accept: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: Whether the query has FROM / FROM NAMED, as read before dispatch (None: read it here).
    names_dataset: bool | None = None


@dataclass(frozen=True)
class Outcome:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Outcome:
    return Outcome(status, f"clusterlod: {message}\n".encode())


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


def execute(store: ox.Store, request: QueryRequest, max_bytes: int, prefixes: dict[str, str],
            base_iri: str | None = None) -> Outcome:
    """Run one query on the dataset SPARQL 1.1 defines for it and serialize it as the client asked.

    The dataset parameters were checked before the request reached this process. Relative
    IRIs in the query resolve against ``base_iri`` (the endpoint's IRI).
    """
    kwargs = dataset_arguments(request.query, request.default_graphs, request.named_graphs, request.names_dataset)
    try:
        result = store.query(request.query, base_iri=base_iri, **kwargs)
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
            triples, size = [], 0
            for triple in result:  # counted as N-Triples while read, so no huge graph is ever held
                size += len(str(triple)) + 3
                if size > max_bytes:
                    raise ResultTooLarge()
                triples.append(triple)
            sink.write(serialize(triples, variant.syntax, prefixes))
        else:
            variants = BOOLEAN_VARIANTS if isinstance(result, ox.QueryBoolean) else RESULT_VARIANTS
            variant = negotiation.choose(request.accept, variants)
            if variant is None:
                kind = "an ASK result is" if variants is BOOLEAN_VARIANTS else "results are"
                return error(406, f"{kind} available as " + ", ".join(v.media_type for v in variants))
            result.serialize(sink, RESULT_FORMATS[variant.extension])
        media = variant.media_type
    except ResultTooLarge:
        return error(400, f"the result is larger than the limit of {max_bytes} bytes; add LIMIT (and OFFSET to page)")
    except (ValueError, OSError) as e:
        return error(400, f"the query failed: {e}")
    charset = "; charset=utf-8" if media.startswith(("text/", formats.SPARQL_RESULTS_JSON)) else ""
    return Outcome(200, b"".join(sink.chunks), media + charset)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a query that needs too much fails here, not on the machine."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve(connection, dataset: str, max_bytes: int, base: str, memory_mb: int) -> None:
    limit_memory(memory_mb)
    store = ox.Store()
    store.load(path=dataset, format=ox.RdfFormat.N_QUADS)
    prefixes = Namespaces(base).prefixes()
    connection.send("ready")
    while True:
        request = connection.recv()
        if request is None:
            return
        connection.send(execute(store, request, max_bytes, prefixes, base + "sparql"))


class _Worker:
    def __init__(self, context, dataset: Path, max_bytes: int, base: str, memory_mb: int):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, str(dataset), max_bytes, base, memory_mb),
                                       daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.retired = False

    def wait_ready(self, timeout: float) -> bool:
        try:
            if not self.ready and self.connection.poll(timeout):
                self.ready = self.connection.recv() == "ready"
        except (EOFError, OSError):
            return False
        return self.ready

    def stop(self, grace: float = 0.0) -> None:
        """Kill the worker; with ``grace``, first ask it to exit (it finishes nothing: it is idle)."""
        if grace and self.process.is_alive():
            try:
                self.connection.send(None)
                self.process.join(grace)
            except (OSError, ValueError):
                pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """A few worker processes over the dataset; each query gets ``timeout`` seconds.

    The pool heals: a worker that overruns is killed, one that dies (out of memory, a
    native crash) is noticed, and either way the request gets an answer and a new
    worker takes the old one's place.
    """

    def __init__(self, dataset: Path, base: str, size: int = 2, timeout: float = 10.0,
                 max_bytes: int = 10_000_000, memory_mb: int = 2048, cache_bytes: int = 0):
        self.dataset, self.base, self.timeout, self.max_bytes = dataset, base, timeout, max_bytes
        self.memory_mb = memory_mb
        self.answers: AnswerCache[Outcome] = AnswerCache(cache_bytes)
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.workers: list[_Worker] = []
        self.restarts = 0  # workers replaced after dying or overrunning, for /metrics
        self.lock = threading.Lock()
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self.context, self.dataset, self.max_bytes, self.base, self.memory_mb)
        with self.lock:
            self.workers.append(worker)
        self.idle.put(worker)

    def run(self, request: QueryRequest) -> Outcome:
        """Blocking: run in a thread. A query over time kills its worker and answers 503.

        A successful answer is kept in the bounded answer cache: the same request (query text,
        dataset and Accept) gets it again without a worker.
        """
        self._sweep()
        cached = self.answers.get(request)
        if cached is not None:
            return cached
        outcome = self._run(request)
        if outcome.status == 200:
            self.answers.put(request, outcome, len(outcome.body) + len(request.query) + len(request.accept or ""))
        return outcome

    def _run(self, request: QueryRequest) -> Outcome:
        try:
            worker = self.idle.get(timeout=self.timeout)
            while worker.retired or not worker.process.is_alive():  # killed while idle (OOM killer, operator)
                self._retire(worker)
                worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return error(503, "every query worker is busy; try again shortly")
        if not worker.wait_ready(60):
            self._retire(worker)
            return error(503, "the query worker did not start; try again shortly")
        try:
            worker.connection.send(request)
            answered = worker.connection.poll(self.timeout)
            outcome = worker.connection.recv() if answered else None
        except (EOFError, OSError):  # the worker died under this query
            self._retire(worker)
            return error(500, f"the query stopped its worker (it needed more than {self.memory_mb} MiB of memory, "
                              "or crashed); narrow it or add LIMIT")
        if outcome is None:
            self._retire(worker)
            return error(503, f"the query ran longer than the time limit of {self.timeout:g} s and was stopped; "
                              "narrow it or add LIMIT")
        self.idle.put(worker)
        return outcome

    def _sweep(self) -> None:
        """Replace the workers that died while idle, so no request (nor the answer cache) hides them."""
        for worker in list(self.workers):
            if not worker.process.is_alive():
                self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        """Stop ``worker`` and start its replacement, once (a sweep and a request may both see it dead)."""
        with self.lock:
            if worker.retired:
                return
            worker.retired = True
            if worker in self.workers:
                self.workers.remove(worker)
            self.restarts += 1
        worker.stop()
        self._add()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Blocking: every worker has loaded the data (before a new release is shown to anyone)."""
        with self.lock:
            workers = list(self.workers)
        return all(worker.wait_ready(timeout) for worker in workers)

    def close(self, grace: float = 0.0) -> None:
        """Stop every worker; with ``grace`` seconds, each idle one is asked to exit before it is killed."""
        with self.lock:
            workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop(grace)
