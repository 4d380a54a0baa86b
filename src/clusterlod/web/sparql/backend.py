"""Where the triples come from: the embedded store, or a remote SPARQL endpoint.

Both answer the same few questions (what a resource says, what points at it, its
labels, every subject under a prefix, a SELECT), so the pages and data documents
are made the same way whichever store holds the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from clusterlod.namespaces import STANDARD_PREFIXES

RDFS_LABEL = ox.NamedNode(STANDARD_PREFIXES["rdfs"] + "label")
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


class Backend(Protocol):
    def outgoing(self, iri: str) -> list[ox.Quad]: ...
    def incoming(self, iri: str) -> list[ox.Quad]: ...
    def labels(self, iri: str) -> list[ox.Literal]: ...
    def graph(self, iri: str) -> list[ox.Quad]: ...
    def subjects(self, prefix: str) -> set[str]: ...
    def select(self, query: str) -> list[Row]: ...


class StoreBackend:
    """A pyoxigraph store in this process; the default graph is the union of the named graphs."""

    def __init__(self, store: ox.Store):
        self.store = store

    @classmethod
    def from_file(cls, path: Path, syntax: ox.RdfFormat) -> StoreBackend:
        store = ox.Store()
        store.load(path=str(path), format=syntax)
        return cls(store)

    def outgoing(self, iri: str) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None))

    def incoming(self, iri: str) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(None, None, ox.NamedNode(iri), None))

    def labels(self, iri: str) -> list[ox.Literal]:
        return [q.object for q in self.store.quads_for_pattern(ox.NamedNode(iri), RDFS_LABEL, None, None)]

    def graph(self, iri: str) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))

    def subjects(self, prefix: str) -> set[str]:
        return {q.subject.value for q in self.store.quads_for_pattern(None, None, None, None)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)}

    def select(self, query: str) -> list[Row]:
        solutions = self.store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


class RemoteBackend:
    """A SPARQL endpoint (for data kept in a bigger store), reached through :mod:`clusterlod.sparql.remote`.

    Its methods block on the network: the server calls them off the event loop. A failure
    is an ``EndpointFailure`` (a RemoteError) that the server answers as 504 or 502.
    """

    def __init__(self, endpoint: str, timeout: float = 10.0):
        from clusterlod.sparql.remote import SparqlClient

        self.client = SparqlClient(endpoint, timeout=timeout)
        self.endpoint, self.timeout = self.client.query_url, timeout

    def select(self, query: str) -> list[Row]:
        return self.client.select(query, what="reading the data")

    def _quads(self, pattern: str) -> list[ox.Quad]:
        rows = self.select(
            f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ {{ GRAPH ?g {{ {pattern} }} }} UNION {{ {pattern} }} }}")
        in_graphs = {(r["s"], r["p"], r["o"]) for r in rows if "g" in r}
        quads = []
        for r in rows:
            if "g" not in r and (r["s"], r["p"], r["o"]) in in_graphs:
                continue  # the union default graph repeats what the named graphs hold
            quads.append(ox.Quad(r["s"], r["p"], r["o"], r.get("g", ox.DefaultGraph())))
        return quads

    # Every IRI reaches the query text as a pyoxigraph term: its constructor refuses what is
    # not an IRI (ValueError), so a request path can never change the query's structure.

    def outgoing(self, iri: str) -> list[ox.Quad]:
        return self._quads(f"VALUES ?s {{ {ox.NamedNode(iri)} }} ?s ?p ?o")

    def incoming(self, iri: str) -> list[ox.Quad]:
        return self._quads(f"VALUES ?o {{ {ox.NamedNode(iri)} }} ?s ?p ?o")

    def labels(self, iri: str) -> list[ox.Literal]:
        """Labels from the default graph and every named graph (the store need not union them)."""
        pattern = f"{ox.NamedNode(iri)} {RDFS_LABEL} ?l"
        rows = self.select(f"SELECT DISTINCT ?l WHERE {{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} }} }}")
        return [r["l"] for r in rows if isinstance(r.get("l"), ox.Literal)]

    def graph(self, iri: str) -> list[ox.Quad]:
        rows = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }}")
        return [ox.Quad(r["s"], r["p"], r["o"], ox.NamedNode(iri)) for r in rows]

    def subjects(self, prefix: str) -> set[str]:
        literal = ox.Literal(prefix)  # written escaped by pyoxigraph
        rows = self.select("SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                           f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {literal})) }}")
        return {r["s"].value for r in rows}

