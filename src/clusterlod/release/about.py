"""The release graph: what the data dump itself says about the dataset (version, licence, rights).

The catalogue (catalog.ttl) describes the release at length, but a dump is often copied without it: so
every syntax of the dataset carries, in the graph ``graph/release``, the dataset's version, dct:license
and dct:rights, and how to credit it.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES, XSD, Namespaces
from clusterlod.release.licence import rights_text
from clusterlod.sources.dataset import release_date, release_version

#: The named graph holding the release's own statements, below ``graph/``.
RELEASE_GRAPH = "release"
DCT = STANDARD_PREFIXES["dcterms"]
DCAT = STANDARD_PREFIXES["dcat"]
RDFS = STANDARD_PREFIXES["rdfs"]
OWL = STANDARD_PREFIXES["owl"]
CC = STANDARD_PREFIXES["cc"]


def rights_iri(ns: Namespaces) -> ox.NamedNode:
    return ox.NamedNode(ns.dataset + "/rights")


def rights_triples(ns: Namespaces, meta: dict[str, Any]) -> list[ox.Triple]:
    """The dataset's dct:license and dct:rights, with the rights statement's bilingual text."""
    dataset, rights = ox.NamedNode(ns.dataset), rights_iri(ns)
    triples = [
        ox.Triple(dataset, ox.NamedNode(DCT + "license"), ox.NamedNode(meta["licence"])),
        ox.Triple(dataset, ox.NamedNode(DCT + "rights"), rights),
        ox.Triple(rights, ox.NamedNode(RDF_TYPE), ox.NamedNode(DCT + "RightsStatement")),
    ]
    for language, text in rights_text(meta).items():
        triples.append(ox.Triple(rights, ox.NamedNode(RDFS + "label"), ox.Literal(text, language=language)))
    return triples


def release_triples(ns: Namespaces, meta: dict[str, Any], credit: dict[str, str]) -> list[ox.Triple]:
    """The release graph's triples: the dataset's titles, version, licence, rights, citation, and the credit line
    (出典・加工, clusterlod.release.licence.credit_lines) as cc:attributionText, which the pages' footer shows."""
    dataset = ox.NamedNode(ns.dataset)
    triples = [ox.Triple(dataset, ox.NamedNode(DCAT + "version"), ox.Literal(release_version(meta))),
               ox.Triple(dataset, ox.NamedNode(DCT + "modified"),
                         ox.Literal(release_date(meta), datatype=ox.NamedNode(XSD + "date")))]
    for language in ("ja", "en"):
        triples.append(ox.Triple(dataset, ox.NamedNode(CC + "attributionText"),
                                 ox.Literal(credit[language], language=language)))
    for key, predicate in (("title", DCT + "title"), ("attribution", DCT + "bibliographicCitation")):
        for language in ("ja", "en"):
            text = " ".join(str(meta[key][language]).split())
            triples.append(ox.Triple(dataset, ox.NamedNode(predicate), ox.Literal(text, language=language)))
    return triples + rights_triples(ns, meta)


def ontology_version(ontology: list[ox.Triple], ns: Namespaces, meta: dict[str, Any]) -> list[ox.Triple]:
    """The ontology header's owl:versionInfo, owl:versionIRI and dct:modified: the release's version and date,
    from the functions the catalogue's dcat:version and dct:modified come from, so the ontology follows the data."""
    header = ox.NamedNode(ns.ontology)
    if not any(t.subject == header and t.predicate.value == RDF_TYPE for t in ontology):
        return []
    version = release_version(meta)
    return [ox.Triple(header, ox.NamedNode(OWL + "versionInfo"), ox.Literal(version)),
            ox.Triple(header, ox.NamedNode(OWL + "versionIRI"), ox.NamedNode(f"{ns.vocab}{version}")),
            ox.Triple(header, ox.NamedNode(DCT + "modified"),
                      ox.Literal(release_date(meta), datatype=ox.NamedNode(XSD + "date")))]
