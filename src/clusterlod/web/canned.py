"""The canned queries of ``queries/*.rq``, read from their header comments.

With :mod:`clusterlod.queries` (``discover`` and ``prepare``) each query comes with
its parameters bound to their defaults, so one click runs it; without it, only the
``# title-ja:`` / ``# title-en:`` header lines are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title_ja: str
    title_en: str
    text: str

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en


def read_queries(folder: Path | None) -> list[CannedQuery]:
    """Every ``*.rq`` directly in ``folder`` (quality checks in sub-folders are left out)."""
    if folder is None or not folder.is_dir():
        return []
    try:
        return _with_library(folder)
    except (ImportError, AttributeError):
        return _by_headers(folder)


def _with_library(folder: Path) -> list[CannedQuery]:
    from clusterlod import queries as library
    from clusterlod.errors import ClusterlodError

    result = []
    for query in library.discover(folder):
        if getattr(query, "is_qc", False) or "/" in query.name:
            continue
        try:
            text = library.prepare(query)
        except ClusterlodError:
            text = query.text  # a parameter without a default: the editor shows it to fill in
        result.append(CannedQuery(query.name, query.title_ja or query.title_en or query.name,
                                  query.title_en or query.title_ja or query.name, text))
    return result


def _by_headers(folder: Path) -> list[CannedQuery]:
    queries = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        titles = {"ja": "", "en": ""}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            key, _, value = stripped.lstrip("#").strip().partition(":")
            if key.strip().lower() in ("title-ja", "title-en"):
                titles[key.strip().lower()[-2:]] = value.strip()
        queries.append(CannedQuery(path.stem, titles["ja"] or titles["en"] or path.stem,
                                   titles["en"] or titles["ja"] or path.stem, text))
    return queries
