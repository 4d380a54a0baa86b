"""The properties reconciliation conditions and data extension can ask for, and their values for a resource.

Each id is an ontology term's local name (the service's schema space is the ontology namespace), so
``schemaSpace + id`` is the property's IRI. Some follow a path: a project's prefecture codes are the
JIS codes of the prefectures its region covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterlod.web.lookup.index import Entry, Index
from clusterlod.web.lookup.normalise import key

ENTITY, TEXT, FIGURE = "entity", "text", "figure"


@dataclass(frozen=True)
class Property:
    """One property: its id (ontology local name), what its values are, and the classes it applies to."""

    id: str
    kind: str
    classes: tuple[str, ...]
    #: The class of its values when they are resources.
    range: str | None = None


PROPERTIES: tuple[Property, ...] = (
    Property("region", ENTITY, ("Cluster", "Prefecture"), "Region"),
    Property("clusterOf", ENTITY, ("Cluster",), "Program"),
    Property("industrialField", ENTITY, ("Cluster",), "IndustrialField"),
    Property("umbrellaNetwork", ENTITY, ("Cluster",), "ClusterNetwork"),
    Property("companyCount", FIGURE, ("Cluster", "Program")),
    Property("universityCount", FIGURE, ("Cluster", "Program")),
    Property("jisCode", TEXT, ("Cluster", "Region", "Prefecture")),
    Property("coversPrefecture", ENTITY, ("Region",), "Prefecture"),
    Property("phaseOf", ENTITY, ("Program",), "Program"),
    Property("responsibleMinistry", ENTITY, ("Program",), "Ministry"),
    Property("sourceQuote", TEXT, ("Cluster", "Program", "Organization", "Event", "IndustrialField", "Country",
                                   "Place")),
)
BY_ID = {p.id: p for p in PROPERTIES}


def regions_of(index: Index, entry: Entry) -> tuple[str, ...]:
    """A project's regions; a prefecture's: the regions that cover it."""
    if "Prefecture" in entry.classes:
        return tuple(sorted(index.covered_by.get(entry.iri, ())))
    return entry.links.get("region", ())


def links(index: Index, entry: Entry, prop: Property) -> tuple[str, ...]:
    """The IRIs a resource-valued property gives for ``entry``."""
    if prop.id == "region":
        return regions_of(index, entry)
    if prop.id == "clusterOf" and "Program" in entry.classes:
        return entry.links.get("phaseOf", ()) + entry.links.get("subProgramOf", ())
    return entry.links.get(prop.id, ())


def codes(index: Index, entry: Entry) -> list[str]:
    """JIS X 0401 codes: a prefecture's own, a region's prefectures', a project's region's prefectures'."""
    if "Prefecture" in entry.classes:
        return [literal.value for literal in entry.literals.get("jisCode", ())]
    regions = (entry.iri,) if "Region" in entry.classes else regions_of(index, entry)
    found = set()
    for region in regions:
        for prefecture in index.by_iri[region].links.get("coversPrefecture", ()) if region in index.by_iri else ():
            target = index.by_iri.get(prefecture)
            found.update(literal.value for literal in (target.literals.get("jisCode", ()) if target else ()))
    return sorted(found)


def texts(index: Index, entry: Entry, prop: Property) -> list[str]:
    if prop.id == "jisCode":
        return codes(index, entry)
    if prop.id == "sourceQuote":
        return [quote.text for quote in entry.quotes]
    return []


def figure(index: Index, entry: Entry, prop: Property) -> Entry | None:
    """The figure resource (clo:Figure) a count property points to."""
    target = entry.links.get(prop.id, ())
    return index.by_iri.get(target[0]) if target else None


def figure_value(target: Entry) -> int | float | None:
    values = target.literals.get("value", ())
    if not values:
        return None
    number = float(values[0].value)
    return int(number) if number.is_integer() else number


def is_approximate(target: Entry) -> bool:
    return any(literal.value == "true" for literal in target.literals.get("approximate", ()))


def unit(target: Entry, lang: str) -> str:
    by_lang = {literal.language or "": literal.value for literal in target.literals.get("unit", ())}
    return by_lang.get(lang) or by_lang.get("en") or next(iter(by_lang.values()), "")


def condition_met(index: Index, entry: Entry, prop: Property, wanted: list[object]) -> bool:
    """True when one of ``wanted`` (ids, names, codes or numbers, already cut to the name limit) is a value of
    ``prop``."""
    for value in wanted:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = str(value)
        if prop.kind == ENTITY:
            named = index.entry(text)
            typed = key(text)
            for iri in links(index, entry, prop):
                target = index.by_iri.get(iri)
                if (named is not None and named.iri == iri) or (
                        target is not None and any(typed in n.forms for n in target.names)):
                    return True
        elif prop.kind == TEXT:
            typed = key(text)
            if any(key(v) == typed for v in texts(index, entry, prop)):
                return True
        else:
            target = figure(index, entry, prop)
            value_of = figure_value(target) if target else None
            try:
                if value_of is not None and float(text.replace(",", "")) == float(value_of):
                    return True
            except ValueError:
                continue
    return False

