"""The one place for the base IRI, the IRI layout and the prefixes.

Every output follows the base IRI; the ontology and shapes sources are written
against DEFAULT_BASE and rebased when a build asks for another one.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BASE = "https://w3id.org/clusterlod/"

# Standard vocabularies reused by the ontology, data and queries.
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vann": "http://purl.org/vocab/vann/",
    "adms": "http://www.w3.org/ns/adms#",
    "cs": "http://purl.org/vocab/changeset/schema#",
    "cc": "http://creativecommons.org/ns#",
    "wd": "http://www.wikidata.org/entity/",
    "dbpedia": "http://dbpedia.org/resource/",
    "gn": "https://sws.geonames.org/",
    "sac": "http://data.e-stat.go.jp/lod/sac/",
    # The IMI core vocabulary (共通語彙基盤) as e-Stat, gBizINFO and city event LOD use it (the IMI view).
    "ic": "http://imi.go.jp/ns/core/rdf#",
}

RDF_TYPE = STANDARD_PREFIXES["rdf"] + "type"

#: The path segments of resource IRIs (<base>id/<kind>/<slug>); each is also a prefix.
RESOURCE_KINDS = (
    "basis", "cluster", "concept", "cooperation", "country", "declaration", "document", "event", "field",
    "figure", "network", "organization", "period", "person", "place", "prefecture", "program", "quote",
    "region", "scheme", "section", "statement",
)
XSD = STANDARD_PREFIXES["xsd"]


@dataclass(frozen=True)
class Namespaces:
    """The IRI layout of one publication, derived from its base IRI."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")

    @property
    def ontology(self) -> str:
        """IRI of the ontology document; its terms live under ``ontology/``."""
        return self.base + "ontology"

    @property
    def vocab(self) -> str:
        return self.base + "ontology/"

    @property
    def shapes(self) -> str:
        return self.base + "shapes/"

    @property
    def dataset(self) -> str:
        return self.base + "dataset"

    def resource(self, kind: str, slug: str) -> str:
        assert kind in RESOURCE_KINDS, kind
        return f"{self.base}id/{kind}/{slug}"

    def graph(self, name: str) -> str:
        return f"{self.base}graph/{name}"

    def term(self, local: str) -> str:
        return self.vocab + local

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serialisations and queries, the project's own first."""
        own = {
            "clo": self.vocab,
            "closh": self.shapes,
            "clg": self.base + "graph/",
            "editorial": self.base + "graph/editorial/",
        }
        kinds = {kind: f"{self.base}id/{kind}/" for kind in RESOURCE_KINDS}
        return {**own, **kinds, **STANDARD_PREFIXES}

    def rebase(self, iri: str) -> str:
        """Move an IRI written against DEFAULT_BASE onto this base."""
        if self.base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE):
            return self.base + iri[len(DEFAULT_BASE):]
        return iri


class Shortener:
    """``prefix:local`` for IRIs under known namespaces: the one rule for reports, pages, tables and JSON-LD.

    The namespace of an IRI ends at its last ``/`` or ``#``; it is shortened when that
    namespace is one of ``prefixes`` (the first prefix of a namespace wins) and the local
    part is not empty and holds no ``:``. Results are remembered for this shortener only
    (at most ``memo_limit`` of them), so a long-lived caller keeps bounded memory.
    """

    def __init__(self, prefixes: dict[str, str], memo_limit: int = 100_000):
        self.by_namespace: dict[str, str] = {}
        for prefix, namespace in prefixes.items():
            self.by_namespace.setdefault(namespace, prefix)
        self.memo: dict[str, str] = {}
        self.memo_limit = memo_limit

    def __call__(self, iri: str) -> str:
        """The compact form of ``iri``, or ``iri`` itself when no prefix fits."""
        found = self.memo.get(iri)
        if found is None:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix, local = self.by_namespace.get(iri[:cut]), iri[cut:]
            found = f"{prefix}:{local}" if prefix is not None and local and ":" not in local else iri
            if len(self.memo) >= self.memo_limit:
                self.memo.clear()
            if self.memo_limit:
                self.memo[iri] = found
        return found


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    """``prefix:local`` for one IRI (see :class:`Shortener`; make one to shorten many)."""
    return Shortener(prefixes, memo_limit=0)(iri)
