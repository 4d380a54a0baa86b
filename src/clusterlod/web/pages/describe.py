"""A resource's description: what it says, what points at it, and the labels to read both.

The same description feeds the data documents (four syntaxes) and the HTML page,
so a page never shows a fact its Turtle lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.release import jsonld
from clusterlod.release.publish import used_prefixes
from clusterlod.release.rdfio import sorted_triples
from clusterlod.web.sparql.backend import RDFS_LABEL, Backend

OA_EXACT = "http://www.w3.org/ns/oa#exact"


@dataclass
class Description:
    """Quads keep their graph so pages can tell stated facts from editorial additions."""

    iri: str
    outgoing: list[ox.Quad] = field(default_factory=list)
    incoming: list[ox.Quad] = field(default_factory=list)
    context: list[ox.Triple] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.outgoing and not self.incoming

    def triples(self) -> list[ox.Triple]:
        """Every triple of the description once, in a stable order."""
        return sorted_triples([*self.outgoing, *self.incoming, *self.context])


def describe(iri: str, sources: list[Backend], quote_predicate: str) -> Description:
    """Outgoing and incoming quads of ``iri`` in every source, labels of its neighbours, and its quotes."""
    description = Description(iri)
    for source in sources:
        description.outgoing += source.outgoing(iri)
        description.incoming += source.incoming(iri)
    neighbours = {q.object.value for q in description.outgoing if isinstance(q.object, ox.NamedNode)}
    neighbours |= {q.subject.value for q in description.incoming if isinstance(q.subject, ox.NamedNode)}
    neighbours.discard(iri)
    quotes = {q.object.value for q in description.outgoing if q.predicate.value == quote_predicate}
    for source in sources:
        for neighbour in sorted(neighbours):
            if neighbour in quotes:
                description.context += [q.triple for q in source.outgoing(neighbour)]
            else:
                node = ox.NamedNode(neighbour)
                description.context += [ox.Triple(node, RDFS_LABEL, label) for label in source.labels(neighbour)]
    return description


def whole_graph(iri: str, quads: list[ox.Quad]) -> Description:
    """A description that is a whole graph (the ontology, the catalog)."""
    return Description(iri, outgoing=quads)


def serialize(triples: list[ox.Triple], syntax: formats.Syntax, prefixes: dict[str, str]) -> bytes:
    """One data document; JSON-LD through the project's compacting writer, like the release."""
    used = used_prefixes(triples, prefixes)
    if syntax is formats.JSON_LD:
        return jsonld.dumps(jsonld.document(triples, jsonld.make_context(triples, used)))
    kwargs = {"prefixes": used} if syntax in (formats.TURTLE, formats.RDF_XML) else {}
    return ox.serialize(triples, format=syntax.oxigraph, **kwargs)
