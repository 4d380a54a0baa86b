"""A fast SHACL Core validator for the constraints clusterlod's shapes use.

pySHACL is the reference, but it needs an rdflib graph (about 33 s just to
parse 1M triples here) and checks node by node in Python objects that are
slow to build. This engine reads the (small) shapes graph once, indexes the
data as plain dictionaries of pyoxigraph terms, and checks each constraint
over all focus nodes at once; SPARQL-based constraints run on an embedded
pyoxigraph store. It raises UnsupportedShape for any constraint it does not
implement, so it can never pass data that pySHACL would reject; the test
suite checks that both report the same violations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal
RDF_TYPE = str(RDF.type)
SUBCLASS = str(RDFS.subClassOf)
LANGSTRING = str(RDF.langString)
NUMERIC = {str(XSD[t]) for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
                                   "positiveInteger", "short", "byte")}
#: Constraint parameters this engine understands (anything else on a shape is refused).
KNOWN = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.hasValue,
         SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.minInclusive, SH.minExclusive, SH.maxInclusive,
         SH.maxExclusive, SH.lessThan, SH.uniqueLang, SH.languageIn, SH.qualifiedValueShape, SH.qualifiedMinCount,
         SH.qualifiedMaxCount, SH["or"], SH.property, SH.sparql, SH.message, SH.targetClass, SH.targetSubjectsOf,
         SH.targetNode, SH.targetObjectsOf, SH.name, SH.description, SH.severity, SH.order, SH.group,
         SH.select, SH.prefixes, SH.declare, RDF.type, RDFS.label, RDFS.comment}


class UnsupportedShape(Exception):
    """The shapes use a SHACL feature this engine does not implement: use pySHACL."""


@dataclass(frozen=True)
class Result:
    focus: str
    path: str | None
    component: str
    message: str | None
    value: str | None = None
    source_shape: str | None = None


@dataclass
class Shape:
    """A node or property shape, with its parameters as rdflib terms."""

    node: rdflib.term.Node
    params: dict[rdflib.URIRef, list[rdflib.term.Node]] = field(default_factory=dict)

    def one(self, name: rdflib.URIRef) -> rdflib.term.Node | None:
        values = self.params.get(name)
        return values[0] if values else None


class Data:
    """The data graph as dictionaries: subject -> predicate -> objects, and the class hierarchy."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.by_predicate: dict[str, set[Term]] = defaultdict(set)
        self.triples: list[ox.Triple] = []
        for t in triples:
            self.triples.append(t)
            self.out[t.subject][t.predicate.value].append(t.object)
            self.by_predicate[t.predicate.value].add(t.subject)
        self.superclasses: dict[str, set[str]] = {}
        subclass_of: dict[str, set[str]] = defaultdict(set)
        for subject in self.by_predicate.get(SUBCLASS, ()):
            for parent in self.out[subject][SUBCLASS]:
                if isinstance(subject, ox.NamedNode) and isinstance(parent, ox.NamedNode):
                    subclass_of[subject.value].add(parent.value)
        self._subclass_of = subclass_of
        self._store: ox.Store | None = None

    def ancestors(self, cls: str) -> set[str]:
        if cls not in self.superclasses:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self._subclass_of.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self.superclasses[cls] = seen
        return self.superclasses[cls]

    def is_instance(self, node: Term, cls: str) -> bool:
        if isinstance(node, ox.Literal):
            return False
        return any(cls in self.ancestors(t.value) for t in self.out.get(node, {}).get(RDF_TYPE, ())
                   if isinstance(t, ox.NamedNode))

    def instances(self, cls: str) -> set[Term]:
        return {s for s in self.by_predicate.get(RDF_TYPE, ()) if self.is_instance(s, cls)}

    def values(self, node: Term, path: str) -> list[Term]:
        return self.out.get(node, {}).get(path, [])

    def store(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store()
            self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        return self._store


def to_ox(term: rdflib.term.Node) -> Term:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise UnsupportedShape(f"blank node value {term} in a shape")


def show(term: Term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode)) else str(term)


class Validator:
    def __init__(self, shapes: rdflib.Graph):
        self.shapes = shapes
        self.prefix_cache: dict[rdflib.term.Node, str] = {}

    # -- reading shapes ----------------------------------------------------------
    def shape(self, node: rdflib.term.Node) -> Shape:
        shape = Shape(node)
        for p, o in self.shapes.predicate_objects(node):
            if p not in KNOWN and str(p).startswith(str(SH)):
                raise UnsupportedShape(f"{p} on {node}")
            shape.params.setdefault(p, []).append(o)
        return shape

    def members(self, head: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.shapes, head))

    def node_shapes(self) -> list[Shape]:
        nodes = set(self.shapes.subjects(RDF.type, SH.NodeShape))
        for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf):
            nodes |= set(self.shapes.subjects(target, None))
        return [self.shape(n) for n in sorted(nodes, key=str)]

    # -- targets -------------------------------------------------------------------
    def focus_nodes(self, shape: Shape, data: Data) -> set[Term]:
        nodes: set[Term] = set()
        for cls in shape.params.get(SH.targetClass, []):
            nodes |= data.instances(str(cls))
        for p in shape.params.get(SH.targetSubjectsOf, []):
            nodes |= data.by_predicate.get(str(p), set())
        for p in shape.params.get(SH.targetObjectsOf, []):
            nodes |= {o for s in data.by_predicate.get(str(p), ()) for o in data.values(s, str(p))}
        for n in shape.params.get(SH.targetNode, []):
            nodes.add(to_ox(n))
        return nodes

    # -- value checks (node constraints on a single value) -----------------------------
    def value_ok(self, shape: Shape, value: Term, data: Data) -> list[str]:
        """Components of ``shape`` (as a node shape on ``value``) that ``value`` violates."""
        failed = []
        for datatype in shape.params.get(SH.datatype, []):
            if not (isinstance(value, ox.Literal) and _has_datatype(value, str(datatype))):
                failed.append("DatatypeConstraintComponent")
        for cls in shape.params.get(SH["class"], []):
            if not data.is_instance(value, str(cls)):
                failed.append("ClassConstraintComponent")
        for kind in shape.params.get(SH.nodeKind, []):
            if not _node_kind(value, kind):
                failed.append("NodeKindConstraintComponent")
        for head in shape.params.get(SH["in"], []):
            if value not in {to_ox(m) for m in self.members(head)}:
                failed.append("InConstraintComponent")
        for pattern in shape.params.get(SH.pattern, []):
            flags = _flags(shape.one(SH.flags))
            if isinstance(value, ox.BlankNode) or not re.search(str(pattern), value.value, flags):
                failed.append("PatternConstraintComponent")
        for n in shape.params.get(SH.minLength, []):
            if isinstance(value, ox.BlankNode) or len(value.value) < int(n):
                failed.append("MinLengthConstraintComponent")
        for n in shape.params.get(SH.maxLength, []):
            if isinstance(value, ox.BlankNode) or len(value.value) > int(n):
                failed.append("MaxLengthConstraintComponent")
        for name, test in ((SH.minInclusive, lambda a, b: a >= b), (SH.minExclusive, lambda a, b: a > b),
                           (SH.maxInclusive, lambda a, b: a <= b), (SH.maxExclusive, lambda a, b: a < b)):
            for bound in shape.params.get(name, []):
                if not _compare(value, bound, test):
                    failed.append(str(name).rsplit("#", 1)[1][0].upper() + str(name).rsplit("#", 1)[1][1:] + "ConstraintComponent")
        for head in shape.params.get(SH.languageIn, []):
            ranges = [str(m).lower() for m in self.members(head)]
            lang = value.language.lower() if isinstance(value, ox.Literal) and value.language else None
            if lang is None or not any(lang == r or lang.startswith(r + "-") or r == "*" for r in ranges):
                failed.append("LanguageInConstraintComponent")
        for head in shape.params.get(SH["or"], []):
            if not any(self.conforms_as_node(self.shape(m), value, data) for m in self.members(head)):
                failed.append("OrConstraintComponent")
        return failed

    def conforms_as_node(self, shape: Shape, node: Term, data: Data) -> bool:
        if self.value_ok(shape, node, data):
            return False
        if SH.path in shape.params:
            return not self.property_results(shape, node, data)
        for prop in shape.params.get(SH.property, []):
            if self.property_results(self.shape(prop), node, data):
                return False
        return True

    # -- property shapes --------------------------------------------------------------
    def property_results(self, shape: Shape, focus: Term, data: Data) -> list[tuple[str, Term | None]]:
        """(component, value) pairs violated by ``focus`` for this property shape."""
        path = shape.one(SH.path)
        if not isinstance(path, rdflib.URIRef):
            raise UnsupportedShape(f"complex property path {path}")
        values = data.values(focus, str(path))
        results: list[tuple[str, Term | None]] = []
        if (n := shape.one(SH.minCount)) is not None and len(values) < int(n):
            results.append(("MinCountConstraintComponent", None))
        if (n := shape.one(SH.maxCount)) is not None and len(values) > int(n):
            results.append(("MaxCountConstraintComponent", None))
        for value in values:
            results += [(component, value) for component in self.value_ok(shape, value, data)]
        if (v := shape.one(SH.hasValue)) is not None and to_ox(v) not in values:
            results.append(("HasValueConstraintComponent", None))
        if shape.one(SH.uniqueLang) == rdflib.Literal(True):
            languages = [v.language.lower() for v in values if isinstance(v, ox.Literal) and v.language]
            for language in sorted({l for l in languages if languages.count(l) > 1}):
                results.append(("UniqueLangConstraintComponent", None))
        for other in shape.params.get(SH.lessThan, []):
            for value in values:
                for bound in data.values(focus, str(other)):
                    if not _less_than(value, bound):
                        results.append(("LessThanConstraintComponent", value))
        if (qualified := shape.one(SH.qualifiedValueShape)) is not None:
            inner = self.shape(qualified)
            count = sum(1 for v in values if self.conforms_as_node(inner, v, data))
            low, high = shape.one(SH.qualifiedMinCount), shape.one(SH.qualifiedMaxCount)
            if low is not None and count < int(low):
                results.append(("QualifiedMinCountConstraintComponent", None))
            if high is not None and count > int(high):
                results.append(("QualifiedMaxCountConstraintComponent", None))
        return results

    # -- SPARQL-based constraints ----------------------------------------------------------
    def sparql_results(self, shape: Shape, focus: set[Term], data: Data) -> list[Result]:
        results = []
        for constraint in shape.params.get(SH.sparql, []):
            spec = self.shape(constraint)
            prefixes = "".join(self.prefixes(p) for p in spec.params.get(SH.prefixes, []))
            query = prefixes + str(spec.one(SH.select)).replace("$this", "?this")
            message = spec.one(SH.message)
            solutions = data.store().query(query)
            has_value = any(v.value == "value" for v in solutions.variables)
            for row in solutions:
                this = row["this"]
                if this not in focus:
                    continue
                value = row["value"] if has_value else None
                results.append(Result(show(this), None, str(SH.SPARQLConstraintComponent),
                                      str(message) if message else None, show(value) if value else None, str(shape.node)))
        return results

    def prefixes(self, node: rdflib.term.Node) -> str:
        if node not in self.prefix_cache:
            lines = []
            for declaration in self.shapes.objects(node, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
            self.prefix_cache[node] = "".join(lines)
        return self.prefix_cache[node]

    # -- entry point -------------------------------------------------------------------------
    def validate(self, triples: Iterable[ox.Triple]) -> list[Result]:
        data = Data(triples)
        results: list[Result] = []
        for shape in self.node_shapes():
            focus = self.focus_nodes(shape, data)
            if not focus:
                continue
            message = shape.one(SH.message)
            node_components = [c for c in ("datatype", "class", "nodeKind", "in", "pattern", "or")
                               if SH[c] in shape.params]
            for node in sorted(focus, key=show):
                if node_components:
                    for component in self.value_ok(shape, node, data):
                        results.append(Result(show(node), None, str(SH[component]), str(message) if message else None,
                                              show(node), str(shape.node)))
                for prop in shape.params.get(SH.property, []):
                    prop_shape = self.shape(prop)
                    prop_message = prop_shape.one(SH.message)
                    for component, value in self.property_results(prop_shape, node, data):
                        results.append(Result(show(node), str(prop_shape.one(SH.path)), str(SH[component]),
                                              str(prop_message) if prop_message else None,
                                              show(value) if value is not None else None, str(prop)))
            results += self.sparql_results(shape, focus, data)
        return results


def _has_datatype(value: ox.Literal, datatype: str) -> bool:
    if datatype == LANGSTRING:
        return bool(value.language)
    if value.language or value.datatype.value != datatype:
        return False
    return _well_formed(value)


def _well_formed(value: ox.Literal) -> bool:
    """Ill-typed literals (e.g. "abc"^^xsd:integer) do not have their datatype, as in pySHACL."""
    datatype = value.datatype.value
    text = value.value
    checks = {
        str(XSD.integer): r"[+-]?\d+", str(XSD.boolean): r"true|false|1|0", str(XSD.gYear): r"-?\d{4,}(Z|[+-]\d\d:\d\d)?",
        str(XSD.gYearMonth): r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d\d:\d\d)?",
        str(XSD.date): r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
        str(XSD.nonNegativeInteger): r"\+?\d+",
    }
    pattern = checks.get(datatype)
    if pattern and not re.fullmatch(pattern, text):
        return False
    if datatype == str(XSD.date):
        import datetime

        try:
            datetime.date.fromisoformat(text[:10])
        except ValueError:
            return False
    return True


def _node_kind(value: Term, kind: rdflib.term.Node) -> bool:
    kinds = {SH.IRI: (ox.NamedNode,), SH.Literal: (ox.Literal,), SH.BlankNode: (ox.BlankNode,),
             SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
             SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal)}
    if kind not in kinds:
        raise UnsupportedShape(f"sh:nodeKind {kind}")
    return isinstance(value, kinds[kind])


def _flags(flags: rdflib.term.Node | None) -> int:
    return re.IGNORECASE if flags is not None and "i" in str(flags) else 0


def _number(term: Term | rdflib.term.Node) -> Decimal | None:
    if isinstance(term, rdflib.Literal):
        datatype, text = str(term.datatype), str(term)
    elif isinstance(term, ox.Literal) and not term.language:
        datatype, text = term.datatype.value, term.value
    else:
        return None
    if datatype not in NUMERIC:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _compare(value: Term, bound: rdflib.term.Node, test) -> bool:
    a, b = _number(value), _number(bound)
    if a is None or b is None:
        return False
    return test(a, b)


def _less_than(value: Term, bound: Term) -> bool:
    a, b = _number(value), _number(bound)
    if a is not None and b is not None:
        return a < b
    if isinstance(value, ox.Literal) and isinstance(bound, ox.Literal) and value.datatype == bound.datatype:
        return value.value < bound.value
    return False
