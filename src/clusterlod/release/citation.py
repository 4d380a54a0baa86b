"""How to cite the dataset: one citation, made from the dataset record (data/dataset.yaml).

The same words go into dist/README.md, the landing page (ja and en), the landing page's schema:Dataset
and the repository's CITATION.cff (Citation File Format 1.2.0, written by scripts/gen-docs), so the
version and date a reader cites are always the data's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from clusterlod.namespaces import DEFAULT_BASE
from clusterlod.release.licence import LICENCES

CFF_FILE = "CITATION.cff"


def spdx_id(licence_iri: str) -> str:
    """The SPDX identifier of a licence clusterlod ships (its legal text is named after it)."""
    return Path(LICENCES[licence_iri].text_resource).stem


def year(meta: dict[str, Any]) -> str:
    return meta["modified"][:4]


def citation(meta: dict[str, Any], dataset_iri: str, language: str) -> str:
    """The recommended citation in ``language``: creator, year, title, version and date, identifier."""
    creator, title = meta["creator"][language], " ".join(meta["title"][language].split())
    if language == "ja":
        return (f"{creator}（{year(meta)}）『{title}』版 {meta['version']}（{meta['modified']}）"
                f"［データセット］。{dataset_iri}")
    return (f"{creator} ({year(meta)}). {title} (version {meta['version']}, {meta['modified']}) [Data set]. "
            f"{dataset_iri}")


def cff(meta: dict[str, Any], base: str = DEFAULT_BASE, source: dict[str, str] | None = None) -> str:
    """CITATION.cff for the dataset, from the record (``source``: title and year of the source document)."""
    dataset_iri = base + "dataset"
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below. "
                   "(Generated from data/dataset.yaml by scripts/gen-docs; do not edit by hand.)",
        "type": "dataset",
        "title": " ".join(meta["title"]["en"].split()),
        "version": meta["version"],
        "date-released": meta["modified"],
        "authors": [{"name": meta["creator"]["en"]}],
        "license": spdx_id(meta["licence"]),
        "url": base,
        "identifiers": [{"type": "url", "value": dataset_iri,
                         "description": "The dataset's IRI (all versions; each version is <IRI>/version/<X>)"},
                        {"type": "url", "value": f"{dataset_iri}/version/{meta['version']}",
                         "description": f"This version, {meta['version']}"}],
        "abstract": " ".join(meta["description"]["en"].split()),
        "keywords": list(meta.get("keywords", {}).get("en", [])),
    }
    if source:
        data["references"] = [{"type": "pamphlet", "title": source["title"], "year": int(source["year"]),
                               "authors": [{"name": source["author"]}]}]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def repository_cff(root: Path) -> str:
    """CITATION.cff for the project at ``root``, from its dataset record and its source document's record."""
    from clusterlod.sources.project import read_sources

    sources = read_sources(root)
    records = {r.id: r for r in sources.records}
    document = next(r for r in sources.records if r.type == "Document")
    publisher = records.get(document.get("publisher").data["ref"])
    source = {"title": document.get("label").data["ja"], "year": document.get("issued").data["value"],
              "author": publisher.get("label").data["en"] if publisher else ""}
    return cff(sources.dataset, DEFAULT_BASE, source)
