"""The fields whose RDF is more than one statement: fiscal years and external links.

A mixin of GraphBuilder (graph.py), kept apart so each module stays short: a fiscal year
becomes an OWL-Time interval, and a link gets the predicate its verification level allows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyoxigraph as ox

from clusterlod.japan import fiscal_year_ja, gbizinfo_iri, prefecture_code
from clusterlod.model import CONCEPT_CLASSES, TYPES, FieldSpec
from clusterlod.namespaces import XSD
from clusterlod.sources.identifiers import Identifier, best_row
from clusterlod.sources.records import Record, Value, iri_problem

if TYPE_CHECKING:
    from clusterlod.graph import Context

ENGLISH_BASIS = "curated-english"
IDENTIFIERS_BASIS = "identifiers"
DOCUMENT_GRAPH = "document"
#: How sure a link is, when the data says so explicitly; otherwise the identifier list decides.
LINK_MATCHES = {
    "same-as": "owl:sameAs", "exact": "skos:exactMatch", "close": "skos:closeMatch", "see-also": "rdfs:seeAlso",
}
#: The SKOS mapping properties make both ends skos:Concepts: other resources (places, agents) link by
#: schema:sameAs (no domain or range) where SKOS would say exact, and by rdfs:seeAlso where it would say close.
NON_CONCEPT_MATCHES = {"skos:exactMatch": "schema:sameAs", "skos:closeMatch": "rdfs:seeAlso"}


def check_iri(record: Record, line: int, name: str, iri: str) -> str:
    """An absolute http(s) IRI that the writers' own parser (oxigraph) accepts."""
    problem = iri_problem(iri)
    if problem:
        raise record.error(f"field '{name}': bad IRI {iri!r} ({problem})", line)
    return iri


class ValueFields:
    """Field handlers of GraphBuilder that write several statements (see graph.GraphBuilder)."""

    def field_fiscal_year(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        """A Japanese fiscal year as an OWL-Time interval (1 April to 31 March), never a bare calendar year."""
        text, basis = self.unwrap(ctx, value.data, line)
        if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}", text):
            raise ctx.record.error(f"field '{spec.name}': expected a fiscal year YYYY, found {text!r}", line)
        year = int(text)
        node = ox.NamedNode(self.ns.resource("period", f"fiscal-year-{year}"))
        self.state(ctx, spec, node, basis)
        if node.value in self.origins:
            return
        self.origins[node.value] = self.origins[ctx.subject.value]
        g, date = DOCUMENT_GRAPH, ox.NamedNode(XSD + "date")
        for cls in ("time:ProperInterval", "dcterms:PeriodOfTime"):
            self.add(node, self.curie("rdf:type"), self.curie(cls), g)
        name = fiscal_year_ja(year)
        self.add(node, self.curie("rdfs:label"), self.lang(name, "ja"), g)
        quote = ox.NamedNode(self.ns.resource("quote", f"fiscal-year-{year}"))
        self.add_quote(ctx.record, line, node, f"fiscal-year-{year}", name, ctx.section, ctx.primary,
                       sources=ctx.sources)
        self.add(node, self.curie("rdfs:label"),
                 self.lang(f"fiscal year {year} (April {year} to March {year + 1})", "en"),
                 f"editorial/{ENGLISH_BASIS}")
        ends = (("start", "time:hasBeginning", f"{year}-04-01"), ("end", "time:hasEnd", f"{year + 1}-03-31"))
        for end, curie, day in ends:
            instant = ox.NamedNode(f"{node.value}-{end}")
            self.add(node, self.curie(curie), instant, g)
            self.add(instant, self.curie("rdf:type"), self.curie("time:Instant"), g)
            self.add(instant, self.curie("clo:sourceQuote"), quote, g)
            self.add(instant, self.curie("time:inXSDDate"), ox.Literal(day, datatype=date), g)

    def field_links(self, ctx: Context, spec: FieldSpec, value: Value, line: int) -> None:
        items = value.data if isinstance(value.data, list) else None
        if not items:
            raise ctx.record.error("field 'links': expected a list of 'scheme:identifier'", line)
        for n, item in enumerate(items, 1):
            match = None
            if isinstance(item, dict):
                match = item.get("match")
                item = item.get("id")
            if not isinstance(item, str) or ":" not in item:
                raise ctx.record.error(f"field 'links': expected 'scheme:identifier', found {item!r}", line)
            scheme, key = item.split(":", 1)
            rows = self.identifiers.get((scheme, key))
            if not rows:
                raise ctx.record.error(f"field 'links': {item!r} is not in {self.identifiers_path}; "
                                       "publish no identifier that is not verified", line)
            label = ctx.record.get("label")
            identifier = best_row(rows, label.data.get("ja") if label and isinstance(label.data, dict) else None)
            predicate, obj = self.link_statement(ctx, line, identifier, match)
            self.add(ctx.subject, predicate, obj, f"editorial/{IDENTIFIERS_BASIS}")
            self.reify(ctx, "link", n, predicate, obj, IDENTIFIERS_BASIS, (
                ("clo:confidence", ox.Literal(identifier.confidence)),
                ("clo:verification", ox.Literal(identifier.where_seen)),
                ("clo:identifierListLine", ox.Literal(str(identifier.line), datatype=ox.NamedNode(XSD + "integer"))),
            ))
            try:
                derived = self.derived_links(identifier)
            except ValueError as error:  # a verified code that the published rule cannot take (e.g. jisx0401:48)
                raise ctx.record.error(f"field 'links': {item!r}: {error}", line) from None
            for predicate, obj, confidence, how in derived:
                self.add(ctx.subject, self.curie(predicate), obj, f"editorial/{IDENTIFIERS_BASIS}")
                self.reify(ctx, f"{identifier.scheme}-derived", n, self.curie(predicate), obj, IDENTIFIERS_BASIS, (
                    ("clo:confidence", ox.Literal(confidence)),
                    ("clo:verification", ox.Literal(how)),
                    ("clo:identifierListLine",
                     ox.Literal(str(identifier.line), datatype=ox.NamedNode(XSD + "integer"))),
                ))

    @staticmethod
    def derived_links(identifier: Identifier) -> list[tuple[str, ox.NamedNode | ox.Literal, str, str]]:
        """What follows from a verified code by a published rule (clusterlod.japan): a prefecture's 6-digit
        全国地方公共団体コード, a corporation's gBizINFO IRI; with the confidence that rule allows."""
        if identifier.scheme == "jisx0401":
            return [("clo:localGovernmentCode", ox.Literal(prefecture_code(identifier.key)), identifier.confidence,
                     f"computed from JIS X 0401 code {identifier.key}: {identifier.key}000 and the check digit "
                     "(digits x 6,5,4,3,2, summed, (11 - sum mod 11) mod 10); clusterlod.japan.prefecture_code")]
        if identifier.scheme == "houjin":
            return [("rdfs:seeAlso", ox.NamedNode(gbizinfo_iri(identifier.key)),
                     f"{identifier.confidence} (the number); the IRI form is gBizINFO's",
                     "IRI form http://hojin-info.go.jp/data/basic/<法人番号> as gBizINFO's LOD minted it (public code: "
                     "github.com/Babibubebon/gbizinfo-lod gbizinfo_lod/mappers/hojin.py, namespace HJ_BASIC); "
                     "gBizINFO ended its RDF service on 2024-04-01, so the IRI may no longer resolve: "
                     "not checked from here")]
        return []

    def link_statement(self, ctx: Context, line: int, identifier: Identifier,
                       match: str | None) -> tuple[ox.NamedNode, ox.NamedNode | ox.Literal]:
        """Choose the link predicate by how sure the list is: sameAs only when verified twice."""
        key, scheme = identifier.key, identifier.scheme
        if scheme == "houjin":
            return self.curie("clo:corporateNumber"), ox.Literal(key)
        if scheme == "jisx0401":
            return self.curie("clo:jisCode"), ox.Literal(key)
        targets = {
            "wikidata": lambda k: "http://www.wikidata.org/entity/" + k,
            "geonames": lambda k: f"https://sws.geonames.org/{k}/",
        }
        target = ox.NamedNode(check_iri(ctx.record, line, "links", targets.get(scheme, lambda k: k)(key)))
        if match is not None and match not in LINK_MATCHES:
            raise ctx.record.error(f"field 'links': 'match' must be one of {', '.join(LINK_MATCHES)}", line)
        if match == "same-as" and not identifier.verified_twice:
            raise ctx.record.error(f"field 'links': 'match: same-as' needs an identifier verified twice; the list says "
                                   f"{identifier.confidence!r} for {scheme}:{key}", line)
        if match in ("close", "see-also") or scheme == "other" or identifier.title_only:
            curie = LINK_MATCHES[match] if match else "rdfs:seeAlso"
        else:  # the same thing: how sure the list is decides, whether or not the record says 'exact'
            curie = "owl:sameAs" if identifier.verified_twice else "skos:exactMatch"
        if TYPES[ctx.record.type].rdf_class not in CONCEPT_CLASSES:
            curie = NON_CONCEPT_MATCHES.get(curie, curie)
        return self.curie(curie), target
