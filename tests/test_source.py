"""Every quote is found verbatim in the source text, where the data says it is."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterlod.sources.source import QuoteNotFound, SourceText

OA_EXACT = "http://www.w3.org/ns/oa#exact"
CLO = "https://w3id.org/clusterlod/ontology/"


def quotes(dist: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for q in ox.parse(path=str(dist / "clusterlod.nt")):
        if q.predicate.value in (OA_EXACT, CLO + "startOffset", CLO + "endOffset", CLO + "line"):
            name = q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            found.setdefault(q.subject.value, {})[name] = q.object.value
    return found


def test_every_quote_is_a_verbatim_substring_at_its_offsets(built_dist: Path) -> None:
    # Read the published copy of the source independently of the code that placed the quotes.
    text = (built_dist / "source" / "knowledge-cluster-collaboration-2008.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    found = quotes(built_dist)
    assert len(found) > 100
    for iri, quote in found.items():
        exact, start, end = quote["exact"], int(quote["startOffset"]), int(quote["endOffset"])
        assert exact in text, iri
        assert text[start:end] == exact, iri
        assert lines[int(quote["line"]) - 1] in text[text.rfind("\n", 0, start) + 1:], iri
        assert text.count("\n", 0, start) + 1 == int(quote["line"]), iri


def test_every_entity_of_the_document_graph_has_a_quote(built_dist: Path) -> None:
    store = ox.Store()
    store.load(path=str(built_dist / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query("""
        PREFIX clo: <https://w3id.org/clusterlod/ontology/>
        SELECT ?s WHERE {
          GRAPH <https://w3id.org/clusterlod/graph/document> { ?s a ?class }
          FILTER (?class NOT IN (clo:SourceQuote))
          FILTER NOT EXISTS { ?s clo:sourceQuote ?q }
        }""", use_default_graph_as_union=True))
    assert rows == []


def test_ambiguous_and_missing_quotes_are_refused(project_root: Path) -> None:
    source = SourceText(project_root / "data" / "source" / "knowledge-cluster-collaboration-2008.txt")
    with pytest.raises(QuoteNotFound, match="occurs 2 times"):
        source.locate("約400社")
    with pytest.raises(QuoteNotFound, match="not found verbatim"):
        source.locate("約401社")
    okinawa = source.locate("◆OKINAWA型\n　産業振興プロジェクト\n　情報・健康・環境・加工交易分野\n　約400社　7大学")
    inside = source.locate("約400社", within=okinawa)
    assert okinawa.start < inside.start < okinawa.end
    assert source.line_of(inside.start) == 92
