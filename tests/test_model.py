"""One description of the model (issue 12): model.py, the ontology and the shapes agree.

model.py (the record table) says what each record type emits; ontology/clusterlod.ttl declares
the terms and shapes/clusterlod-shapes.ttl constrains them, both written by hand. These tests
fail when model.py emits a class or property the ontology does not declare with the right kind,
that no shape covers, a required field without sh:minCount 1, a reference whose sh:class (or
sh:or of classes) does not match its targets, or a datatype the ontology or shapes disagree with.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Namespace, URIRef
from rdflib.collection import Collection

from clusterlod import model
from clusterlod.model import COMMON_FIELDS, TYPES, FieldSpec, Kind, TypeSpec
from clusterlod.namespaces import STANDARD_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
SH = Namespace("http://www.w3.org/ns/shacl#")
CLO = "https://w3id.org/clusterlod/ontology/"
PREFIXES = {**STANDARD_PREFIXES, "clo": CLO}
TIME = "http://www.w3.org/2006/time#"

OBJECT_KINDS = {Kind.REF, Kind.REFS, Kind.FIGURE, Kind.STATUS, Kind.IRI, Kind.FISCAL_YEAR}
#: What the shapes must say of a field's values, by kind (sh:datatype, or sh:class for objects).
DATATYPES = {
    Kind.TEXT: {str(RDF.langString)}, Kind.EDITORS_TEXT: {str(RDF.langString)},
    Kind.LITERAL_JA: {str(RDF.langString)}, Kind.QUOTED_EN: {str(RDF.langString)},
    Kind.INT: {str(XSD.integer)}, Kind.STRING: {str(XSD.string)},
    Kind.DATE: {str(XSD.date), str(XSD.gYearMonth), str(XSD.gYear)},
}
VALUE_CLASSES = {Kind.FIGURE: {CLO + "Figure"}, Kind.FISCAL_YEAR: {TIME + "ProperInterval"}}


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "clusterlod.ttl")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "shapes" / "clusterlod-shapes.ttl")


def supers(ontology: rdflib.Graph, cls: str) -> set[str]:
    """The class and its super-classes as the ontology declares them."""
    return {str(c) for c in ontology.transitive_objects(URIRef(cls), RDFS.subClassOf)}


def fields_of(spec: TypeSpec) -> list[FieldSpec]:
    return [f for f in (*COMMON_FIELDS, *spec.fields) if f.predicate]


def property_shapes(shapes: rdflib.Graph, ontology: rdflib.Graph, types: dict[str, TypeSpec],
                    spec: TypeSpec, path: str) -> list[rdflib.term.Node]:
    """The property shapes on ``path`` of every node shape that targets the type's class (or a super-class)."""
    mine = supers(ontology, expand(spec.rdf_class))
    found = []
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)):
        targets = {str(c) for c in shapes.objects(node, SH.targetClass)}
        for predicate in shapes.objects(node, SH.targetSubjectsOf):
            targets |= {expand(t.rdf_class) for t in types.values()
                        if any(expand(f.predicate) == str(predicate) for f in t.fields if f.predicate)}
        if targets & mine:
            found += [p for p in shapes.objects(node, SH.property) if str(shapes.value(p, SH.path)) == path]
    return found


def value_terms(shapes: rdflib.Graph, shape: rdflib.term.Node, predicate: URIRef) -> set[str]:
    """sh:class / sh:datatype of a property shape, directly or as the alternatives of its sh:or."""
    found = {str(v) for v in shapes.objects(shape, predicate)}
    for alternatives in shapes.objects(shape, SH["or"]):
        for member in Collection(shapes, alternatives):
            found |= {str(v) for v in shapes.objects(member, predicate)}
    return found


def problems(types: dict[str, TypeSpec], ontology: rdflib.Graph, shapes: rdflib.Graph) -> list[str]:
    found: list[str] = []
    for spec in types.values():
        cls = URIRef(expand(spec.rdf_class))
        if (cls, RDF.type, OWL.Class) not in ontology:
            found.append(f"{spec.name}: class {spec.rdf_class} is not an owl:Class of the ontology")
        for field in fields_of(spec):
            found += field_problems(types, ontology, shapes, spec, field)
    return found


def field_problems(types: dict[str, TypeSpec], ontology: rdflib.Graph, shapes: rdflib.Graph,
                   spec: TypeSpec, field: FieldSpec) -> list[str]:
    where = f"{spec.name}.{field.name} ({field.predicate})"
    predicate = URIRef(expand(field.predicate))
    found = []
    if str(predicate).startswith(CLO):
        kind = OWL.ObjectProperty if field.kind in OBJECT_KINDS else OWL.DatatypeProperty
        if (predicate, RDF.type, kind) not in ontology:
            found.append(f"{where}: not declared as {kind.n3(ontology.namespace_manager)} in the ontology")
    shaped = property_shapes(shapes, ontology, types, spec, str(predicate))
    if not shaped:
        return [*found, f"{where}: no shape covers it"]
    if field.required and not any(int(shapes.value(p, SH.minCount) or 0) >= 1 for p in shaped):
        found.append(f"{where}: required, but no shape says sh:minCount 1")
    if field.kind in (Kind.REF, Kind.REFS):
        targets = {expand(types[t].rdf_class) for t in field.targets}
        classes = set().union(*(value_terms(shapes, p, SH["class"]) for p in shaped))
        if not classes:
            found.append(f"{where}: a reference without sh:class")
        uncovered = {t for t in targets if not supers(ontology, t) & classes}
        unused = {c for c in classes if not any(c in supers(ontology, t) for t in targets)}
        if uncovered or unused:
            found.append(f"{where}: sh:class {sorted(classes)} does not match the targets {sorted(targets)}")
        range_ = ontology.value(predicate, RDFS.range)
        if range_ is not None and not all(str(range_) in supers(ontology, t) for t in targets):
            found.append(f"{where}: rdfs:range {range_} is not a super-class of every target {sorted(targets)}")
    if field.kind in DATATYPES:
        given = set().union(*(value_terms(shapes, p, SH.datatype) for p in shaped))
        if not given or not given <= DATATYPES[field.kind]:
            found.append(f"{where}: shape datatypes {sorted(given)} disagree with {field.kind.name}")
        range_ = ontology.value(predicate, RDFS.range)
        if str(predicate).startswith(CLO) and range_ is not None and str(range_) not in DATATYPES[field.kind]:
            found.append(f"{where}: rdfs:range {range_} disagrees with {field.kind.name}")
    if field.kind in VALUE_CLASSES:
        classes = set().union(*(value_terms(shapes, p, SH["class"]) for p in shaped))
        if classes != VALUE_CLASSES[field.kind]:
            found.append(f"{where}: shape sh:class {sorted(classes)} should be {sorted(VALUE_CLASSES[field.kind])}")
    return found


def test_model_ontology_and_shapes_agree(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    assert problems(TYPES, ontology, shapes) == []


def test_a_field_added_without_declaration_or_shape_is_caught(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    cluster = TYPES["Cluster"]
    colour = FieldSpec("colour", Kind.STRING, "clo:colour", required=True)
    changed = {**TYPES, "Cluster": dataclasses.replace(cluster, fields=(*cluster.fields, colour))}
    found = problems(changed, ontology, shapes)
    assert any("clo:colour" in p and "not declared" in p for p in found)
    assert any("clo:colour" in p and "no shape" in p for p in found)


def test_a_reference_whose_shape_names_another_class_is_caught(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    cluster = TYPES["Cluster"]
    fields = tuple(dataclasses.replace(f, targets=("Country",)) if f.name == "region" else f for f in cluster.fields)
    found = problems({**TYPES, "Cluster": dataclasses.replace(cluster, fields=fields)}, ontology, shapes)
    assert any("Cluster.region" in p and "does not match the targets" in p for p in found)


def test_a_required_field_without_min_count_is_caught(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    person = TYPES["Person"]
    fields = tuple(dataclasses.replace(f, required=True) if f.name == "country" else f for f in person.fields)
    found = problems({**TYPES, "Person": dataclasses.replace(person, fields=fields)}, ontology, shapes)
    assert any("Person.country" in p and "sh:minCount 1" in p for p in found)


def test_the_status_and_confidence_values_are_the_shapes(shapes: rdflib.Graph) -> None:
    status = {str(v) for v in shapes.objects(None, SH["in"]) for v in Collection(shapes, v)}
    assert {expand(c) for c in model.STATUSES.values()} <= status
    assert set(model.CONFIDENCES) <= status
