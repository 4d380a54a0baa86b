"""The landing page's schema.org ``Dataset``: what Google Dataset Search and schema.org readers look for.

Made from the release's catalogue (itself made from data/dataset.yaml), so it says what the catalogue
says: names and descriptions in Japanese and English, identifier, version and dates, creator and
publisher, licence, the MEXT document it is based on, coverage, keywords, the citation, and every file
as a ``DataDownload`` with its ``contentUrl`` and ``encodingFormat``.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from clusterlod.namespaces import STANDARD_PREFIXES, Namespaces
from clusterlod.release.citation import citation
from clusterlod.release.versions import Version

DCAT, DCT, FOAF = STANDARD_PREFIXES["dcat"], STANDARD_PREFIXES["dcterms"], STANDARD_PREFIXES["foaf"]
SKOS, RDFS = STANDARD_PREFIXES["skos"], STANDARD_PREFIXES["rdfs"]
LANGUAGES = ("ja", "en")


def _objects(store: ox.Store, subject: str, predicate: str) -> list[ox.Term]:
    return sorted((q.object for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate),
                                                             None, None)), key=str)


def _one(store: ox.Store, subject: str, predicate: str) -> str:
    values = _objects(store, subject, predicate)
    return values[0].value if values else ""


def _texts(store: ox.Store, subject: str, predicate: str) -> dict[str, str]:
    return {v.language or "": v.value for v in _objects(store, subject, predicate) if isinstance(v, ox.Literal)}


def record_of(store: ox.Store, dataset: str) -> dict[str, Any]:
    """The parts of the dataset record a citation needs, as the catalogue states them."""
    creator = _one(store, dataset, DCT + "creator")
    return {"title": _texts(store, dataset, DCT + "title"), "creator": _texts(store, creator, FOAF + "name"),
            "version": _one(store, dataset, DCAT + "version"), "modified": _one(store, dataset, DCT + "modified"),
            "issued": _one(store, dataset, DCT + "issued")}


def _bilingual(text: dict[str, str]) -> list[dict[str, str]]:
    return [{"@language": lang, "@value": " ".join(text[lang].split())} for lang in LANGUAGES if text.get(lang)]


def _agent(store: ox.Store, iri: str, kind: str = "Organization") -> dict[str, Any]:
    names = _texts(store, iri, FOAF + "name")
    return {"@type": kind, "@id": iri, "name": names.get("en") or next(iter(names.values()), "")}


def dataset(store: ox.Store, ns: Namespaces, versions: list[Version], source_label: dict[str, str]) -> dict[str, Any]:
    """The ``schema:Dataset`` of the current release, as a JSON-LD object."""
    iri = ns.dataset
    record = record_of(store, iri)
    period = _one(store, iri, DCT + "temporal")
    country = _one(store, iri, DCT + "spatial")
    keywords = [{"@language": v.language, "@value": v.value} for v in _objects(store, iri, DCAT + "keyword")
                if isinstance(v, ox.Literal)]
    current = next((v for v in versions if v.current), None)
    files = current.files if current else []
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": iri,
        "name": _bilingual(record["title"]),
        "description": _bilingual(_texts(store, iri, DCT + "description")),
        "url": ns.base,
        "identifier": iri,
        "version": record["version"],
        "datePublished": record["issued"],
        "dateModified": record["modified"],
        "inLanguage": list(LANGUAGES),
        "creator": _agent(store, _one(store, iri, DCT + "creator")),
        "publisher": _agent(store, _one(store, iri, DCT + "publisher")),
        "license": _one(store, iri, DCT + "license"),
        "isAccessibleForFree": True,
        "isBasedOn": {"@type": "CreativeWork", "@id": _one(store, iri, DCT + "source"),
                      "name": _bilingual(source_label)},
        "temporalCoverage": f"{_one(store, period, DCAT + 'startDate')}/{_one(store, period, DCAT + 'endDate')}",
        "spatialCoverage": {"@type": "Place", "@id": country,
                            "name": _texts(store, country, SKOS + "prefLabel").get("en", "")},
        "keywords": keywords,
        "citation": [{"@language": lang, "@value": citation(record, iri, lang)} for lang in LANGUAGES],
        "includedInDataCatalog": {"@type": "DataCatalog", "@id": ns.base + "catalog",
                                  "name": _bilingual(_texts(store, ns.base + "catalog", DCT + "title"))},
        "distribution": [{"@type": "DataDownload", "contentUrl": f"{ns.base}download/{f.name}",
                          "encodingFormat": f.media_type, "name": f.title.get("en") or f.name,
                          "contentSize": f"{f.size} B"} for f in files],
    }
    return data
