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
from typing import Any, Callable

import pyoxigraph as ox

from clusterlod.graph import Origin
from clusterlod.namespaces import DEFAULT_BASE, Namespaces
from clusterlod.validate import DEFAULT_ENGINE, Report, validate

QC_FOLDER = "qc"
ADD_UP = "companies-add-up"


@dataclass
class Gate:
    """What the gate needs: the triples to validate, the quads the checks query, and where they came from."""

    data: list[ox.Triple]
    shapes: list[ox.Triple]
    quads: list[ox.Quad] | None
    origins: dict[str, Origin]
    ns: Namespaces
    queries: Path | None
    engine: str = DEFAULT_ENGINE
    fail_on: str = "violation"
    shapes_file: str = "shapes/"
    seconds: dict[str, float] = field(default_factory=dict)


def judge(gate: Gate) -> Report:
    """Validate, then run the quality checks; the report's ``conforms`` is the verdict."""
    report = shacl(gate)
    report.problems = quality(gate)
    report.seconds = dict(gate.seconds)
    return report


def shacl(gate: Gate) -> Report:
    """The SHACL half of the gate, on the exact terms that are published."""
    start = time.perf_counter()
    report = validate(gate.data, gate.shapes, gate.origins, gate.ns.prefixes(), gate.engine, gate.fail_on,
                      gate.shapes_file)
    gate.seconds["validate"] = time.perf_counter() - start
    return report


def quality(gate: Gate, quads_file: Path | None = None) -> list[str]:
    """The quality-check half: on the N-Quads written to the staging folder, or on the quads in memory."""
    start = time.perf_counter()
    store = ox.Store()
    if quads_file is not None:
        store.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
    else:
        store.bulk_load(input=ox.serialize(gate.quads or [], format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    problems = quality_problems(store, gate.queries, gate.ns, gate.origins)
    gate.seconds["quality checks"] = time.perf_counter() - start
    return problems


def quality_problems(store: ox.Store, folder: Path | None, ns: Namespaces, origins: dict[str, Origin]) -> list[str]:
    """One line per failed check: the check's file, and the record of its first row."""
    from clusterlod import queries

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
    """Run part of the gate in a thread while the build writes the syntaxes.

    pyshacl-turbo and oxigraph's loaders and queries work outside the GIL, so
    on two cores the gate costs little wall time on top of the writers.
    """

    def __init__(self, work: Callable[[], Any]):
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self.result = work()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting build
            self.error = error

    def wait(self) -> Any:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.result
