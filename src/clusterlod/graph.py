"""Curated records -> RDF quads, split into the document graph and editorial graphs.

What the source states goes into ``graph/document`` and points to exact quotes;
what the editors add goes into ``graph/editorial/<basis>`` and, where it is a
single statement on a stated entity, is also reified (rdf:Statement) with its
basis, so that even a triples-only syntax tells stated from added.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from clusterlod.errors import DataError
from clusterlod.fidelity.passage import Passages
from clusterlod.graph_values import (  # noqa: F401
    DOCUMENT_GRAPH,
    ENGLISH_BASIS,
    IDENTIFIERS_BASIS,
    LINK_MATCHES,
    ValueFields,
    check_iri,
)
from clusterlod.model import CONFIDENCES, STATUSES, TYPES, FieldSpec, TypeSpec
from clusterlod.namespaces import XSD, Namespaces
from clusterlod.sources.identifiers import Identifier
from clusterlod.sources.records import Record, Value
from clusterlod.sources.source import QuoteNotFound, SourceText, Span

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only: \d is any script's
#: Quads per chunk handed to a build's gate while the graph is made (about 3 MB of N-Triples).
SINK_CHUNK = 20_000
DESCRIPTIONS_BASIS = "editors-descriptions"  # what the editors write about a resource, unlike a translation


@dataclass(frozen=True)
class Origin:
    """Where a resource came from in the curated data, for error reports."""

    path: str
    line: int
    record: str


@dataclass
class BuiltGraph:
    quads: list[ox.Quad]
    origins: dict[str, Origin]


def literal_text(record: Record, value: Value, name: str) -> str:
    if not isinstance(value.data, str) or not value.data.strip():
        raise record.error(f"field '{name}': expected a non-empty string", value.line)
    return value.data


def date_literal(record: Record, line: int, name: str, text: str) -> ox.Literal:
    """YYYY, YYYY-MM or YYYY-MM-DD, each typed by its precision; impossible dates refused."""
    match = DATE.match(text)
    if not match:
        raise record.error(f"field '{name}': expected YYYY, YYYY-MM or YYYY-MM-DD, found {text!r}", line)
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise record.error(f"field '{name}': impossible date {text!r} (month {month})", line)
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise record.error(f"field '{name}': impossible date {text!r} (day {day})", line)
    datatype = "date" if day is not None else "gYearMonth" if month is not None else "gYear"
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


class GraphBuilder(ValueFields):
    """Turns the records of data/ into quads; raises DataError on the first bad record."""

    def __init__(self, ns: Namespaces, source: SourceText, identifiers: dict[tuple[str, str], list[Identifier]],
                 identifiers_path: str = "identifiers.csv"):
        self.ns = ns
        self.source = source
        self.identifiers = identifiers
        self.identifiers_path = identifiers_path
        self.prefixes = ns.prefixes()
        self.records: dict[str, Record] = {}
        self.quads: list[ox.Quad] = []
        self.origins: dict[str, Origin] = {}
        self._curies: dict[str, ox.NamedNode] = {}
        self._graphs: dict[str, ox.NamedNode] = {}
        self.passages = Passages(source)

    # -- terms -------------------------------------------------------------
    def curie(self, curie: str) -> ox.NamedNode:
        node = self._curies.get(curie)
        if node is None:
            prefix, local = curie.split(":", 1)
            node = self._curies[curie] = ox.NamedNode(self.prefixes[prefix] + local)
        return node

    def iri_of(self, record: Record) -> ox.NamedNode:
        return ox.NamedNode(self.ns.resource(TYPES[record.type].path, record.id))

    def graph(self, name: str) -> ox.NamedNode:
        node = self._graphs.get(name)
        if node is None:
            node = self._graphs[name] = ox.NamedNode(self.ns.graph(name))
        return node

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal, graph: str) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph(graph)))

    def lang(self, text: str, language: str) -> ox.Literal:
        return ox.Literal(text.strip(), language=language)

    def mint(self, kind: str, slug: str, origin: Origin) -> ox.NamedNode:
        """A new IRI for a quote, figure or statement; two records minting the same one is an error naming both."""
        node = ox.NamedNode(self.ns.resource(kind, slug))
        first = self.origins.get(node.value)
        if first is not None:
            raise DataError(origin.path, origin.line, origin.record,
                            f"the IRI {kind}/{slug} made for this record is already made for record "
                            f"'{first.record}' at {first.path}:{first.line}; change one of the ids")
        self.origins[node.value] = origin
        return node

    # -- entry point -----------------------------------------------------------
    def build(self, records: Iterable[Record], sink: Callable[[list[ox.Quad]], None] | None = None) -> BuiltGraph:
        """The quads of ``records``; ``sink``, if given, gets them in chunks as they are made
        (the build's gate loads them meanwhile), and every one of them by the time this returns."""
        records = list(records)
        for record in records:
            if record.id in self.records:
                first = self.records[record.id]
                raise record.error(f"id already used at {first.path}:{first.line}")
            if record.type not in TYPES:
                raise record.error(f"unknown type '{record.type}' (expected one of {', '.join(sorted(TYPES))})")
            if not SLUG.match(record.id):
                raise record.error("bad id: use lower-case ASCII letters, digits and single hyphens "
                                   "(it becomes an IRI)")
            self.records[record.id] = record
        fed = 0
        for record in records:
            self.convert(record)
            if sink is not None and len(self.quads) - fed >= SINK_CHUNK:
                sink(self.quads[fed:])
                fed = len(self.quads)
        self.passages.check()
        if sink is not None and len(self.quads) > fed:
            sink(self.quads[fed:])
        return BuiltGraph(self.quads, self.origins)

    # -- one record ------------------------------------------------------------
    def convert(self, record: Record) -> None:
        spec = TYPES[record.type]
        subject = self.iri_of(record)
        self.origins[subject.value] = Origin(str(record.path), record.line, record.id)
        record_basis = self.record_basis(record)
        home = f"editorial/{record_basis}" if record_basis else DOCUMENT_GRAPH
        self.add(subject, self.curie("rdf:type"), self.curie(spec.rdf_class), home)
        if record_basis and record.type != "EditorialBasis":
            self.add(subject, self.curie("clo:editorialBasis"), self.basis_iri(record_basis), home)
        sources = self.convert_sources(record, spec, subject, record_basis)
        primary, section = sources[0] if sources else (None, None)
        context = Context(record, subject, home, record_basis, primary, section, sources)
        for name, value in record.fields.items():
            if name in ("source", "basis"):
                continue
            field_spec = spec.field(name)
            if field_spec is None:
                allowed = ", ".join(sorted(f.name for f in (*spec.fields,)) or ["(none)"])
                raise record.error(f"unknown field '{name}' for type {spec.name} (type-specific fields: {allowed})",
                                   value.line)
            self.convert_field(context, field_spec, value)
        for field_spec in spec.fields:
            if field_spec.name in record.fields:
                continue
            if field_spec.default is not None:
                self.convert_field(context, field_spec, Value(field_spec.default, record.line))
            elif field_spec.required:
                raise record.error(f"missing required field '{field_spec.name}'")
        if "label" not in record.fields:
            raise record.error("missing required field 'label'")

    def record_basis(self, record: Record) -> str | None:
        if record.type == "EditorialBasis":
            return record.id
        value = record.get("basis")
        if value is None:
            return None
        basis = literal_text(record, value, "basis")
        self.check_basis(record, value.line, basis)
        return basis

    def check_basis(self, record: Record, line: int, basis: str) -> None:
        target = self.records.get(basis)
        if target is None or target.type != "EditorialBasis":
            raise record.error(f"unknown editorial basis '{basis}' (define it in data/editorial.yaml)", line)

    def basis_iri(self, basis: str) -> ox.NamedNode:
        return ox.NamedNode(self.ns.resource(TYPES["EditorialBasis"].path, basis))

    def convert_sources(self, record: Record, spec: TypeSpec, subject: ox.NamedNode,
                        record_basis: str | None) -> list[tuple[Span, ox.NamedNode]]:
        """Add the record's quotes; return each one's span and section, the first (primary) first."""
        value = record.get("source")
        if value is None:
            if spec.needs_source and not record_basis:
                raise record.error("missing required field 'source' (a section and an exact quote), "
                                   "or mark the record editorial with 'basis'")
            return []
        if not isinstance(value.data, list) or not value.data:
            raise record.error("field 'source': expected a list of {section, quote}", value.line)
        primary, sources = None, []
        for index, item in enumerate(value.data, 1):
            line = value.line_of(index - 1)
            if not isinstance(item, dict) or "quote" not in item or "section" not in item:
                raise record.error("field 'source': each item needs 'section' and 'quote'", line)
            occurrence = item.get("occurrence")
            if occurrence is not None and not re.fullmatch(r"[1-9][0-9]*", str(occurrence)):
                raise record.error("field 'source': 'occurrence' must be a whole number", line)
            section = self.reference(record, line, "source", item["section"], ("Section",))
            span = self.add_quote(record, line, subject, f"{record.id}-q{index}", item["quote"], section,
                                  primary, int(occurrence) if occurrence else None)
            if primary is None:
                self.passages.anchor(record, span)
            primary = primary or span
            sources.append((span, section))
            self.passages.cover(section.value, span)
        return sources

    def add_quote(self, record: Record, line: int, owner: ox.NamedNode, slug: str, quote: Any,
                  section: ox.NamedNode | None, within: Span | None, occurrence: int | None = None,
                  sources: Iterable[tuple[Span, ox.NamedNode]] = (), note: bool = False) -> Span:
        """One exact quote; an extra quote (``sources`` given) must be printed in the record's own passage
        (clusterlod.fidelity.passage) and takes the section of the record's quote that contains it."""
        if section is None:
            raise record.error("a quote needs a section: give the record a 'source' first", line)
        if not isinstance(quote, str):
            raise record.error("a quote must be a string", line)
        sources = list(sources)
        if not quote:
            raise record.error("the quote is empty", line)
        if sources and record.type != "Document":  # a Document's passage is the whole page
            span = self.passages.locate(record, line, quote, [sp for sp, _ in sources], within, section.value, note)
        else:
            try:
                span = self.source.locate(quote, within, occurrence)
            except QuoteNotFound as error:
                raise record.error(str(error), line) from None
        section = next((s for sp, s in sources if sp.start <= span.start and span.end <= sp.end), section)
        node = self.mint("quote", slug, Origin(str(record.path), line, record.id))
        g = DOCUMENT_GRAPH
        self.add(owner, self.curie("clo:sourceQuote"), node, g)
        self.add(node, self.curie("rdf:type"), self.curie("clo:SourceQuote"), g)
        self.add(node, self.curie("oa:exact"), ox.Literal(quote), g)
        self.add(node, self.curie("clo:section"), section, g)
        integer = ox.NamedNode(XSD + "integer")
        self.add(node, self.curie("clo:startOffset"), ox.Literal(str(span.start), datatype=integer), g)
        self.add(node, self.curie("clo:endOffset"), ox.Literal(str(span.end), datatype=integer), g)
        self.add(node, self.curie("clo:line"), ox.Literal(str(span.line), datatype=integer), g)
        return span

    def reference(self, record: Record, line: int, name: str, target: Any, types: tuple[str, ...]) -> ox.NamedNode:
        if not isinstance(target, str):
            raise record.error(f"field '{name}': expected a record id", line)
        other = self.records.get(target)
        if other is None:
            raise record.error(f"field '{name}': reference to unknown record '{target}'", line)
        if types and other.type not in types:
            raise record.error(f"field '{name}': '{target}' is a {other.type}, expected {' or '.join(types)}", line)
        return self.iri_of(other)

    # -- fields ------------------------------------------------------------------
    def convert_field(self, ctx: Context, spec: FieldSpec, value: Value) -> None:
        handler = getattr(self, f"field_{spec.kind.value}")
        handler(ctx, spec, value, value.line)

    def unwrap(self, ctx: Context, value: Any, line: int, key: str = "value") -> tuple[Any, str | None]:
        """A field value, or {value|ref: ..., basis: ...} for an editorial one."""
        if isinstance(value, dict) and "basis" in value:
            if key not in value:
                raise ctx.record.error(f"an editorial value needs '{key}' beside 'basis'", line)
            self.check_basis(ctx.record, line, value["basis"])
            return value[key], value["basis"]
        return value, None

    def state(self, ctx: Context, spec: FieldSpec, obj: ox.NamedNode | ox.Literal, basis: str | None,
              n: int = 0) -> None:
        """One statement: into the record's graph, or reified into an editorial graph."""
        predicate = self.curie(spec.predicate)
        if basis is None:
            self.add(ctx.subject, predicate, obj, ctx.home)
            return
        graph = f"editorial/{basis}"
        self.add(ctx.subject, predicate, obj, graph)
        if ctx.record_basis is None:
            self.reify(ctx, spec.name, n, predicate, obj, basis)

    def reify(self, ctx: Context, name: str, n: int, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal,
              basis: str, extra: Iterable[tuple[str, ox.Literal]] = ()) -> None:
        graph = f"editorial/{basis}"
        slug = f"{ctx.record.id}-{name.replace('_', '-')}" + (f"-{n}" if n else "")
        node = self.mint("statement", slug, self.origins[ctx.subject.value])
        self.add(node, self.curie("rdf:type"), self.curie("clo:EditorialStatement"), graph)
        self.add(node, self.curie("rdf:subject"), ctx.subject, graph)
        self.add(node, self.curie("rdf:predicate"), predicate, graph)
        self.add(node, self.curie("rdf:object"), obj, graph)
        self.add(node, self.curie("clo:editorialBasis"), self.basis_iri(basis), graph)
        for curie, literal in extra:
            self.add(node, self.curie(curie), literal, graph)

    def field_text(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        data = value.data
        if not isinstance(data, dict) or not data.get("ja") or not data.get("en"):
            raise ctx.record.error(f"field '{spec.name}': expected a mapping with 'ja' (as written) and 'en'", line)
        unknown = set(data) - {"ja", "en", "basis"}
        if unknown:
            raise ctx.record.error(f"field '{spec.name}': unknown language key(s) {sorted(unknown)}", line)
        japanese = self.lang(data["ja"], "ja")
        if "basis" in data:  # a Japanese text the source does not print: the editors'
            self.check_basis(ctx.record, line, data["basis"])
            self.state(ctx, spec, japanese, data["basis"])
        else:
            self.add(ctx.subject, self.curie(spec.predicate), japanese, ctx.home)
        self.add(ctx.subject, self.curie(spec.predicate), self.lang(data["en"], "en"), ctx.english)

    def field_editors_text(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        data = value.data
        if not isinstance(data, dict) or not data or set(data) - {"ja", "en"}:
            raise ctx.record.error(f"field '{spec.name}': expected a mapping with 'ja' and/or 'en'", line)
        for language in sorted(data):
            text = data[language]
            if not isinstance(text, str) or not text.strip():
                raise ctx.record.error(f"field '{spec.name}': empty '{language}' text", line)
            graph = ctx.home if ctx.record_basis else f"editorial/{DESCRIPTIONS_BASIS}"
            self.add(ctx.subject, self.curie(spec.predicate), self.lang(" ".join(text.split()), language), graph)

    def field_literal_ja(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        self.add(ctx.subject, self.curie(spec.predicate), self.lang(literal_text(ctx.record, value, spec.name), "ja"),
                 ctx.home)

    def field_quoted_en(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        data = value.data
        if not isinstance(data, dict) or "value" not in data or "quote" not in data:
            raise ctx.record.error(f"field '{spec.name}': expected {{value, quote}}", line)
        self.add_quote(ctx.record, value.line_of("quote"), ctx.subject,
                       f"{ctx.record.id}-{spec.name.replace('_', '-')}", data["quote"], ctx.section, ctx.primary,
                       sources=ctx.sources)
        self.add(ctx.subject, self.curie(spec.predicate), self.lang(data["value"], "en"), DOCUMENT_GRAPH)

    def field_ref(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        target, basis = self.unwrap(ctx, value.data, line, "ref")
        self.state(ctx, spec, self.reference(ctx.record, line, spec.name, target, spec.targets), basis)

    def field_refs(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        items = value.data if isinstance(value.data, list) else None
        if not items:
            raise ctx.record.error(f"field '{spec.name}': expected a list of record ids", line)
        for n, item in enumerate(items, 1):
            target, basis = self.unwrap(ctx, item, line, "ref")
            self.state(ctx, spec, self.reference(ctx.record, line, spec.name, target, spec.targets), basis, n)

    def field_date(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        text, basis = self.unwrap(ctx, value.data, line)
        if not isinstance(text, str):
            raise ctx.record.error(f"field '{spec.name}': expected a date string", line)
        self.state(ctx, spec, date_literal(ctx.record, line, spec.name, text), basis)
        self.check_date_order(ctx, spec, line)

    def check_date_order(self, ctx: Context, spec: FieldSpec, line: int) -> None:
        if spec.name != "end" or "start" not in ctx.record.fields:
            return
        start, _ = self.unwrap(ctx, ctx.record.fields["start"].data, line)
        end, _ = self.unwrap(ctx, ctx.record.fields["end"].data, line)
        if isinstance(start, str) and isinstance(end, str) and end < start[: len(end)]:
            raise ctx.record.error(f"field 'end': {end} is before the start {start}", line)

    def field_int(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        text, basis = self.unwrap(ctx, value.data, line)
        if not isinstance(text, str) or not re.fullmatch(r"[1-9][0-9]*", text):
            raise ctx.record.error(f"field '{spec.name}': expected a whole number above zero, found {text!r}", line)
        self.state(ctx, spec, ox.Literal(text, datatype=ox.NamedNode(XSD + "integer")), basis)

    def field_string(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        text, basis = self.unwrap(ctx, value.data, line)
        self.state(ctx, spec, ox.Literal(literal_text(ctx.record, Value(text, line), spec.name)), basis)

    def field_iri(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        text = literal_text(ctx.record, value, spec.name)
        self.state(ctx, spec, ox.NamedNode(self.ns.rebase(check_iri(ctx.record, line, spec.name, text))), None)

    def field_status(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        text, basis = self.unwrap(ctx, value.data, line)
        if text not in STATUSES:
            raise ctx.record.error(f"field '{spec.name}': expected one of {', '.join(STATUSES)}, found {text!r}", line)
        self.state(ctx, spec, self.curie(STATUSES[text]), basis)

    def field_confidence(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        if value.data not in CONFIDENCES:
            raise ctx.record.error(f"field '{spec.name}': expected one of {', '.join(CONFIDENCES)}", line)
        self.state(ctx, spec, ox.Literal(value.data), None)

    def field_quote(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        slug = f"{ctx.record.id}-{spec.name.replace('_', '-')}"
        self.add_quote(ctx.record, line, ctx.subject, slug, value.data, ctx.section, ctx.primary, sources=ctx.sources)

    def field_figure(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        record, data = ctx.record, value.data
        if not isinstance(data, dict) or "value" not in data:
            raise record.error(f"field '{spec.name}': expected a figure {{value, quote, approximate?, as_of?}}", line)
        unknown = set(data) - {"value", "approximate", "as_of", "quote", "as_of_quote", "scope", "scope_quote",
                             "number_in_quote"}
        if unknown:
            raise record.error(f"field '{spec.name}': unknown key(s) {sorted(unknown)}", line)
        number = data["value"]
        if not isinstance(number, str) or not re.fullmatch(r"[1-9][0-9]*", number):
            raise record.error(f"field '{spec.name}': the value must be a whole number above zero, found {number!r}",
                               value.line_of("value"))
        approximate = data.get("approximate", "false")
        if approximate not in ("true", "false"):
            raise record.error(f"field '{spec.name}': 'approximate' must be true or false", line)
        slug = f"{record.id}-{spec.name.replace('_', '-')}"
        node = self.mint("figure", slug, Origin(str(record.path), line, record.id))
        g = ctx.home
        self.add(ctx.subject, self.curie(spec.predicate), node, g)
        self.add(node, self.curie("rdf:type"),
                 self.curie("clo:ApproximateFigure" if approximate == "true" else "clo:Figure"), g)
        self.add(node, self.curie("clo:value"), ox.Literal(number, datatype=ox.NamedNode(XSD + "integer")), g)
        self.add(node, self.curie("clo:approximate"),
                 ox.Literal(approximate, datatype=ox.NamedNode(XSD + "boolean")), g)
        if ctx.record_basis is not None:  # an editorial record's figure has no quote: it names the record's basis
            self.add(node, self.curie("clo:editorialBasis"), self.basis_iri(ctx.record_basis), g)
        unit_ja, unit_en = spec.unit
        self.add(node, self.curie("clo:unit"), self.lang(unit_ja, "ja"), g)
        self.add(node, self.curie("clo:unit"), self.lang(unit_en, "en"), ctx.english)
        shown = f"{int(number):,}"
        self.add(node, self.curie("rdfs:label"),
                 self.lang(("約" if approximate == "true" else "") + shown + unit_ja, "ja"), g)
        self.add(node, self.curie("rdfs:label"),
                 self.lang(("about " if approximate == "true" else "") + f"{shown} {unit_en}", "en"), ctx.english)
        if "as_of" in data:
            year = data["as_of"]
            if not isinstance(year, str) or not re.fullmatch(r"[0-9]{4}", year):
                raise record.error(f"field '{spec.name}': 'as_of' must be a year YYYY", line)
            self.add(node, self.curie("clo:asOf"), ox.Literal(year, datatype=ox.NamedNode(XSD + "gYear")), g)
        if "scope" in data:
            scope = data["scope"]
            if not isinstance(scope, dict) or not scope.get("ja") or not scope.get("en"):
                raise record.error(f"field '{spec.name}': 'scope' needs 'ja' and 'en'", line)
            self.add(node, self.curie("skos:scopeNote"), self.lang(scope["ja"], "ja"), g)
            self.add(node, self.curie("skos:scopeNote"), self.lang(scope["en"], "en"), ctx.english)
        if ctx.record_basis is None:
            if "quote" not in data:
                raise record.error(f"field '{spec.name}': a stated figure needs the 'quote' it comes from", line)
            for n, key in enumerate(("quote", "as_of_quote", "scope_quote"), 1):
                if key in data:
                    span = self.add_quote(record, value.line_of(key), node, f"{slug}-q{n}", data[key], ctx.section,
                                          ctx.primary, sources=ctx.sources, note=key == "as_of_quote")
                    if key == "quote":
                        self.passages.figure(record, value.line_of(key), data[key], span)

@dataclass
class Context:
    """The record being converted and where its statements go."""

    record: Record
    subject: ox.NamedNode
    home: str
    record_basis: str | None
    primary: Span | None

    @property
    def english(self) -> str:
        """English labels are the editors' work, unless the whole record is editorial anyway."""
        return self.home if self.record_basis else f"editorial/{ENGLISH_BASIS}"

    #: Extra quotes (dates, figures) belong to the section of the record's quote that holds them, else the first's.
    section: ox.NamedNode | None
    sources: list[tuple[Span, ox.NamedNode]]
