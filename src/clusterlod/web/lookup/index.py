"""The lookup index of one release: every named resource with its name keys, quotes, facets and figures.

Built once per served release (a generation, web/generations.py) from that release's own data,
and never updated: a reload builds the next release's index beside it, so an answer never mixes
two releases. Reconciliation, suggest, preview, data extension and search all read it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES
from clusterlod.web.lookup.normalise import bigrams, key, name_forms
from clusterlod.web.sparql.backend import Backend, StoreBackend

RDFS, SKOS, DCTERMS, OA = (STANDARD_PREFIXES[p] for p in ("rdfs", "skos", "dcterms", "oa"))
LABEL, ALT_LABEL, DESCRIPTION = RDFS + "label", SKOS + "altLabel", DCTERMS + "description"
SUBCLASS, DEFINITION, EXACT = RDFS + "subClassOf", SKOS + "definition", OA + "exact"
LANGS = ("ja", "en")
#: Ontology properties (local names) whose values the index keeps: links, figures and codes.
LINKS = ("region", "clusterOf", "industrialField", "umbrellaNetwork", "coversPrefecture", "companyCount",
         "universityCount", "phaseOf", "subProgramOf", "responsibleMinistry", "venue", "partner")
LITERALS = ("jisCode", "value", "approximate", "unit", "line")
#: Classes that are no names a reader looks for: left out of the index.
SKIPPED_CLASSES = ("EditorialStatement", "SourceQuote")


@dataclass(frozen=True)
class Name:
    """One label or altLabel of a resource, with its key and forms (web/lookup/normalise.py)."""

    text: str
    lang: str
    alt: bool
    key: str
    forms: tuple[str, ...]
    grams: frozenset[str]
    stem_grams: frozenset[str]


@dataclass(frozen=True)
class Quote:
    text: str
    line: int | None


@dataclass
class Entry:
    """A resource as the lookup services see it."""

    iri: str
    id: str
    types: tuple[str, ...] = ()
    classes: frozenset[str] = frozenset()
    labels: dict[str, str] = field(default_factory=dict)
    alt: list[tuple[str, str]] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    #: "stated" when the source states the resource (its type is in the document graph), "editorial" when the
    #: editors added it, None for what is neither (ontology terms).
    origin: str | None = None
    names: tuple[Name, ...] = ()
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    literals: dict[str, tuple[ox.Literal, ...]] = field(default_factory=dict)
    #: Links the editors added (property local name -> target IRIs), e.g. a project's region.
    editorial_links: dict[str, frozenset[str]] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("") or next(iter(self.labels.values()), self.id)


@dataclass(frozen=True)
class Term:
    """A class or property of the ontology: its id in the schema space and its labels."""

    iri: str
    id: str
    labels: dict[str, str]
    definitions: dict[str, str]
    broader: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id


class Index:
    """Everything the lookup services read, for one release."""

    def __init__(self, entries: list[Entry], terms: dict[str, Term], identifier_space: str, schema_space: str):
        self.entries = entries
        self.by_iri = {e.iri: e for e in entries}
        self.terms = terms
        self.identifier_space, self.schema_space = identifier_space, schema_space
        #: prefecture IRI -> the regions that cover it (clo:coversPrefecture read backwards).
        self.covered_by: dict[str, list[str]] = {}
        for entry in entries:
            for prefecture in entry.links.get("coversPrefecture", ()):
                self.covered_by.setdefault(prefecture, []).append(entry.iri)
        #: bigram -> positions in ``entries`` of the resources whose names hold it (candidates of a query).
        self.postings: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            grams = set()
            for name in entry.names:
                grams |= name.grams | name.stem_grams
            for gram in grams:
                self.postings.setdefault(gram, []).append(position)

    def entry(self, identifier: str) -> Entry | None:
        """A resource by its id (``cluster/x``) or its whole IRI."""
        return self.by_iri.get(identifier) or self.by_iri.get(self.identifier_space + identifier)

    def term(self, identifier: str) -> Term | None:
        """A class or property by its id (``Cluster``) or its whole IRI."""
        return self.terms.get(identifier) or self.terms.get(identifier.removeprefix(self.schema_space))

    def label(self, iri: str, lang: str) -> str:
        entry = self.by_iri.get(iri)
        if entry is not None:
            return entry.label(lang)
        term = self.terms.get(iri.removeprefix(self.schema_space))
        return term.label(lang) if term else iri


def _quads(data: Backend, predicate: str) -> Iterable[tuple[ox.NamedNode | ox.BlankNode, ox.Term, str]]:
    """(subject, object, graph IRI) of every triple with ``predicate``: from the embedded store directly,
    from a remote store with one SELECT."""
    if isinstance(data, StoreBackend):
        for q in data.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            yield q.subject, q.object, graph
        return
    p = ox.NamedNode(predicate)
    rows = data.select(f"SELECT DISTINCT ?s ?o ?g WHERE {{ {{ GRAPH ?g {{ ?s {p} ?o }} }} UNION {{ ?s {p} ?o }} }}")
    in_graphs = {(r["s"], r["o"]) for r in rows if "g" in r and "s" in r and "o" in r}
    for row in rows:
        if "s" not in row or "o" not in row or ("g" not in row and (row["s"], row["o"]) in in_graphs):
            continue  # a default graph that is the union repeats what the named graphs hold
        yield row["s"], row["o"], row["g"].value if "g" in row else ""


def _name(text: str, lang: str, alt: bool) -> Name | None:
    name_key = key(text)
    if not name_key:
        return None
    forms = name_forms(text)  # 首都圏西部（ＴＡＭＡ） is also 首都圏西部
    return Name(text, lang, alt, name_key, forms, bigrams(name_key), bigrams(forms[-1]))


def _terms(data: Backend, vocab: str) -> dict[str, Term]:
    labels: dict[str, dict[str, str]] = {}
    definitions: dict[str, dict[str, str]] = {}
    broader: dict[str, list[str]] = {}
    for predicate, target in ((LABEL, labels), (DEFINITION, definitions)):
        for s, o, _ in _quads(data, predicate):
            if isinstance(s, ox.NamedNode) and s.value.startswith(vocab) and isinstance(o, ox.Literal):
                target.setdefault(s.value[len(vocab):], {})[o.language or ""] = o.value
    for s, o, _ in _quads(data, SUBCLASS):
        if isinstance(s, ox.NamedNode) and s.value.startswith(vocab) and isinstance(o, ox.NamedNode) \
                and o.value.startswith(vocab):
            broader.setdefault(s.value[len(vocab):], []).append(o.value[len(vocab):])
    return {local: Term(vocab + local, local, names, definitions.get(local, {}), tuple(sorted(broader.get(local, []))))
            for local, names in labels.items() if local and "/" not in local}


def _closure(local: str, terms: dict[str, Term]) -> set[str]:
    """The class and every class above it (rdfs:subClassOf within the ontology)."""
    seen, todo = set(), [local]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        term = terms.get(current)
        todo.extend(term.broader if term else ())
    return seen


def build(data: Backend, base: str, document_graph: str, editorial_prefix: str) -> Index:
    """The index of the release in ``data`` (the embedded store or a remote one) under ``base``."""
    vocab, id_space = base + "ontology/", base + "id/"
    terms = _terms(data, vocab)
    entries: dict[str, Entry] = {}

    def entry(subject: ox.Term) -> Entry | None:
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(id_space):
            return None
        found = entries.get(subject.value)
        if found is None:
            found = entries[subject.value] = Entry(subject.value, subject.value[len(id_space):])
        return found

    types: dict[str, set[str]] = {}
    origins: dict[str, set[str]] = {}
    for s, o, graph in _quads(data, RDF_TYPE):
        found = entry(s)
        if found is not None and isinstance(o, ox.NamedNode) and o.value.startswith(vocab):
            types.setdefault(found.iri, set()).add(o.value[len(vocab):])
            origins.setdefault(found.iri, set()).add(
                "stated" if graph == document_graph else "editorial" if graph.startswith(editorial_prefix) else "")
    skipped = {iri for iri, local in types.items() if local & set(SKIPPED_CLASSES)}
    for iri in skipped:
        entries.pop(iri, None)

    def named(predicate: str, add: Callable[[Entry, ox.Literal], None]) -> None:
        for s, o, _ in _quads(data, predicate):
            found = entries.get(s.value) if isinstance(s, ox.NamedNode) else None
            if found is not None and isinstance(o, ox.Literal):
                add(found, o)

    named(LABEL, lambda e, o: e.labels.__setitem__(o.language if o.language in LANGS else "", o.value))
    named(ALT_LABEL, lambda e, o: e.alt.append((o.value, o.language or "")))
    named(DESCRIPTION, lambda e, o: e.descriptions.__setitem__(o.language if o.language in LANGS else "", o.value))

    quotes: dict[str, list[str]] = {}
    for s, o, _ in _quads(data, vocab + "sourceQuote"):
        if isinstance(s, ox.NamedNode) and s.value in entries and isinstance(o, ox.NamedNode):
            quotes.setdefault(s.value, []).append(o.value)
    wanted = {q for qs in quotes.values() for q in qs}
    exact = {s.value: o.value for s, o, _ in _quads(data, EXACT) if s.value in wanted and isinstance(o, ox.Literal)}
    lines = {s.value: int(o.value) for s, o, _ in _quads(data, vocab + "line")
             if s.value in wanted and isinstance(o, ox.Literal) and o.value.isdigit()}
    for iri, found in quotes.items():
        entries[iri].quotes = [Quote(exact[q], lines.get(q)) for q in sorted(found, key=lambda q: (lines.get(q, 0), q))
                               if q in exact]

    for local in LINKS:
        for s, o, graph in _quads(data, vocab + local):
            found = entries.get(s.value) if isinstance(s, ox.NamedNode) else None
            if found is not None and isinstance(o, ox.NamedNode):
                found.links[local] = (*found.links.get(local, ()), o.value)
                if graph.startswith(editorial_prefix):
                    found.editorial_links[local] = found.editorial_links.get(local, frozenset()) | {o.value}
    for local in LITERALS:
        for s, o, _ in _quads(data, vocab + local):
            found = entries.get(s.value) if isinstance(s, ox.NamedNode) else None
            if found is not None and isinstance(o, ox.Literal):
                found.literals[local] = (*found.literals.get(local, ()), o)

    result = []
    for iri in sorted(entries):
        found = entries[iri]
        local_types = types.get(iri, set())
        found.types = tuple(sorted(local_types))
        found.classes = frozenset(c for t in local_types for c in _closure(t, terms))
        kinds = origins.get(iri, set())
        found.origin = "stated" if "stated" in kinds else "editorial" if "editorial" in kinds else None
        found.links = {k: tuple(sorted(set(v))) for k, v in found.links.items()}
        found.alt.sort()
        names = [_name(text, lang, False) for lang, text in sorted(found.labels.items())]
        names += [_name(text, lang, True) for text, lang in found.alt]
        found.names = tuple(n for n in names if n is not None)
        result.append(found)
    return Index(result, terms, id_space, vocab)


class Lazy:
    """The index of one release, built on first use (once, whoever asks first) and then shared.

    Kept on the generation's parts (web/app.py ``Served``), so each release has its own.
    """

    def __init__(self, make: Callable[[], Index]):
        self._make = make
        self._index: Index | None = None
        self._lock = threading.Lock()

    def get(self) -> Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._make()
        return self._index
