"""A release built with ``--base`` answers the project's queries and pages under that base.

Canned queries are written against DEFAULT_BASE; a release declares its own base in its
catalogue (``void:uriSpace`` = ``<base>id/``). ``clusterlod query`` moves a query's text
onto that base before running it on the release, and ``clusterlod site`` refuses a base
that is not the release's (pages of IRIs the data does not hold would be empty).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.errors import ClusterlodError
from clusterlod.namespaces import DEFAULT_BASE, STANDARD_PREFIXES

URI_SPACE = ox.NamedNode(STANDARD_PREFIXES["void"] + "uriSpace")


def release_base(dist: Path) -> str:
    """The base IRI the release in ``dist`` was built with (DEFAULT_BASE if its catalogue says none)."""
    path = Path(dist) / formats.CATALOG_FILE
    if not path.is_file():
        return DEFAULT_BASE
    bases = sorted(t.object.value[: -len("id/")] for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                   if t.predicate == URI_SPACE and t.object.value.endswith("id/"))
    return bases[0] if bases else DEFAULT_BASE


def rebase_query(text: str, base: str) -> str:
    """The query with every IRI (and IRI prefix in a string) under DEFAULT_BASE moved to ``base``."""
    return text if base == DEFAULT_BASE else text.replace(DEFAULT_BASE, base)


def check_site_base(dist: Path, base: str | None) -> None:
    """Refuse a ``--base`` other than the release's: the site would have no resource pages."""
    if base is None:
        return
    wanted = base if base.endswith(("/", "#")) else base + "/"
    built = release_base(dist)
    if wanted != built:
        raise ClusterlodError(f"--base {base}: the release in {dist} was built with base {built}; "
                              f"rebuild it with `clusterlod build --base {base}` or leave --base out")
