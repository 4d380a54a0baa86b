"""Memento (RFC 7089) for the dataset IRI: its past versions found by date.

The dataset IRI is the Original Resource and its own TimeGate: a request with ``Accept-Datetime`` is
sent (302) to the version that was current then, ``<dataset>/version/X``, a Memento whose answers carry
``Memento-Datetime``. The TimeMap (``<dataset>/timemap``, application/link-format) lists every version.
A version's datetime is its release date (dct:modified, else dct:issued), at midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from clusterlod.release.versions import Version

TIMEMAP = "timemap"
LINK_FORMAT = "application/link-format"


def when(version: Version) -> datetime:
    return datetime.fromisoformat(version.date).replace(tzinfo=UTC)


def http_date(version: Version) -> str:
    return format_datetime(when(version), usegmt=True)


def parse(header: str) -> datetime | None:
    """An ``Accept-Datetime`` (RFC 1123) as a UTC datetime; None when it is no date."""
    try:
        parsed = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def select(versions: list[Version], moment: datetime) -> Version:
    """The version current at ``moment``: the newest released by then, else the first one."""
    dated = sorted((v for v in versions if v.date), key=when)
    earlier = [v for v in dated if when(v) <= moment]
    return earlier[-1] if earlier else dated[0]


def links(dataset: str) -> str:
    """The Link header every Memento answer carries: the original, its TimeGate and the TimeMap."""
    return f'<{dataset}>; rel="original timegate", <{dataset}/{TIMEMAP}>; rel="timemap"; type="{LINK_FORMAT}"'


def timemap(dataset: str, versions: list[Version]) -> bytes:
    """The TimeMap: every version as a memento, with its datetime, oldest first (RFC 7089 section 5)."""
    dated = sorted((v for v in versions if v.date), key=when)
    entries = [f'<{dataset}>; rel="original"', f'<{dataset}>; rel="timegate"',
               f'<{dataset}/{TIMEMAP}>; rel="self"; type="{LINK_FORMAT}"; from="{http_date(dated[0])}"; '
               f'until="{http_date(dated[-1])}"']
    for index, version in enumerate(dated):
        rel = "memento"
        if index == 0:
            rel = "first memento"
        if index == len(dated) - 1:
            rel = "last memento" if index else "first last memento"
        entries.append(f'<{version.iri}>; rel="{rel}"; datetime="{http_date(version)}"')
    return (",\n".join(entries) + "\n").encode("utf-8")
