"""Link sets: the external links of the release, one distribution per target dataset.

Each file holds the links to one target (Wikidata, DBpedia, GeoNames, e-Stat, gBizINFO) and,
for each link, its reified statement saying how sure it is and where the
identifier was verified. The catalog describes each (target, predicate) pair as
a void:Linkset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.graph import IDENTIFIERS_BASIS
from clusterlod.namespaces import Namespaces
from clusterlod.release import publish

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LINK_PREDICATES = (
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
    "https://schema.org/sameAs",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso",
)
LINKSET_FOLDER = "links"


@dataclass(frozen=True)
class Target:
    """An external dataset we link to."""

    name: str
    title: str
    namespaces: tuple[str, ...]
    homepage: str
    sparql: str | None  # its public SPARQL endpoint, where it has one

    def covers(self, iri: str) -> bool:
        return iri.startswith(self.namespaces)


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("wikidata", "Wikidata", ("http://www.wikidata.org/entity/",), "https://www.wikidata.org/",
           "https://query.wikidata.org/sparql"),
    Target("dbpedia", "DBpedia", ("http://dbpedia.org/resource/", "http://ja.dbpedia.org/resource/"),
           "https://www.dbpedia.org/", "https://dbpedia.org/sparql"),
    Target("geonames", "GeoNames", ("https://sws.geonames.org/",), "https://www.geonames.org/", None),
    Target("estat", "e-Stat 統計LOD 標準地域コード (standard area codes)", ("http://data.e-stat.go.jp/lod/sac/",),
           "https://data.e-stat.go.jp/", "https://data.e-stat.go.jp/lod/sparql/alldata/query"),
    # gBizINFO ended its RDF service (and SPARQL API) on 2024-04-01: no endpoint to check the links against.
    Target("gbizinfo", "gBizINFO 法人基本情報 (corporate register records)", ("http://hojin-info.go.jp/data/",),
           "https://info.gbiz.go.jp/", None),
)}


@dataclass(frozen=True)
class Linkset:
    target: Target
    predicate: str
    links: int
    file: str


def links_of(quads: list[ox.Quad], ns: Namespaces) -> list[ox.Quad]:
    """The link statements of the identifiers graph."""
    graph = ns.graph(f"editorial/{IDENTIFIERS_BASIS}")
    return [q for q in quads if q.graph_name.value == graph and q.predicate.value in LINK_PREDICATES
            and isinstance(q.object, ox.NamedNode)]


def write_linksets(out: Path, quads: list[ox.Quad], ns: Namespaces) -> list[Linkset]:
    """Write links/<target>.ttl for each target that has links; return their descriptions."""
    links = links_of(quads, ns)
    statements: dict[tuple[str, str, str], list[ox.Triple]] = {}
    by_statement: dict[str, list[ox.Quad]] = {}
    graph = ns.graph(f"editorial/{IDENTIFIERS_BASIS}")
    for q in quads:
        if q.graph_name.value == graph and q.subject.value.startswith(ns.base + "id/statement/"):
            by_statement.setdefault(q.subject.value, []).append(q)
    for triples in by_statement.values():
        parts = {q.predicate.value: q.object.value for q in triples}
        key = (parts.get(RDF + "subject", ""), parts.get(RDF + "predicate", ""), parts.get(RDF + "object", ""))
        statements[key] = [q.triple for q in triples]
    linksets = []
    (out / LINKSET_FOLDER).mkdir(exist_ok=True)
    for target in TARGETS.values():
        mine = [q for q in links if target.covers(q.object.value)]
        if not mine:
            continue
        file = f"{LINKSET_FOLDER}/{target.name}.{formats.TURTLE.extension}"
        triples = [q.triple for q in mine]
        for q in mine:
            triples += statements.get((q.subject.value, q.predicate.value, q.object.value), [])
        publish.write_graph(out / file, triples, ns.prefixes())
        for predicate in LINK_PREDICATES:
            count = sum(1 for q in mine if q.predicate.value == predicate)
            if count:
                linksets.append(Linkset(target, predicate, count, file))
    return linksets
