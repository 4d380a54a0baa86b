"""The DCAT + VoID description of a release: what it is, its graphs and its files.

Every figure in it (byte sizes, checksums, triple counts) is computed from the
files as written, so the description can be checked against the release.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES, XSD, Namespaces

if TYPE_CHECKING:
    from clusterlod.linksets import Linkset

IANA = "https://www.iana.org/assignments/media-types/"
FORMAT_FEATURES = {
    "ttl": "http://www.w3.org/ns/formats/Turtle",
    "nt": "http://www.w3.org/ns/formats/N-Triples",
    "rdf": "http://www.w3.org/ns/formats/RDF_XML",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nq": "http://www.w3.org/ns/formats/N-Quads",
}
OTHER_MEDIA_TYPES = {"txt": "text/plain", "csv": "text/csv", "json": "application/json"}
CATALOG_FILE = "catalog.ttl"


@dataclass(frozen=True)
class GraphInfo:
    iri: str
    title_ja: str
    title_en: str
    triples: int
    basis: str | None = None


def media_type(path: Path) -> str:
    extension = path.suffix.lstrip(".")
    if path.name == "context.jsonld":
        return "application/ld+json"
    if extension in formats.BY_EXTENSION:
        return formats.BY_EXTENSION[extension].media_type
    return OTHER_MEDIA_TYPES.get(extension, "application/octet-stream")


class CatalogWriter:
    def __init__(self, ns: Namespaces):
        self.ns = ns
        self.prefixes = ns.prefixes()
        self.triples: list[ox.Triple] = []

    def iri(self, curie_or_iri: str) -> ox.NamedNode:
        prefix, _, local = curie_or_iri.partition(":")
        if prefix in self.prefixes and not local.startswith("//"):
            return ox.NamedNode(self.prefixes[prefix] + local)
        return ox.NamedNode(curie_or_iri)

    def add(self, s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, self.iri(p), o))

    def lit(self, value: Any, datatype: str | None = None, language: str | None = None) -> ox.Literal:
        if language:
            return ox.Literal(str(value), language=language)
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype) if datatype else None)

    def bilingual(self, s: ox.NamedNode, p: str, text: dict[str, str]) -> None:
        for language in ("ja", "en"):
            if text.get(language):
                self.add(s, p, self.lit(" ".join(str(text[language]).split()), language=language))


def describe(ns: Namespaces, meta: dict[str, Any], out: Path, graphs: list[GraphInfo],
             union: list[ox.Triple], document_iri: str, example: list[str],
             linksets: list["Linkset"] = ()) -> list[ox.Triple]:
    """Triples describing the release in ``out`` (every file but the catalog itself)."""
    w = CatalogWriter(ns)
    dataset = ox.NamedNode(ns.dataset)
    for cls in ("dcat:Dataset", "void:Dataset"):
        w.add(dataset, "rdf:type", w.iri(cls))
    w.bilingual(dataset, "dcterms:title", meta["title"])
    w.bilingual(dataset, "dcterms:description", meta["description"])
    w.bilingual(dataset, "dcterms:bibliographicCitation", meta["attribution"])
    for language in ("ja", "en"):
        for keyword in meta.get("keywords", {}).get(language, []):
            w.add(dataset, "dcat:keyword", w.lit(keyword, language=language))
    w.add(dataset, "dcterms:license", ox.NamedNode(meta["licence"]))
    w.add(dataset, "dcterms:issued", w.lit(meta["issued"], "date"))
    w.add(dataset, "dcat:version", w.lit(meta["version"]))
    w.add(dataset, "owl:versionInfo", w.lit(meta["version"]))
    for language in meta.get("language", []):
        w.add(dataset, "dcterms:language", ox.NamedNode(f"http://id.loc.gov/vocabulary/iso639-1/{language}"))
    publisher = ox.NamedNode(ns.base + "publisher")
    w.add(dataset, "dcterms:publisher", publisher)
    w.add(publisher, "rdf:type", w.iri("foaf:Agent"))
    w.bilingual(publisher, "foaf:name", meta["publisher"])
    w.add(dataset, "dcterms:source", ox.NamedNode(document_iri))
    w.add(dataset, "prov:wasDerivedFrom", ox.NamedNode(document_iri))
    w.add(dataset, "void:uriSpace", w.lit(ns.base + "id/"))
    w.add(dataset, "void:sparqlEndpoint", ox.NamedNode(ns.base + "sparql"))
    w.add(dataset, "dcat:landingPage", ox.NamedNode(ns.base))
    for iri in example:
        w.add(dataset, "void:exampleResource", ox.NamedNode(iri))
    counts = _counts(union, ns)
    w.add(dataset, "void:triples", w.lit(len(union), "integer"))
    w.add(dataset, "void:entities", w.lit(counts["entities"], "integer"))
    w.add(dataset, "void:distinctSubjects", w.lit(counts["subjects"], "integer"))
    w.add(dataset, "void:properties", w.lit(counts["properties"], "integer"))
    w.add(dataset, "void:classes", w.lit(len(counts["classes"]), "integer"))
    for cls, n in sorted(counts["classes"].items()):
        partition = ox.NamedNode(f"{ns.dataset}/class/{_local(cls)}")
        w.add(dataset, "void:classPartition", partition)
        w.add(partition, "void:class", ox.NamedNode(cls))
        w.add(partition, "void:entities", w.lit(n, "integer"))
    for vocabulary in sorted(counts["vocabularies"]):
        w.add(dataset, "void:vocabulary", ox.NamedNode(vocabulary))
    for info in graphs:
        graph = ox.NamedNode(info.iri)
        w.add(dataset, "void:subset", graph)
        w.add(graph, "rdf:type", w.iri("void:Dataset"))
        w.add(graph, "dcterms:title", w.lit(info.title_ja, language="ja"))
        w.add(graph, "dcterms:title", w.lit(info.title_en, language="en"))
        w.add(graph, "void:triples", w.lit(info.triples, "integer"))
        if info.basis:
            w.add(graph, "clo:editorialBasis", ox.NamedNode(info.basis))
            w.add(graph, "prov:wasDerivedFrom", ox.NamedNode(info.basis))
    for linkset in linksets:
        _linkset(w, dataset, linkset)
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != CATALOG_FILE):
        _distribution(w, dataset, out, path)
    return w.triples


def _linkset(w: CatalogWriter, dataset: ox.NamedNode, linkset: "Linkset") -> None:
    """A void:Linkset per (target, link predicate), with where its links were verified."""
    target = ox.NamedNode(f"{w.ns.dataset}/target/{linkset.target.name}")
    w.add(target, "rdf:type", w.iri("void:Dataset"))
    w.add(target, "dcterms:title", w.lit(linkset.target.title))
    w.add(target, "foaf:homepage", ox.NamedNode(linkset.target.homepage))
    for namespace in linkset.target.namespaces:
        w.add(target, "void:uriSpace", w.lit(namespace))
    if linkset.target.sparql:
        w.add(target, "void:sparqlEndpoint", ox.NamedNode(linkset.target.sparql))
    predicate = ox.NamedNode(linkset.predicate)
    local = ("schema-" if linkset.predicate.startswith("https://schema.org/") else "") + _local(linkset.predicate)
    node = ox.NamedNode(f"{w.ns.dataset}/linkset/{linkset.target.name}-{local}")
    w.add(dataset, "void:subset", node)
    w.add(node, "rdf:type", w.iri("void:Linkset"))
    w.add(node, "void:subjectsTarget", dataset)
    w.add(node, "void:objectsTarget", target)
    w.add(node, "void:target", dataset)
    w.add(node, "void:target", target)
    w.add(node, "void:linkPredicate", predicate)
    w.add(node, "void:triples", w.lit(linkset.links, "integer"))
    w.add(node, "void:dataDump", ox.NamedNode(f"{w.ns.base}download/{linkset.file}"))
    w.add(node, "dcterms:title", w.lit(f"{linkset.target.title} への {_local(linkset.predicate)} リンク", language="ja"))
    w.add(node, "dcterms:title", w.lit(f"{_local(linkset.predicate)} links to {linkset.target.title}", language="en"))
    basis = ox.NamedNode(w.ns.resource("basis", "identifiers"))
    w.add(node, "prov:wasDerivedFrom", basis)
    w.add(node, "clo:editorialBasis", basis)
    w.add(node, "dcterms:description", w.lit(
        "Every link comes from data/reference/identifiers.csv; the file gives each link as a clo:EditorialStatement "
        "with its confidence (clo:confidence), where it was verified (clo:verification) and the list's line.", language="en"))
    w.add(node, "dcterms:description", w.lit(
        "各リンクは identifiers.csv に由来し、ファイル中の clo:EditorialStatement が確度（clo:confidence）、検証の記録（clo:verification）と一覧の行を示す。",
        language="ja"))


def _distribution(w: CatalogWriter, dataset: ox.NamedNode, out: Path, path: Path) -> None:
    relative = path.relative_to(out).as_posix()
    data = path.read_bytes()
    node = ox.NamedNode(f"{w.ns.base}download/{relative}")
    w.add(dataset, "dcat:distribution", node)
    w.add(node, "rdf:type", w.iri("dcat:Distribution"))
    w.add(node, "dcterms:title", w.lit(relative))
    w.add(node, "dcat:downloadURL", node)
    kind = media_type(path)
    w.add(node, "dcat:mediaType", ox.NamedNode(IANA + kind))
    w.add(node, "dcterms:format", w.lit(kind))
    w.add(node, "dcat:byteSize", w.lit(len(data), "nonNegativeInteger"))
    checksum = ox.NamedNode(f"{node.value}#sha256")
    w.add(node, "spdx:checksum", checksum)
    w.add(checksum, "rdf:type", w.iri("spdx:Checksum"))
    w.add(checksum, "spdx:algorithm", w.iri("spdx:checksumAlgorithm_sha256"))
    w.add(checksum, "spdx:checksumValue", w.lit(hashlib.sha256(data).hexdigest(), "hexBinary"))
    extension = path.suffix.lstrip(".")
    if relative.startswith(formats.DATASET_STEM + ".") and extension in FORMAT_FEATURES:
        w.add(dataset, "void:dataDump", node)
        w.add(dataset, "void:feature", ox.NamedNode(FORMAT_FEATURES[extension]))


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _counts(union: list[ox.Triple], ns: Namespaces) -> dict[str, Any]:
    """VoID's figures in one pass over the triples; vocabularies from the few distinct terms."""
    subjects: set[str] = set()
    predicates: set[str] = set()
    entities: set[str] = set()
    classes: Counter[str] = Counter()
    for t in union:
        subject, predicate = t.subject.value, t.predicate.value
        subjects.add(subject)
        predicates.add(predicate)
        if predicate == RDF_TYPE:
            entities.add(subject)
            classes[t.object.value] += 1
    known = sorted([*STANDARD_PREFIXES.values(), ns.vocab], key=len, reverse=True)
    vocabularies = {next(n for n in known if iri.startswith(n)) for iri in predicates | set(classes)
                    if any(iri.startswith(n) for n in known)}
    return {
        "subjects": len(subjects),
        "entities": len(entities),
        "properties": len(predicates),
        "classes": classes,
        "vocabularies": vocabularies,
    }
