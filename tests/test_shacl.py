"""The build's SHACL engine (pyshacl-turbo) reports exactly what pySHACL, the reference, reports."""

from __future__ import annotations

import copy

import pytest

from clusterlod.build import Publication, check
from test_validate import CASES


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
