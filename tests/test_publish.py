"""Every published syntax parses back, with two independent parsers, to the built graph."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from clusterlod.build import Publication

TRIPLE_FILES = {
    "clusterlod.ttl": "turtle", "clusterlod.jsonld": "json-ld", "clusterlod.nt": "nt", "clusterlod.rdf": "xml",
}
QUAD_FILES = {"clusterlod.trig": "trig", "clusterlod.nq": "nquads"}


def expected_graph(publication: Publication) -> rdflib.Graph:
    """The union of the in-memory quads, built without going through any writer."""
    graph = rdflib.Graph()
    for q in publication.quads:
        graph.add(tuple(_rdflib_term(t) for t in (q.subject, q.predicate, q.object)))
    return graph


def _rdflib_term(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == str(rdflib.XSD.string):
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


@pytest.fixture(scope="module")
def expected(publication: Publication) -> rdflib.Graph:
    return expected_graph(publication)


@pytest.mark.parametrize("name,fmt", sorted(TRIPLE_FILES.items()))
def test_triple_syntax_parses_back_with_rdflib(built_dist: Path, expected: rdflib.Graph, name: str, fmt: str) -> None:
    parsed = rdflib.Graph().parse(built_dist / name, format=fmt)
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("name", sorted(TRIPLE_FILES) + sorted(QUAD_FILES))
def test_every_syntax_parses_back_with_pyoxigraph(built_dist: Path, publication: Publication, name: str) -> None:
    parsed = {str(q.triple) for q in ox.parse(path=str(built_dist / name))}
    assert parsed == {str(q.triple) for q in publication.quads}


@pytest.mark.parametrize("name,fmt", sorted(QUAD_FILES.items()))
def test_named_graphs_survive_in_quad_syntaxes(built_dist: Path, publication: Publication, name: str, fmt: str) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(built_dist / name, format=fmt)
    parsed = {(str(s), str(p), str(o), str(g)) for s, p, o, g in dataset.quads()}
    built = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in publication.quads}
    assert parsed == built


def test_named_graphs_separate_stated_from_editorial(publication: Publication) -> None:
    graphs = {q.graph_name.value.rsplit("graph/", 1)[1] for q in publication.quads}
    assert {"ontology", "document", "editorial/curated-english", "editorial/identifiers",
            "editorial/region-from-project-name", "editorial/region-from-meti-list"} <= graphs
    english_in_document = [q for q in publication.quads
                           if q.graph_name.value.endswith("graph/document") and isinstance(q.object, ox.Literal)
                           and q.object.language == "en" and q.predicate.value.endswith("#label")]
    assert english_in_document == [], "English labels are editorial, not stated by the document"


def test_jsonld_uses_the_published_context(built_dist: Path) -> None:
    data = json.loads((built_dist / "clusterlod.jsonld").read_text(encoding="utf-8"))
    context = json.loads((built_dist / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert data["@context"] == context
    for readable in ("label", "companyCount", "startDate", "sourceQuote", "region"):
        assert readable in context, readable
    hokkaido = next(n for n in data["@graph"] if n["@id"] == "cluster:hokkaido-super-cluster")
    assert hokkaido["label"] == {"en": "Hokkaido Super Cluster Promotion Strategy II",
                                 "ja": "北海道スーパー・クラスター振興戦略Ⅱ"}


def test_catalog_describes_every_file_with_size_and_checksum(built_dist: Path) -> None:
    import hashlib

    catalog = rdflib.Graph().parse(built_dist / "catalog.ttl")
    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
    from clusterlod.release.atomic import MARKER  # the folder's, not the release's: not catalogued

    files = sorted(p for p in built_dist.rglob("*") if p.is_file() and p.name not in ("catalog.ttl", MARKER)
                   and p.relative_to(built_dist).parts[0] != "releases")  # the archive's copy: not this release
    assert len(files) >= 12
    for path in files:
        node = rdflib.URIRef("https://w3id.org/clusterlod/download/" + path.relative_to(built_dist).as_posix())
        assert int(catalog.value(node, DCAT.byteSize)) == path.stat().st_size, path.name
        checksum = catalog.value(catalog.value(node, SPDX.checksum), SPDX.checksumValue)
        assert str(checksum) == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
        assert catalog.value(node, DCAT.mediaType) is not None


def test_catalog_counts_triples_per_graph(built_dist: Path) -> None:
    catalog = rdflib.Graph().parse(built_dist / "catalog.ttl")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    counts: dict[str, int] = {}
    for q in ox.parse(path=str(built_dist / "clusterlod.nq")):
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    dataset = rdflib.URIRef("https://w3id.org/clusterlod/dataset")
    subsets = {s for s in catalog.objects(dataset, VOID.subset) if (s, rdflib.RDF.type, VOID.Linkset) not in catalog}
    assert {str(s) for s in subsets} == set(counts)
    for subset in subsets:
        assert int(catalog.value(subset, VOID.triples)) == counts[str(subset)]
    titles = {title.language for title in catalog.objects(dataset, rdflib.DCTERMS.title)}
    assert titles == {"ja", "en"}
    assert catalog.value(dataset, rdflib.DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_used_prefixes_are_exactly_the_namespaces_the_terms_use(publication: Publication) -> None:
    """Checked against the definition read straight off the N-Quads text: every IRI in any position
    (subject, predicate, object, graph, a literal's datatype), cut at its last / or #."""
    import re

    from clusterlod.release.publish import used_prefixes

    prefixes = publication.ns.prefixes()
    text = ox.serialize(publication.quads, format=ox.RdfFormat.N_QUADS).decode()
    # Literals first, so an IRI written inside a string is not taken for a term.
    iris = [m.group(1) or m.group(2) for m in re.finditer(r'"(?:[^"\\]|\\.)*"(?:\^\^<([^>]*)>)?|<([^>]*)>', text)]
    namespaces = {iri[: max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in iris if iri}
    assert used_prefixes(publication.quads, prefixes) == {p: n for p, n in prefixes.items() if n in namespaces}

    ex, other = "http://example.org/ns/", "http://example.org/other#"
    quads = [ox.Quad(ox.BlankNode("b"), ox.NamedNode(ex + "p"), ox.Literal("1", datatype=ox.NamedNode(other + "int")),
                     ox.NamedNode("http://example.org/graphs/g")),
             ox.Quad(ox.NamedNode(ex + "deeper/s"), ox.NamedNode(ex + "p"), ox.Literal("x", language="en"),
                     ox.DefaultGraph())]
    wanted = {"ex": ex, "other": other, "g": "http://example.org/graphs/", "deeper": ex + "deeper/",
              "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "unused": "http://example.org/unused/"}
    assert used_prefixes(quads, wanted) == {k: v for k, v in wanted.items() if k != "unused"}
    assert used_prefixes([q.triple for q in quads], wanted) == {k: v for k, v in wanted.items()
                                                                 if k not in ("unused", "g")}
