"""For every shape, a crafted bad record that violates it, and a report that names the record."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from clusterlod.build import Publication, check

CLO = "https://w3id.org/clusterlod/ontology/"
ID = "https://w3id.org/clusterlod/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

Quads = list[ox.Quad]


def drop(subject: str, predicate: str, language: str | None = None) -> Callable[[Quads], Quads]:
    def mutate(quads: Quads) -> Quads:
        kept = [q for q in quads if not (q.subject.value == subject and q.predicate.value == predicate and
                                         (language is None or getattr(q.object, "language", None) == language))]
        assert len(kept) < len(quads), f"nothing to drop for {subject} {predicate}"
        return kept
    return mutate


def replace(subject: str, predicate: str, new: ox.Literal | ox.NamedNode) -> Callable[[Quads], Quads]:
    def mutate(quads: Quads) -> Quads:
        out = [ox.Quad(q.subject, q.predicate, new, q.graph_name)
               if q.subject.value == subject and q.predicate.value == predicate else q for q in quads]
        assert out != quads, f"nothing to replace for {subject} {predicate}"
        return out
    return mutate


def add(subject: str, predicate: str, obj: ox.Literal | ox.NamedNode) -> Callable[[Quads], Quads]:
    def mutate(quads: Quads) -> Quads:
        graph = ox.NamedNode("https://w3id.org/clusterlod/graph/document")
        return quads + [ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), obj, graph)]
    return mutate


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


# (shape, mutation, the record the report must name, a fragment of the message)
CASES = [
    ("BilingualLabelShape", drop(ID + "cluster/kyushu-bio-cluster", RDFS_LABEL, "en"), "kyushu-bio-cluster", "English"),
    ("BilingualLabelShape", drop(ID + "event/iag-conference-7", RDFS_LABEL, "ja"), "iag-conference-7", "Japanese"),
    ("SourcedShape", drop(ID + "place/kyoto-icc", CLO + "sourceQuote"), "kyoto-icc", "has no source"),
    ("SourceQuoteShape", drop(ID + "quote/italy-q1", CLO + "section"), "italy", "clo:section"),
    ("DocumentShape", drop(ID + "document/kc-collaboration-2008", "http://purl.org/dc/terms/publisher"),
     "kc-collaboration-2008", "publisher"),
    ("SectionShape", drop(ID + "section/map", "https://schema.org/position"), "map", "position"),
    ("ProgramShape", drop(ID + "program/icp", CLO + "responsibleMinistry"), "icp", "responsible ministry"),
    ("ClusterShape", drop(ID + "cluster/hokkaido-super-cluster", CLO + "region"), "hokkaido-super-cluster", "region"),
    ("ClusterShape",
     add(ID + "cluster/hokkaido-super-cluster", CLO + "industrialField", ox.NamedNode(ID + "region/kanto")),
     "hokkaido-super-cluster", "industrialField"),
    ("FigureShape", replace(ID + "figure/kyushu-bio-cluster-companies", CLO + "value", typed("0", "integer")),
     "kyushu-bio-cluster", "above zero"),
    ("ApproximateFigureShape",
     replace(ID + "figure/tohoku-monozukuri-corridor-companies", CLO + "approximate", typed("false", "boolean")),
     "tohoku-monozukuri-corridor", "approximate"),
    ("FieldShape", drop(ID + "field/energy", "http://www.w3.org/2004/02/skos/core#inScheme"), "energy", "scheme"),
    ("RegionShape", drop(ID + "region/shikoku", CLO + "editorialBasis"), "shikoku", "editorial basis"),
    ("CouncilShape", drop(ID + "organization/regional-cluster-council", CLO + "establishedBy"),
     "regional-cluster-council", "set it up"),
    ("PersonShape", add(ID + "person/fillon", CLO + "country", ox.NamedNode(ID + "country/italy")),
     "fillon", "clo:country"),
    ("EventShape", drop(ID + "event/japan-eu-cluster-forum", CLO + "status"), "japan-eu-cluster-forum", "status"),
    ("EventShape", replace(ID + "event/iag-conference-7", CLO + "endDate", typed("2008-06-01", "date")),
     "iag-conference-7", "before the start"),
    ("EventShape", add(ID + "event/fillon-visit-2008", CLO + "partner", ox.NamedNode(ID + "place/tokyo")),
     "fillon-visit-2008", "partner"),
    ("EventSeriesShape", add(ID + "event/regional-cluster-seminars", CLO + "occurrenceCount",
                             ox.NamedNode(ID + "figure/icp-phase2-projects")),
     "regional-cluster-seminars", "occurrenceCount"),
    ("CooperationShape", drop(ID + "cooperation/eu-cooperation", CLO + "activity"), "eu-cooperation", "activity"),
    ("CooperationShape", add(ID + "cooperation/eu-cooperation", CLO + "activity", ox.NamedNode(ID + "place/tokyo")),
     "eu-cooperation", "an activity is"),
    ("EventShape", add(ID + "event/italy-workshop-2007", CLO + "inCooperationWith", ox.NamedNode(ID + "country/italy")),
     "italy-workshop-2007", "inCooperationWith"),
    ("DeclarationShape", drop(ID + "declaration/japan-france-declaration", "http://purl.org/dc/terms/issued"),
     "japan-france-declaration", "issue date"),
    ("EditorialBasisShape", replace(ID + "basis/bureau-areas", CLO + "confidence", ox.Literal("certain")),
     "bureau-areas", "confidence"),
    ("EditorialStatementShape", drop(ID + "statement/kyushu-bio-cluster-region", CLO + "editorialBasis"),
     "kyushu-bio-cluster", "editorial basis"),
    ("IdentifierShape", replace(ID + "organization/meti", CLO + "corporateNumber", ox.Literal("400001209000")),
     "meti", "13 digits"),
]


@pytest.mark.parametrize("shape,mutate,record,fragment", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_a_bad_record_is_reported_by_name(publication: Publication, shape: str, mutate, record: str,
                                          fragment: str) -> None:
    broken = copy.copy(publication)
    broken.built = copy.copy(publication.built)
    broken.built.quads = mutate(list(publication.built.quads))
    report = check(broken)
    assert not report.conforms
    lines = [v.line() for v in report.violations]
    assert any(f"record '{record}'" in line and fragment in line for line in lines), lines
    assert all(line.startswith("data/") for line in lines), "every violation names its data file"


@pytest.mark.parametrize("term,predicate,fragment", [
    ("Cluster", "http://www.w3.org/2004/02/skos/core#definition", "Japanese definition"),
    ("Cluster", "http://www.w3.org/2000/01/rdf-schema#subClassOf", "aligned"),
])
def test_ontology_terms_are_checked_too(publication: Publication, term: str, predicate: str, fragment: str) -> None:
    broken = copy.copy(publication)
    iri = CLO + term
    broken.ontology = [t for t in publication.ontology if not (
        t.subject.value == iri and t.predicate.value == predicate
        and getattr(t.object, "language", "ja") in ("ja", None))]
    report = check(broken)
    assert any(v.focus == iri and fragment in v.message for v in report.violations), report.text()


def test_the_real_data_conforms(publication: Publication) -> None:
    report = check(publication)
    assert report.conforms, report.text()


NESTED_SHAPE = """
closh:NestedCheck a sh:NodeShape ;
    sh:targetClass clo:Cluster ;
    sh:property [ sh:path clo:companyCount ;
                  sh:property [ sh:path clo:value ; sh:minInclusive 1000000 ] ] .
"""

WARNING_SHAPE = """
closh:LargeProjects a sh:NodeShape ;
    sh:targetClass clo:Cluster ;
    sh:property [ sh:path ( clo:companyCount clo:value ) ; sh:minInclusive 1000 ; sh:severity sh:Warning ] .
"""


def add_shape(root, text: str) -> None:
    shapes = root / "shapes" / "clusterlod-shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_build_and_validate_agree_on_a_nested_property_shape(project_copy, tmp_path) -> None:
    """The case where the old engine published "conforms" while validate found 18 violations."""
    from clusterlod.build import assemble, build
    from clusterlod.errors import ValidationFailed

    add_shape(project_copy, NESTED_SHAPE)
    report = check(assemble(project_copy))
    assert not report.conforms and len(report.blocking) == 18, report.text()
    with pytest.raises(ValidationFailed) as refused:
        build(project_copy, tmp_path / "dist")
    assert str(refused.value) == report.text()
    assert not (tmp_path / "dist").exists()


def test_warnings_are_reported_and_block_only_when_asked(project_copy, tmp_path) -> None:
    from clusterlod.build import assemble, build
    from clusterlod.errors import ValidationFailed

    add_shape(project_copy, WARNING_SHAPE)
    publication = assemble(project_copy)
    report = check(publication)
    assert report.conforms and report.violations, "small projects are warnings, not violations"
    assert {v.level for v in report.violations} == {"warning"}
    assert all("(warning)" in v.line() for v in report.violations)
    assert not check(publication, fail_on="warning").conforms
    build(project_copy, tmp_path / "dist")  # published, with the warnings in the report
    assert b"sh:Warning" in (tmp_path / "dist" / "validation-report.ttl").read_bytes()
    with pytest.raises(ValidationFailed):
        build(project_copy, tmp_path / "dist2", fail_on="warning")


def test_a_project_without_its_quality_checks_is_refused_not_passed(project_copy, tmp_path) -> None:
    """The gate never passes because its checks were not found: neither the package's nor the current
    directory's queries stand in for the project's (a non-editable install has none)."""
    import shutil

    from clusterlod.build import assemble, build
    from clusterlod.errors import DataError
    from clusterlod.gate.run import quality_problems
    from clusterlod.namespaces import Namespaces

    shutil.rmtree(project_copy / "queries")
    with pytest.raises(DataError, match=r"^queries/qc/: no quality checks"):
        check(assemble(project_copy))
    with pytest.raises(DataError):
        build(project_copy, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()
    (project_copy / "queries" / "qc").mkdir(parents=True)
    with pytest.raises(DataError, match="no quality checks"):  # the gate's own guard, whoever calls it
        quality_problems(ox.Store(), project_copy / "queries", Namespaces(), {})
