"""The DCAT-AP 3.0 + VoID description of a release: the catalogue, the dataset, its graphs and files.

Every figure in it (byte sizes, checksums, triple counts) is computed from the
files as written, so the description can be checked against the release. The
catalogue follows DCAT-AP 3.0 (mandatory and recommended properties; file types
and media types as IRIs of the EU and IANA lists), checked by its SHACL shapes.
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
from clusterlod.release.about import rights_iri, rights_triples
from clusterlod.release.files import README_FILE, describe_file
from clusterlod.release.licence import LICENCE_FILE, LICENCES
from clusterlod.sources.dataset import release_date, release_version

if TYPE_CHECKING:
    from clusterlod.release.linksets import Linkset
    from clusterlod.release.notes import Previous

IANA = "https://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
ADMS_LICENCE_TYPES = "http://purl.org/adms/licencetype/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
DCATAP = "http://data.europa.eu/r5r/"
#: The EU file-type authority list's code for each file of a release, by extension.
FILE_TYPES = {
    "ttl": ("RDF_TURTLE", "RDF Turtle"), "nt": ("RDF_N_TRIPLES", "RDF N-Triples"), "rdf": ("RDF_XML", "RDF/XML"),
    "jsonld": ("JSON_LD", "JSON-LD"), "trig": ("RDF_TRIG", "RDF TriG"), "nq": ("RDF_N_QUADS", "RDF N-Quads"),
    "txt": ("TXT", "TXT"), "csv": ("CSV", "CSV"), "json": ("JSON", "JSON"),
    "md": ("TXT", "TXT"),  # Markdown is plain text; its exact media type is dcat:mediaType text/markdown
}
#: EU data themes of the dataset (economy; science and technology).
THEMES = {"ECON": "Economy and finance", "TECH": "Science and technology"}
#: The EU language authority's codes for the ISO 639-1 codes of dataset.yaml, with its English names.
LANGUAGES = {"ja": "JPN", "en": "ENG"}
LANGUAGE_NAMES = {"JPN": "Japanese", "ENG": "English"}
#: The EU country authority's English names of the countries dataset.yaml may cover.
COUNTRY_NAMES = {"JPN": "Japan"}


def language_iri(code: str) -> ox.NamedNode:
    return ox.NamedNode(EU + "language/" + LANGUAGES[code])
FORMAT_FEATURES = {
    "ttl": "http://www.w3.org/ns/formats/Turtle",
    "nt": "http://www.w3.org/ns/formats/N-Triples",
    "rdf": "http://www.w3.org/ns/formats/RDF_XML",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nq": "http://www.w3.org/ns/formats/N-Quads",
}
CATALOG_FILE = formats.CATALOG_FILE
#: The catalogue's English description, the same in every release: it tells a release folder written before
#: release.atomic's marker file existed (see :func:`written_by_us`).
CATALOG_DESCRIPTION = ("The catalogue of the clusterlod release: one dataset, with its named graphs, link sets "
                       "and files.")


def written_by_us(folder: Path) -> bool:
    """A release folder from before the marker file (0.3.0 and older): its catalogue is one a build wrote."""
    catalog = folder / CATALOG_FILE
    try:
        return catalog.is_file() and (folder / formats.DATASET_FILE).is_file() and \
            f'"{CATALOG_DESCRIPTION}"@en' in catalog.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
#: The EU file-type code -> its name in the authority list.
FORMAT_NAMES = {code: name for code, name in [*FILE_TYPES.values(), ("BIN", "Binary data")]}


@dataclass(frozen=True)
class GraphInfo:
    iri: str
    title_ja: str
    title_en: str
    triples: int
    basis: str | None = None
    derived_from: str | None = None  # the graph a generated view (graph/imi/...) restates


def media_type(path: Path) -> str:
    extension = path.suffix.lstrip(".")
    if path.name == "context.jsonld":
        return formats.JSON_LD.media_type
    if path.name == formats.CSVW_METADATA_FILE:
        return formats.CSVW_METADATA_MEDIA_TYPE
    return formats.FILE_MEDIA_TYPES.get(extension, formats.OCTET_STREAM)


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
             linksets: list[Linkset] = (), previous: Previous | None = None, software: str = "",
             credit: dict[str, str] | None = None) -> list[ox.Triple]:
    """Triples describing the release in ``out`` (every file but the catalog itself).

    ``credit`` is the credit line (出典・加工, clusterlod.release.licence.credit_lines), given as cc:attributionText.
    ``previous`` is the release this one follows (``clusterlod build --previous``): it is linked with
    dcat:previousVersion, and what changed since is told in adms:versionNotes. ``software`` is the version
    of clusterlod that built it (prov:wasGeneratedBy): the data's own version is dataset.yaml's.
    """
    w = CatalogWriter(ns)
    dataset = ox.NamedNode(ns.dataset)
    for cls in ("dcat:Dataset", "void:Dataset"):
        w.add(dataset, "rdf:type", w.iri(cls))
    _catalog(w, meta, dataset)
    _application_profile(w, meta, dataset)
    w.bilingual(dataset, "dcterms:title", meta["title"])
    w.bilingual(dataset, "dcterms:description", meta["description"])
    w.bilingual(dataset, "dcterms:bibliographicCitation", meta["attribution"])
    if credit:
        w.bilingual(dataset, "cc:attributionText", credit)
    for language in ("ja", "en"):
        for keyword in meta.get("keywords", {}).get(language, []):
            w.add(dataset, "dcat:keyword", w.lit(keyword, language=language))
    w.triples += rights_triples(ns, meta)  # dcterms:license and dcterms:rights, as the release graph says them
    w.add(rights_iri(ns), "rdfs:seeAlso", ox.NamedNode(f"{ns.base}download/{LICENCE_FILE}"))
    readme = ox.NamedNode(f"{ns.base}download/{README_FILE}")
    w.add(dataset, "foaf:page", readme)
    w.add(readme, "rdf:type", w.iri("foaf:Document"))
    w.add(dataset, "dcterms:issued", w.lit(meta["issued"], "date"))
    w.add(dataset, "dcterms:modified", w.lit(release_date(meta), "date"))
    w.add(dataset, "dcat:version", w.lit(release_version(meta)))
    w.add(dataset, "owl:versionInfo", w.lit(release_version(meta)))
    _generated_by(w, dataset, meta, software)
    _creator_and_access(w, dataset, meta, document_iri)
    if previous is not None:
        earlier = ox.NamedNode(previous.version_iri(ns.dataset))
        w.add(dataset, "dcat:previousVersion", earlier)
        w.add(earlier, "dcat:version", w.lit(previous.version))
        w.bilingual(earlier, "rdfs:label", {"ja": f"版 {previous.version}", "en": f"version {previous.version}"})
        w.bilingual(dataset, "adms:versionNotes", previous.notes(ns.base))
        _relation(w, dataset, earlier, "predecessor-version")
    _relation(w, dataset, ox.NamedNode(document_iri), "via")
    _relation(w, dataset, ox.NamedNode(ns.ontology), "describedby")
    for language in meta.get("language", []):
        w.add(dataset, "dcterms:language", language_iri(language))
    publisher = ox.NamedNode(ns.base + "publisher")
    w.add(dataset, "dcterms:publisher", publisher)
    # prov:wasDerivedFrom, not dcterms:source: in DCAT-AP a dataset's dct:source is another dcat:Dataset.
    w.add(dataset, "prov:wasDerivedFrom", ox.NamedNode(document_iri))
    w.add(dataset, "void:uriSpace", w.lit(ns.base + "id/"))
    w.add(dataset, "void:sparqlEndpoint", ox.NamedNode(ns.base + "sparql"))
    w.add(dataset, "dcat:landingPage", ox.NamedNode(ns.base))
    for iri in example:
        w.add(dataset, "void:exampleResource", ox.NamedNode(iri))
    counts = _counts(union, ns)
    w.add(dataset, "void:triples", w.lit(len(union), "integer"))
    w.add(dataset, "void:entities", w.lit(counts["entities"], "integer"))  # the resources under void:uriSpace
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
        if info.derived_from:
            w.add(graph, "prov:wasDerivedFrom", ox.NamedNode(info.derived_from))
    for linkset in linksets:
        _linkset(w, dataset, linkset)
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != CATALOG_FILE
                       and p.relative_to(out).parts[0] != "releases"):
        _distribution(w, dataset, out, path, meta)
    return w.triples


def _catalog(w: CatalogWriter, meta: dict[str, Any], dataset: ox.NamedNode) -> None:
    """The dcat:Catalog that holds the dataset, with DCAT-AP's mandatory and recommended properties."""
    catalog = ox.NamedNode(w.ns.base + "catalog")
    w.add(catalog, "rdf:type", w.iri("dcat:Catalog"))
    w.add(catalog, "dcterms:title", w.lit(f"{meta['title']['ja']}：カタログ", language="ja"))
    w.add(catalog, "dcterms:title", w.lit(f"Catalogue: {meta['title']['en']}", language="en"))
    w.add(catalog, "dcterms:description", w.lit(
        "clusterlod の公開物のカタログ。"
        "データセット一つ（その名前付きグラフ、リンクセット、配布ファイル）を収める。", language="ja"))
    w.add(catalog, "dcterms:description", w.lit(CATALOG_DESCRIPTION, language="en"))
    w.add(catalog, "dcat:dataset", dataset)
    w.add(catalog, "dcterms:publisher", ox.NamedNode(w.ns.base + "publisher"))
    w.add(catalog, "foaf:homepage", ox.NamedNode(w.ns.base))
    w.add(ox.NamedNode(w.ns.base), "rdf:type", w.iri("foaf:Document"))
    w.add(catalog, "dcterms:license", ox.NamedNode(meta["licence"]))
    w.add(catalog, "dcterms:issued", w.lit(meta["issued"], "date"))
    w.add(catalog, "dcterms:modified", w.lit(release_date(meta), "date"))
    w.add(catalog, "dcterms:creator", creator_iri(w.ns, meta))
    for language in meta.get("language", []):
        w.add(catalog, "dcterms:language", language_iri(language))
    w.add(catalog, "dcterms:spatial", ox.NamedNode(EU + "country/" + meta["spatial"]))
    scheme = ox.NamedNode(EU + "data-theme")
    w.add(catalog, "dcat:themeTaxonomy", scheme)
    w.add(scheme, "rdf:type", w.iri("skos:ConceptScheme"))
    w.add(scheme, "dcterms:title", w.lit("Data theme", language="en"))


def _application_profile(w: CatalogWriter, meta: dict[str, Any], dataset: ox.NamedNode) -> None:
    """What DCAT-AP asks of the dataset and its agents beyond plain DCAT: contact, themes, coverage, licence."""
    publisher = ox.NamedNode(w.ns.base + "publisher")
    w.add(publisher, "rdf:type", w.iri("foaf:Agent"))
    w.bilingual(publisher, "foaf:name", meta["publisher"])
    contact = ox.NamedNode(w.ns.base + "contact")
    w.add(dataset, "dcat:contactPoint", contact)
    for cls in ("Kind", "Organization"):
        w.add(contact, "rdf:type", ox.NamedNode(VCARD + cls))
    w.add(contact, VCARD + "fn", w.lit(meta["publisher"]["en"]))
    w.add(contact, VCARD + "hasURL", ox.NamedNode(w.ns.base))
    for code, label in THEMES.items():
        theme = ox.NamedNode(EU + "data-theme/" + code)
        w.add(dataset, "dcat:theme", theme)
        w.add(theme, "rdf:type", w.iri("skos:Concept"))
        w.add(theme, "skos:prefLabel", w.lit(label, language="en"))
        w.add(theme, "skos:inScheme", ox.NamedNode(EU + "data-theme"))
    country = ox.NamedNode(EU + "country/" + meta["spatial"])
    w.add(dataset, "dcterms:spatial", country)
    w.add(country, "rdf:type", w.iri("dcterms:Location"))
    w.add(country, "skos:inScheme", ox.NamedNode(EU + "country"))
    if meta["spatial"] in COUNTRY_NAMES:  # the authority list's English name, so pages show no bare IRI
        w.add(country, "skos:prefLabel", w.lit(COUNTRY_NAMES[meta["spatial"]], language="en"))
    period = ox.NamedNode(w.ns.dataset + "/temporal")
    w.add(dataset, "dcterms:temporal", period)
    w.add(period, "rdf:type", w.iri("dcterms:PeriodOfTime"))
    w.add(period, "dcat:startDate", w.lit(meta["temporal"]["start"], "gYear"))
    w.add(period, "dcat:endDate", w.lit(meta["temporal"]["end"], "gYear"))
    w.add(period, "rdfs:label", w.lit(f"{meta['temporal']['start']}–{meta['temporal']['end']}"))
    _licence_document(w, ox.NamedNode(meta["licence"]), "Attribution", "Attribution")
    for language in meta.get("language", []):
        w.add(language_iri(language), "rdf:type", w.iri("dcterms:LinguisticSystem"))
        w.add(language_iri(language), "skos:inScheme", ox.NamedNode(EU + "language"))
        w.add(language_iri(language), "skos:prefLabel", w.lit(LANGUAGE_NAMES[LANGUAGES[language]], language="en"))
    stable = ox.NamedNode(EU + "planned-availability/STABLE")
    w.add(stable, "rdf:type", w.iri("skos:Concept"))
    w.add(stable, "skos:prefLabel", w.lit("stable", language="en"))
    w.add(stable, "skos:inScheme", ox.NamedNode(EU + "planned-availability"))
    algorithm = w.iri("spdx:checksumAlgorithm_sha256")
    w.add(algorithm, "rdf:type", w.iri("spdx:ChecksumAlgorithm"))


#: IANA link relations, the roles of the dataset's qualified relations (dcat:hadRole).
IANA_RELATIONS = "http://www.iana.org/assignments/relation/"
RELATION_LABELS = {"via": {"ja": "元の文書（via）", "en": "the source document (via)"},
                   "describedby": {"ja": "語彙を説明するオントロジー（describedby）",
                                   "en": "the ontology describing its terms (describedby)"},
                   "predecessor-version": {"ja": "前の版（predecessor-version）",
                                           "en": "the previous version (predecessor-version)"}}
#: The EU access-right authority list's PUBLIC: anyone may use the data.
PUBLIC = EU + "access-right/PUBLIC"


def _generated_by(w: CatalogWriter, dataset: ox.NamedNode, meta: dict[str, Any], software: str) -> None:
    """prov:wasGeneratedBy the build of this data version, associated with clusterlod at ``software``."""
    activity = ox.NamedNode(f"{w.ns.dataset}/generation")
    agent = ox.NamedNode(w.ns.base + "software")
    w.add(dataset, "prov:wasGeneratedBy", activity)
    w.add(activity, "rdf:type", w.iri("prov:Activity"))
    w.add(activity, "prov:wasAssociatedWith", agent)
    w.add(activity, "rdfs:label", w.lit(f"clusterlod {software} によるデータ版 {meta['version']} の構築",
                                        language="ja"))
    w.add(activity, "rdfs:label", w.lit(f"Build of data version {meta['version']} by clusterlod {software}",
                                        language="en"))
    w.add(agent, "rdf:type", w.iri("prov:SoftwareAgent"))
    w.add(agent, "rdfs:label", w.lit(f"clusterlod {software}"))
    w.add(agent, "owl:versionInfo", w.lit(software))


def creator_iri(ns: Namespaces, meta: dict[str, Any]) -> ox.NamedNode:
    """The creator's node: the publisher's when the record names the same agent (the usual case)."""
    return ox.NamedNode(ns.base + ("publisher" if meta["creator"] == meta["publisher"] else "creator"))


def _creator_and_access(w: CatalogWriter, dataset: ox.NamedNode, meta: dict[str, Any], document_iri: str) -> None:
    """dct:creator, dct:accessRights (EU PUBLIC) and dct:source (the MEXT document)."""
    creator = creator_iri(w.ns, meta)
    w.add(dataset, "dcterms:creator", creator)
    if creator.value != w.ns.base + "publisher":
        w.add(creator, "rdf:type", w.iri("foaf:Agent"))
        w.bilingual(creator, "foaf:name", meta["creator"])
    public = ox.NamedNode(PUBLIC)
    w.add(dataset, "dcterms:accessRights", public)
    w.add(public, "rdf:type", w.iri("dcterms:RightsStatement"))
    w.add(public, "skos:inScheme", ox.NamedNode(EU + "access-right"))
    w.add(public, "skos:prefLabel", w.lit("public", language="en"))
    w.add(dataset, "dcterms:source", ox.NamedNode(document_iri))


def _relation(w: CatalogWriter, dataset: ox.NamedNode, target: ox.NamedNode, role: str) -> None:
    """A dcat:qualifiedRelation: the related resource and its role, an IANA link relation."""
    node = ox.NamedNode(f"{w.ns.dataset}/relation/{role}")
    w.add(dataset, "dcat:qualifiedRelation", node)
    w.bilingual(node, "rdfs:label", RELATION_LABELS[role])
    w.add(node, "rdf:type", w.iri("dcat:Relationship"))
    w.add(node, "dcterms:relation", target)
    role_iri = ox.NamedNode(IANA_RELATIONS + role)
    w.add(node, "dcat:hadRole", role_iri)
    w.add(role_iri, "rdf:type", w.iri("dcat:Role"))
    w.add(role_iri, "rdfs:label", w.lit(role))


def _licence_document(w: CatalogWriter, licence: ox.NamedNode, adms_type: str, label_en: str) -> None:
    """A licence with its ADMS licence type, as DCAT-AP asks."""
    w.add(licence, "rdf:type", w.iri("dcterms:LicenseDocument"))
    if licence.value in LICENCES:
        w.add(licence, "rdfs:label", w.lit(LICENCES[licence.value].name_ja, language="ja"))
        w.add(licence, "rdfs:label", w.lit(LICENCES[licence.value].name_en, language="en"))
    licence_type = ox.NamedNode(ADMS_LICENCE_TYPES + adms_type)
    w.add(licence, "dcterms:type", licence_type)
    w.add(licence_type, "rdf:type", w.iri("skos:Concept"))
    w.add(licence_type, "skos:prefLabel", w.lit(label_en, language="en"))
    w.add(licence_type, "skos:inScheme", ox.NamedNode(ADMS_LICENCE_TYPES + "1.0"))


def _linkset(w: CatalogWriter, dataset: ox.NamedNode, linkset: Linkset) -> None:
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
    w.add(node, "dcterms:title",
          w.lit(f"{linkset.target.title} への {_local(linkset.predicate)} リンク", language="ja"))
    w.add(node, "dcterms:title", w.lit(f"{_local(linkset.predicate)} links to {linkset.target.title}", language="en"))
    basis = ox.NamedNode(w.ns.resource("basis", "identifiers"))
    w.add(node, "prov:wasDerivedFrom", basis)
    w.add(node, "clo:editorialBasis", basis)
    w.add(node, "dcterms:description", w.lit(
        "Every link comes from data/reference/identifiers.csv; the file gives each link as a clo:EditorialStatement "
        "with its confidence (clo:confidence), where it was verified (clo:verification) and the list's line.",
        language="en"))
    w.add(node, "dcterms:description", w.lit(
        "各リンクは identifiers.csv に由来し、ファイル中の clo:EditorialStatement が"
        "確度（clo:confidence）、検証の記録（clo:verification）と一覧の行を示す。",
        language="ja"))


def _distribution(w: CatalogWriter, dataset: ox.NamedNode, out: Path, path: Path, meta: dict[str, Any]) -> None:
    relative = path.relative_to(out).as_posix()
    data = path.read_bytes()
    node = ox.NamedNode(f"{w.ns.base}download/{relative}")
    w.add(dataset, "dcat:distribution", node)
    w.add(node, "rdf:type", w.iri("dcat:Distribution"))
    text = describe_file(relative)
    w.add(node, "dcterms:title", w.lit(text.title_ja, language="ja"))
    w.add(node, "dcterms:title", w.lit(text.title_en, language="en"))
    w.add(node, "dcterms:description", w.lit(text.description_ja, language="ja"))
    w.add(node, "dcterms:description", w.lit(text.description_en, language="en"))
    w.add(node, "dcat:accessURL", node)
    w.add(node, "dcat:downloadURL", node)
    kind = media_type(path)
    media = ox.NamedNode(IANA + kind)
    w.add(node, "dcat:mediaType", media)
    w.add(media, "rdf:type", w.iri("dcterms:MediaType"))
    w.add(media, "rdfs:label", w.lit(kind))
    code = FILE_TYPES.get(path.suffix.lstrip("."), ("BIN", "Binary data"))[0]
    if path.name == "context.jsonld":
        code = "JSON_LD"
    file_type = ox.NamedNode(EU + "file-type/" + code)
    w.add(node, "dcterms:format", file_type)
    w.add(file_type, "rdf:type", w.iri("dcterms:MediaTypeOrExtent"))
    w.add(file_type, "skos:inScheme", ox.NamedNode(EU + "file-type"))
    w.add(file_type, "skos:prefLabel", w.lit(FORMAT_NAMES[code], language="en"))
    w.add(node, DCATAP + "availability", ox.NamedNode(EU + "planned-availability/STABLE"))
    if relative.startswith("source/"):  # the brochure's own text: MEXT's terms, not the dataset's licence
        rights = ox.NamedNode(f"{w.ns.dataset}/source-rights")
        w.add(node, "dcterms:rights", rights)
        w.add(rights, "rdf:type", w.iri("dcterms:RightsStatement"))
        w.add(rights, "rdfs:label", w.lit(meta["source_rights"]["en"], language="en"))
    elif relative == LICENCE_FILE:  # the legal text is not the data: its own closing words put it under CC0
        text_licence = ox.NamedNode(LICENCES[meta["licence"]].text_licence)
        w.add(node, "dcterms:license", text_licence)
        _licence_document(w, text_licence, "PublicDomain", "Public domain")
    else:
        w.add(node, "dcterms:license", ox.NamedNode(meta["licence"]))
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
    classes: Counter[str] = Counter()
    for t in union:
        subject, predicate = t.subject.value, t.predicate.value
        subjects.add(subject)
        predicates.add(predicate)
        if predicate == RDF_TYPE:
            classes[t.object.value] += 1
    # VoID: the entities of a dataset are the resources whose IRIs fall under its void:uriSpace.
    space = ns.base + "id/"
    entities = {s for s in subjects if s.startswith(space)}
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
