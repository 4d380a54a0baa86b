"""SHACL validation with pySHACL, reported in terms of the curated data.

pySHACL speaks of focus nodes and shapes; a person editing data/ needs the
file, line and record, and what was expected. The report does that.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import SH

from clusterlod.graph import Origin
from clusterlod.namespaces import compact_iri
from clusterlod.rdfio import to_rdflib


ENGINES = ("fast", "pyshacl")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str
    origin: Origin | None
    component: str = ""
    value: str | None = None

    def key(self) -> tuple[str, str, str, str | None]:
        """What two engines must agree on: the node, the path, the constraint and the value."""
        return (self.focus, self.path, self.component, self.value)

    def line(self) -> str:
        where = f"{self.origin.path}:{self.origin.line}: record '{self.origin.record}':" if self.origin else f"<{self.focus}>:"
        path = f" [{self.path}]" if self.path else ""
        return f"{where}{path} {self.message}"


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    engine: str = "fast"

    def text(self) -> str:
        if self.conforms:
            return "conforms: every shape is satisfied"
        lines = [f"does not conform: {len(self.violations)} violation(s)"]
        lines += ["  " + v.line() for v in self.violations]
        return "\n".join(lines)


def validate(data: list[ox.Triple], shapes: rdflib.Graph, origins: dict[str, Origin],
             prefixes: dict[str, str], engine: str = "fast") -> Report:
    """Validate ``data`` (instance data plus the ontology, for rdfs:subClassOf) against ``shapes``.

    ``fast`` is clusterlod's own SHACL Core engine (the default; shown equal to
    pySHACL by the tests); ``pyshacl`` runs the reference implementation.
    """
    if engine == "pyshacl":
        return _validate_pyshacl(data, shapes, origins, prefixes)
    if engine != "fast":
        raise ValueError(f"unknown validation engine {engine!r}")
    from clusterlod.shacl import Validator

    violations = [
        Violation(r.focus, _short(r.path, prefixes), r.message or "constraint not satisfied", "sh:Violation", origins.get(r.focus),
                  r.component, r.value)
        for r in Validator(shapes).validate(data)
    ]
    return Report(not violations, _sorted(violations), "fast")


def _short(iri: str | None, prefixes: dict[str, str]) -> str:
    """An IRI as a CURIE for people (clo:region rather than the whole IRI)."""
    return compact_iri(iri, prefixes) if iri else ""


def _sorted(violations: list[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (v.origin.path if v.origin else "", v.origin.line if v.origin else 0,
                                             v.path, v.message, v.focus, v.value or ""))


def _validate_pyshacl(data: list[ox.Triple], shapes: rdflib.Graph, origins: dict[str, Origin],
                      prefixes: dict[str, str]) -> Report:
    data_graph = to_rdflib(data)
    conforms, results, _ = pyshacl_validate(data_graph, shacl_graph=shapes, inference="none",
                                            advanced=True, allow_warnings=True)
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        violations.append(Violation(
            focus=str(focus),
            path=_short(str(path) if path is not None else None, prefixes),
            message=str(message) if message else "constraint not satisfied",
            severity=_short(str(severity), prefixes),
            origin=origins.get(str(focus)),
            component=str(results.value(result, SH.sourceConstraintComponent)),
            value=_value_text(value),
        ))
    return Report(bool(conforms), _sorted(violations), "pyshacl")


def _value_text(value: rdflib.term.Node | None) -> str | None:
    """The value as the fast engine shows it: an IRI, or an N-Triples literal."""
    if value is None:
        return None
    if isinstance(value, rdflib.Literal):
        from clusterlod.shacl import to_ox

        return str(to_ox(value))
    return str(value)


def report_triples(report: Report, iri: str) -> list[ox.Triple]:
    """The report as RDF (sh:ValidationReport) with IRIs, not blank nodes, so it is stable."""
    sh = "http://www.w3.org/ns/shacl#"
    node = ox.NamedNode(iri)
    triples = [
        ox.Triple(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(sh + "ValidationReport")),
        ox.Triple(node, ox.NamedNode(sh + "conforms"),
                  ox.Literal("true" if report.conforms else "false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
    ]
    for n, violation in enumerate(report.violations, 1):
        result = ox.NamedNode(f"{iri}/result/{n}")
        triples += [
            ox.Triple(node, ox.NamedNode(sh + "result"), result),
            ox.Triple(result, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(sh + "ValidationResult")),
            ox.Triple(result, ox.NamedNode(sh + "focusNode"), ox.NamedNode(violation.focus)),
            ox.Triple(result, ox.NamedNode(sh + "resultMessage"), ox.Literal(violation.message)),
            ox.Triple(result, ox.NamedNode(sh + "sourceConstraintComponent"), ox.NamedNode(violation.component)),
        ]
    return triples
