"""Running the gate: SHACL and the quality checks, on the graph that will be published.

A release is published only when the shapes are satisfied (clusterlod.gate.shacl),
every quality check of ``queries/qc/`` returns no row and ``companies-add-up``
answers true. ``clusterlod build`` and ``clusterlod validate`` run the same two
halves, :func:`shacl` on the union of the graphs and :func:`quality` on the named
graphs, so the two commands cannot disagree: ``validate`` one after the other
(:func:`judge`), ``build`` with SHACL in a process of its own (:class:`Background`)
while it writes the release.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from clusterlod import graph
from clusterlod.gate.shacl import DEFAULT_ENGINE, Report, sort_results, validate
from clusterlod.graph import Origin
from clusterlod.namespaces import DEFAULT_BASE, Namespaces
from clusterlod.sources.project import quality_checks

QC_FOLDER = "qc"
ADD_UP = "companies-add-up"
#: Names of the gate's timings (the benchmark shows them beside the build's stages).
UNION_LOAD, QUALITY_LOAD = "load the union for SHACL", "load the store for the checks"
SHACL_TIME, QUALITY_TIME = "validate", "quality checks"


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
    checks_run: int = 0  # quality checks run, for the build's summary


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


def load(gate: Gate, quads_file: Path | None = None) -> ox.Store:
    """The store the quality checks query, named graphs kept (a check may ask which graph holds a fact):
    the N-Quads written to staging, or the quads in memory, parsed by oxigraph (several times faster
    than adding a million terms from Python, and outside the GIL)."""
    start = time.perf_counter()
    store = ox.Store()
    if quads_file is not None:
        store.load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
    else:
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
    gate.checks_run = len(checks_of(gate.queries)) if gate.queries is not None else 0
    gate.seconds[QUALITY_TIME] = time.perf_counter() - start
    return problems


def quality_problems(store: ox.Store, folder: Path | None, ns: Namespaces, origins: dict[str, Origin]) -> list[str]:
    """One line per failed check: the check's file, and the record of its first row."""
    from clusterlod.sparql import canned as queries

    if folder is None:
        raise ValueError("the gate needs the project's queries/ folder")
    # The project's checks, never the package's or the current directory's; none is a refusal.
    quality_checks(folder, str(folder / QC_FOLDER) + "/")
    problems = []
    for canned in checks_of(folder):
        text = queries.prepare(canned).replace(DEFAULT_BASE, ns.base)
        result = queries.run_local(text, store, str(canned.path))
        name = _display(canned.path)
        if canned.form == "ASK":
            if not result.boolean:
                summed = _summed(store, ns, origins) if canned.name == ADD_UP else ""
                problems.append(f"{name}: quality check '{canned.name}' answered false ({canned.title_en}){summed}")
        elif result.rows:
            problems.append(f"{_where(result.rows[0], origins)}quality check '{canned.name}' returned "
                            f"{len(result.rows)} row(s) ({canned.title_en}); see {name}")
    return problems


def checks_of(folder: Path) -> list:
    """The gate's checks among the queries of ``folder``: every qc/ query and companies-add-up."""
    from clusterlod.sparql import canned as queries

    return [canned for canned in queries.discover(folder) if canned.is_qc or canned.name == ADD_UP]


#: What companies-add-up summed, to name in its failure: each programme stating its figures, and its projects.
SUMMED = """PREFIX clo: <https://w3id.org/clusterlod/ontology/>
SELECT ?program ?project WHERE {
  ?program a clo:Program ; clo:companyCount ?stated ; clo:projectCount ?projects .
  OPTIONAL { ?project a clo:Cluster ; clo:clusterOf ?program ; clo:companyCount ?figure }
} ORDER BY ?program ?project"""


def _summed(store: ox.Store, ns: Namespaces, origins: dict[str, Origin]) -> str:
    """'; it summed, for record 'p' (file:line), N project(s): a, b, … (file)': the records behind the verdict."""
    projects: dict[str, list[str]] = {}
    for row in store.query(SUMMED.replace(DEFAULT_BASE, ns.base), use_default_graph_as_union=True):
        found = projects.setdefault(row["program"].value, [])
        if row["project"] is not None:
            found.append(row["project"].value)
    parts = []
    for program, members in projects.items():
        origin = origins.get(program)
        named = f"record '{origin.record}' ({origin.path}:{origin.line})" if origin else program
        files = sorted({origins[m].path for m in members if m in origins})
        ids = ", ".join(origins[m].record if m in origins else m for m in members) or "none"
        parts.append(f"for {named}, {len(members)} project(s): {ids}" + (f" ({', '.join(files)})" if files else ""))
    return f"; it summed, {'; '.join(parts)}" if parts else "; no programme states a company and a project count"


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


@dataclass(frozen=True)
class GateSpec:
    """What the gate's process needs besides the quads, in picklable form (the shapes as N-Triples)."""

    shapes: bytes
    base: str
    engine: str
    fail_on: str
    shapes_file: str

    @classmethod
    def of(cls, gate: Gate) -> GateSpec:
        return cls(ox.serialize(gate.shapes, format=ox.RdfFormat.N_TRIPLES), gate.ns.base,
                   gate.engine, gate.fail_on, gate.shapes_file)

    def gate(self) -> Gate:
        """A gate with no quads (they came in chunks), no origins (the parent adds them to the results)
        and no quality checks (the parent runs them)."""
        shapes = [q.triple for q in ox.parse(self.shapes, format=ox.RdfFormat.N_TRIPLES)]
        return Gate([], shapes, {}, Namespaces(self.base), None, self.engine, self.fail_on, self.shapes_file)


class Background:
    """The gate in a process of its own, fed while the graph is still being made.

    Each chunk of quads the graph builder hands to :meth:`feed` is loaded there,
    as N-Triples, into the union of the graphs while the builder goes on;
    :meth:`judge` hands over the shapes, and the process validates while this one
    writes the syntaxes (and runs the quality checks, see :class:`Loading`).
    A process, not a thread: measured at 1M triples, Python's work here ran about
    half as fast again beside pyshacl-turbo in the same process (the two contend
    for the process's memory map as they allocate), and at full speed beside it
    in another. :meth:`close` ends the process when the build stops early.

    Data smaller than one chunk (``graph.SINK_CHUNK`` quads, as this project's own) is judged in a
    thread of this process instead: there an interpreter that imports the SHACL engine costs more than the
    validation itself, and a build that ends before its graph is made starts nothing.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._gate: Gate | None = None
        self._pending: list[bytes] = []  # what was fed, until it reaches a chunk's size and the data is large
        self._pending_quads = 0
        self._thread: threading.Thread | None = None
        self._verdict: Report | BaseException | None = None

    def _start(self) -> Connection:
        """The process, started on the first chunk: a build that stops before its graph is made (most bad
        input does) never pays for an interpreter that imports the SHACL engine."""
        if self._conn is not None:
            return self._conn
        # A fresh interpreter, not multiprocessing's spawn: that re-imports the caller's main module, so a
        # script calling build() without an ``if __name__ == "__main__"`` guard would fail.
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root,
                                                                         os.environ.get("PYTHONPATH")]))}
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from clusterlod.gate.run import serve; serve(int(sys.argv[1]))",
                 str(theirs.fileno())], pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        self._conn = Connection(ours.detach())
        return self._conn

    def feed(self, quads: list[ox.Quad]) -> None:
        text = triples_text(quads)
        if self._conn is None and self._pending_quads + len(quads) < graph.SINK_CHUNK:
            self._pending.append(text)  # perhaps all there is: judged here then (see the class docstring)
            self._pending_quads += len(quads)
            return
        conn = self._start()
        for chunk in [*self._pending, text]:
            conn.send(("chunk", chunk))
        self._pending.clear()

    def judge(self, gate: Gate) -> None:
        """No more quads: validate what was fed against ``gate``'s shapes."""
        self._gate = gate
        if self._conn is None:
            self._thread = threading.Thread(target=self._judge_here, args=(gate,), daemon=True)
            self._thread.start()
            return
        self._conn.send(("judge", GateSpec.of(gate)))

    def _judge_here(self, gate: Gate) -> None:
        try:
            start = time.perf_counter()
            union = ox.Store()
            for chunk in self._pending:
                union.load(input=chunk, format=ox.RdfFormat.N_TRIPLES)
            gate.seconds[UNION_LOAD] = time.perf_counter() - start
            self._verdict = shacl(gate, union)
        except BaseException as error:
            self._verdict = error

    def wait(self) -> Report:
        """The verdict, with the data's file, line and record put back on every result."""
        gate = self._gate
        assert gate is not None
        if self._thread is not None:
            self._thread.join()
            if isinstance(self._verdict, BaseException):
                raise self._verdict
            assert self._verdict is not None
            return self._verdict
        assert self._conn is not None and self._process is not None
        try:
            message = self._conn.recv()
        except EOFError:
            raise RuntimeError(f"the gate's process ended without a verdict (exit code {self._process.wait()})") \
                from None
        self._process.wait()
        if message[0] == "error":
            raise message[1]
        _, violations, seconds = message
        gate.seconds.update(seconds)
        located = [replace(v, origin=gate.origins.get(v.focus)) for v in violations]
        return Report(sort_results(located), gate.engine, gate.fail_on)

    def close(self) -> None:
        """End the process: one still waiting for quads leaves on "close"; one already validating (the build
        failed elsewhere), or that does not leave within seconds, is terminated, by its own PID."""
        if self._thread is not None:
            self._thread.join()  # small data: the validation ends by itself, in moments
        if self._process is None or self._conn is None:
            return  # never started: nothing or one chunk was fed
        if self._process.poll() is None and self._gate is None:
            with contextlib.suppress(OSError):
                self._conn.send(("close",))
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait()
        self._conn.close()


def serve(fd: int) -> None:
    """The gate's process (see Background), talking over the socket ``fd``: load the chunks as they come,
    then validate and send back the results."""
    conn = Connection(fd)
    union = ox.Store()
    loading = 0.0
    try:
        while (message := conn.recv())[0] == "chunk":
            start = time.perf_counter()
            union.load(input=message[1], format=ox.RdfFormat.N_TRIPLES)
            loading += time.perf_counter() - start
        if message[0] != "judge":
            return
        gate = message[1].gate()
        gate.seconds[UNION_LOAD] = loading
        report = shacl(gate, union)
        conn.send(("done", report.violations, gate.seconds))
    except EOFError:
        return  # the build is gone
    except BaseException as error:
        conn.send(("error", _portable(error)))


class Loading:
    """The written N-Quads, named graphs and all, loaded into a store in a thread for the quality checks
    (oxigraph parses outside the GIL, while the build writes the other syntaxes)."""

    def __init__(self, gate: Gate, quads_file: Path):
        self._store: ox.Store | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(gate, quads_file), daemon=True)
        self._thread.start()

    def _run(self, gate: Gate, quads_file: Path) -> None:
        try:
            self._store = load(gate, quads_file)
        except BaseException as error:
            self._error = error

    def store(self) -> ox.Store:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        return self._store


def _portable(error: BaseException) -> BaseException:
    """The error itself if it survives pickling, else a RuntimeError with its first line."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
