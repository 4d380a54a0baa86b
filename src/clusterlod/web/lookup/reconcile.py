"""The W3C Entity Reconciliation API 0.2 over one release's index: manifest, queries, data extension.

Ids are resource IRIs without the identifier space (``<base>id/``): ``cluster/tokai-monozukuri``;
type and property ids are ontology local names (``Cluster``, ``region``) in the schema space.
Every answer is a plain dict the app sends as JSON; tests/test_reconcile.py validates each kind
against the Community Group's schemas.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from clusterlod import __version__
from clusterlod.web.lookup import properties as props
from clusterlod.web.lookup.index import Entry, Index
from clusterlod.web.lookup.match import CONDITION_PENALTY, EXACT, Scored, Typed, candidates, rank

#: The main classes a spreadsheet's rows are: offered first (``defaultTypes``).
MAIN_TYPES = ("Cluster", "Program", "Organization", "Ministry", "Region", "Prefecture", "Event",
              "IndustrialField", "Country")
#: Further classes a query may name.
MORE_TYPES = ("ClusterNetwork", "Council", "UnionOfStates", "EventSeries", "Cooperation", "Declaration", "Person",
              "Place", "Venue", "FieldGroup", "StatedConcept")
TYPES = MAIN_TYPES + MORE_TYPES
#: Candidates per query when the query names no limit.
DEFAULT_LIMIT = 10
FIGURE_SETTING = "figure"
FIGURE_CHOICES = ("value", "label", "unit", "approximate")
PREVIEW_SIZE = (420, 180)


class BadRequest(Exception):
    """A request the service cannot answer; the message is the one line the client gets (400)."""


@dataclass(frozen=True)
class Limits:
    batch: int
    chars: int
    candidates: int


def other(lang: str) -> str:
    return "en" if lang == "ja" else "ja"


def type_list(index: Index, entry: Entry, lang: str) -> list[dict[str, str]]:
    return [{"id": t, "name": index.terms[t].label(lang)} for t in entry.types if t in index.terms]


def describe(index: Index, entry: Entry, lang: str) -> str:
    """The other language's label and the type: what tells two namesakes apart."""
    parts = [entry.labels[other(lang)]] if entry.labels.get(other(lang)) else []
    parts += [index.terms[t].label(lang) for t in entry.types if t in index.terms]
    return " · ".join(parts)


class Service:
    """One release's reconciliation service, in one language (``ja`` or ``en``) for names."""

    def __init__(self, index: Index, limits: Limits):
        self.index, self.limits = index, limits
        self._allowed: dict[tuple[tuple[str, ...], str], set[int]] = {}
        self.offered = [t for t in TYPES if t in index.terms]

    # ------------------------------------------------------------ manifest
    def manifest(self, root: str, lang: str, name: str) -> dict[str, Any]:
        """The service manifest; ``root`` is the server's URL, ``lang`` the language of names."""
        path = f"/reconcile/{lang}"
        width, height = PREVIEW_SIZE
        suggest = {kind: {"service_url": root, "service_path": f"{path}/suggest/{kind}",
                          "flyout_service_path": f"{path}/flyout/{kind}?id=${{id}}"}
                   for kind in ("entity", "type", "property")}
        return {
            "versions": ["0.2"],
            "name": name,
            "identifierSpace": self.index.identifier_space,
            "schemaSpace": self.index.schema_space,
            "serviceVersion": __version__,
            "defaultTypes": [self.type_entry(t, lang) for t in MAIN_TYPES if t in self.index.terms],
            "view": {"url": f"{root}{path}/view?id={{{{id}}}}"},
            "preview": {"url": f"{root}{path}/preview?id={{{{id}}}}", "width": width, "height": height},
            "suggest": suggest,
            "extend": {
                "propose_properties": {"service_url": root, "service_path": f"{path}/properties"},
                "property_settings": [{
                    "name": FIGURE_SETTING, "type": "select", "default": "value",
                    "label": "数値" if lang == "ja" else "Figures",
                    "help_text": ("企業数・大学数：数値、原文どおりの表記（約570社）、単位、概数なら「約」"
                                  if lang == "ja" else "Companies and universities: the number, as printed "
                                  "(about 570 companies), the unit, or 約/about when the source gives it as "
                                  "approximate"),
                    "choices": [{"value": c, "name": c} for c in FIGURE_CHOICES],
                }],
            },
        }

    def type_entry(self, local: str, lang: str) -> dict[str, Any]:
        term = self.index.terms[local]
        found: dict[str, Any] = {"id": local, "name": term.label(lang)}
        if term.definitions.get(lang):
            found["description"] = term.definitions[lang]
        broader = [b for b in term.broader if b in self.index.terms]
        if broader:
            found["broader"] = [{"id": b, "name": self.index.terms[b].label(lang)} for b in broader]
        return found

    # ------------------------------------------------------------ queries
    def allowed(self, types: tuple[str, ...], strict: str) -> set[int]:
        """Positions of the resources of ``types`` (all of them for "all", any for "any"/"should")."""
        cache_key = (types, strict)
        found = self._allowed.get(cache_key)
        if found is None:
            wanted = set(types or self.offered)
            test = (lambda c: wanted <= c) if strict == "all" and types else (lambda c: bool(wanted & c))
            found = {i for i, e in enumerate(self.index.entries) if test(e.classes)}
            self._allowed[cache_key] = found
        return found

    def reconcile(self, batch: Any, lang: str) -> dict[str, Any]:
        """Answer a query batch (the decoded ``queries`` parameter)."""
        if not isinstance(batch, dict):
            raise BadRequest("'queries' must be a JSON object of queries by key")
        if len(batch) > self.limits.batch:
            raise BadRequest(f"a batch holds at most {self.limits.batch} queries (--max-lookup-batch); "
                             f"this one holds {len(batch)}")
        return {str(name): {"result": self.query(query, lang)} for name, query in batch.items()}

    def query(self, query: Any, lang: str) -> list[dict[str, Any]]:
        if not isinstance(query, dict):
            raise BadRequest("each query must be a JSON object")
        text = query.get("query", "")
        conditions = query.get("properties") or []
        if not isinstance(text, str) or not isinstance(conditions, list):
            raise BadRequest("'query' must be a string and 'properties' a list")
        if not text.strip() and not conditions:
            raise BadRequest("a query needs 'query' or 'properties'")
        types = query.get("type") or ()
        types = (types,) if isinstance(types, str) else tuple(t for t in types if isinstance(t, str))
        types = tuple(sorted(t.removeprefix(self.index.schema_space) for t in types))
        if any(t not in self.index.terms for t in types):
            return []  # a type this release does not have: no candidate can be of it
        strict = query.get("type_strict") if query.get("type_strict") in ("any", "should", "all") else "should"
        limit = query.get("limit", DEFAULT_LIMIT)
        limit = limit if isinstance(limit, int | float) and math.isfinite(limit) else DEFAULT_LIMIT
        limit = max(1, min(int(limit), self.limits.candidates))
        checks = []
        for condition in conditions[: self.limits.batch]:
            if not isinstance(condition, dict) or "pid" not in condition:
                raise BadRequest("each property condition needs 'pid' and 'v'")
            prop = props.BY_ID.get(str(condition["pid"]).removeprefix(self.index.schema_space))
            if prop is not None:  # a property this service does not know is ignored, as the API allows
                wanted = condition.get("v")
                checks.append((prop, [self.cut(v) for v in (wanted if isinstance(wanted, list) else [wanted])
                                      ][: self.limits.batch]))
        allowed = self.allowed(types, strict)
        typed = Typed.of(text[: self.limits.chars])
        scored = []
        if typed.key:
            for score, entry, name in candidates(self.index, typed, allowed):
                met = sum(props.condition_met(self.index, entry, p, v) for p, v in checks)
                failed = len(checks) - met
                scored.append(Scored(entry, max(0, score - CONDITION_PENALTY * failed), name, failed, met))
        elif checks:
            for position in sorted(allowed):
                entry = self.index.entries[position]
                met = sum(props.condition_met(self.index, entry, p, v) for p, v in checks)
                if met:
                    scored.append(Scored(entry, round(EXACT * met / len(checks)), None, len(checks) - met, met))
        return [self.candidate(s, lang) for s in rank(scored, limit)]

    def cut(self, value: Any) -> Any:
        """A condition's value with its text cut to --max-lookup-chars, as a name is."""
        if isinstance(value, dict):
            value = value.get("id") or value.get("name") or ""
        return value[: self.limits.chars] if isinstance(value, str) else value if isinstance(value, int | float) \
            else ""

    def candidate(self, scored: Scored, lang: str) -> dict[str, Any]:
        entry = scored.entry
        found: dict[str, Any] = {"id": entry.id, "name": entry.label(lang), "score": scored.score,
                                 "match": scored.match, "type": type_list(self.index, entry, lang)}
        description = describe(self.index, entry, lang)
        if description:
            found["description"] = description
        features = [{"id": "conditions_met", "value": scored.met}, {"id": "conditions_failed", "value": scored.failed}]
        if scored.name is not None:
            features.insert(0, {"id": "name_alt_label" if scored.name.alt else "name_label", "value": True})
        found["features"] = features
        return found

    # ------------------------------------------------------------ data extension
    def propose(self, type_id: str | None, limit: Any, lang: str) -> dict[str, Any]:
        local = (type_id or "").removeprefix(self.index.schema_space)
        offered = [p for p in props.PROPERTIES if not local or local in p.classes
                   or (local in self.index.terms and set(p.classes) & self._superclasses(local))]
        count = int(limit) if isinstance(limit, str) and limit.isdigit() else len(offered)
        found: dict[str, Any] = {"properties": [self.property_entry(p, lang) for p in offered[: max(0, count)]]}
        if local:
            found["type"] = local
        return found

    def _superclasses(self, local: str) -> set[str]:
        seen, todo = set(), [local]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                term = self.index.terms.get(current)
                todo.extend(term.broader if term else ())
        return seen

    def property_entry(self, prop: props.Property, lang: str) -> dict[str, str]:
        term = self.index.terms.get(prop.id)
        found = {"id": prop.id, "name": term.label(lang) if term else prop.id}
        if term and term.definitions.get(lang):
            found["description"] = term.definitions[lang]
        return found

    def extend(self, request: Any, lang: str) -> dict[str, Any]:
        """Answer a data extension request (the decoded ``extend`` parameter)."""
        if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
                or not isinstance(request.get("properties"), list):
            raise BadRequest("'extend' must be a JSON object with 'ids' and 'properties' lists")
        ids, wanted = request["ids"], request["properties"]
        if len(ids) > self.limits.batch or len(wanted) > len(props.PROPERTIES):
            raise BadRequest(f"a data extension request holds at most {self.limits.batch} ids (--max-lookup-batch) "
                             f"and {len(props.PROPERTIES)} properties")
        asked = []
        for item in wanted:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise BadRequest("each property must be an object with an 'id'")
            prop = props.BY_ID.get(item["id"].removeprefix(self.index.schema_space))
            if prop is None:
                raise BadRequest(f"no property '{item['id'][:100]}'; /reconcile/{lang}/properties lists them")
            settings = item.get("settings") if isinstance(item.get("settings"), dict) else {}
            choice = settings.get(FIGURE_SETTING, "value")
            asked.append((prop, choice if choice in FIGURE_CHOICES else "value"))
        meta = []
        for prop, _ in asked:
            entry = self.property_entry(prop, lang)
            column: dict[str, Any] = {"id": prop.id, "name": entry["name"]}
            if prop.range and prop.range in self.index.terms:
                column["type"] = {"id": prop.range, "name": self.index.terms[prop.range].label(lang)}
            meta.append(column)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for identifier in ids:
            identifier = str(identifier)[: self.limits.chars]
            entry = self.index.entry(identifier)
            rows[identifier] = {prop.id: self.values(entry, prop, choice, lang) if entry else []
                                for prop, choice in asked}
        return {"meta": meta, "rows": rows}

    def values(self, entry: Entry, prop: props.Property, choice: str, lang: str) -> list[dict[str, Any]]:
        index = self.index
        if prop.kind == props.ENTITY:
            found = []
            for iri in props.links(index, entry, prop):
                target = index.by_iri.get(iri)
                value = {"id": target.id if target else iri, "name": index.label(iri, lang)}
                if iri in entry.editorial_links.get(prop.id, ()):
                    value["description"] = "編集上の追加（原文にない）" if lang == "ja" else \
                        "editorial addition (not stated by the source)"
                found.append(value)
            return found
        if prop.kind == props.TEXT:
            return [{"str": text} for text in props.texts(index, entry, prop)]
        target = props.figure(index, entry, prop)
        if target is None:
            return []
        if choice == "label":
            return [{"str": target.label(lang)}]
        if choice == "unit":
            return [{"str": props.unit(target, lang)}]
        if choice == "approximate":
            return [{"str": "約" if lang == "ja" else "about"}] if props.is_approximate(target) else []
        number = props.figure_value(target)
        if number is None:
            return []
        return [{"int": number}] if isinstance(number, int) else [{"float": number}]


def decode(text: str | None, name: str) -> Any:
    """A JSON parameter, refused (400) when it does not parse."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest(f"'{name}' is not JSON") from None
