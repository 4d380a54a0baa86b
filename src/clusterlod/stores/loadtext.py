"""What `clusterlod load` sends, built from parsed RDF terms only, never from pasted strings; its report.

Every IRI that reaches a SPARQL text is a ``pyoxigraph.NamedNode`` (which refuses anything that is
not an absolute IRI) and every literal an ``ox.Literal``: their ``str()`` is the N-Triples/SPARQL
form with the escaping done by pyoxigraph, so no argument or data value can change the text of an
update around it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.errors import ClusterlodError, LoadError
from clusterlod.release.rdfio import blank_node_groups

#: What the build writes into dist/ and what we read from there.
DIST_FILE = formats.DATASET_FILE
#: Graph names the loader keeps for itself: leases, and staging graphs of loads before the
#: one-transaction design (swept when found).
RESERVED = "urn:clusterlod:"
TMP_PREFIX = "urn:clusterlod:tmp:"
LEASES = ox.NamedNode("urn:clusterlod:leases")
LEASE_NS = "urn:clusterlod:lease#"
HOLDER, EXPIRES, TARGET, LOADED = (ox.NamedNode(f"{LEASE_NS}{name}")
                                   for name in ("holder", "expires", "graph", "loaded"))
XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


class InvalidIri(LoadError):
    """An argument or graph name that is not an absolute IRI: refused before anything is sent."""


def iri(value: str, what: str) -> ox.NamedNode:
    """``value`` as a parsed absolute IRI, or one line naming the option and the reason."""
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise InvalidIri(f"{what} {value!r} is not an absolute IRI ({error}); nothing was sent") from None


def endpoint_url(value: str, what: str) -> str:
    """An endpoint must be an http(s) URL, by the client's one rule (a usage error, exit 2: nothing was
    contacted), and an absolute IRI, checked like a graph name."""
    from clusterlod.sparql.remote import check_url

    check_url(value, what)
    node = iri(value, what)
    if not node.value.lower().startswith(("http://", "https://")):
        raise InvalidIri(f"{what} {value!r} is not an http(s) URL; nothing was sent")
    return node.value


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Dataset:
    """The triples of each target graph, deduplicated, in file order."""

    graphs: dict[str, list[ox.Triple]]
    source: Path

    @property
    def total(self) -> int:
        return sum(len(triples) for triples in self.graphs.values())


def resolve_source(path: Path) -> tuple[Path, ox.RdfFormat]:
    """A dist/ folder means its clusterlod.nq; a file is read by its extension."""
    if path.is_dir():
        path = path / DIST_FILE
        if not path.is_file():
            raise ClusterlodError(f"{path} not found: run 'clusterlod build' first or give an .nq/.trig file")
    if not path.is_file():
        raise ClusterlodError(f"{path}: no such file or folder")
    formats = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
               ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise ClusterlodError(f"{path}: expected a dist/ folder or an .nq, .trig, .nt or .ttl file")
    return path, fmt


def read_dataset(path: Path, graph: str | None = None) -> Dataset:
    """Group the quads by named graph, or merge them all into ``graph`` when one is given.

    Triples in the default graph are refused unless ``graph`` is given: loading them into a
    store's default graph would mix them with whatever else the store holds.
    """
    if graph is not None:
        graph = iri(graph, "--graph").value  # before reading anything
    source, fmt = resolve_source(path)
    graphs: dict[str, dict[ox.Triple, None]] = {}
    try:
        for quad in ox.parse(path=str(source), format=fmt):
            if graph is not None:
                name = graph
            elif isinstance(quad.graph_name, ox.NamedNode):
                name = quad.graph_name.value
            else:
                raise ClusterlodError(f"{source}: has triples outside any named graph; "
                                      "give --graph IRI to load the whole file into one graph")
            graphs.setdefault(name, {})[quad.triple] = None
    except SyntaxError as error:
        raise ClusterlodError(f"{source}: {error}") from error
    if not graphs:
        raise ClusterlodError(f"{source}: no triples to load")
    reserved = [name for name in graphs if name.startswith(RESERVED)]
    if reserved:
        raise ClusterlodError(f"{source}: graph <{reserved[0]}> is under {RESERVED}, which the loader keeps "
                              "for its leases")
    return Dataset({name: list(triples) for name, triples in graphs.items()}, source)


# --------------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class Chunk:
    """A run of triples as N-Triples lines, which is also valid inside ``INSERT DATA``."""

    text: str
    triples: int
    blank: bool = False

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


def ntriples_line(triple: ox.Triple) -> str:
    """One N-Triples line; pyoxigraph escapes quotes, backslashes and control characters."""
    return f"{triple.subject} {triple.predicate} {triple.object} .\n"


def chunks(triples: list[ox.Triple], max_triples: int, max_bytes: int) -> Iterator[Chunk]:
    """Pack triples into chunks of at most ``max_triples`` triples and ``max_bytes`` bytes.

    A group of triples sharing blank nodes is never split, so it may exceed the bounds alone.
    """
    lines: list[str] = []
    size = 0
    blank = False
    for unit in blank_node_groups(triples):
        unit_lines = [ntriples_line(t) for t in unit]
        unit_size = sum(len(line.encode("utf-8")) for line in unit_lines)
        if lines and (len(lines) + len(unit_lines) > max_triples or size + unit_size > max_bytes):
            yield Chunk("".join(lines), len(lines), blank)
            lines, size, blank = [], 0, False
        lines.extend(unit_lines)
        size += unit_size
        blank = blank or any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                             for t in unit)
    if lines:
        yield Chunk("".join(lines), len(lines), blank)


def insert_text(graph: ox.NamedNode, chunk: Chunk) -> str:
    """``INSERT DATA``, or for a chunk with blank nodes ``INSERT {…} WHERE {}``.

    Virtuoso refuses blank nodes in INSERT DATA (SP031 "not allowed in a constant clause");
    a template with an empty WHERE has one solution, so its blank nodes are one fresh set.
    """
    assert isinstance(graph, ox.NamedNode)
    if chunk.blank:
        return f"INSERT {{ GRAPH {graph} {{\n{chunk.text}}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{chunk.text}}} }}"


def drop_text(graph: ox.NamedNode) -> str:
    assert isinstance(graph, ox.NamedNode)
    return f"DROP SILENT GRAPH {graph}"


# --------------------------------------------------------------------------- leases


def lease_node(token: str) -> ox.NamedNode:
    return iri(f"urn:clusterlod:lease:{token}", "lease")


def lease_insert(token: str, holder: str, expires: str, graphs: Iterable[str]) -> str:
    """The lease of one load: who holds it, until when (store clock), and on which graphs."""
    node = lease_node(token)
    lines = [f"{node} {HOLDER} {ox.Literal(holder)} .",
             f"{node} {EXPIRES} {ox.Literal(expires, datatype=XSD_DATETIME)} ."]
    lines += [f"{node} {TARGET} {iri(g, 'graph')} ." for g in graphs]
    return "INSERT DATA { GRAPH " + str(LEASES) + " {\n" + "\n".join(lines) + "\n} }"


def lease_delete(node: ox.NamedNode) -> str:
    """Remove one lease (ours when done, or another one found expired)."""
    return f"DELETE {{ GRAPH {LEASES} {{ {node} ?p ?o }} }} WHERE {{ GRAPH {LEASES} {{ {node} ?p ?o }} }}"


def marker_insert(token: str) -> str:
    """Written last in the load's own transaction: its presence proves the transaction committed."""
    return f"INSERT DATA {{ GRAPH {LEASES} {{ {lease_node(token)} {LOADED} {ox.Literal(token)} }} }}"


LEASES_SELECT = (f"SELECT ?lease ?holder ?expires ?graph (NOW() AS ?now) WHERE {{ GRAPH {LEASES} {{ "
                 f"?lease {HOLDER} ?holder ; {EXPIRES} ?expires . OPTIONAL {{ ?lease {TARGET} ?graph }} }} }}")
NOW_SELECT = "SELECT (NOW() AS ?now) WHERE {}"


def marker_select(token: str) -> str:
    return f"SELECT ?token WHERE {{ GRAPH {LEASES} {{ {lease_node(token)} {LOADED} ?token }} }}"


def count_select(graph: ox.NamedNode) -> str:
    assert isinstance(graph, ox.NamedNode)
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"


def prefix_select(prefix: str) -> str:
    return (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}")


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class LoadProgress:
    """Where a load is, for a progress line or a test that wants to act mid-load."""

    graph: str
    graph_index: int
    graph_total: int
    triples_sent: int
    triples_total: int
    bytes_sent: int


@dataclass(frozen=True)
class GraphCount:
    graph: str
    expected: int
    found: int | None

    @property
    def ok(self) -> bool:
        return self.found == self.expected


@dataclass
class LoadReport:
    counts: list[GraphCount]
    method: str = "update"
    triples_sent: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.counts)

    def table(self) -> str:
        """graph / expected / found / status, one row per graph, aligned."""
        rows = [("graph", "expected", "found", "status")]
        rows += [(c.graph, str(c.expected), "-" if c.found is None else str(c.found), "ok" if c.ok else "MISMATCH")
                 for c in self.counts]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows]
        total = sum(c.expected for c in self.counts)
        lines.append(f"{len(self.counts)} graphs, {total} triples, {self.bytes_sent} bytes sent by {self.method} "
                     f"in {self.seconds:.1f} s")
        return "\n".join(lines)


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


def progress_printer(stream=sys.stderr) -> Callable[[LoadProgress], None]:
    """A progress line on stderr, rewritten in place on a terminal, one per graph otherwise."""
    tty = stream.isatty()

    def show(p: LoadProgress) -> None:
        line = (f"[{p.graph_index}/{p.graph_total}] <{p.graph}> {p.triples_sent}/{p.triples_total} triples, "
                f"{_size(p.bytes_sent)} sent")
        if tty:
            stream.write("\r\x1b[K" + line + ("\n" if p.triples_sent == p.triples_total else ""))
        elif p.triples_sent == p.triples_total:
            stream.write(line + "\n")
        stream.flush()

    return show
