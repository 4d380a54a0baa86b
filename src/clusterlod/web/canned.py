"""The canned queries of ``queries/*.rq`` for the pages: titles and runnable text.

:mod:`clusterlod.queries` reads them; each comes with its parameters bound to their
defaults, so one click runs it.
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
