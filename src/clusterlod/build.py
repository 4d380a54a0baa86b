"""The pipeline: sources -> graph -> validate -> publish, all or nothing."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox
import rdflib

from clusterlod import catalog, publish
from clusterlod.errors import ValidationFailed
from clusterlod.graph import DOCUMENT_GRAPH, BuiltGraph, GraphBuilder
from clusterlod.linksets import write_linksets
from clusterlod.namespaces import Namespaces
from clusterlod.project import IDENTIFIERS_FILE, Sources, parse_turtle, read_sources, relative
from clusterlod.rdfio import canonical_blank_nodes, in_graph, rebase_triples, sorted_quads, to_rdflib, union_triples
from clusterlod.validate import Report, report_triples, validate

ONTOLOGY_GRAPH = "ontology"
Progress = Callable[[str], None]


@dataclass
class Publication:
    """Everything a build makes, in memory, before anything is written."""

    ns: Namespaces
    sources: Sources
    built: BuiltGraph
    ontology: list[ox.Triple]
    shapes_triples: list[ox.Triple]
    quads: list[ox.Quad] = field(default_factory=list)
    _shapes: rdflib.Graph | None = None

    @property
    def shapes(self) -> rdflib.Graph:
        """The shapes as an rdflib graph (both engines read shapes with rdflib; they are small)."""
        if self._shapes is None:
            self._shapes = to_rdflib(self.shapes_triples)
        return self._shapes

    @property
    def data_triples(self) -> list[ox.Triple]:
        return [q.triple for q in self.built.quads]


def assemble(root: Path, base: str | None = None) -> Publication:
    """Read the sources and make the graph; raises DataError on bad input."""
    return make_publication(read_sources(root), Namespaces(base) if base else Namespaces())


def make_publication(sources: Sources, ns: Namespaces) -> Publication:
    """The graph of the sources: ontology, shapes and the records' quads."""
    root = sources.root
    ontology: list[ox.Triple] = []
    for path in sources.ontology_files:
        ontology += rebase_triples(parse_turtle(path, root), ns)
    shapes_triples: list[ox.Triple] = []
    for path in sources.shapes_files:
        shapes_triples += rebase_triples(parse_turtle(path, root), ns)
    builder = GraphBuilder(ns, sources.source, sources.identifiers, f"data/{IDENTIFIERS_FILE}")
    built = builder.build(sources.records)
    publication = Publication(ns, sources, built, ontology, shapes_triples)
    publication.quads = built.quads + in_graph(ontology, ns.graph(ONTOLOGY_GRAPH))
    return publication


def check(publication: Publication, engine: str = "fast") -> Report:
    """SHACL-validate the instance data together with the ontology (for subclass reasoning)."""
    return validate(publication.data_triples + publication.ontology, publication.shapes,
                    publication.built.origins, publication.ns.prefixes(), engine)


def graph_infos(publication: Publication) -> list[catalog.GraphInfo]:
    ns, counts = publication.ns, {}
    for q in publication.quads:
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    labels = {r.id: r.get("label").data for r in publication.sources.records if r.type == "EditorialBasis"}
    infos = []
    for iri in sorted(counts):
        name = iri[len(ns.graph("")):]
        if name == ONTOLOGY_GRAPH:
            infos.append(catalog.GraphInfo(iri, "オントロジー", "Ontology", counts[iri]))
        elif name == DOCUMENT_GRAPH:
            infos.append(catalog.GraphInfo(iri, "文書が述べる事実と出典", "Facts stated by the document, with their quotes", counts[iri]))
        else:
            basis = name.split("/", 1)[1]
            label = labels.get(basis, {"ja": basis, "en": basis})
            infos.append(catalog.GraphInfo(iri, f"編集上の追加：{label['ja']}", f"Editorial additions: {label['en']}",
                                           counts[iri], ns.resource("basis", basis)))
    return infos


def write_release(publication: Publication, report: Report, out: Path) -> None:
    """Write every file of the release into ``out`` (a fresh, empty folder)."""
    ns, sources = publication.ns, publication.sources
    prefixes = ns.prefixes()
    quads = sorted_quads(publication.quads)
    union = union_triples(quads)
    publish.write_dataset(out, quads, union, prefixes)
    linksets = write_linksets(out, quads, ns)
    publish.write_graph(out / "ontology.ttl", publication.ontology, prefixes)
    publish.write_graph(out / "shapes.ttl", canonical_blank_nodes(publication.shapes_triples), prefixes)
    publish.write_graph(out / "validation-report.ttl", report_triples(report, ns.base + "validation-report"), prefixes)
    publish.copy_file(sources.source.path, out / "source" / Path(sources.source_name).name)
    publish.copy_file(sources.root / "data" / IDENTIFIERS_FILE, out / IDENTIFIERS_FILE)
    document = next(r for r in sources.records if r.type == "Document")
    examples = [ns.resource("cluster", r.id) for r in sources.records if r.type == "Cluster"][:1]
    description = catalog.describe(ns, sources.dataset, out, graph_infos(publication), union,
                                   ns.resource("document", document.id), examples, linksets)
    publish.write_graph(out / catalog.CATALOG_FILE, description, prefixes)


def build(root: Path, out: Path, base: str | None = None, progress: Progress | None = None,
          engine: str = "fast") -> Report:
    """Build, validate and publish; nothing is written unless all of it succeeds."""
    say = progress or (lambda message: None)
    say("reading sources and making the graph")
    with no_cyclic_gc():
        return _build(root, out, base, say, engine)


def _build(root: Path, out: Path, base: str | None, say: Progress, engine: str) -> Report:
    from clusterlod.atomic import replace_directory

    publication = assemble(root, base)
    say(f"validating {len(publication.quads)} quads")
    report = check(publication, engine)
    if not report.conforms:
        raise ValidationFailed(report.text())
    say(f"writing {relative(out, root)}")
    with replace_directory(out) as staging:
        write_release(publication, report, staging)
    return report


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a build makes millions of objects and no cycles,
    and at 1M triples the collector's full passes cost more than the build itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
