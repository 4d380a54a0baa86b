"""The ontology's alignments hold under the aligned vocabularies' own axioms (issue 15).

An OWL-RL closure (owlrl) of the ontology, the release and the relevant axioms of PROV-O, ORG, OA,
SKOS, DCMI Terms, schema.org and OWL-Time (tests/data/vocabularies, with their licences) must find
no resource in two disjoint classes, no typed literal, and no resource of the release typed outside
its own class hierarchy: a type that arrives only through an aligned property's domain or range is
an alignment that does not hold (a place made a skos:Concept by skos:exactMatch, a country made a
dcterms:Agent by dcterms:contributor), unless it is on the declared allow-list below.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import owlrl  # a test dependency (pyproject [test])
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef

VOCABULARIES = Path(__file__).parent / "data" / "vocabularies"
BASE = "https://w3id.org/clusterlod/"
TIME = "http://www.w3.org/2006/time#"

#: Types a resource may gain beyond its own class hierarchy, and why.
ALLOWED = {
    str(OWL.Thing): "every individual",
    str(RDFS.Resource): "every resource",
    # The beginning and end of a fiscal year are untyped in the data; OWL-Time's range types them.
    TIME + "Instant": "the beginning or end of a time:ProperInterval",
    TIME + "TemporalEntity": "the beginning or end of a time:ProperInterval",
}


@pytest.fixture(scope="module")
def closure(built_dist: Path, project_root: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    dataset = rdflib.Dataset()
    dataset.parse(built_dist / "clusterlod.nq", format="nquads")
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph.parse(project_root / "ontology" / "clusterlod.ttl")
    for path in sorted(VOCABULARIES.glob("*.ttl")):
        graph.parse(path)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def superclasses(graph: rdflib.Graph) -> dict[URIRef, set[URIRef]]:
    """Each class with all its super-classes (the closure made rdfs:subClassOf transitive)."""
    supers: dict[URIRef, set[URIRef]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        supers[sub].add(sup)
    return supers


def test_no_resource_is_in_two_disjoint_classes(closure: rdflib.Graph) -> None:
    pairs = set(closure.subject_objects(OWL.disjointWith))
    for members in closure.objects(None, OWL.members):
        items = list(rdflib.collection.Collection(closure, members))
        pairs |= {(a, b) for i, a in enumerate(items) for b in items[i + 1:]}
    assert len(pairs) >= 10  # PROV-O, ORG, SKOS, OWL-Time disjointness were loaded
    clashes = sorted((str(x), str(a), str(b)) for a, b in pairs
                     for x in set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b)))
    assert clashes == []
    assert list(closure.subjects(RDF.type, OWL.Nothing)) == []


def test_no_literal_is_given_a_type(closure: rdflib.Graph) -> None:
    """A literal may be typed with its datatype (owlrl does that), never with a class."""
    datatypes = (str(rdflib.XSD), str(RDFS.Literal), str(RDF.langString), str(RDF.PlainLiteral), str(RDF.XMLLiteral))
    typed = sorted({(str(s), str(o)) for s, o in closure.subject_objects(RDF.type)
                    if isinstance(s, Literal) and not str(o).startswith(datatypes)})
    assert typed == []


def test_no_resource_is_typed_outside_its_class_hierarchy(built_dist: Path, closure: rdflib.Graph) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(built_dist / "clusterlod.nq", format="nquads")
    asserted: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, _, o, _ in dataset.quads((None, RDF.type, None, None)):
        asserted[s].add(o)
    supers = superclasses(closure)
    extra = {}
    for subject in set(closure.subjects()):
        if not (isinstance(subject, URIRef) and str(subject).startswith(BASE + "id/")):
            continue
        expected = set(asserted[subject])
        for cls in asserted[subject]:
            expected |= supers[cls]
        surplus = {str(t) for t in closure.objects(subject, RDF.type)} - {str(t) for t in expected} - set(ALLOWED)
        if surplus:
            extra[str(subject)] = sorted(surplus)
    assert extra == {}
