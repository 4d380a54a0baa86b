"""The publishing gate: SHACL and the quality checks, on the graph that will be published.

A release is published only when the shapes are satisfied (clusterlod.validate),
every quality check of ``queries/qc/`` returns no row and ``companies-add-up``
answers true. ``clusterlod build`` and ``clusterlod validate`` both call
:func:`judge`, so the two commands cannot disagree.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterlod.graph import Origin
from clusterlod.namespaces import DEFAULT_BASE, Namespaces
from clusterlod.validate import DEFAULT_ENGINE, Report, validate

QC_FOLDER = "qc"
ADD_UP = "companies-add-up"
#: Names of the gate's timings (the benchmark shows them beside the build's stages).
UNION_LOAD, QUALITY_LOAD, SHACL_TIME = "load the union for SHACL", "load the store for the checks", "validate"


@dataclass
class Gate:
    """What the gate needs: the quads to judge (data and ontology graphs), the shapes, and where each came from."""

    quads: list[ox.Quad]
    shapes: list[ox.Triple]
    origins: dict[str, Origin]
    ns: Namespaces
    queries: Path | None
    engine: str = DEFAULT_ENGINE
    fail_on: str = "violation"
    shapes_file: str = "shapes/"
    seconds: dict[str, float] = field(default_factory=dict)


def judge(gate: Gate) -> Report:
    """Validate, then run the quality checks; the report's ``conforms`` is the verdict."""
    report = shacl(gate, union_store(gate))
    report.problems = quality(gate, load(gate))
    report.seconds = dict(gate.seconds)
    return report


def triples_text(quads: list[ox.Quad]) -> bytes:
    """The quads' triples as N-Triples: the union of their graphs, which is what SHACL judges."""
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)


def union_store(gate: Gate) -> ox.Store:
    """The union of the graphs, in the default graph of a store of its own: pyshacl-turbo reads
    a store's named graphs as their union too, but ingests one graph about a third faster."""
    start = time.perf_counter()
    store = ox.Store()
    store.load(input=triples_text(gate.quads), format=ox.RdfFormat.N_TRIPLES)
    gate.seconds[UNION_LOAD] = time.perf_counter() - start
    return store


def load(gate: Gate) -> ox.Store:
    """The store the quality checks query, named graphs kept (a check may ask which graph holds a fact),
    parsed by oxigraph from N-Quads (several times faster than adding a million terms from Python)."""
    start = time.perf_counter()
    store = ox.Store()
    store.load(input=ox.serialize(gate.quads, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    gate.seconds[QUALITY_LOAD] = time.perf_counter() - start
    return store


def shacl(gate: Gate, store: ox.Store) -> Report:
    """The SHACL half, on the union of the store's graphs: the exact terms that are published."""
    start = time.perf_counter()
    report = validate(store, gate.shapes, gate.origins, gate.ns.prefixes(), gate.engine, gate.fail_on,
                      gate.shapes_file)
    gate.seconds[SHACL_TIME] = time.perf_counter() - start
    return report


def quality(gate: Gate, store: ox.Store) -> list[str]:
    """The quality-check half: every check of queries/qc/ and companies-add-up."""
    start = time.perf_counter()
    problems = quality_problems(store, gate.queries, gate.ns, gate.origins)
    gate.seconds["quality checks"] = time.perf_counter() - start
    return problems


def quality_problems(store: ox.Store, folder: Path | None, ns: Namespaces, origins: dict[str, Origin]) -> list[str]:
    """One line per failed check: the check's file, and the record of its first row."""
    from clusterlod import canned as queries

    folder = folder if folder is not None and folder.is_dir() else queries.default_folder()
    problems = []
    for canned in queries.discover(folder):
        if not (canned.is_qc or canned.name == ADD_UP):
            continue
        text = queries.prepare(canned).replace(DEFAULT_BASE, ns.base)
        result = queries.run_local(text, store, str(canned.path))
        name = _display(canned.path)
        if canned.form == "ASK":
            if not result.boolean:
                problems.append(f"{name}: quality check '{canned.name}' answered false ({canned.title_en})")
        elif result.rows:
            problems.append(f"{_where(result.rows[0], origins)}quality check '{canned.name}' returned "
                            f"{len(result.rows)} row(s) ({canned.title_en}); see {name}")
    return problems


def _display(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[parts.index("queries"):]) if "queries" in parts else str(path)


def _where(row: tuple, origins: dict[str, Origin]) -> str:
    """file:line: record 'x': of the first IRI in a row that came from the data, if any."""
    for term in row:
        origin = origins.get(getattr(term, "value", "")) if isinstance(term, ox.NamedNode) else None
        if origin:
            return f"{origin.path}:{origin.line}: record '{origin.record}': "
    values = ", ".join(str(t) for t in row if t is not None)
    return f"{values}: " if values else ""


class Background:
    """The gate's loading and SHACL in a second thread, fed while the graph is still being made.

    Each chunk of quads the graph builder hands to :meth:`feed` is loaded here,
    while the builder goes on, into two stores: the union of the graphs for
    SHACL and the named graphs for the quality checks. :meth:`judge` then hands
    over the shapes and the thread validates. pyshacl-turbo and oxigraph work
    outside the GIL, so on two cores the gate costs little wall time beyond the
    graph's own making. :meth:`close` lets the thread go when the build fails
    before handing over.
    """

    def __init__(self) -> None:
        self.union = ox.Store()
        self.checks = ox.Store()
        self.report: Report | None = None
        self.error: BaseException | None = None
        self._loaded = threading.Event()
        self._inbox: queue.SimpleQueue[tuple[bytes, bytes] | Gate | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def feed(self, quads: list[ox.Quad]) -> None:
        self._inbox.put((triples_text(quads), ox.serialize(quads, format=ox.RdfFormat.N_QUADS)))

    def judge(self, gate: Gate) -> None:
        """No more quads: validate what was fed against ``gate``'s shapes."""
        self._inbox.put(gate)

    def close(self) -> None:
        self._inbox.put(None)

    def _run(self) -> None:
        union_seconds = checks_seconds = 0.0
        try:
            while isinstance(item := self._inbox.get(), tuple):
                triples, quads = item
                start = time.perf_counter()
                self.union.load(input=triples, format=ox.RdfFormat.N_TRIPLES)
                middle = time.perf_counter()
                self.checks.load(input=quads, format=ox.RdfFormat.N_QUADS)
                union_seconds += middle - start
                checks_seconds += time.perf_counter() - middle
            if item is None:
                return
            item.seconds[UNION_LOAD], item.seconds[QUALITY_LOAD] = union_seconds, checks_seconds
            self._loaded.set()
            self.report = shacl(item, self.union)
        except BaseException as error:
            self.error = error
        finally:
            self._loaded.set()

    def checks_store(self) -> ox.Store:
        """The named graphs, once every chunk is loaded (SHACL may still be running)."""
        self._loaded.wait()
        if self.error is not None:
            raise self.error
        return self.checks

    def wait(self) -> Report:
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report
