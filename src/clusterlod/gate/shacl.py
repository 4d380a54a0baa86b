"""SHACL validation with a maintained engine, reported in terms of the curated data.

clusterlod does not maintain a SHACL engine. ``turbo`` (pyshacl-turbo, a Rust
engine with pySHACL's interface; it passes the W3C SHACL Core suite vendored in
tests/w3c/) is what ``build`` and ``validate`` both run, on the very literals
that will be published: the data and the shapes go in as pyoxigraph stores,
never through rdflib, which would normalise literals (``"01"^^xsd:integer``)
and so judge a different graph. ``pyshacl`` is the reference implementation,
kept for comparison (tests/test_shacl.py runs both).

An engine speaks of focus nodes and shapes; a person editing data/ needs the
file, line and record, and what was expected. The report does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from clusterlod.errors import DataError, UnsupportedShape
from clusterlod.graph import Origin
from clusterlod.namespaces import compact_iri

TURBO, PYSHACL = "turbo", "pyshacl"
ENGINES = (TURBO, PYSHACL)
DEFAULT_ENGINE = TURBO
#: Severities in the order a flag can lower the bar: --fail-on warning blocks on warnings too.
SEVERITIES = ("violation", "warning", "info")
SH_NS = "http://www.w3.org/ns/shacl#"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: SHACL-JS (JavaScript constraints, targets and rules): neither engine runs it, and pySHACL skips it without
#: a word, so a shape using it would pass any data. Such shapes are refused before validating.
UNSUPPORTED_TERMS = frozenset(SH_NS + name for name in (
    "js", "jsFunctionName", "jsLibrary", "jsLibraryURL", "JSConstraint", "JSConstraintComponent", "JSFunction",
    "JSLibrary", "JSRule", "JSTarget", "JSTargetType", "JSValidator"))


@dataclass(frozen=True)
class Violation:
    """One validation result (of any severity), with the data file and record behind it."""

    focus: str
    path: str
    message: str
    severity: str
    origin: Origin | None
    component: str = ""
    value: str | None = None
    shape: str = ""

    def key(self) -> tuple[str, str, str, str | None, str, str]:
        """What two engines must agree on: node, path, constraint, value, severity and (named) source shape."""
        return (self.focus, self.path, self.component, self.value, self.severity, self.shape)

    @property
    def level(self) -> str:
        """violation, warning or info."""
        return self.severity.rsplit(":", 1)[-1].rsplit("#", 1)[-1].lower()

    def line(self) -> str:
        where = (f"{self.origin.path}:{self.origin.line}: record '{self.origin.record}':" if self.origin
                 else f"<{self.focus}>:")
        path = f" [{self.path}]" if self.path else ""
        tag = "" if self.level == "violation" else f" ({self.level})"
        return f"{where}{path}{tag} {self.message}"


@dataclass
class Report:
    """The engine's results; ``conforms`` is the gate's verdict: nothing at or above ``fail_on``."""

    violations: list[Violation]
    engine: str = DEFAULT_ENGINE
    fail_on: str = "violation"
    problems: list[str] = field(default_factory=list)  # quality checks that failed (see clusterlod.gate.run)
    seconds: dict[str, float] = field(default_factory=dict)  # time of each part of the gate

    @property
    def blocking(self) -> list[Violation]:
        levels = SEVERITIES[: SEVERITIES.index(self.fail_on) + 1]
        return [v for v in self.violations if v.level in levels]

    @property
    def conforms(self) -> bool:
        return not self.blocking and not self.problems

    @property
    def shacl_conforms(self) -> bool:
        """SHACL's own sh:conforms: no result of any severity."""
        return not self.violations

    def text(self) -> str:
        """The verdict; one line when one thing is wrong, else a summary and one line per result."""
        if self.conforms and not self.violations:
            return "conforms: every shape is satisfied and every quality check passes"
        items = [v.line() for v in self.violations] + self.problems
        if self.conforms:
            return "\n".join([f"conforms, with {len(self.violations)} warning(s) or info(s)"]
                             + ["  " + i for i in items])
        if len(items) == 1:
            return f"does not conform: {items[0]}"
        head = f"does not conform: {len(self.blocking)} violation(s), {len(self.problems)} failed quality check(s)"
        return "\n".join([head] + ["  " + i for i in items])


def validate(data: ox.Store, shapes: list[ox.Triple], origins: dict[str, Origin],
             prefixes: dict[str, str], engine: str = DEFAULT_ENGINE, fail_on: str = "violation",
             shapes_file: str = "shapes/") -> Report:
    """Validate the union of ``data``'s graphs (instance data plus the ontology, for rdfs:subClassOf).

    A shape using a feature the engine cannot check is an UnsupportedShape, any other shape it cannot
    run a DataError, both naming ``shapes_file`` in one line.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r} (expected one of {', '.join(ENGINES)})")
    refuse_unsupported(shapes, shapes_file, engine)
    try:
        if engine == TURBO:
            results = run_turbo(data, store_of(shapes))
        else:
            results = run_pyshacl(_rdflib_graph([q.triple for q in data]), _rdflib_graph(shapes))
    except NotImplementedError as error:
        first = (str(error).strip().splitlines() or ["a SHACL feature"])[0]
        raise UnsupportedShape(f"{shapes_file}: the SHACL engine ({engine}) cannot check these shapes: {first}; "
                               "nothing is published") from None
    except Exception as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise DataError(shapes_file, None, None, f"the SHACL engine ({engine}) cannot run these shapes: "
                                                 f"{type(error).__name__}: {first}") from None
    return Report(sort_results(read_results(results, origins, prefixes)), engine, fail_on)


def refuse_unsupported(shapes: list[ox.Triple], shapes_file: str, engine: str) -> None:
    """Refuse shapes that use SHACL-JS, naming the first shape that does (by its predicate, else its type)."""
    used = [((t.predicate if t.predicate.value in UNSUPPORTED_TERMS else t.object), t.subject) for t in shapes
            if t.predicate.value in UNSUPPORTED_TERMS
            or (isinstance(t.object, ox.NamedNode) and t.object.value in UNSUPPORTED_TERMS)]
    if used:
        term, subject = next((pair for pair in used if pair[0].value == SH_NS + "js"), used[0])
        shape = f"<{subject.value}>" if isinstance(subject, ox.NamedNode) else "(a blank node)"
        raise UnsupportedShape(f"{shapes_file}: shape {shape} uses sh:{term.value[len(SH_NS):]} (SHACL-JS), which "
                               f"the SHACL engine ({engine}) cannot check; nothing is published")


def store_of(triples: list[ox.Triple]) -> ox.Store:
    """An in-memory store of exactly these triples (lexical forms kept as written).

    Serialised and parsed by oxigraph: several times faster than adding a
    million terms one by one from Python, and the parser releases the GIL.
    """
    store = ox.Store()
    store.load(input=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    return store


def run_turbo(data: ox.Store | rdflib.Graph, shapes: ox.Store | rdflib.Graph) -> rdflib.Graph:
    """pyshacl-turbo's results graph. Give both graphs as stores (or both as rdflib graphs):
    0.6.5 mixing the two reports false sh:in violations ("high" against "high"^^xsd:string).
    The gate hands it the union of the release's graphs as one graph (clusterlod.gate.run.union_store)."""
    import pyshacl_turbo

    _, results, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return results


def run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    from pyshacl import validate as pyshacl_validate

    _, results, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return results


def _rdflib_graph(triples: list[ox.Triple]) -> rdflib.Graph:
    from clusterlod.release.rdfio import to_rdflib

    return to_rdflib(triples)


def read_results(results: rdflib.Graph, origins: dict[str, Origin], prefixes: dict[str, str]) -> list[Violation]:
    """Each sh:ValidationResult of a results graph as a Violation naming its record."""
    found = []
    for result in set(results.objects(None, SH.result)):  # the report's results, not nested sh:detail ones
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        found.append(Violation(
            focus=str(focus),
            path=_path_text(results, results.value(result, SH.resultPath), prefixes),
            message=str(message) if message else "constraint not satisfied",
            severity=_short(str(severity) if severity is not None else SH_NS + "Violation", prefixes),
            origin=origins.get(str(focus)),
            component=str(results.value(result, SH.sourceConstraintComponent)),
            value=_value_text(results.value(result, SH.value)),
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else "",
        ))
    return found


def _path_text(graph: rdflib.Graph, path: rdflib.term.Node | None, prefixes: dict[str, str]) -> str:
    """A path as a CURIE, or a short SPARQL-like text for a complex one (blank node)."""
    if path is None:
        return ""
    if isinstance(path, rdflib.URIRef):
        return _short(str(path), prefixes)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse, prefixes)
    for predicate, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"({_path_text(graph, inner, prefixes)}){mark}"
    alternative = graph.value(path, SH.alternativePath)
    if alternative is not None:
        members = rdflib.collection.Collection(graph, alternative)
        return "(" + "|".join(_path_text(graph, p, prefixes) for p in members) + ")"
    if graph.value(path, rdflib.RDF.first) is not None:
        return "/".join(_path_text(graph, p, prefixes) for p in rdflib.collection.Collection(graph, path))
    return "(path)"


def _short(iri: str | None, prefixes: dict[str, str]) -> str:
    """An IRI as a CURIE for people (clo:region rather than the whole IRI)."""
    return compact_iri(iri, prefixes) if iri else ""


def sort_results(violations: list[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (v.origin.path if v.origin else "", v.origin.line if v.origin else 0,
                                             v.path, v.message, v.focus, v.value or "", v.component, v.severity))


def _value_text(value: rdflib.term.Node | None) -> str | None:
    """The value as N-Triples shows it (an IRI bare, a literal with its datatype or language)."""
    if value is None:
        return None
    if isinstance(value, rdflib.Literal):
        if value.language:
            return str(ox.Literal(str(value), language=value.language))
        datatype = value.datatype or rdflib.XSD.string
        return str(ox.Literal(str(value), datatype=ox.NamedNode(str(datatype))))
    if isinstance(value, rdflib.BNode):
        return "_:b"
    return str(value)


def report_triples(report: Report, iri: str) -> list[ox.Triple]:
    """The report as RDF (sh:ValidationReport) with IRIs, not blank nodes, so it is stable.

    sh:conforms is SHACL's own (false when any result, even a warning, is present).
    """
    node = ox.NamedNode(iri)
    sh = lambda local: ox.NamedNode(SH_NS + local)  # noqa: E731
    triples = [
        ox.Triple(node, ox.NamedNode(RDF_TYPE), sh("ValidationReport")),
        ox.Triple(node, sh("conforms"), ox.Literal("true" if report.shacl_conforms else "false",
                                                   datatype=ox.NamedNode(XSD_BOOLEAN))),
    ]
    for n, violation in enumerate(report.violations, 1):
        result = ox.NamedNode(f"{iri}/result/{n}")
        triples += [
            ox.Triple(node, sh("result"), result),
            ox.Triple(result, ox.NamedNode(RDF_TYPE), sh("ValidationResult")),
            ox.Triple(result, sh("focusNode"), ox.NamedNode(violation.focus)),
            ox.Triple(result, sh("resultMessage"), ox.Literal(violation.message)),
            ox.Triple(result, sh("resultSeverity"), sh(violation.level.capitalize())),
            ox.Triple(result, sh("sourceConstraintComponent"), ox.NamedNode(violation.component)),
        ]
    return triples
