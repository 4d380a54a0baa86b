"""RDF Dataset Canonicalization (RDFC-1.0) of a group of triples, with a work budget.

pyoxigraph's ``Dataset.canonicalize`` has no bound and cannot be interrupted: a few kilobytes of
"poison graph" (a clique of blank nodes that look alike) keep it busy for minutes, then hours.
RDFC-1.0 (https://www.w3.org/TR/rdf-canon/, section 4.4 and "Security Considerations") says an
implementation should guard against such input by limiting the work of the Hash N-Degree Quads
algorithm; this is the algorithm as written there, counting each call of Hash N-Degree Quads and
each permutation it tries, and giving up (:class:`TooComplex`) once ``budget`` is spent.

Ordinary data never comes near the budget: blank nodes that differ in their first-degree
surroundings are labelled by a sort, and the deep algorithm runs only for look-alikes.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

#: How many steps (calls of Hash N-Degree Quads and permutations tried) one release may cost, about
#: a quarter of a second. The project's releases need none; a clique of 6 blank nodes, each linked to
#: every other, fits; one of 7 does not (9 kept pyoxigraph busy for a minute, each further node ten times more).
BUDGET = 100_000


class TooComplex(Exception):
    """The blank nodes would cost more than the budget to label: a poison graph (RDFC-1.0, 4.4)."""

    def __init__(self, steps: int, blank_nodes: int):
        self.steps = steps
        self.blank_nodes = blank_nodes
        super().__init__(f"{blank_nodes} look-alike blank nodes need more than {steps:,} canonicalisation steps")


@dataclass
class Budget:
    """The work left for one release; shared by all its groups so many small poisons add up."""

    limit: int = BUDGET
    spent: int = 0

    def spend(self, blank_nodes: int) -> None:
        self.spent += 1
        if self.spent > self.limit:
            raise TooComplex(self.limit, blank_nodes)


@dataclass
class _Issuer:
    """The Identifier Issuer of RDFC-1.0 (4.5): labels in the order they were first asked for."""

    prefix: str
    issued: dict[str, str] = field(default_factory=dict)

    def issue(self, node: str) -> str:
        label = self.issued.get(node)
        if label is None:
            label = self.issued[node] = f"{self.prefix}{len(self.issued)}"
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _blank(term: object) -> bool:
    return isinstance(term, ox.BlankNode)


class _State:
    """The canonicalization state (RDFC-1.0, 4.2) of one group of triples."""

    def __init__(self, triples: list[ox.Triple], budget: Budget):
        self.budget = budget
        self.mentions: dict[str, list[ox.Triple]] = {}
        for t in triples:
            for term in (t.subject, t.object):
                if _blank(term):
                    quads = self.mentions.setdefault(term.value, [])
                    if not quads or quads[-1] is not t:
                        quads.append(t)
        self.canonical = _Issuer("c14n")
        self.first_degree: dict[str, str] = {}

    def hash_first_degree(self, node: str) -> str:
        """4.6: the node's triples with itself as _:a and every other blank node as _:z, sorted, hashed."""
        known = self.first_degree.get(node)
        if known is None:
            def show(term: ox.Term) -> str:
                return ("_:a" if term.value == node else "_:z") if _blank(term) else str(term)

            lines = sorted(f"{show(t.subject)} {t.predicate} {show(t.object)} .\n" for t in self.mentions[node])
            known = self.first_degree[node] = _sha256("".join(lines))
        return known

    def hash_related(self, related: str, triple: ox.Triple, issuer: _Issuer, position: str) -> str:
        """4.7: the hash of a blank node seen from another, with the triple's predicate and its side."""
        if related in self.canonical.issued:
            identifier = "_:" + self.canonical.issued[related]
        elif related in issuer.issued:
            identifier = "_:" + issuer.issued[related]
        else:
            identifier = self.hash_first_degree(related)
        return _sha256(f"{position}{triple.predicate}{identifier}")

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """4.8, each call and each permutation charged to the budget."""
        self.budget.spend(len(self.mentions))
        related_by_hash: dict[str, list[str]] = {}
        for t in self.mentions[node]:
            for term, position in ((t.subject, "s"), (t.object, "o")):
                if _blank(term) and term.value != node:
                    related_by_hash.setdefault(self.hash_related(term.value, t, issuer, position), []).append(
                        term.value)
        data = []
        for related_hash in sorted(related_by_hash):
            data.append(related_hash)
            chosen_path, chosen_issuer = "", issuer
            for permutation in itertools.permutations(related_by_hash[related_hash]):
                self.budget.spend(len(self.mentions))
                copy, path, recursion = issuer.copy(), "", []
                worse = False
                for related in permutation:
                    if related in self.canonical.issued:
                        path += "_:" + self.canonical.issued[related]
                    else:
                        if related not in copy.issued:
                            recursion.append(related)
                        path += "_:" + copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        worse = True
                        break
                if worse:
                    continue
                for related in recursion:
                    result, copy = self.hash_n_degree(related, copy)
                    path += "_:" + copy.issue(related) + "<" + result + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        worse = True
                        break
                if worse:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, copy
            data.append(chosen_path)
            issuer = chosen_issuer
        return _sha256("".join(data)), issuer

    def label(self) -> dict[str, str]:
        """4.4: each blank node's canonical label (c14n0, c14n1...)."""
        by_hash: dict[str, list[str]] = {}
        for node in self.mentions:
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        shared = []
        for first_degree in sorted(by_hash):
            nodes = by_hash[first_degree]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            paths = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                temporary = _Issuer("b")
                temporary.issue(node)
                paths.append(self.hash_n_degree(node, temporary))
            for _, issuer in sorted(paths, key=lambda path: path[0]):
                for node in issuer.issued:
                    self.canonical.issue(node)
        return self.canonical.issued


def canonicalize(triples: Iterable[ox.Triple], budget: Budget | None = None) -> list[ox.Triple]:
    """The triples with their blank nodes labelled ``c14n0``, ``c14n1``... by RDFC-1.0; raises TooComplex."""
    group = list(dict.fromkeys(triples))  # a repeated triple is one triple, as in a dataset
    labels = _State(group, budget or Budget()).label()

    def relabel(term: ox.Term) -> ox.Term:
        return ox.BlankNode(labels[term.value]) if _blank(term) else term

    return [ox.Triple(relabel(t.subject), t.predicate, relabel(t.object)) for t in group]
