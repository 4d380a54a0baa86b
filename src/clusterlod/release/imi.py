"""The IMI view: the release's resources again in the IMI core vocabulary (共通語彙基盤), made from its graphs.

Japan's open government data (e-Stat's statistical LOD, gBizINFO, city event LOD) is queried with
``ic:名称/ic:表記``, ``ic:ID/ic:識別値``, ``ic:期間 [ic:開始日 …]`` and ``ic:開催場所``. The view says what
the stated and editorial graphs already say, in those terms, so such a query finds our resources too.
It is generated, never edited: each statement derives from facts of one source graph and goes into
``graph/imi/<that graph>`` (``graph/imi/document``, ``graph/imi/editorial/<basis>``), so a fact of an
editorial graph stays editorial, under the same basis, and the source graphs are left as they were.
Which clo: term becomes which ic: term is read from ontology/imi-crosswalk.ttl (one place for the
mapping); the shapes of IMI's structured values (a name node, a schedule, an ID) are written here.
Where IMI writes a blank node (``[ ic:表記 … ]``) the view writes a Skolem IRI (RDF 1.1, section 3.5) under
``<base>genid/``, named by a hash of what it describes: a ``[ … ]`` pattern matches it the same, a rebuild
writes the same bytes, and every store, diff and syntax sees the same term. (RDF 1.1 suggests
``/.well-known/genid/``, but a well-known path belongs to the root of a host, and w3id.org's is not ours; a
path without a dot is also what the servers' negotiation takes for a resource.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterlod.errors import ClusterlodError
from clusterlod.japan import fiscal_year_both
from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES, Namespaces

IC = STANDARD_PREFIXES["ic"]
SKOS = STANDARD_PREFIXES["skos"]
RDFS_LABEL = STANDARD_PREFIXES["rdfs"] + "label"
OA_EXACT = STANDARD_PREFIXES["oa"] + "exact"
TIME_BEGINNING = STANDARD_PREFIXES["time"] + "hasBeginning"
#: The prefix of the view's graph names, below ``graph/``: the view of graph/<name> is graph/imi/<name>.
VIEW = "imi"
#: Mapping properties, the closest first: where a clo: term has several, the view uses the closest.
MATCHES = ("exactMatch", "closeMatch", "broadMatch")
#: IMI classes whose instances are named by ic:名称 [ic:表記]; a person's name and a document's title differ.
NAMED = ("組織型", "場所型", "施設型", "イベント型", "活動型")
#: The roles of an ic:関連組織 relation, by the clo: property it comes from.
ROLES = {"organizer": "主催", "participant": "参加", "inCooperationWith": "連携"}
#: The ID schemes the view writes: (local key, name of the scheme, its issuer).
SCHEMES = {
    "corporateNumber": ("法人番号", "国税庁"),
    "localGovernmentCode": ("全国地方公共団体コード", "総務省"),
}

Term = ox.NamedNode | ox.Literal
#: Where the view's structured values live, below the base (RDF 1.1 Skolem IRIs stand for blank nodes).
GENID = "genid/"


@dataclass(frozen=True)
class Crosswalk:
    """ontology/imi-crosswalk.ttl as lookups: clo: term -> its closest ic: counterpart."""

    counterparts: dict[str, str]

    @classmethod
    def of(cls, ontology: Iterable[ox.Triple], ns: Namespaces) -> Crosswalk:
        best: dict[str, tuple[int, str]] = {}
        for t in ontology:
            predicate, obj = t.predicate.value, t.object
            if not predicate.startswith(SKOS) or predicate[len(SKOS):] not in MATCHES:
                continue
            mapped = isinstance(obj, ox.NamedNode) and obj.value.startswith(IC)
            if not (mapped and t.subject.value.startswith(ns.vocab)):
                continue
            rank = MATCHES.index(predicate[len(SKOS):])
            found = best.get(t.subject.value)
            if found is None or (rank, obj.value) < found:
                best[t.subject.value] = (rank, obj.value)
        return cls({term: target for term, (_, target) in best.items()})

    def target(self, ns: Namespaces, local: str) -> ox.NamedNode:
        """The ic: property for clo:<local>; a view that writes a term the crosswalk lacks is a bug."""
        found = self.counterparts.get(ns.term(local))
        if found is None:
            raise ClusterlodError(f"ontology/imi-crosswalk.ttl maps no clo:{local} to the IMI vocabulary, "
                                  "but the IMI view (clusterlod.release.imi) writes it")
        return ox.NamedNode(found)


@dataclass
class Facts:
    """The statements of the source graphs, by subject, each with the name of the graph it is in."""

    types: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    values: dict[tuple[str, str], list[tuple[Term, str]]] = field(default_factory=dict)

    def get(self, subject: str, predicate: str) -> list[tuple[Term, str]]:
        return self.values.get((subject, predicate), [])

    def first(self, subject: str, predicate: str) -> tuple[Term, str] | None:
        found = self.get(subject, predicate)
        return min(found, key=lambda f: (str(f[0]), f[1])) if found else None


#: The clo: properties the view reads (besides rdf:type and rdfs:label), by local name.
READ = ("startDate", "endDate", "fiscalYear", "venue", "location", *ROLES, "partOfEvent", "inConjunctionWith",
        *SCHEMES)
TIME = STANDARD_PREFIXES["time"]


def read_facts(quads: Iterable[ox.Quad], ns: Namespaces, classes: Iterable[str]) -> Facts:
    """Index what the view reads of the stated graph and the editorial graphs (never the ontology, release or
    a view): the types of ``classes``' instances, Japanese labels, the properties it restates, the fiscal years'
    start days and the quotes of dates. Only those, so a large release is not indexed twice over."""
    facts, root, wanted = Facts(), ns.graph(""), set(classes)
    predicates = {RDFS_LABEL, TIME_BEGINNING, TIME + "inXSDDate", *(ns.term(local) for local in READ)}
    for q in quads:
        name = q.graph_name.value[len(root):] if isinstance(q.graph_name, ox.NamedNode) else ""
        if name != "document" and not name.startswith("editorial/"):
            continue
        predicate = q.predicate.value
        if predicate == RDF_TYPE:
            if q.object.value in wanted:
                facts.types.setdefault(q.subject.value, []).append((q.object.value, name))
        elif predicate in predicates or (predicate == OA_EXACT and q.subject.value.endswith("-date-quote")):
            if predicate == RDFS_LABEL and getattr(q.object, "language", None) != "ja":
                continue
            facts.values.setdefault((q.subject.value, predicate), []).append((q.object, name))
    return facts


class View:
    """Writes the view's quads; every statement names the source graph it derives from."""

    def __init__(self, ns: Namespaces, crosswalk: Crosswalk, facts: Facts):
        self.ns, self.crosswalk, self.facts = ns, crosswalk, facts
        self.quads: list[ox.Quad] = []
        self.seen: set[ox.Quad] = set()
        self.typed: set[tuple[str, str]] = set()

    def ic(self, local: str) -> ox.NamedNode:
        return ox.NamedNode(IC + local)

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Term, source: str) -> None:
        quad = ox.Quad(s, p, o, ox.NamedNode(self.ns.graph(f"{VIEW}/{source}")))
        if quad not in self.seen:  # a shared value (an ID scheme) is written once per graph
            self.seen.add(quad)
            self.quads.append(quad)

    def a(self, s: ox.NamedNode, cls: str, source: str) -> None:
        self.add(s, ox.NamedNode(RDF_TYPE), self.ic(cls), source)

    def blank(self, *parts: str) -> ox.NamedNode:
        """The Skolem IRI of a structured value, named by what it describes: the same input, the same IRI,
        whatever the base (the hash reads IRIs below it without it, so ``--base`` moves the IRI, nothing else)."""
        base = self.ns.base
        relative = (part[len(base):] if part.startswith(base) else part for part in parts)
        digest = hashlib.sha256("\x1f".join(relative).encode()).hexdigest()[:24]
        return ox.NamedNode(f"{self.ns.base}{GENID}imi-{digest}")

    def text(self, s: ox.NamedNode, local: str, value: str, source: str) -> None:
        """An IMI string: ic:表記 and its kind are xsd:string, so the language tag is left off."""
        self.add(s, self.ic(local), ox.Literal(value), source)

    def name(self, subject: ox.NamedNode, label: str, source: str) -> None:
        node = self.blank(subject.value, "名称", label)
        self.add(subject, self.ic("名称"), node, source)
        self.a(node, "名称型", source)
        self.text(node, "表記", label, source)

    def japanese_labels(self, subject: str) -> list[tuple[str, str]]:
        return sorted((o.value, g) for o, g in self.facts.get(subject, RDFS_LABEL)
                      if isinstance(o, ox.Literal) and o.language == "ja")

    # -- resources ----------------------------------------------------------------------
    def resource(self, subject: str, cls: str, source: str) -> None:
        """Type a resource by the crosswalk; name it; then what its kind adds."""
        target = self.crosswalk.counterparts.get(cls)
        if target is None:
            return
        node, local = ox.NamedNode(subject), target[len(IC):]
        if (subject, target) not in self.typed:
            self.typed.add((subject, target))
            self.add(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(target), source)
        for label, graph in self.japanese_labels(subject):
            if local in NAMED:
                self.name(node, label, graph)
            if cls in (self.ns.term("Prefecture"), self.ns.term("Person")):
                self.text(node, "表記", label, graph)  # e-Stat's codes carry their name as ic:表記 beside ic:識別値
            if cls == self.ns.term("Place"):
                address = self.blank(subject, "住所", label)
                self.add(node, self.ic("住所"), address, graph)
                self.a(address, "住所型", graph)
                self.text(address, "表記", label, graph)
        for key in SCHEMES:
            for value, graph in self.facts.get(subject, self.ns.term(key)):
                self.identifier(node, key, value.value, graph)
        if local == "イベント型":
            self.event(node)

    def identifier(self, subject: ox.NamedNode, key: str, value: str, source: str) -> None:
        """ic:ID [ic:体系 …; ic:識別値 …], as gBizINFO writes a 法人番号; a code also as ic:識別値 itself."""
        target = self.crosswalk.target(self.ns, key)
        if key == "localGovernmentCode":
            self.add(subject, target, ox.Literal(value), source)
        node = self.blank(subject.value, "ID", key, value)
        self.add(subject, self.ic("ID"), node, source)
        self.a(node, "ID型", source)
        self.add(node, self.ic("体系"), self.scheme(key, source), source)
        self.add(node, target, ox.Literal(value), source)

    def scheme(self, key: str, source: str) -> ox.NamedNode:
        title, issuer = SCHEMES[key]
        node, name, agent, agent_name = (self.blank("体系", key, part) for part in ("", "名称", "発行者", "発行者名称"))
        self.a(node, "ID体系型", source)
        self.add(node, self.ic("名称"), name, source)
        self.a(name, "名称型", source)
        self.text(name, "表記", title, source)
        self.add(node, self.ic("発行者"), agent, source)
        self.a(agent, "実体型", source)
        self.add(agent, self.ic("名称"), agent_name, source)
        self.a(agent_name, "名称型", source)
        self.text(agent_name, "表記", issuer, source)
        return node

    # -- events -------------------------------------------------------------------------
    def event(self, event: ox.NamedNode) -> None:
        self.schedule(event)
        for local in ("fiscalYear",):
            for period, graph in self.facts.get(event.value, self.ns.term(local)):
                self.fiscal_year(event, period, graph)
        for local in ("venue", "location"):
            target = self.crosswalk.target(self.ns, local)
            for place, graph in self.facts.get(event.value, self.ns.term(local)):
                self.add(event, target, place, graph)
        for local, role in ROLES.items():
            target = self.crosswalk.target(self.ns, local)
            for organisation, graph in self.facts.get(event.value, self.ns.term(local)):
                node = self.blank(event.value, local, organisation.value)
                self.add(event, target, node, graph)
                self.a(node, "組織関連型", graph)
                self.text(node, "役割", role, graph)
                self.add(node, self.ic("組織"), organisation, graph)
        for local in ("partOfEvent", "inConjunctionWith"):
            target = self.crosswalk.target(self.ns, local)
            for other, graph in self.facts.get(event.value, self.ns.term(local)):
                self.add(event, target, other, graph)

    def schedule(self, event: ox.NamedNode) -> None:
        """ic:期間 [ic:開始日; ic:終了日; ic:説明]: the dates as typed in the release (xsd:date, gYearMonth
        or gYear, never a day the page does not give) and the page's own words for them."""
        start = self.facts.first(event.value, self.ns.term("startDate"))
        end = self.facts.first(event.value, self.ns.term("endDate"))
        if start is None and end is None:
            return
        node, home = self.blank(event.value, "期間"), (start or end)[1]  # type: ignore[index]
        self.add(event, self.ic("期間"), node, home)
        self.a(node, "イベントスケジュール型", home)
        for found, local in ((start, "startDate"), (end, "endDate")):
            if found is not None:
                self.add(node, self.crosswalk.target(self.ns, local), found[0], found[1])
        slug = event.value.rsplit("/", 1)[1]
        quote = self.facts.first(self.ns.resource("quote", f"{slug}-date-quote"), OA_EXACT)
        if quote is not None:
            self.text(node, "説明", "".join(quote[0].value.split()), quote[1])

    def fiscal_year(self, event: ox.NamedNode, period: Term, source: str) -> None:
        """A fiscal year as the event's ic:期間 (an ic:期間型), 和暦 beside 西暦 in its ic:説明."""
        self.add(event, self.crosswalk.target(self.ns, "fiscalYear"), period, source)
        beginning = self.facts.first(period.value, TIME_BEGINNING)
        instant = beginning and self.facts.first(beginning[0].value, TIME + "inXSDDate")
        if not instant or (period.value, "期間型") in self.typed:
            return
        self.typed.add((period.value, "期間型"))
        year = int(instant[0].value[:4])
        self.a(period, "期間型", instant[1])  # type: ignore[arg-type]
        self.text(period, "説明", fiscal_year_both(year, "ja"), instant[1])  # type: ignore[arg-type]


def view_quads(quads: Iterable[ox.Quad], ontology: Iterable[ox.Triple], ns: Namespaces) -> list[ox.Quad]:
    """The IMI view of ``quads`` (a publication's stated and editorial graphs), by ``ontology``'s crosswalk."""
    crosswalk = Crosswalk.of(ontology, ns)
    facts = read_facts(quads, ns, crosswalk.counterparts)
    view = View(ns, crosswalk, facts)
    for subject in sorted(facts.types):
        for cls, graph in sorted(facts.types[subject]):
            view.resource(subject, cls, graph)
    return view.quads


def view_source(graph_name: str) -> str | None:
    """The source graph's name (below ``graph/``) of a view graph's name, or None for any other graph."""
    return graph_name[len(VIEW) + 1:] if graph_name.startswith(f"{VIEW}/") else None

