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
from clusterlod.rdfio import to_rdflib


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str
    origin: Origin | None

    def line(self) -> str:
        where = f"{self.origin.path}:{self.origin.line}: record '{self.origin.record}':" if self.origin else f"<{self.focus}>:"
        path = f" [{self.path}]" if self.path else ""
        return f"{where}{path} {self.message}"


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    graph: rdflib.Graph

    def text(self) -> str:
        if self.conforms:
            return "conforms: every shape is satisfied"
        lines = [f"does not conform: {len(self.violations)} violation(s)"]
        lines += ["  " + v.line() for v in self.violations]
        return "\n".join(lines)


def _short(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - any IRI rdflib cannot shorten is shown whole
            return str(node)
    return ""


def validate(data: list[ox.Triple], shapes: rdflib.Graph, origins: dict[str, Origin],
             prefixes: dict[str, str]) -> Report:
    """Validate ``data`` (instance data plus the ontology, for rdfs:subClassOf) against ``shapes``."""
    data_graph = to_rdflib(data)
    for prefix, namespace in prefixes.items():
        data_graph.bind(prefix, namespace, override=True)
    conforms, results, _ = pyshacl_validate(data_graph, shacl_graph=shapes, inference="none",
                                            advanced=True, allow_warnings=True)
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        path = results.value(result, SH.resultPath)
        violations.append(Violation(
            focus=str(focus),
            path=_short(data_graph, path),
            message=str(message) if message else "constraint not satisfied",
            severity=_short(data_graph, severity),
            origin=origins.get(str(focus)),
        ))
    violations.sort(key=lambda v: (v.origin.path if v.origin else "", v.origin.line if v.origin else 0, v.path, v.message))
    return Report(bool(conforms), violations, results)
