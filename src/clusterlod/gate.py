"""The publishing gate: SHACL and the quality checks, on the graph that will be published.

A release is published only when the shapes are satisfied (clusterlod.validate),
every quality check of ``queries/qc/`` returns no row and ``companies-add-up``
answers true. ``clusterlod build`` and ``clusterlod validate`` both call
:func:`judge`, so the two commands cannot disagree.
"""

from __future__ import annotations

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
    store = load(gate)
    report = shacl(gate, store)
    report.problems = quality(gate, store)
    report.seconds = dict(gate.seconds)
    return report


def load(gate: Gate, quads_file: Path | None = None) -> ox.Store:
    """One store for both halves: the N-Quads written to staging, or the quads in memory, parsed by oxigraph
    (several times faster than adding a million terms from Python, and outside the GIL)."""
    start = time.perf_counter()
    store = ox.Store()
    if quads_file is not None:
        store.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
    else:
        store.bulk_load(input=ox.serialize(gate.quads, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    gate.seconds["load the store"] = time.perf_counter() - start
    return store


def shacl(gate: Gate, store: ox.Store) -> Report:
    """The SHACL half, on the union of the store's graphs: the exact terms that are published."""
    start = time.perf_counter()
    report = validate(store, gate.shapes, gate.origins, gate.ns.prefixes(), gate.engine, gate.fail_on,
                      gate.shapes_file)
    gate.seconds["validate"] = time.perf_counter() - start
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
    """SHACL in a second thread while the build writes the other syntaxes.

    Loads the quads (or a written N-Quads file) into a store (``loaded`` is set
    then, so the quality checks can query the same store meanwhile) and validates it.
    pyshacl-turbo and oxigraph work outside the GIL, so on two cores the
    validation costs little wall time on top of the writers.
    """

    def __init__(self, gate: Gate, quads_file: Path | None = None):
        self.store: ox.Store | None = None
        self.report: Report | None = None
        self.error: BaseException | None = None
        self.loaded = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(gate, quads_file), daemon=True)
        self._thread.start()

    def _run(self, gate: Gate, quads_file: Path | None) -> None:
        try:
            self.store = load(gate, quads_file)
            self.loaded.set()
            self.report = shacl(gate, self.store)
        except BaseException as error:
            self.error = error
        finally:
            self.loaded.set()

    def loaded_store(self) -> ox.Store:
        self.loaded.wait()
        if self.store is None:
            self.wait()  # raises the loader's error
        assert self.store is not None
        return self.store

    def wait(self) -> Report:
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report
