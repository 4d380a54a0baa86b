"""The one IRI shortener (namespaces.Shortener): its rule, its bounded memo, and a JSON-LD writer without global
caches."""

from __future__ import annotations

import pyoxigraph as ox

from clusterlod.namespaces import Namespaces, Shortener, compact_iri
from clusterlod.release import jsonld

B = "https://w3id.org/clusterlod/"


def test_the_rule() -> None:
    shorten = Shortener(Namespaces().prefixes())
    assert shorten(B + "id/cluster/kansai-bio-cluster") == "cluster:kansai-bio-cluster"
    assert shorten(B + "ontology/Cluster") == "clo:Cluster"
    assert shorten(B + "graph/editorial/mext-list") == "editorial:mext-list"  # not clg:editorial/mext-list
    assert shorten("http://www.w3.org/2000/01/rdf-schema#label") == "rdfs:label"
    assert shorten("http://www.wikidata.org/entity/Q17") == "wd:Q17"
    assert shorten(B + "id/cluster/") == B + "id/cluster/"  # nothing after the namespace
    assert shorten("http://example.org/x") == "http://example.org/x"  # no prefix for it
    assert shorten(B + "id/cluster/a:b") == B + "id/cluster/a:b"  # would read as another prefixed name
    assert compact_iri(B + "id/region/kanto", Namespaces().prefixes()) == "region:kanto"


def test_the_memo_is_bounded() -> None:
    shorten = Shortener(Namespaces().prefixes(), memo_limit=5)
    for i in range(50):
        assert shorten(f"{B}id/place/p{i}") == f"place:p{i}"
        assert len(shorten.memo) <= 5


def test_the_jsonld_writer_keeps_nothing_between_documents() -> None:
    def sizes() -> dict[str, int]:
        return {name: len(value) for name, value in vars(jsonld).items() if isinstance(value, (dict, list, set))}

    before = sizes()
    prefixes = Namespaces().prefixes()
    kept = []  # every mapping stays alive, so a cache keyed by object identity would have to grow
    for i in range(30):
        triples = [ox.Triple(ox.NamedNode(f"{B}id/place/p{i}"), ox.NamedNode(B + "ontology/name"), ox.Literal(f"n{i}"))]
        kept.append(dict(prefixes))
        document = jsonld.document(triples, jsonld.make_context(triples, kept[-1]))
        kept.append(document)
        assert document["@graph"][0]["@id"] == f"place:p{i}"
    assert sizes() == before
