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
from clusterlod.validate import DEFAULT_ENGINE, TURBO, Report, read_results, run_turbo, sort_results, store_of, validate

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
    seconds: dict[str, float] = field(default_factory=dict)


def judge(gate: Gate, quads_file: Path | None = None, triples_file: Path | None = None) -> Report:
    """Validate, then run the quality checks; the report's ``conforms`` is the verdict.

    With files (the N-Triples and N-Quads already written to the staging folder)
    the stores are loaded by oxigraph's parser, which is far faster than adding
    a million Python objects, and the graph judged is byte for byte the one published.
    """
    start = time.perf_counter()
    if gate.engine == TURBO and triples_file is not None:
        data = ox.Store()
        data.bulk_load(path=str(triples_file), format=ox.RdfFormat.N_TRIPLES)
        results = run_turbo(data, store_of(gate.shapes))
        del data
        report = Report(sort_results(read_results(results, gate.origins, gate.ns.prefixes())), TURBO, gate.fail_on)
    else:
        report = validate(gate.data, gate.shapes, gate.origins, gate.ns.prefixes(), gate.engine, gate.fail_on)
    gate.seconds["validate"] = time.perf_counter() - start
    start = time.perf_counter()
    store = ox.Store()
    if quads_file is not None:
        store.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
    else:
        store.bulk_extend(gate.quads or [])
    report.problems = quality_problems(store, gate.queries, gate.ns, gate.origins)
    gate.seconds["quality checks"] = time.perf_counter() - start
    report.seconds = dict(gate.seconds)
    return report


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
    """Run the gate in a thread while the build writes the other syntaxes.

    pyshacl-turbo and oxigraph's loaders work outside the GIL, so on two cores the
    validation costs little wall time on top of the writers.
    """

    def __init__(self, gate: Gate, quads_file: Path, triples_file: Path):
        self.report: Report | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(gate, quads_file, triples_file), daemon=True)
        self._thread.start()

    def _run(self, gate: Gate, quads_file: Path, triples_file: Path) -> None:
        try:
            self.report = judge(gate, quads_file, triples_file)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting build
            self.error = error

    def wait(self) -> Report:
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report
