"""The pipeline: sources -> graph -> publish and gate -> swap, all or nothing.

``STAGES`` is the build, as a named list: ``clusterlod build`` runs it and the
benchmark times it, so there is one pipeline. Every syntax is written into a
staging folder while the gate (SHACL and the quality checks, clusterlod.gate)
judges the same quads, SHACL in a second thread; the staging folder replaces
dist/ only when the gate passes.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterlod import __version__, formats
from clusterlod.errors import ClusterlodError, DataError, ValidationFailed
from clusterlod.fidelity.printed import check_printed
from clusterlod.gate.run import Background, Gate, Loading, judge, quality
from clusterlod.gate.shacl import DEFAULT_ENGINE, Report, report_triples
from clusterlod.graph import DOCUMENT_GRAPH, BuiltGraph, GraphBuilder
from clusterlod.namespaces import DEFAULT_BASE, Namespaces
from clusterlod.release import catalog, jsonld, publish, readme
from clusterlod.release.about import RELEASE_GRAPH, ontology_version, release_triples
from clusterlod.release.archive import ARCHIVE_DIR, archived, copy_archive, extract, previous_of
from clusterlod.release.diff import Release, diff, read_release
from clusterlod.release.imi import view_quads, view_source
from clusterlod.release.licence import credit_lines, source_credit, write_licence
from clusterlod.release.linksets import write_linksets
from clusterlod.release.notes import Previous
from clusterlod.release.rdfio import (
    canonical_blank_nodes,
    in_graph,
    rebase_term,
    rebase_triples,
    sorted_quads,
    union_triples,
)
from clusterlod.release.tables import write_tables
from clusterlod.sources.figures import check_figures
from clusterlod.sources.project import IDENTIFIERS_FILE, Sources, parse_turtle, read_sources, relative

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
    view: list[ox.Quad] = field(default_factory=list)  # the IMI view (clusterlod.release.imi)

    @property
    def data_triples(self) -> list[ox.Triple]:
        return [q.triple for q in self.built.quads]


def assemble(root: Path, base: str | None = None) -> Publication:
    """Read the sources and make the graph; raises DataError on bad input."""
    return make_publication(read_sources(root), Namespaces(base) if base else Namespaces())


def make_publication(sources: Sources, ns: Namespaces, sink: Callable[[list[ox.Quad]], None] | None = None
                     ) -> Publication:
    """The graph of the sources: ontology, shapes and the records' quads.

    ``sink`` gets every quad of the publication, in chunks, while they are made (see GraphBuilder.build).
    """
    root = sources.root
    ontology: list[ox.Triple] = []
    for path in sources.ontology_files:
        ontology += rebase_triples(parse_turtle(path, root), ns)
    ontology += ontology_version(ontology, ns, sources.dataset)
    shapes_triples: list[ox.Triple] = []
    for path in sources.shapes_files:
        shapes_triples += rebase_triples(parse_turtle(path, root), ns)
    builder = GraphBuilder(ns, sources.source, sources.identifiers, f"data/{IDENTIFIERS_FILE}")
    built = builder.build(sources.records, sink)
    check_figures(sources.records)  # after the builder has found every quote and value well-formed
    # Stated means printed: graph/document's words are on the page (clusterlod.fidelity.printed).
    check_printed(built.quads, ns.graph(DOCUMENT_GRAPH), sources.source.text, f"data/{sources.source_name}",
                  built.origins, builder.records, ns.prefixes())
    # The IMI view, made from the stated and editorial graphs by the crosswalk, into graphs of its own.
    view = view_quads(built.quads, ontology, ns)
    publication = Publication(ns, sources, built, ontology, shapes_triples, view=view)
    own = own_quads(ontology, ns, sources.dataset, credit_of(sources))
    if sink is not None:
        sink(view + own)
    publication.quads = built.quads + view + own
    return publication


def own_quads(ontology: list[ox.Triple], ns: Namespaces, meta: dict[str, Any], credit: dict[str, str]
              ) -> list[ox.Quad]:
    """The publication's quads that no record makes: the ontology's graph and the release graph."""
    return (in_graph(ontology, ns.graph(ONTOLOGY_GRAPH))
            + in_graph(release_triples(ns, meta, credit), ns.graph(RELEASE_GRAPH)))


def credit_of(sources: Sources) -> dict[str, str]:
    """The release's credit line (出典・加工) in Japanese and English, for the README, the pages and the tables."""
    return credit_lines(source_credit(sources.records, sources.dataset))


def gate_of(publication: Publication, engine: str = DEFAULT_ENGINE, fail_on: str = "violation") -> Gate:
    """The gate's input: the instance data with the ontology (for rdfs:subClassOf), shapes, quads."""
    ns = publication.ns
    quads = publication.built.quads + publication.view + own_quads(
        publication.ontology, ns, publication.sources.dataset, credit_of(publication.sources))
    root = publication.sources.root
    shapes_file = ", ".join(relative(p, root) for p in publication.sources.shapes_files) or "shapes/"
    return Gate(quads, publication.shapes_triples, publication.built.origins, ns, root / "queries", engine,
                fail_on, shapes_file)


def check(publication: Publication, engine: str = DEFAULT_ENGINE, fail_on: str = "violation") -> Report:
    """The publishing gate without writing anything (``clusterlod validate``): SHACL, then the quality checks."""
    return judge(gate_of(publication, engine, fail_on))


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
        elif name == RELEASE_GRAPH:
            infos.append(catalog.GraphInfo(iri, "この公開物について（版、ライセンス、権利）",
                                           "About this release: version, licence and rights", counts[iri]))
        elif name == DOCUMENT_GRAPH:
            infos.append(catalog.GraphInfo(iri, "文書が述べる事実と出典",
                                           "Facts stated by the document, with their quotes", counts[iri]))
        elif view_source(name) is not None:
            infos.append(imi_graph_info(iri, view_source(name) or "", counts[iri], labels, ns))
        else:
            basis = name.split("/", 1)[1]
            label = labels.get(basis, {"ja": basis, "en": basis})
            infos.append(catalog.GraphInfo(iri, f"編集上の追加：{label['ja']}", f"Editorial additions: {label['en']}",
                                           counts[iri], ns.resource("basis", basis)))
    return infos


def imi_graph_info(iri: str, source: str, triples: int, labels: dict[str, Any], ns: Namespaces
                   ) -> catalog.GraphInfo:
    """A graph of the IMI view: what it restates, derived from its source graph, under the same basis."""
    if source == DOCUMENT_GRAPH:
        return catalog.GraphInfo(iri, "共通語彙基盤（IMI）による表現：文書が述べる事実",
                                 "In the IMI core vocabulary: facts stated by the document", triples,
                                 derived_from=ns.graph(source))
    basis = source.split("/", 1)[1]
    label = labels.get(basis, {"ja": basis, "en": basis})
    return catalog.GraphInfo(iri, f"共通語彙基盤（IMI）による表現：編集上の追加：{label['ja']}",
                             f"In the IMI core vocabulary: editorial additions: {label['en']}", triples,
                             ns.resource("basis", basis), derived_from=ns.graph(source))


@dataclass
class Run:
    """One build in progress: what each stage reads and leaves for the next."""

    root: Path
    staging: Path
    base: str | None = None
    engine: str = DEFAULT_ENGINE
    fail_on: str = "violation"
    sources: Sources | None = None
    publication: Publication | None = None
    quads: list[ox.Quad] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    used: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    gate: Gate | None = None
    background: Background | None = None
    checks_store: Loading | None = None
    problems: list[str] = field(default_factory=list)
    report: Report | None = None
    linksets: Any = None
    previous_release: Path | None = None
    previous: Previous | None = None

    @property
    def pub(self) -> Publication:
        assert self.publication is not None
        return self.publication


def _read(run: Run) -> None:
    run.sources = read_sources(run.root)


def _make(run: Run) -> None:
    """The graph; the gate's process loads its quads as they come (see clusterlod.gate.run.Background)."""
    assert run.sources is not None
    run.background = Background()
    run.publication = make_publication(run.sources, Namespaces(run.base) if run.base else Namespaces(),
                                       run.background.feed)


def _sort(run: Run) -> None:
    run.quads = sorted_quads(run.pub.quads)
    run.triples = union_triples(run.quads)
    run.used = publish.used_prefixes(run.quads, run.pub.ns.prefixes())


def _dataset_path(run: Run, syntax: formats.Syntax) -> Path:
    return run.staging / f"{formats.DATASET_STEM}.{syntax.extension}"


def _writer(syntax: formats.Syntax) -> Callable[[Run], None]:
    def write(run: Run) -> None:
        path = _dataset_path(run, syntax)
        if syntax is formats.JSON_LD:
            run.context = jsonld.make_context(run.triples, run.used)
            (run.staging / "context.jsonld").write_bytes(jsonld.dumps({"@context": run.context}))
            path.write_bytes(jsonld.dumps(jsonld.document(run.triples, run.context)))
        else:
            publish.write_rdf(path, run.quads if syntax.quads else run.triples, syntax, run.used)
    return write


def _start_gate(run: Run) -> None:
    """Hand the shapes to the gate's process, which has loaded the graph's quads (the very terms
    that will be written) while they were made; it validates them from here to "wait"."""
    assert run.background is not None
    run.gate = gate_of(run.pub, run.engine, run.fail_on)
    run.background.judge(run.gate)


def _extras(run: Run) -> None:
    """Link sets, the ontology, the shapes, and copies of the source text and the identifier list."""
    publication, out = run.pub, run.staging
    ns, sources, prefixes = publication.ns, publication.sources, publication.ns.prefixes()
    run.linksets = write_linksets(out, run.quads, ns)
    publish.write_graph(out / "ontology.ttl", publication.ontology, prefixes)
    publish.write_graph(out / "shapes.ttl", canonical_blank_nodes(publication.shapes_triples), prefixes)
    publish.copy_file(sources.source.path, out / "source" / Path(sources.source_name).name)
    publish.copy_file(sources.root / "data" / IDENTIFIERS_FILE, out / IDENTIFIERS_FILE)


def _archive(run: Run) -> None:
    """The archived past releases, copied last into dist/releases/ for serve and site (not distributions)."""
    copy_archive(run.root / ARCHIVE_DIR, run.staging)


def _describe(run: Run) -> None:
    """The DCAT/VoID catalog, last: it lists every file with its checksum, the validation report too."""
    publication, out = run.pub, run.staging
    ns, sources, prefixes = publication.ns, publication.sources, publication.ns.prefixes()
    linksets = run.linksets
    document = next(r for r in sources.records if r.type == "Document")
    examples = [ns.resource("cluster", r.id) for r in sources.records if r.type == "Cluster"][:1]
    description = catalog.describe(ns, sources.dataset, out, graph_infos(publication), run.triples,
                                   ns.resource("document", document.id), examples, linksets, run.previous,
                                   software=__version__, credit=credit_of(sources))
    publish.write_graph(out / catalog.CATALOG_FILE, description, prefixes)


def _changes(run: Run) -> None:
    """What changed since the previous release, for the catalogue's version notes and the README.

    The previous release is ``--previous`` when given, else the newest version archived in releases/
    below this build's (release.archive): so every build of a new version links the one before it.
    A version already archived must be this very data: a change needs a new version in dataset.yaml.
    """
    version = run.pub.sources.dataset["version"]
    releases = run.root / ARCHIVE_DIR
    this = Release("this build", version, run.quads)
    same = next((a for a in archived(releases) if a.version == version), None)
    if same is not None and run.previous_release is None:
        with tempfile.TemporaryDirectory() as scratch:
            if not diff(_archived_release(extract(same, Path(scratch)), run.pub.ns), this).empty:
                raise ClusterlodError(f"{same.folder}: version {version} is already published with other data; "
                                      "a changed release needs a new version (data/dataset.yaml: version, modified)")
    if run.previous_release is not None:
        old = read_release(run.previous_release)
    else:
        entry = previous_of(releases, version)
        if entry is None:
            return
        with tempfile.TemporaryDirectory() as scratch:
            old = _archived_release(extract(entry, Path(scratch)), run.pub.ns)
    if not old.version:
        raise DataError(old.where, None, None, "the previous release states no single dcat:version (in its "
                                               f"{formats.DATASET_FILE} or {catalog.CATALOG_FILE})")
    if old.version == version:
        raise ClusterlodError(f"{old.where}: the previous release has this build's version {version}; "
                              "a new release needs a new version (data/dataset.yaml: version, modified)")
    run.previous = Previous.of(diff(old, this), run.pub.ns.base)


def _archived_release(folder: Path, ns: Namespaces) -> Release:
    """An archived release read for the diff, moved onto this build's base (archives use the default base)."""
    old = read_release(folder)
    if ns.base == DEFAULT_BASE:
        return old
    quads = [ox.Quad(rebase_term(q.subject, ns), rebase_term(q.predicate, ns), rebase_term(q.object, ns),
                     q.graph_name if isinstance(q.graph_name, ox.DefaultGraph) else rebase_term(q.graph_name, ns))
             for q in old.quads]
    return Release(old.where, old.version, quads)


def _readme(run: Run) -> None:
    """The licence text and the README, generated from this release's files, graphs and metadata."""
    publication = run.pub
    write_licence(run.staging, publication.sources.dataset["licence"])
    readme.write(run.staging, publication.ns, publication.sources.dataset, graph_infos(publication), run.previous,
                 credit=credit_of(publication.sources))


def _load_for_checks(run: Run) -> None:
    """Load the N-Quads just written, named graphs and all, for the quality checks, in a thread."""
    assert run.gate is not None
    run.checks_store = Loading(run.gate, _dataset_path(run, formats.N_QUADS))


def _quality(run: Run) -> None:
    """The quality checks, on the published N-Quads, while SHACL still runs in the gate's process."""
    assert run.gate is not None and run.checks_store is not None
    run.problems = quality(run.gate, run.checks_store.store())


def _tables(run: Run) -> None:
    """dist/csv/: the records as CSV with their CSVW metadata, by SPARQL over the N-Quads just written."""
    assert run.checks_store is not None
    publication = run.pub
    write_tables(run.staging, run.checks_store.store(), publication.ns, publication.sources.dataset,
                 credit_of(publication.sources))


def _await_gate(run: Run) -> None:
    """Wait for SHACL; a release that does not pass the gate is never swapped in."""
    assert run.background is not None and run.gate is not None
    run.report = run.background.wait()
    run.report.problems, run.report.seconds = run.problems, dict(run.gate.seconds)
    if not run.report.conforms:
        raise ValidationFailed(run.report.text())


def _write_report(run: Run) -> None:
    assert run.report is not None
    ns = run.pub.ns
    publish.write_graph(run.staging / "validation-report.ttl",
                        report_triples(run.report, ns.base + "validation-report"), ns.prefixes())


Stage = Callable[[Run], None]

#: The build, in order. The gate's process loads the union of the graphs while "make the graph" makes it and
#: validates it from "start" to "wait"; the quality checks query the written N-Quads, loaded in a thread
#: meanwhile; nothing is swapped in unless both pass.
STAGES: list[tuple[str, Stage]] = [
    ("read records", _read),
    ("make the graph", _make),
    ("start validating", _start_gate),
    ("sort", _sort),
    ("changes since the previous release", _changes),
    ("write nq", _writer(formats.N_QUADS)),
    ("start loading for the checks", _load_for_checks),
    ("write nt", _writer(formats.N_TRIPLES)),
    ("write ttl", _writer(formats.TURTLE)),
    ("write jsonld", _writer(formats.JSON_LD)),
    ("write rdf", _writer(formats.RDF_XML)),
    ("write trig", _writer(formats.TRIG)),
    ("link sets, ontology, shapes", _extras),
    ("quality checks", _quality),
    ("tables (CSV)", _tables),
    ("wait for SHACL validation", _await_gate),
    ("validation report", _write_report),
    ("README and licence", _readme),
    ("DCAT/VoID", _describe),
    ("archived releases", _archive),
]

@dataclass(frozen=True)
class Summary:
    """What a build published, for the one line ``clusterlod build`` ends with."""

    triples: int  # the dataset's statements: triples counted in each named graph (the lines of the N-Quads)
    graphs: int
    files: int
    checks: int  # quality checks run by the gate
    report: Report

    def line(self, out: Path, seconds: float) -> str:
        report = self.report
        warnings = len(report.violations) - len(report.blocking)
        return (f"built {out}: {self.triples:,} triples in {self.graphs} graphs, {self.files} files; "
                f"gate passed ({len(report.blocking)} SHACL violations, {warnings} warnings, "
                f"{self.checks} quality checks, {len(report.problems)} failed) in {seconds:.1f} s")


def summary_of(run: Run) -> Summary:
    assert run.report is not None and run.gate is not None
    files = sum(1 for path in run.staging.rglob("*")  # the release's files: not the archive's copy
                if path.is_file() and path.relative_to(run.staging).parts[0] != ARCHIVE_DIR)
    graphs = len({q.graph_name for q in run.quads})
    return Summary(len(run.quads), graphs, files, run.gate.checks_run, run.report)


# Runs ``stage(run)`` under a name; the stage and its argument are passed apart, like Executor.submit.
Timer = Callable[[str, Stage, Run], Any]


def build(root: Path, out: Path, base: str | None = None, progress: Progress | None = None,
          engine: str = DEFAULT_ENGINE, fail_on: str = "violation", timer: Timer | None = None,
          previous: Path | None = None, done: Callable[[Summary], None] | None = None) -> Report:
    """Run every stage into a staging folder and swap it in; on any error ``out`` is left as it was.

    ``timer(name, stage, run)`` runs each stage (the benchmark passes its stopwatch). ``previous`` is the
    release this one follows (a dist/ folder or its N-Quads): the catalogue links it and says what changed.
    ``done`` gets the summary of what was written, before it is swapped in.
    """
    from clusterlod.release import catalog
    from clusterlod.release.atomic import replace_directory
    from clusterlod.sources.project import INPUT_FOLDERS

    say = progress or (lambda message: None)
    time_it: Timer = timer or (lambda name, stage, run: stage(run))
    # Not --previous: it is read whole before the swap, so `build --previous dist` may replace dist/.
    inputs = [root, *(root / name for name in INPUT_FOLDERS)]
    with no_cyclic_gc(), replace_directory(out, "release", inputs, catalog.written_by_us) as staging:
        run = Run(root, staging, base, engine, fail_on, previous_release=previous)
        try:
            for name, stage in STAGES:
                say(name)
                time_it(name, stage, run)
        finally:
            if run.background is not None:
                run.background.close()  # the gate's process ends with the build, whatever happened
        assert run.report is not None
        if done is not None:
            done(summary_of(run))
        return run.report


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
