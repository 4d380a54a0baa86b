"""The canned queries of ``queries/*.rq`` for the pages, ready to run.

The same :class:`clusterlod.sparql.canned.CannedQuery` as the CLI's; for the pages its ``text``
is the runnable text, with each parameter bound to its default, so one click runs it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from clusterlod.errors import ClusterlodError
from clusterlod.sparql.canned import CannedQuery, discover, prepare

__all__ = ["CannedQuery", "read_queries"]


def read_queries(folder: Path | None) -> list[CannedQuery]:
    """Every ``*.rq`` directly in ``folder`` (quality checks in sub-folders are left out)."""
    if folder is None or not folder.is_dir():
        return []
    result = []
    for query in discover(folder):
        if query.is_qc:
            continue
        try:
            text = prepare(query)
        except ClusterlodError:
            text = query.text  # a parameter without a default: the editor shows it to fill in
        result.append(dataclasses.replace(query, text=text))
    return result
