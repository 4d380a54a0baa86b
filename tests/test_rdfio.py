"""The deterministic order every writer relies on."""

from __future__ import annotations

import random

import pyoxigraph as ox

from clusterlod.build import Publication
from clusterlod.release.rdfio import sorted_quads, union_triples


def test_sorted_quads_are_unique_and_in_n_quads_text_order(publication: Publication) -> None:
    quads = list(publication.quads)
    shuffled = quads + quads[:500]  # repeats, scattered
    random.Random(7).shuffle(shuffled)
    result = sorted_quads(shuffled)
    assert [str(q) for q in result] == sorted({str(q) for q in quads})
    assert sorted_quads(list(reversed(shuffled))) == result


def test_the_same_triple_in_two_graphs_is_two_quads_and_one_triple() -> None:
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    one, two = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    quads = [ox.Quad(s, p, ox.Literal("x"), two), ox.Quad(s, p, ox.Literal("x"), one),
             ox.Quad(s, p, ox.Literal("x"), two), ox.Quad(s, p, ox.Literal("01", datatype=ox.NamedNode(
                 "http://www.w3.org/2001/XMLSchema#integer")), one)]
    ordered = sorted_quads(quads)
    assert len(ordered) == 3
    assert [q.graph_name for q in ordered if q.object == ox.Literal("x")] == [one, two]
    assert len(union_triples(ordered)) == 2
