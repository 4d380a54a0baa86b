"""Scoring a typed name against the names of the index: the rule docs/reconciling.md states.

A candidate's score is that of its best name (any label or altLabel, Japanese or English):

- ``EXACT`` (100) when the two keys are equal (web/lookup/normalise.py);
- ``SHORTENED`` (90) when the typed key equals the name's key without common suffixes;
- otherwise ``SIMILAR`` (80) times the larger Sørensen–Dice coefficient of the character bigrams of the
  two keys and of their shortest forms, rounded to a whole number.

Each property condition the candidate does not meet takes ``CONDITION_PENALTY`` points off (never below 0).
Candidates under ``MIN_SCORE`` are left out. A candidate is a match (``match: true``) when it is the only one
with the top score, that score is at least ``MATCH_AT``, and it meets every property condition: so only a
name that, once normalised, belongs to one resource alone is matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterlod.web.lookup.index import Entry, Index, Name
from clusterlod.web.lookup.normalise import bigrams, dice, forms, key

EXACT, SHORTENED, SIMILAR = 100, 90, 80
CONDITION_PENALTY = 30
MIN_SCORE = 30
MATCH_AT = 90


@dataclass(frozen=True)
class Typed:
    """A typed name prepared once for scoring against every name."""

    key: str
    forms: tuple[str, ...]
    grams: frozenset[str]
    stem_grams: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Typed:
        typed_key = key(text)
        typed_forms = forms(typed_key) if typed_key else ("",)
        return cls(typed_key, typed_forms, bigrams(typed_key), bigrams(typed_forms[-1]))


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: int
    name: Name | None
    failed: int = 0
    met: int = 0
    match: bool = False


def name_score(typed: Typed, name: Name) -> int:
    """The score of one name, by the rule above."""
    if typed.key == name.key:
        return EXACT
    if typed.key in name.forms[1:]:
        return SHORTENED
    similarity = max(dice(typed.grams, name.grams), dice(typed.stem_grams, name.stem_grams))
    return round(SIMILAR * similarity)


def best_name(typed: Typed, entry: Entry) -> tuple[int, Name | None]:
    best: tuple[int, Name | None] = (0, None)
    for name in entry.names:
        score = name_score(typed, name)
        if score > best[0]:
            best = (score, name)
    return best


def candidates(index: Index, typed: Typed, allowed: set[int] | None) -> list[tuple[int, Entry, Name | None]]:
    """Every resource sharing a bigram with the typed name (among positions ``allowed``), with its best score."""
    positions: set[int] = set()
    for gram in typed.grams | typed.stem_grams:
        positions.update(index.postings.get(gram, ()))
    if allowed is not None:
        positions &= allowed
    found = []
    for position in positions:
        entry = index.entries[position]
        score, name = best_name(typed, entry)
        if score:
            found.append((score, entry, name))
    return found


def rank(scored: list[Scored], limit: int) -> list[Scored]:
    """Best first (ties by Japanese label, then IRI), cut to ``limit``; the unique top one at MATCH_AT or more,
    meeting every condition, is the match."""
    scored = sorted((s for s in scored if s.score >= MIN_SCORE),
                    key=lambda s: (-s.score, s.entry.label("ja"), s.entry.iri))
    if scored:
        top = scored[0]
        unique = len(scored) == 1 or scored[1].score < top.score
        if unique and top.score >= MATCH_AT and top.failed == 0 and top.name is not None:
            scored[0] = Scored(top.entry, top.score, top.name, top.failed, top.met, True)
    return scored[:limit]
