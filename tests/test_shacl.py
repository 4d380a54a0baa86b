"""The build's SHACL engine (pyshacl-turbo) reports exactly what pySHACL, the reference, reports."""

from __future__ import annotations

import copy

import pytest
from test_validate import CASES

from clusterlod.build import Publication, check


def both(publication: Publication) -> tuple[set, set]:
    engine, reference = check(publication, "turbo"), check(publication, "pyshacl")
    assert engine.conforms == reference.conforms
    assert engine.problems == reference.problems  # the same quality checks, whichever engine
    return {v.key() for v in engine.violations}, {v.key() for v in reference.violations}


def broken(publication: Publication, mutations) -> Publication:
    copy_ = copy.copy(publication)
    copy_.built = copy.copy(publication.built)
    quads = list(publication.built.quads)
    for mutate in mutations:
        quads = mutate(quads)
    copy_.built.quads = quads
    return copy_


def test_same_verdict_on_the_real_data(publication: Publication) -> None:
    fast, reference = both(publication)
    assert fast == reference == set()


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_same_violations_on_each_bad_record(publication: Publication, case) -> None:
    fast, reference = both(broken(publication, [case[1]]))
    assert reference, "the mutation must break something"
    assert fast == reference


def test_same_violations_with_every_fault_at_once(publication: Publication) -> None:
    mutations = [case[1] for case in CASES if case[2] not in ("kyushu-bio-cluster", "iag-conference-7")]
    fast, reference = both(broken(publication, mutations))
    assert len(reference) >= 15
    assert fast == reference


def test_the_gate_judges_the_union_of_the_named_graphs() -> None:
    """A node typed in one graph and described in another is judged as one node (not once per graph,
    which would give false violations), by ``validate`` (one union store) and by ``build`` (the gate's
    thread, fed a chunk at a time while the graph is made) alike."""
    import pyoxigraph as ox

    from clusterlod.gate.run import Background, Gate, shacl, union_store
    from clusterlod.namespaces import Namespaces

    shapes = list(ox.parse(input=b'@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:x:S> a sh:NodeShape ; '
                                 b'sh:targetClass <urn:x:C> ; '
                                 b'sh:property [ sh:path <urn:x:p> ; sh:minCount 1 ; sh:maxCount 1 ] .',
                           format=ox.RdfFormat.TURTLE))

    def verdicts(nquads: bytes) -> tuple[bool, bool]:
        quads = list(ox.parse(input=nquads, format=ox.RdfFormat.N_QUADS))
        gate = Gate(quads, shapes, {}, Namespaces(), None)
        background = Background()
        for quad in quads:  # one chunk per quad: the thread must join the chunks into one graph
            background.feed([quad])
        background.judge(gate)
        return shacl(gate, union_store(gate)).shacl_conforms, background.wait().shacl_conforms

    typed = b'<urn:x:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:x:C> <urn:x:g1> .\n'
    assert verdicts(typed + b'<urn:x:a> <urn:x:p> "v" <urn:x:g2> .\n') == (True, True)
    assert verdicts(typed) == (False, False)
    assert verdicts(typed + b'<urn:x:a> <urn:x:p> "v" <urn:x:g2> .\n'
                            b'<urn:x:a> <urn:x:p> "w" <urn:x:g1> .\n') == (False, False)
