"""Search over labels, altLabels, descriptions and the printed quotes, ranked, with facets.

Every word of the search must occur (as a key, web/lookup/normalise.py) in some text of a resource.
A word found in a label weighs ``WEIGHTS["label"]``, in an altLabel, a description or a quote less;
a resource whose label is the whole search gets ``WHOLE_NAME`` more. Facets count the results by
type, region, programme, field and stated/editorial; the page and /search.json draw the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clusterlod.web.lookup import properties as props
from clusterlod.web.lookup.index import Entry, Index, Quote
from clusterlod.web.lookup.normalise import key

WEIGHTS = {"label": 8, "altLabel": 6, "description": 3, "quote": 2}
WHOLE_NAME = 20
#: Words of a search that are looked for (each costs a pass over the texts); the rest are ignored.
MAX_WORDS = 10
#: The facets, in the order the page shows them, and the filter parameter of each.
FACETS = ("type", "region", "programme", "field", "origin")
ORIGINS = ("stated", "editorial")


@dataclass
class Hit:
    entry: Entry
    score: int
    #: Where the words were found: label, altLabel, description or quote (the best place).
    matched: str | None
    quote: Quote | None


@dataclass
class Found:
    query: str
    hits: list[Hit]
    total: int
    #: facet -> [(value id, count)], most frequent first.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)


def facet_values(index: Index, entry: Entry, facet: str) -> tuple[str, ...]:
    """The values (ids) of one facet for a resource."""
    if facet == "type":
        return entry.types
    if facet == "origin":
        return (entry.origin,) if entry.origin else ()
    if facet == "region":
        return tuple(index.by_iri[i].id for i in props.regions_of(index, entry) if i in index.by_iri)
    if facet == "programme":
        iris = entry.links.get("clusterOf", ()) + entry.links.get("phaseOf", ()) + entry.links.get("subProgramOf", ())
        return tuple(index.by_iri[i].id for i in iris if i in index.by_iri)
    if facet == "field":
        return tuple(index.by_iri[i].id for i in entry.links.get("industrialField", ()) if i in index.by_iri)
    return ()


def texts(entry: Entry) -> list[tuple[str, str, Quote | None]]:
    """(place, key, quote) of every text of a resource that search reads."""
    found = [("label", key(text), None) for text in entry.labels.values()]
    found += [("altLabel", key(text), None) for text, _ in entry.alt]
    found += [("description", key(text), None) for text in entry.descriptions.values()]
    found += [("quote", key(q.text), q) for q in entry.quotes]
    return found


class Searcher:
    """Search over one release's index; the keys of every text are made once."""

    def __init__(self, index: Index):
        self.index = index
        self.entries = [e for e in index.entries if e.labels]
        self.keyed = [texts(e) for e in self.entries]

    def search(self, query: str, filters: dict[str, str], limit: int, kind: str = "") -> Found:
        words = list(dict.fromkeys(w for w in (key(part) for part in query.split()) if w))[:MAX_WORDS]
        whole = key(query)
        hits = []
        for entry, keyed in zip(self.entries, self.keyed, strict=True):
            if kind and not entry.id.startswith(kind + "/"):
                continue
            if any(value not in facet_values(self.index, entry, facet) for facet, value in filters.items()):
                continue
            score, matched = 0, None
            for word in words:
                best = None
                for place, text, _ in keyed:
                    if word in text and (best is None or WEIGHTS[place] > WEIGHTS[best]):
                        best = place
                if best is None:
                    break
                score += WEIGHTS[best]
                if matched is None or WEIGHTS[best] > WEIGHTS[matched]:
                    matched = best
            else:
                if words and any(place in ("label", "altLabel") and text == whole for place, text, _ in keyed):
                    score += WHOLE_NAME
                hits.append(Hit(entry, score, matched, self.quote(keyed, words)))
        hits.sort(key=lambda h: (-h.score, h.entry.label("ja"), h.entry.iri))
        facets = {}
        for facet in FACETS:
            counts: dict[str, int] = {}
            for hit in hits:
                for value in set(facet_values(self.index, hit.entry, facet)):
                    counts[value] = counts.get(value, 0) + 1
            facets[facet] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return Found(query, hits[:limit], len(hits), facets, dict(filters))

    @staticmethod
    def quote(keyed: list[tuple[str, str, Quote | None]], words: list[str]) -> Quote | None:
        """The quote holding the most words of the search (the first such), or None when none holds one."""
        best, most = None, 0
        for _, text, source in keyed:
            if source is not None:
                held = sum(word in text for word in words)
                if held > most:
                    best, most = source, held
        return best

    def facet_label(self, facet: str, value: str, lang: str, words: dict[str, dict[str, str]]) -> str:
        if facet == "type":
            term = self.index.terms.get(value)
            return term.label(lang) if term else value
        if facet == "origin":
            return words[value][lang]
        entry = self.index.entry(value)
        return entry.label(lang) if entry else value
