"""What changed between two releases: added and removed triples per named graph, and the same as RDF.

Blank nodes are compared by what they say, not by their labels: within each graph, the triples that
mention blank nodes are split into connected groups, each group is labelled by RDFC-1.0 (within a work
budget: :mod:`clusterlod.release.canon`) and its labels
are prefixed with a digest of the group. A group that did not change gets the same labels in both
releases, whatever labels the files used; a group that changed shows whole, as removed and added.

The RDF form reuses the Changeset vocabulary (cs:, http://purl.org/vocab/changeset/schema#): one
cs:ChangeSet per named graph, its cs:subjectOfChange the graph, each change a reified rdf:Statement under
cs:addition or cs:removal; the counts are clo:addedTriples and clo:removedTriples (defined in the
ontology), which the Changeset vocabulary lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.errors import ClusterlodError, DataError
from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES, XSD, Namespaces
from clusterlod.release.canon import Budget, TooComplex, canonicalize
from clusterlod.release.rdfio import blank_node_groups

CS = STANDARD_PREFIXES["cs"]
RDF = STANDARD_PREFIXES["rdf"]
DEFAULT_GRAPH = ""  # the key of the default graph in a Diff
#: pyoxigraph's parser holds at most this many bytes of one statement (its "buffer maximal size").
PARSER_LINE_LIMIT = 16 * 2**20


@dataclass(frozen=True)
class Release:
    """A release read for comparison: its version (when it says one) and its quads."""

    where: str
    version: str | None
    quads: list[ox.Quad]


@dataclass
class GraphChange:
    graph: str
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)


@dataclass
class Diff:
    """The changes of every graph that changed, by graph name; unchanged graphs are left out."""

    old: Release
    new: Release
    graphs: dict[str, GraphChange]

    @property
    def empty(self) -> bool:
        return not self.graphs

    def counts(self) -> list[tuple[str, int, int]]:
        return [(g, len(c.added), len(c.removed)) for g, c in sorted(self.graphs.items())]


def read_release(path: Path) -> Release:
    """A dist/ folder (its N-Quads and catalogue) or an N-Quads file; a bad file is one DataError line.

    A folder without a release is exit 1, as for ``serve``; a file that is not N-Quads is exit 3.
    """
    folder = path if path.is_dir() else None
    nquads = folder / formats.DATASET_FILE if folder else path
    if folder is not None and not nquads.is_file():
        raise ClusterlodError(f"no built release at {folder} ({formats.DATASET_FILE} is missing): give a dist/ "
                              "folder or an .nq file")
    if not nquads.is_file():
        raise DataError(nquads, None, None, "not a file (expected a dist/ folder or an .nq file)")
    try:
        quads = list(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    except SyntaxError as error:
        raise DataError(nquads, getattr(error, "lineno", None), None, f"not N-Quads: {error.msg}") from None
    except MemoryError:  # pyoxigraph's parser refuses a line longer than its buffer
        raise DataError(nquads, _first_long_line(nquads), None,
                        f"a line longer than {PARSER_LINE_LIMIT // 2**20} MiB, the N-Quads parser's limit") from None
    except OSError as error:
        raise DataError(nquads, None, None, f"cannot be read: {error.strerror}") from None
    return Release(str(path), _version(quads, folder), quads)


def _first_long_line(path: Path) -> int | None:
    """The number of the first line longer than the parser's limit, read in bounded pieces."""
    with open(path, "rb") as lines:
        number, length = 1, 0
        while piece := lines.readline(2**20):
            length += len(piece)
            if length > PARSER_LINE_LIMIT:
                return number
            if piece.endswith(b"\n"):
                number, length = number + 1, 0
    return None


def _version(quads: list[ox.Quad], folder: Path | None) -> str | None:
    """The dcat:version the release states: in its release graph, or (older releases) in its catalogue."""
    version = STANDARD_PREFIXES["dcat"] + "version"
    stated = sorted({q.object.value for q in quads if q.predicate.value == version})
    if not stated and folder is not None and (folder / formats.CATALOG_FILE).is_file():
        try:
            triples = ox.parse(path=str(folder / formats.CATALOG_FILE), format=ox.RdfFormat.TURTLE)
            stated = sorted({t.object.value for t in triples if t.predicate.value == version})
        except SyntaxError:
            stated = []
    return stated[0] if len(stated) == 1 else None


def canonical_graphs(quads: Iterable[ox.Quad], budget: Budget | None = None) -> dict[str, set[ox.Triple]]:
    """Each graph's triples, blank nodes relabelled so that the same content has the same labels.

    Raises :class:`~clusterlod.release.canon.TooComplex` once the release's blank nodes cost more than
    ``budget`` (one budget for the whole release).
    """
    budget = budget or Budget()
    graphs: dict[str, list[ox.Triple]] = {}
    for q in quads:
        name = DEFAULT_GRAPH if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        graphs.setdefault(name, []).append(q.triple)
    return {name: _canonical(triples, budget) for name, triples in graphs.items()}


def _blank(term: object) -> bool:
    return isinstance(term, ox.BlankNode)


def _canonical(triples: list[ox.Triple], budget: Budget) -> set[ox.Triple]:
    plain: set[ox.Triple] = set()
    for group in blank_node_groups(triples):
        if len(group) == 1 and not (_blank(group[0].subject) or _blank(group[0].object)):
            plain.add(group[0])
            continue
        labelled = canonicalize(group, budget)
        canonical = sorted(str(ox.Quad(t.subject, t.predicate, t.object)) for t in labelled)
        digest = hashlib.sha256("\n".join(canonical).encode()).hexdigest()[:16]

        def relabel(term: ox.Term, digest: str = digest) -> ox.Term:
            return ox.BlankNode(f"g{digest}{term.value}") if _blank(term) else term

        plain.update(ox.Triple(relabel(t.subject), t.predicate, relabel(t.object)) for t in labelled)
    return plain


def diff(old: Release, new: Release) -> Diff:
    """The triples each named graph gained and lost from ``old`` to ``new``, in a stable order."""
    before, after = _canonical_release(old), _canonical_release(new)
    changes: dict[str, GraphChange] = {}
    for graph in sorted(set(before) | set(after)):
        a, b = before.get(graph, set()), after.get(graph, set())
        if a != b:
            changes[graph] = GraphChange(graph, sorted(b - a, key=str), sorted(a - b, key=str))
    return Diff(old, new, changes)


def _canonical_release(release: Release) -> dict[str, set[ox.Triple]]:
    """Its graphs canonicalised within the work budget; past it, one line (exit 3) naming the release."""
    try:
        return canonical_graphs(release.quads)
    except TooComplex as error:
        raise DataError(release.where, None, None, f"blank nodes too tangled to compare: {error} (a poison "
                        "graph, RDFC-1.0 section 4.4); nothing was compared") from None


def text(result: Diff) -> str:
    """The diff for a terminal: a line per changed graph with its counts, then its triples (+ added, - removed)."""
    lines = []
    for graph, change in sorted(result.graphs.items()):
        lines.append(f"graph {graph or '(default)'}: +{len(change.added)} -{len(change.removed)}")
        lines += [f"+ {t} ." for t in change.added] + [f"- {t} ." for t in change.removed]
    return "\n".join(lines) + ("\n" if lines else "")


def change_set_triples(result: Diff, ns: Namespaces) -> list[ox.Triple]:
    """The diff as RDF: a cs:ChangeSet per changed graph with its counts and reified changes.

    Nodes are blank, labelled by digests of what they stand for, so the same diff is the same file.
    """
    triples: list[ox.Triple] = []
    what = f"{result.old.version or result.old.where} → {result.new.version or result.new.where}"

    def add(s: ox.BlankNode, p: str, o: ox.Term) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    for graph, change in sorted(result.graphs.items()):
        node = ox.BlankNode("cs" + _digest(graph))
        add(node, RDF_TYPE, ox.NamedNode(CS + "ChangeSet"))
        if graph:
            add(node, CS + "subjectOfChange", ox.NamedNode(graph))
        add(node, CS + "changeReason", ox.Literal(f"{what} の名前付きグラフ {graph or '(既定)'} の変更", language="ja"))
        add(node, CS + "changeReason", ox.Literal(f"Changes of the named graph {graph or '(default)'}, {what}",
                                                  language="en"))
        integer = ox.NamedNode(XSD + "nonNegativeInteger")
        add(node, ns.vocab + "addedTriples", ox.Literal(str(len(change.added)), datatype=integer))
        add(node, ns.vocab + "removedTriples", ox.Literal(str(len(change.removed)), datatype=integer))
        for kind, statements in (("addition", change.added), ("removal", change.removed)):
            for t in statements:
                statement = ox.BlankNode("st" + _digest(f"{graph} {kind} {t}"))
                add(node, CS + kind, statement)
                add(statement, RDF_TYPE, ox.NamedNode(RDF + "Statement"))
                add(statement, RDF + "subject", t.subject)
                add(statement, RDF + "predicate", t.predicate)
                add(statement, RDF + "object", t.object)
    return triples


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
