"""Suggest (auto-complete) for entities, types and properties, and their flyouts (Reconciliation API 0.2).

A name is suggested when its key starts with the typed prefix's key (best), else holds it; keys
are those of web/lookup/normalise.py, so ｸﾗｽﾀｰ suggests クラスター.
"""

from __future__ import annotations

from html import escape
from typing import Any

from clusterlod.web.lookup import properties as props
from clusterlod.web.lookup.index import Entry, Index
from clusterlod.web.lookup.normalise import key
from clusterlod.web.lookup.reconcile import Service, describe, type_list

#: Ranks of a suggestion: the whole key, its start, anywhere in it.
WHOLE, START, INSIDE = 3, 2, 1


def closeness(prefix: str, names: list[str]) -> int:
    best = 0
    for name in names:
        if name == prefix:
            return WHOLE
        if name.startswith(prefix):
            best = max(best, START)
        elif prefix in name:
            best = max(best, INSIDE)
    return best


def entities(service: Service, prefix: str, type_id: str | None, limit: int, lang: str,
             cursor: int = 0) -> dict[str, Any]:
    index = service.index
    typed = key(prefix[: service.limits.chars])
    if not typed:
        return {"result": []}
    local = (type_id or "").removeprefix(index.schema_space)
    allowed = service.allowed((local,) if local else (), "should") if not local or local in index.terms else set()
    ranked = []
    for position in allowed:
        entry = index.entries[position]
        rank = closeness(typed, [f for name in entry.names for f in name.forms])
        if rank:
            ranked.append((-rank, entry.label(lang), entry.iri, entry))
    ranked.sort(key=lambda r: r[:3])
    return {"result": [suggestion(index, entry, lang) for *_, entry in ranked[cursor:cursor + limit]]}


def suggestion(index: Index, entry: Entry, lang: str) -> dict[str, Any]:
    found: dict[str, Any] = {"id": entry.id, "name": entry.label(lang), "notable": type_list(index, entry, lang)}
    description = describe(index, entry, lang)
    if description:
        found["description"] = description
    return found


def types(service: Service, prefix: str, limit: int, lang: str) -> dict[str, Any]:
    typed = key(prefix[: service.limits.chars])
    ranked = []
    for local in service.offered:
        term = service.index.terms[local]
        rank = closeness(typed, [key(local), *(key(label) for label in term.labels.values())]) if typed else START
        if rank:
            ranked.append((-rank, local))
    ranked.sort()
    return {"result": [service.type_entry(local, lang) for _, local in ranked[:limit]]}


def properties(service: Service, prefix: str, limit: int, lang: str) -> dict[str, Any]:
    typed = key(prefix[: service.limits.chars])
    ranked = []
    for prop in props.PROPERTIES:
        term = service.index.terms.get(prop.id)
        names = [key(prop.id), *(key(label) for label in (term.labels.values() if term else ()))]
        rank = closeness(typed, names) if typed else START
        if rank:
            ranked.append((-rank, prop.id, prop))
    ranked.sort(key=lambda r: r[:2])
    return {"result": [service.property_entry(prop, lang) for *_, prop in ranked[:limit]]}


def flyout(service: Service, kind: str, identifier: str, lang: str) -> dict[str, str] | None:
    """A few lines of HTML about one suggestion (shown beside the suggest list)."""
    index = service.index
    if kind == "entity":
        entry = index.entry(identifier)
        if entry is None:
            return None
        lines = [f"<strong>{escape(entry.label(lang))}</strong>", escape(describe(index, entry, lang))]
        if entry.quotes:
            lines.append(f"<q>{escape(entry.quotes[0].text)}</q>")
        return {"id": entry.id, "html": "<br>".join(line for line in lines if line)}
    term = index.term(identifier)
    if term is None or (kind == "property" and term.id not in props.BY_ID) or \
            (kind == "type" and term.id not in service.offered):
        return None
    text = escape(term.label(lang)) + (f"<br>{escape(term.definitions[lang])}" if term.definitions.get(lang) else "")
    return {"id": term.id, "html": f"<strong>{text}</strong>" if "<br>" not in text else text}
