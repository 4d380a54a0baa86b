"""The view of one resource: its rows of values, incoming links, quotes and editorial marks.

Plain data for the templates; every label, link and mark is decided here so the
templates only lay things out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterlod.namespaces import RDF_TYPE, STANDARD_PREFIXES, XSD
from clusterlod.web.pages.i18n import TERMS, UI
from clusterlod.web.release.served import Release

RDFS = STANDARD_PREFIXES["rdfs"]
SKOS = STANDARD_PREFIXES["skos"]
OA_EXACT = STANDARD_PREFIXES["oa"] + "exact"
PLAIN_DATATYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
#: Rows shown first, in this order; the rest follow by label.
FIRST = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", STANDARD_PREFIXES["dcterms"] + "title",
         SKOS + "definition", STANDARD_PREFIXES["dcterms"] + "description")
NOT_EXTERNAL = {RDF_TYPE, STANDARD_PREFIXES["rdf"] + "predicate"}
INCOMING_LIMIT = 100
#: Incoming links that are statements about a resource, not other resources pointing at it: reification
#: (rdf:subject/object, from clo:EditorialStatement nodes) and the catalogue's own description.
RDF_SUBJECT = STANDARD_PREFIXES["rdf"] + "subject"
REIFICATION = {STANDARD_PREFIXES["rdf"] + p for p in ("subject", "predicate", "object")}
CATALOGUE_LINKS = {STANDARD_PREFIXES["void"] + "exampleResource", STANDARD_PREFIXES["void"] + "class",
                   STANDARD_PREFIXES["void"] + "linkPredicate", STANDARD_PREFIXES["dcat"] + "hadRole"}
LINKABLE_SCHEMES = ("http://", "https://")


def heading(label: str) -> str:
    """A property's label as a row heading: capitalised like "Type" beside it (ontology labels are lower case)."""
    return label[:1].upper() + label[1:]


@dataclass
class Mark:
    """An editorial addition: the basis it rests on."""

    label: str
    href: str


@dataclass
class Value:
    text: str
    href: str | None = None
    external: bool = False
    lang: str | None = None
    datatype: str | None = None
    iri: str | None = None
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Row:
    predicate: str
    label: str
    href: str
    values: list[Value]
    more: int = 0


@dataclass
class Quote:
    text: str
    href: str
    section: Value | None
    line: str | None


@dataclass
class ResourceView:
    iri: str
    curie: str
    title: str
    other_title: str | None
    types: list[Value]
    rows: list[Row]
    incoming: list[Row]
    quotes: list[Quote]
    external: list[Value]
    terms: list[tuple[str, list[Value]]] = field(default_factory=list)
    #: Statements about this resource (reified editorial statements, the catalogue's mentions): not "linked from".
    provenance: list[Row] = field(default_factory=list)

    @property
    def editorial(self) -> bool:
        return any(v.marks for r in [*self.rows, *self.incoming] for v in r.values) or any(t.marks for t in self.types)


class Viewer:
    """Builds resource views in one language, with links below one root."""

    def __init__(self, release: Release, lang: str, root: str):
        self.release, self.lang, self.root = release, lang, root

    def term_label(self, iri: str) -> str:
        if iri in TERMS and not self.release.has_label(iri):
            return TERMS[iri][0 if self.lang == "ja" else 1]
        return self.release.label(iri, self.lang)

    def statement_text(self, iri: str) -> str:
        """A reified statement, named by what it states: "Editorial statement: region" (no bare IRI)."""
        predicate = next((q.object.value for q in self.release.description(iri).outgoing
                          if q.subject.value == iri and q.predicate.value == STANDARD_PREFIXES["rdf"] + "predicate"
                          and isinstance(q.object, ox.NamedNode)), None)
        name = UI["editorial_statement"][self.lang]
        return f"{name}: {self.term_label(predicate)}" if predicate else name

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` goes; None unless it is ours or http(s) (no ``javascript:`` link, ever)."""
        if not iri.lower().startswith(LINKABLE_SCHEMES):
            return None
        return self.release.layout.page_href(iri, self.lang, self.root)

    def node(self, iri: str, marks: list[Mark] | None = None) -> Value:
        local = self.release.layout.local(iri) is not None
        if local and self.release.kind(iri) == "statement" and not self.release.has_label(iri):
            return Value(self.statement_text(iri), self.href(iri), iri=iri, marks=marks or [])
        text = self.term_label(iri) if (local or self.release.has_label(iri) or iri in TERMS) else iri
        return Value(text, self.href(iri), external=not local, iri=iri, marks=marks or [])

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal, marks: list[Mark]) -> Value:
        if isinstance(term, ox.NamedNode):
            return self.node(term.value, marks)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}", marks=marks)
        datatype = None if term.datatype.value in PLAIN_DATATYPES else self.release.curie(term.datatype.value)
        return Value(term.value, lang=term.language, datatype=datatype, marks=marks)

    def marks(self, graphs: set[str]) -> list[Mark]:
        marks = []
        for graph in sorted(graphs):
            basis = self.release.basis_of(graph)
            if basis:
                marks.append(Mark(self.release.label(basis, self.lang), self.href(basis)))
        return marks

    def _by_triple(self, quads: list[ox.Quad]) -> dict[ox.Triple, set[str]]:
        graphs: dict[ox.Triple, set[str]] = defaultdict(set)
        for q in quads:
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            graphs[q.triple].add(name)
        return graphs

    def _row_order(self, predicate: str, label: str) -> tuple[int, str]:
        return (FIRST.index(predicate) if predicate in FIRST else len(FIRST), label.casefold())

    def view(self, iri: str) -> ResourceView:
        release, lang = self.release, self.lang
        description = release.description(iri)
        outgoing = self._by_triple([q for q in description.outgoing if q.subject.value == iri])
        incoming = self._by_triple([q for q in description.incoming if q.object.value == iri])
        quote_predicate = release.ns.term("sourceQuote")
        types, grouped, external = [], defaultdict(list), []
        for triple in sorted(outgoing, key=str):
            marks = self.marks(outgoing[triple])
            p = triple.predicate.value
            if p == RDF_TYPE:
                types.append(self.node(triple.object.value, marks))
            elif p != quote_predicate:
                value = self.value(triple.object, marks)
                grouped[p].append(value)
                if value.external and p not in NOT_EXTERNAL and value.iri and value.iri.startswith("http"):
                    external.append(value)
        rows = []
        for p, values in grouped.items():
            label = heading(self.term_label(p))
            values.sort(key=lambda v: (v.lang != lang, v.lang or "", v.text))
            rows.append(Row(p, label, self.href(p), values))
        rows.sort(key=lambda r: self._row_order(r.predicate, r.label))
        back = defaultdict(list)
        for triple in sorted(incoming, key=str):
            if isinstance(triple.subject, ox.NamedNode):
                back[triple.predicate.value].append(self.node(triple.subject.value, self.marks(incoming[triple])))
        incoming_rows, provenance_rows = [], []
        for p, values in back.items():
            values.sort(key=lambda v: v.text)
            label = UI["statements_about"][self.lang] if p == RDF_SUBJECT else heading(self.term_label(p))
            row = Row(p, label, self.href(p), values[:INCOMING_LIMIT], max(0, len(values) - INCOMING_LIMIT))
            about = p in REIFICATION or p in CATALOGUE_LINKS
            (provenance_rows if about else incoming_rows).append(row)
        incoming_rows.sort(key=lambda r: r.label.casefold())
        provenance_rows.sort(key=lambda r: r.label.casefold())
        labels = release.labels(iri)
        title = release.label(iri, lang)
        other = next((labels[x] for x in labels if x and x != lang and labels[x] != title), None)
        return ResourceView(iri, release.curie(iri), title, other, types, rows, incoming_rows,
                            self.quotes(iri, description), external, provenance=provenance_rows)

    def quotes(self, iri: str, description) -> list[Quote]:
        """The words of the source behind ``iri`` (its own, when it is a quote)."""
        facts: dict[str, dict[str, ox.NamedNode | ox.Literal]] = defaultdict(dict)
        for t in [*description.context, *(q.triple for q in description.outgoing)]:
            facts[t.subject.value][t.predicate.value] = t.object
        predicate = self.release.ns.term("sourceQuote")
        targets = sorted({q.object.value for q in description.outgoing
                          if q.subject.value == iri and q.predicate.value == predicate})
        if OA_EXACT in facts.get(iri, {}):
            targets = [iri]
        quotes = []
        for quote in targets:
            details = facts.get(quote, {})
            if OA_EXACT not in details:
                continue
            section = details.get(self.release.ns.term("section"))
            line = details.get(self.release.ns.term("line"))
            quotes.append(Quote(details[OA_EXACT].value, self.href(quote),
                                self.node(section.value) if isinstance(section, ox.NamedNode) else None,
                                line.value if line is not None else None))
        quotes.sort(key=lambda q: (int(q.line) if q.line and q.line.isdigit() else 0, q.text))
        return quotes

    def ontology_terms(self) -> list[tuple[str, list[Value]]]:
        """The ontology's classes and properties, for the ontology's page."""
        owl = STANDARD_PREFIXES["owl"]
        groups = {"classes": [owl + "Class"], "term_properties": [owl + "ObjectProperty", owl + "DatatypeProperty"]}
        vocab = self.release.ns.vocab
        result = []
        for key, classes in groups.items():
            members = set()
            for q in self.release.description(self.release.ns.ontology).outgoing:
                if q.predicate.value == RDF_TYPE and q.object.value in classes and q.subject.value.startswith(vocab):
                    members.add(q.subject.value)
            values = sorted((self.node(m) for m in members), key=lambda v: v.text.casefold())
            result.append((key, values))
        return result
