"""A built release opened for serving: its data, catalog, labels and caches.

The data is immutable while served, so every description, data document and
page is computed once and kept; a request for a known page is a dict lookup.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.errors import ClusterlodError
from clusterlod.namespaces import DEFAULT_BASE, STANDARD_PREFIXES, Namespaces, Shortener
from clusterlod.release.catalog import CATALOG_FILE
from clusterlod.release.versions import read_versions
from clusterlod.web.http.negotiation import LANGUAGES
from clusterlod.web.pages.describe import Description, describe, serialize, whole_graph
from clusterlod.web.release.paths import DOWNLOAD, Layout
from clusterlod.web.sparql.backend import Backend, RemoteBackend, StoreBackend

DATASET_FILE = f"{formats.DATASET_STEM}.{formats.N_QUADS.extension}"
LABEL_PREDICATES = (
    STANDARD_PREFIXES["rdfs"] + "label",
    STANDARD_PREFIXES["skos"] + "prefLabel",
    STANDARD_PREFIXES["dcterms"] + "title",
    STANDARD_PREFIXES["foaf"] + "name",
    STANDARD_PREFIXES["ic"] + "表記",  # an IMI view's name or address node (graph/imi/...): its written form
    STANDARD_PREFIXES["ic"] + "識別値",  # an IMI view's ID node: its value
)
VOID_URI_SPACE = STANDARD_PREFIXES["void"] + "uriSpace"
CLO_EDITORIAL_BASIS = "ontology/editorialBasis"


@dataclass(frozen=True)
class SearchEntry:
    iri: str
    ja: str
    en: str
    key: str


def normalise(text: str) -> str:
    """NFKC and case-folded, so ＴＯＨＯＫＵ finds TOHOKU and full-width digits match."""
    return unicodedata.normalize("NFKC", text).casefold()


class Release:
    """Everything the server and the static site need from one ``dist/``."""

    def __init__(self, dist: Path, base: str | None = None, endpoint: str | None = None, timeout: float = 10.0):
        self.dist = Path(dist)
        catalog_path = self.dist / CATALOG_FILE
        self.catalog = (StoreBackend.from_file(catalog_path, ox.RdfFormat.TURTLE) if catalog_path.is_file()
                        else StoreBackend(ox.Store()))
        self.ns = Namespaces(base or self._detect_base())
        self.layout = Layout(self.ns.base)
        self.endpoint = endpoint
        if endpoint:
            self.data: Backend = RemoteBackend(endpoint, timeout)
        else:
            path = self.dist / DATASET_FILE
            if not path.is_file():
                raise ClusterlodError(f"no built release at {self.dist} ({path.name} is missing): "
                                      "run `clusterlod build` first, or pass --dist DIR")
            self.data = StoreBackend.from_file(path, ox.RdfFormat.N_QUADS)
        self.sources: list[Backend] = [self.data, self.catalog]
        self.prefixes = self.ns.prefixes()
        self.curie = Shortener(self.prefixes)  # the one IRI shortener, as in reports and the CLI
        self.resources = self._resources()
        self._labels: dict[str, dict[str, str]] = {}
        self._load_labels()
        self.editorial_prefix = self.ns.graph("editorial/")
        self._bases = self._graph_bases()
        self._descriptions: dict[str, Description] = {}
        self._documents: dict[tuple[str, str], bytes] = {}
        self.pages: dict[tuple, bytes] = {}  # filled by the page renderer
        #: This release and every version archived with it (dist/releases/), newest first.
        self.versions = read_versions(self.dist, self.ns.dataset)
        self._lock = threading.Lock()

    # ------------------------------------------------------------ set-up
    def _detect_base(self) -> str:
        for q in self.catalog.store.quads_for_pattern(None, ox.NamedNode(VOID_URI_SPACE), None, None):
            if q.object.value.endswith("id/"):
                return q.object.value[: -len("id/")]
        return DEFAULT_BASE

    def _resources(self) -> set[str]:
        """IRIs under the base that have a description (files and fragments excluded)."""
        known = set()
        for source in self.sources:
            for iri in source.subjects(self.ns.base):
                rest = iri[len(self.ns.base):]
                if rest and "#" not in rest and not rest.startswith(DOWNLOAD) and "." not in rest.rsplit("/", 1)[-1]:
                    known.add(iri)
        return known

    def _load_labels(self) -> None:
        """Every label at start-up, when the data is local; a remote store is asked lazily."""
        stores = [self.catalog] if self.endpoint else [self.data, self.catalog]
        for source in stores:
            for predicate in reversed(LABEL_PREDICATES):  # rdfs:label last, so it wins
                for q in source.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
                    if isinstance(q.object, ox.Literal) and isinstance(q.subject, ox.NamedNode):
                        self._remember(q.subject.value, q.object)

    def _remember_remote(self, condition: str, wanted: set[str]) -> None:
        """Labels from a remote store by the same predicates and the same precedence as the embedded data's,
        in the default graph or any named one (the store need not union them)."""
        predicates = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
        rows = self.data.select(f"SELECT DISTINCT ?s ?p ?l WHERE {{ VALUES ?p {{ {predicates} }} "
                                f"{{ ?s ?p ?l }} UNION {{ GRAPH ?g {{ ?s ?p ?l }} }} {condition} }}")
        rank = {predicate: n for n, predicate in enumerate(LABEL_PREDICATES)}
        found = [row for row in rows if isinstance(row.get("l"), ox.Literal) and row.get("s") is not None
                 and row["s"].value in wanted and row.get("p") is not None and row["p"].value in rank]
        for row in sorted(found, key=lambda row: -rank[row["p"].value]):  # rdfs:label last, so it wins
            self._remember(row["s"].value, row["l"])

    def _remember(self, iri: str, literal: ox.Literal) -> None:
        labels = self._labels.setdefault(iri, {})
        lang = literal.language if literal.language in LANGUAGES else ""
        labels[lang] = literal.value

    def _graph_bases(self) -> dict[str, str]:
        predicate = ox.NamedNode(self.ns.base + CLO_EDITORIAL_BASIS)
        return {q.subject.value: q.object.value
                for q in self.catalog.store.quads_for_pattern(None, predicate, None, None)}

    # ------------------------------------------------------------ lookups
    def is_resource(self, iri: str) -> bool:
        return iri in self.resources

    def labels(self, iri: str) -> dict[str, str]:
        if iri not in self._labels and self.endpoint:
            self._remember_remote(f"FILTER(?s = {ox.NamedNode(iri)})", {iri})
            self._labels.setdefault(iri, {})
        return self._labels.get(iri, {})

    def prefetch_labels(self) -> None:
        """A remote store: the labels of every resource in one query, not one per IRI, before a list of them all."""
        if not self.endpoint or getattr(self, "_prefetched", False):
            return
        missing = {iri for iri in self.resources if not self._labels.get(iri)}  # a lookup may have found none
        self._remember_remote(f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(self.ns.base)}))", missing)
        for iri in missing:
            self._labels.setdefault(iri, {})
        self._prefetched = True  # only once it worked: a failed query is tried again on the next request

    def label(self, iri: str, lang: str, fallback: Callable[[str], str] | None = None) -> str:
        """The label in ``lang``, else in the other language, else a CURIE."""
        labels = self.labels(iri)
        for key in (lang, *[x for x in LANGUAGES if x != lang], ""):
            if labels.get(key):
                return labels[key]
        return (fallback or self.curie)(iri)

    def has_label(self, iri: str) -> bool:
        return bool(self.labels(iri))

    def basis_of(self, graph: str) -> str | None:
        """The editorial basis of a graph, or None when the graph holds stated facts. The catalogue names it for
        every editorial graph, the IMI view's (graph/imi/editorial/...) included."""
        if graph in self._bases:
            return self._bases[graph]
        if not graph.startswith(self.editorial_prefix):
            return None
        return self._bases.get(graph) or self.ns.resource("basis", graph[len(self.editorial_prefix):])

    def search_entries(self) -> list[SearchEntry]:
        entries = []
        for iri in sorted(self.resources):
            labels = self.labels(iri)
            if labels:
                ja = labels.get("ja") or labels.get("") or labels.get("en", "")
                en = labels.get("en") or labels.get("") or ja
                entries.append(SearchEntry(iri, ja, en, normalise(f"{ja}\n{en}")))  # labels only, as documented
        return entries

    def search(self, text: str, limit: int = 200) -> list[SearchEntry]:
        words = normalise(text).split()
        if not words:
            return []
        return [e for e in self.search_entries_cached() if all(w in e.key for w in words)][:limit]

    def kind(self, iri: str) -> str:
        """``cluster`` for ``<base>id/cluster/x``; empty for IRIs outside ``id/``."""
        prefix = self.ns.base + "id/"
        return iri[len(prefix):].split("/", 1)[0] if iri.startswith(prefix) else ""

    def search_entries_cached(self) -> list[SearchEntry]:
        cached = getattr(self, "_search", None)
        if cached is None:
            cached = self._search = self.search_entries()
        return cached

    # ------------------------------------------------------------ descriptions and documents
    def description(self, iri: str) -> Description:
        cached = self._descriptions.get(iri)
        if cached is not None:
            return cached
        if iri == self.ns.ontology:
            result = whole_graph(iri, self.data.graph(self.ns.graph("ontology")))
        elif iri == self.ns.dataset:
            result = whole_graph(iri, [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                                       for q in self.catalog.store.quads_for_pattern(None, None, None, None)])
        else:
            result = describe(iri, self.sources, self.ns.term("sourceQuote"))
        with self._lock:
            self._descriptions[iri] = result
        return result

    def document(self, iri: str, syntax: formats.Syntax) -> bytes:
        key = (iri, syntax.extension)
        cached = self._documents.get(key)
        if cached is None:
            cached = serialize(self.description(iri).triples(), syntax, self.prefixes)
            with self._lock:
                self._documents[key] = cached
        return cached

    def download_path(self, relative: str) -> Path | None:
        """A file of the release by its path below ``download/``; None outside dist/ or missing."""
        root = self.dist.resolve()
        try:
            target = (root / relative).resolve()
            if root not in target.parents or not target.is_file():
                return None
        except (OSError, ValueError):  # a name too long, or with a NUL: no file of the release
            return None
        return target
