"""The release's catalogue conforms to DCAT-AP 3.0.1 (issue 15), checked by its own SHACL shapes.

The shapes (tests/data/dcat-ap, CC BY 4.0, European Union) are run by pySHACL on catalog.ttl:
the published shapes (mandatory properties, cardinalities, classes), the recommended properties
and the EU controlled vocabularies. Every result must be on the short allow-list below, each with
the reason the release cannot or should not do what the shape asks.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, Namespace, URIRef

SHAPES = Path(__file__).parent / "data" / "dcat-ap"
BASE = "https://w3id.org/clusterlod/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = "http://spdx.org/rdf/terms#"

#: (focus node, path) -> why the result is accepted.
ALLOWED = {
    (BASE + "publisher", str(DCT.type)):
        "the project's legal form is not known: no ADMS publisher type can be chosen honestly",
    (BASE + "publisher", "http://www.w3.org/2004/02/skos/core#inScheme"):
        "the publisher is not an EU body, so it is in no EU corporate-body list",
    (BASE + "catalog", str(DCT.publisher)): "the publisher is not in the EU corporate-body list (not an EU body)",
    (BASE + "dataset", str(DCT.publisher)): "the publisher is not in the EU corporate-body list (not an EU body)",
    ("http://publications.europa.eu/resource/authority/country/JPN", str(DCAT.bbox)):
        "the EU country list gives Japan no bounding box; one made up here would be invented",
    ("http://publications.europa.eu/resource/authority/country/JPN", str(DCAT.centroid)):
        "the EU country list gives Japan no centroid; one made up here would be invented",
    (BASE + "dataset", str(DCT.source)):
        "DCAT-AP wants a dataset's dct:source to be a dcat:Dataset; the source is MEXT's printed page (a "
        "foaf:Document), and dct:source is where assessors (F-UJI) look for it (issue 27)",
    (BASE + "download/source/knowledge-cluster-collaboration-2008.txt", str(DCT.license)):
        "the source text is MEXT's wording: it carries dct:rights naming MEXT's terms, not the dataset's licence",
}


def allowed(focus: str, path: str) -> bool:
    if (focus, path) in ALLOWED:
        return True
    # The vocabularies shape wants checksum algorithms under https://spdx.org/, but SPDX's namespace
    # (the one DCAT-AP's spdx:algorithm itself uses) is http://spdx.org/rdf/terms#.
    return (focus == SPDX + "checksumAlgorithm_sha256" and path == "None") or (
        focus.endswith("#sha256") and path == SPDX + "algorithm")


@pytest.fixture(scope="module")
def catalog(built_dist: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(built_dist / "catalog.ttl")


def dcat_ap_problems(catalog: rdflib.Graph) -> list[tuple[str, str, str]]:
    """The DCAT-AP 3.0.1 results on a catalogue that are not on the allow-list (also used by test_diff.py)."""
    shapes = rdflib.Graph()
    names = ("shacl_dcat-ap-SHACL.ttl", "html_shacl_shapes_recommended.ttl", "html_shacl_mdr-vocabularies.shape.ttl")
    for name in names:
        shapes.parse(SHAPES / name)
    _, report, _ = pyshacl.validate(catalog, shacl_graph=shapes, advanced=True, allow_warnings=False)
    results = [(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
                str(report.value(r, SH.resultMessage))) for r in report.subjects(RDF.type, SH.ValidationResult)]
    return [r for r in results if not allowed(r[0], r[1])]


def test_the_catalogue_conforms_to_dcat_ap(catalog: rdflib.Graph) -> None:
    assert dcat_ap_problems(catalog) == []


def test_a_catalogue_holds_the_dataset(catalog: rdflib.Graph) -> None:
    assert list(catalog.subjects(RDF.type, DCAT.Catalog)) == [URIRef(BASE + "catalog")]
    assert list(catalog.objects(URIRef(BASE + "catalog"), DCAT.dataset)) == [URIRef(BASE + "dataset")]


def test_every_distribution_has_access_and_download_urls_and_iri_formats(catalog: rdflib.Graph) -> None:
    distributions = list(catalog.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) >= 12
    for node in distributions:
        assert catalog.value(node, DCAT.accessURL) is not None, node
        assert catalog.value(node, DCAT.downloadURL) is not None, node
        file_type = catalog.value(node, DCT["format"])
        assert isinstance(file_type, URIRef) and str(file_type).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"), (node, file_type)
        media = catalog.value(node, DCAT.mediaType)
        assert isinstance(media, URIRef) and "www.iana.org/assignments/media-types/" in str(media), (node, media)
    turtle = URIRef(BASE + "download/clusterlod.ttl")
    assert catalog.value(turtle, DCT["format"]) == URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE")
    assert catalog.value(turtle, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/turtle")


def test_void_entities_are_the_resources_under_the_uri_space(catalog: rdflib.Graph, built_dist: Path) -> None:
    """VoID: void:entities counts the resources whose IRIs start with the dataset's void:uriSpace."""
    dataset = URIRef(BASE + "dataset")
    space = str(catalog.value(dataset, VOID.uriSpace))
    data = rdflib.Dataset()
    data.parse(built_dist / "clusterlod.nq", format="nquads")
    described = {str(s) for s, _, _, _ in data.quads((None, None, None, None)) if str(s).startswith(space)}
    assert int(catalog.value(dataset, VOID.entities)) == len(described) > 500


def test_what_a_fair_assessor_looks_for(catalog: rdflib.Graph) -> None:
    """Issue 27 (F-UJI's findings): creator, machine-readable access level, the source, qualified relations,
    and which software built the data."""
    import importlib.metadata

    import yaml

    dataset = URIRef(BASE + "dataset")
    meta = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "dataset.yaml").read_text(encoding="utf-8"))
    [creator] = list(catalog.objects(dataset, DCT.creator))
    assert {str(n) for n in catalog.objects(creator, rdflib.FOAF.name)} == set(meta["creator"].values())
    # The EU access-right authority list's PUBLIC.
    assert list(catalog.objects(dataset, DCT.accessRights)) == [
        URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")]
    [source] = list(catalog.objects(dataset, DCT.source))
    assert source == URIRef(BASE + "id/document/kc-collaboration-2008")
    roles = {}
    for relation in catalog.objects(dataset, DCAT.qualifiedRelation):
        assert (relation, RDF.type, DCAT.Relationship) in catalog
        roles[str(catalog.value(relation, DCAT.hadRole))] = catalog.value(relation, DCT.relation)
    iana = "http://www.iana.org/assignments/relation/"
    assert roles[iana + "via"] == source and roles[iana + "describedby"] == URIRef(BASE + "ontology")
    assert roles[iana + "predecessor-version"] == catalog.value(dataset, DCAT.previousVersion)
    prov = Namespace("http://www.w3.org/ns/prov#")
    [activity] = list(catalog.objects(dataset, prov.wasGeneratedBy))
    [agent] = list(catalog.objects(activity, prov.wasAssociatedWith))
    assert (agent, RDF.type, prov.SoftwareAgent) in catalog
    software = {str(v) for v in catalog.objects(agent, rdflib.OWL.versionInfo)}
    assert software == {importlib.metadata.version("clusterlod")}
