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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal
RDF_TYPE = str(RDF.type)
SH_NS = str(SH)
EMPTY: frozenset = frozenset()
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
class ValueShape:
    """Node constraints applied to one value (or to a focus node), compiled to plain Python."""

    datatypes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    node_kinds: tuple[tuple[type, ...], ...] = ()
    in_sets: tuple[frozenset, ...] = ()
    patterns: tuple[re.Pattern, ...] = ()
    min_length: tuple[int, ...] = ()
    max_length: tuple[int, ...] = ()
    ranges: tuple[tuple[str, Decimal | None, object], ...] = ()  # (component, bound, test)
    languages: tuple[tuple[str, ...], ...] = ()
    ors: tuple[tuple["ValueShape | PropertyShape", ...], ...] = ()
    properties: tuple["PropertyShape", ...] = ()

    def failures(self, value: Term, data: "Data") -> list[str]:
        """The components this value violates (empty: it conforms to these constraints)."""
        failed = []
        for datatype in self.datatypes:
            if not (isinstance(value, ox.Literal) and _has_datatype(value, datatype)):
                failed.append("DatatypeConstraintComponent")
        for cls in self.classes:
            if value not in data.instances(cls):
                failed.append("ClassConstraintComponent")
        for kinds in self.node_kinds:
            if not isinstance(value, kinds):
                failed.append("NodeKindConstraintComponent")
        for allowed in self.in_sets:
            if value not in allowed:
                failed.append("InConstraintComponent")
        for pattern in self.patterns:
            if isinstance(value, ox.BlankNode) or not pattern.search(value.value):
                failed.append("PatternConstraintComponent")
        for n in self.min_length:
            if isinstance(value, ox.BlankNode) or len(value.value) < n:
                failed.append("MinLengthConstraintComponent")
        for n in self.max_length:
            if isinstance(value, ox.BlankNode) or len(value.value) > n:
                failed.append("MaxLengthConstraintComponent")
        for component, bound, test in self.ranges:
            number = _number(value)
            if number is None or bound is None or not test(number, bound):
                failed.append(component)
        for ranges in self.languages:
            lang = value.language.lower() if isinstance(value, ox.Literal) and value.language else None
            if lang is None or not any(lang == r or lang.startswith(r + "-") or r == "*" for r in ranges):
                failed.append("LanguageInConstraintComponent")
        for members in self.ors:
            if not any(member.conforms(value, data) for member in members):
                failed.append("OrConstraintComponent")
        return failed

    def conforms(self, node: Term, data: "Data") -> bool:
        return not self.failures(node, data) and not any(p.results(node, data) for p in self.properties)


@dataclass
class PropertyShape:
    node: str
    path: str
    message: str | None
    values: ValueShape
    min_count: int | None = None
    max_count: int | None = None
    has_value: Term | None = None
    unique_lang: bool = False
    less_than: tuple[str, ...] = ()
    qualified: tuple[ValueShape, int | None, int | None] | None = None

    def results(self, focus: Term, data: "Data") -> list[tuple[str, Term | None]]:
        """(component, value) pairs violated by ``focus``."""
        values = data.values(focus, self.path)
        out: list[tuple[str, Term | None]] = []
        if self.min_count is not None and len(values) < self.min_count:
            out.append(("MinCountConstraintComponent", None))
        if self.max_count is not None and len(values) > self.max_count:
            out.append(("MaxCountConstraintComponent", None))
        for value in values:
            out += [(component, value) for component in self.values.failures(value, data)]
        if self.has_value is not None and self.has_value not in values:
            out.append(("HasValueConstraintComponent", None))
        if self.unique_lang:
            languages = [v.language.lower() for v in values if isinstance(v, ox.Literal) and v.language]
            out += [("UniqueLangConstraintComponent", None) for l in sorted(set(languages)) if languages.count(l) > 1]
        for other in self.less_than:
            for value in values:
                for bound in data.values(focus, other):
                    if not _less_than(value, bound):
                        out.append(("LessThanConstraintComponent", value))
        if self.qualified is not None:
            inner, low, high = self.qualified
            count = sum(1 for v in values if inner.conforms(v, data))
            if low is not None and count < low:
                out.append(("QualifiedMinCountConstraintComponent", None))
            if high is not None and count > high:
                out.append(("QualifiedMaxCountConstraintComponent", None))
        return out

    def conforms(self, node: Term, data: "Data") -> bool:
        return not self.results(node, data)


@dataclass
class NodeShape:
    node: str
    message: str | None
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]
    target_objects_of: tuple[str, ...]
    target_nodes: tuple[Term, ...]
    checks: ValueShape
    sparql: tuple[tuple[str, str | None], ...]  # (query, message)


class Data:
    """The data graph as dictionaries: subject -> predicate -> objects, and the class hierarchy."""

    def __init__(self, triples: Iterable[ox.Triple], predicates: set[str] | None = None):
        """Index ``triples``; with ``predicates``, only those (and rdf:type, rdfs:subClassOf) are indexed."""
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.by_predicate: dict[str, set[Term]] = defaultdict(set)
        self.triples: list[ox.Triple] = triples if isinstance(triples, list) else list(triples)
        wanted = None if predicates is None else predicates | {RDF_TYPE, SUBCLASS}
        out, by_predicate = self.out, self.by_predicate
        for t in self.triples:
            p = t.predicate.value
            if wanted is None or p in wanted:
                out[t.subject][p].append(t.object)
                by_predicate[p].add(t.subject)
        subclass_of: dict[str, set[str]] = defaultdict(set)
        for subject in self.by_predicate.get(SUBCLASS, ()):
            for parent in self.out[subject][SUBCLASS]:
                if isinstance(subject, ox.NamedNode) and isinstance(parent, ox.NamedNode):
                    subclass_of[subject.value].add(parent.value)
        self._subclass_of = subclass_of
        self._ancestors: dict[str, set[str]] = {}
        self._instances: dict[str, set[Term]] | None = None
        self._store: ox.Store | None = None

    def ancestors(self, cls: str) -> set[str]:
        if cls not in self._ancestors:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self._subclass_of.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._ancestors[cls] = seen
        return self._ancestors[cls]

    def instances(self, cls: str) -> set[Term]:
        """SHACL instances of ``cls``: typed with it or with one of its subclasses."""
        if self._instances is None:
            instances: dict[str, set[Term]] = defaultdict(set)
            for subject in self.by_predicate.get(RDF_TYPE, ()):
                for t in self.out[subject][RDF_TYPE]:
                    if isinstance(t, ox.NamedNode):
                        for ancestor in self.ancestors(t.value):
                            instances[ancestor].add(subject)
            self._instances = instances
        return self._instances.get(cls, EMPTY)

    def values(self, node: Term, path: str) -> list[Term]:
        by_predicate = self.out.get(node)
        return by_predicate.get(path, []) if by_predicate else []

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


NODE_KINDS = {SH.IRI: (ox.NamedNode,), SH.Literal: (ox.Literal,), SH.BlankNode: (ox.BlankNode,),
              SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
              SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal)}
RANGES = ((SH.minInclusive, "MinInclusiveConstraintComponent", lambda a, b: a >= b),
          (SH.minExclusive, "MinExclusiveConstraintComponent", lambda a, b: a > b),
          (SH.maxInclusive, "MaxInclusiveConstraintComponent", lambda a, b: a <= b),
          (SH.maxExclusive, "MaxExclusiveConstraintComponent", lambda a, b: a < b))


class Validator:
    """Compiles the shapes graph once; validates any number of data graphs."""

    def __init__(self, shapes: rdflib.Graph):
        self.shapes = shapes
        self.node_shapes = [self.compile_node_shape(n) for n in self.node_shape_nodes()]

    # -- compiling shapes ----------------------------------------------------------
    def params(self, node: rdflib.term.Node) -> dict[rdflib.term.Node, list[rdflib.term.Node]]:
        params: dict[rdflib.term.Node, list[rdflib.term.Node]] = {}
        for p, o in self.shapes.predicate_objects(node):
            if p not in KNOWN and str(p).startswith(str(SH)):
                raise UnsupportedShape(f"{p} on {node}")
            params.setdefault(p, []).append(o)
        return params

    def members(self, head: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.shapes, head))

    def node_shape_nodes(self) -> list[rdflib.term.Node]:
        nodes = set(self.shapes.subjects(RDF.type, SH.NodeShape))
        for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf):
            nodes |= set(self.shapes.subjects(target, None))
        return sorted(nodes, key=str)

    def compile_values(self, params: dict) -> ValueShape:
        flags = re.IGNORECASE if any("i" in str(f) for f in params.get(SH.flags, [])) else 0
        for kind in params.get(SH.nodeKind, []):
            if kind not in NODE_KINDS:
                raise UnsupportedShape(f"sh:nodeKind {kind}")
        return ValueShape(
            datatypes=tuple(str(d) for d in params.get(SH.datatype, [])),
            classes=tuple(str(c) for c in params.get(SH["class"], [])),
            node_kinds=tuple(NODE_KINDS[k] for k in params.get(SH.nodeKind, [])),
            in_sets=tuple(frozenset(to_ox(m) for m in self.members(h)) for h in params.get(SH["in"], [])),
            patterns=tuple(re.compile(str(p), flags) for p in params.get(SH.pattern, [])),
            min_length=tuple(int(n) for n in params.get(SH.minLength, [])),
            max_length=tuple(int(n) for n in params.get(SH.maxLength, [])),
            ranges=tuple((component, _number(bound), test) for name, component, test in RANGES
                         for bound in params.get(name, [])),
            languages=tuple(tuple(str(m).lower() for m in self.members(h)) for h in params.get(SH.languageIn, [])),
            ors=tuple(tuple(self.compile_member(m) for m in self.members(h)) for h in params.get(SH["or"], [])),
            properties=tuple(self.compile_property(p) for p in params.get(SH.property, [])),
        )

    def compile_member(self, node: rdflib.term.Node) -> ValueShape | PropertyShape:
        params = self.params(node)
        return self.compile_property(node) if SH.path in params else self.compile_values(params)

    def compile_property(self, node: rdflib.term.Node) -> PropertyShape:
        params = self.params(node)
        path = params.get(SH.path, [None])[0]
        if not isinstance(path, rdflib.URIRef):
            raise UnsupportedShape(f"complex property path {path}")
        one = lambda name: params.get(name, [None])[0]  # noqa: E731
        qualified = None
        if one(SH.qualifiedValueShape) is not None:
            low, high = one(SH.qualifiedMinCount), one(SH.qualifiedMaxCount)
            qualified = (self.compile_values(self.params(one(SH.qualifiedValueShape))),
                         int(low) if low is not None else None, int(high) if high is not None else None)
        has_value = one(SH.hasValue)
        message = one(SH.message)
        return PropertyShape(
            node=str(node), path=str(path), message=str(message) if message is not None else None,
            values=self.compile_values({k: v for k, v in params.items() if k != SH.property}),
            min_count=int(one(SH.minCount)) if one(SH.minCount) is not None else None,
            max_count=int(one(SH.maxCount)) if one(SH.maxCount) is not None else None,
            has_value=to_ox(has_value) if has_value is not None else None,
            unique_lang=one(SH.uniqueLang) == rdflib.Literal(True),
            less_than=tuple(str(p) for p in params.get(SH.lessThan, [])),
            qualified=qualified,
        )

    def compile_node_shape(self, node: rdflib.term.Node) -> NodeShape:
        params = self.params(node)
        message = params.get(SH.message, [None])[0]
        sparql = []
        for constraint in params.get(SH.sparql, []):
            spec = self.params(constraint)
            prefixes = "".join(self.prefixes(p) for p in spec.get(SH.prefixes, []))
            query = prefixes + str(spec[SH.select][0]).replace("$this", "?this")
            constraint_message = spec.get(SH.message, [None])[0]
            sparql.append((query, str(constraint_message) if constraint_message is not None else None))
        return NodeShape(
            node=str(node), message=str(message) if message is not None else None,
            target_classes=tuple(str(c) for c in params.get(SH.targetClass, [])),
            target_subjects_of=tuple(str(p) for p in params.get(SH.targetSubjectsOf, [])),
            target_objects_of=tuple(str(p) for p in params.get(SH.targetObjectsOf, [])),
            target_nodes=tuple(to_ox(n) for n in params.get(SH.targetNode, [])),
            checks=self.compile_values(params),
            sparql=tuple(sparql),
        )

    def prefixes(self, node: rdflib.term.Node) -> str:
        lines = []
        for declaration in self.shapes.objects(node, SH.declare):
            prefix = self.shapes.value(declaration, SH.prefix)
            namespace = self.shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(lines)

    # -- validating -----------------------------------------------------------------------
    @staticmethod
    def focus_nodes(shape: NodeShape, data: Data) -> set[Term]:
        nodes: set[Term] = set()
        for cls in shape.target_classes:
            nodes |= data.instances(cls)
        for p in shape.target_subjects_of:
            nodes |= data.by_predicate.get(p, set())
        for p in shape.target_objects_of:
            nodes |= {o for s in data.by_predicate.get(p, ()) for o in data.values(s, p)}
        nodes.update(shape.target_nodes)
        return nodes

    def predicates(self) -> set[str]:
        """Every predicate a shape looks at: the data index needs no others."""
        found: set[str] = set()

        def visit(shape: ValueShape) -> None:
            for prop in shape.properties:
                found.add(prop.path)
                found.update(prop.less_than)
                visit(prop.values)
                if prop.qualified:
                    visit(prop.qualified[0])
            for members in shape.ors:
                for member in members:
                    if isinstance(member, PropertyShape):
                        found.add(member.path)
                        visit(member.values)
                    else:
                        visit(member)

        for shape in self.node_shapes:
            found.update(shape.target_subjects_of, shape.target_objects_of)
            visit(shape.checks)
        return found

    def validate(self, triples: Iterable[ox.Triple]) -> list[Result]:
        data = Data(triples, self.predicates())
        results: list[Result] = []
        for shape in self.node_shapes:
            focus = self.focus_nodes(shape, data)
            if not focus:
                continue
            checks = shape.checks
            for node in sorted(focus, key=show):
                for component in checks.failures(node, data):
                    results.append(Result(show(node), None, SH_NS + component, shape.message, show(node), shape.node))
                for prop in checks.properties:
                    for component, value in prop.results(node, data):
                        results.append(Result(show(node), prop.path, SH_NS + component, prop.message,
                                              show(value) if value is not None else None, prop.node))
            for query, message in shape.sparql:
                solutions = data.store().query(query)
                has_value = any(v.value == "value" for v in solutions.variables)
                for row in solutions:
                    if row["this"] in focus:
                        value = row["value"] if has_value else None
                        results.append(Result(show(row["this"]), None, str(SH.SPARQLConstraintComponent), message,
                                              show(value) if value is not None else None, shape.node))
        return results


def _has_datatype(value: ox.Literal, datatype: str) -> bool:
    if datatype == LANGSTRING:
        return bool(value.language)
    if value.language or value.datatype.value != datatype:
        return False
    return _well_formed(value)


_LEXICAL = {datatype: re.compile(pattern) for datatype, pattern in {
    str(XSD.integer): r"[+-]?\d+", str(XSD.boolean): r"true|false|1|0", str(XSD.gYear): r"-?\d{4,}(Z|[+-]\d\d:\d\d)?",
    str(XSD.gYearMonth): r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d\d:\d\d)?",
    str(XSD.date): r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
    str(XSD.nonNegativeInteger): r"\+?\d+",
}.items()}
_DATE = str(XSD.date)


def _well_formed(value: ox.Literal) -> bool:
    """Ill-typed literals (e.g. "abc"^^xsd:integer) do not have their datatype, as in pySHACL."""
    datatype = value.datatype.value
    pattern = _LEXICAL.get(datatype)
    if pattern is not None and not pattern.fullmatch(value.value):
        return False
    if datatype == _DATE:
        import datetime

        try:
            datetime.date.fromisoformat(value.value[:10])
        except ValueError:
            return False
    return True


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


def _less_than(value: Term, bound: Term) -> bool:
    a, b = _number(value), _number(bound)
    if a is not None and b is not None:
        return a < b
    if isinstance(value, ox.Literal) and isinstance(bound, ox.Literal) and value.datatype == bound.datatype:
        return value.value < bound.value
    return False
