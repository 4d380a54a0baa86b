"""The timed stages, run inside a child process: clusterlod's build and the plain rdflib/pySHACL way.

clusterlod's side is ``build.STAGES`` itself (the list ``clusterlod build``
runs), timed stage by stage, then the canned queries on an embedded store; the
plain way is what this harness owns: an rdflib graph, pySHACL, rdflib's
serializers and SPARQL engine. Plain-way stages that would run for hours stop
at a budget and are reported as "more than the budget", so a speed-up is a
lower bound, never an overstatement.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterlod import formats


class OverBudget(Exception):
    pass


class Stopwatch:
    """Times named stages; a stage over ``budget`` seconds is stopped and recorded as such."""

    def __init__(self, budget: float | None = None, tolerant: bool = True):
        self.budget = budget
        self.tolerant = tolerant  # the plain way's failures are reported; clusterlod's are raised
        self.stages: dict[str, dict[str, Any]] = {}

    def run(self, name: str, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``action(*args, **kwargs)``, timed as ``name``: the arguments are passed apart, not closed over."""

        def stop(signum: int, frame: Any) -> None:
            raise OverBudget()

        if self.budget:
            signal.signal(signal.SIGALRM, stop)
            signal.setitimer(signal.ITIMER_REAL, self.budget)
        start = time.perf_counter()
        try:
            result = action(*args, **kwargs)
            self.stages[name] = {"seconds": time.perf_counter() - start}
            return result
        except OverBudget:
            self.stages[name] = {"seconds": None, "over": self.budget}
            return None
        except Exception as error:
            if not self.tolerant:
                raise
            self.stages[name] = {"seconds": None, "error": f"{type(error).__name__}: {str(error)[:200]}"}
            return None
        finally:
            if self.budget:
                signal.setitimer(signal.ITIMER_REAL, 0)


def clusterlod_stages(root: Path, out: Path) -> dict[str, Any]:
    """``clusterlod build`` stage by stage (build.STAGES, the same list), then every canned query."""
    from clusterlod.build import build
    from clusterlod.sparql import canned as queries

    watch = Stopwatch(tolerant=False)
    report = build(root, out, timer=watch.run)
    for name, seconds in report.seconds.items():
        # Parts of the gate timed beside the stages (its process, its loading thread): shown, not added.
        # (The quality checks run in the build's own thread: they are a stage already.)
        if name not in watch.stages:
            watch.stages[name] = {"seconds": seconds, "background": True}
    store = ox.Store()
    watch.run("load embedded store", store.bulk_load, path=str(out / formats.DATASET_FILE), format=ox.RdfFormat.N_QUADS)
    query_ms = {}
    for canned in queries.discover(root / "queries"):
        text = queries.prepare(canned)
        queries.run_local(text, store, canned.name)  # warm the store's caches once
        start = time.perf_counter()
        queries.run_local(text, store, canned.name)
        query_ms[canned.name] = (time.perf_counter() - start) * 1000
    watch.stages["run every canned query"] = {"seconds": sum(query_ms.values()) / 1000}
    triples = sum(1 for _ in ox.parse(path=str(out / "clusterlod.nt"), format=ox.RdfFormat.N_TRIPLES))
    return {"triples": triples, "stages": watch.stages, "queries_ms": query_ms}


def plain_stages(root: Path, budget: float) -> dict[str, Any]:
    """The plain way: rdflib graph, pySHACL, rdflib serializers, rdflib's SPARQL engine."""
    import rdflib
    from pyshacl import validate as pyshacl_validate

    from clusterlod.graph import GraphBuilder
    from clusterlod.namespaces import Namespaces
    from clusterlod.sources.project import IDENTIFIERS_FILE, parse_turtle, read_sources
    from clusterlod.sparql import canned as queries

    watch = Stopwatch(budget)
    sources = watch.run("read records", lambda: read_sources(root))
    ns = Namespaces()

    def make() -> rdflib.Dataset:
        built = GraphBuilder(ns, sources.source, sources.identifiers, IDENTIFIERS_FILE).build(sources.records)
        dataset = rdflib.Dataset(default_union=True)
        for q in built.quads:
            dataset.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object),
                         rdflib.URIRef(q.graph_name.value)))
        ontology = dataset.graph(rdflib.URIRef(ns.graph("ontology")))
        for path in sources.ontology_files:
            ontology.parse(path, format="turtle")
        return dataset

    dataset = watch.run("make the graph", make)
    if dataset is None:
        return {"stages": watch.stages}
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    shapes = rdflib.Graph()
    for path in sources.shapes_files:
        for t in parse_turtle(path, root):
            shapes.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
    watch.run("validate", lambda: pyshacl_validate(union, shacl_graph=shapes, inference="none", advanced=True))
    out = Path(tempfile.mkdtemp(prefix="plain-"))
    try:
        for extension, fmt, graph in (("ttl", "turtle", union), ("jsonld", "json-ld", union), ("nt", "nt", union),
                                      ("rdf", "xml", union), ("trig", "trig", dataset), ("nq", "nquads", dataset)):
            watch.run(f"write {extension}", graph.serialize, destination=str(out / f"plain.{extension}"), format=fmt)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    query_ms: dict[str, float | None] = {canned.name: None for canned in queries.discover(root / "queries")}

    def run_queries() -> None:
        # One budget for the whole stage: at 1M triples rdflib takes minutes per query.
        for canned in queries.discover(root / "queries"):
            start = time.perf_counter()
            try:
                list(dataset.query(queries.prepare(canned)))
            except OverBudget:
                raise
            except Exception:
                continue
            query_ms[canned.name] = (time.perf_counter() - start) * 1000

    watch.run("run every canned query", run_queries)
    failed = sorted(name for name, v in query_ms.items() if v is None)
    stage = watch.stages["run every canned query"]
    if stage.get("seconds") is not None:
        # Queries rdflib cannot run are left out of its time (so the plain way looks faster, not slower).
        stage["seconds"] = sum(v for v in query_ms.values() if v is not None) / 1000
        stage["failed"] = failed
    return {"stages": watch.stages, "queries_ms": query_ms}


def _rdflib(term: Any) -> Any:
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def main(argv: list[str]) -> None:
    """Child-process entry points: `clusterlod ROOT OUT` and `plain ROOT BUDGET` print JSON."""
    kind = argv[0]
    if kind == "clusterlod":
        result = clusterlod_stages(Path(argv[1]), Path(argv[2]))
    elif kind == "plain":
        result = plain_stages(Path(argv[1]), float(argv[2]))
    else:
        raise SystemExit(f"unknown benchmark child {kind!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
