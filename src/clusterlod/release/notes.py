"""Version notes: what a release changed since the one before it, in words a reader understands.

The notes name the records added, removed and changed, by their labels in Japanese and English (a quote,
a figure or a reified statement counts as a change of the labelled record it belongs to), then the
triple counts per named graph for those who want them. They come from the diff (release.diff), so the
same two releases always give the same notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from clusterlod.namespaces import STANDARD_PREFIXES
from clusterlod.release.diff import Diff

RDFS_LABEL = STANDARD_PREFIXES["rdfs"] + "label"
SKOS_PREF = STANDARD_PREFIXES["skos"] + "prefLabel"
RDF_SUBJECT = STANDARD_PREFIXES["rdf"] + "subject"
#: At most this many records named per kind of change; the rest are counted.
NAMED = 25


@dataclass(frozen=True)
class Record:
    """A record named in the notes: its IRI and its labels (its path below the base when it has none)."""

    iri: str
    ja: str
    en: str


@dataclass(frozen=True)
class Previous:
    """The release a build follows: its version, per changed graph (added, removed), and the records."""

    version: str
    counts: tuple[tuple[str, int, int], ...]
    added: tuple[Record, ...] = ()
    removed: tuple[Record, ...] = ()
    changed: tuple[Record, ...] = ()

    @classmethod
    def of(cls, result: Diff, base: str = "") -> Previous:
        added, removed, changed = records_of(result, base + "id/") if base else ((), (), ())
        return cls(result.old.version or "", tuple(result.counts()), added, removed, changed)

    def version_iri(self, dataset: str) -> str:
        """The IRI of that version of the dataset: <dataset>/version/<version>."""
        return f"{dataset}/version/{self.version}"

    def notes(self, base: str) -> dict[str, str]:
        """adms:versionNotes: the records added, removed and changed by label, then the triple counts."""
        def name(graph: str) -> str:
            return graph[len(base):] if graph.startswith(base) else graph or "(default)"

        if not self.counts:
            return {"ja": f"版 {self.version} からデータの変更はない。",
                    "en": f"No change to the data since version {self.version}."}
        ja_parts, en_parts = [], []
        for records, ja_word, en_word in ((self.added, "追加", "added"), (self.removed, "削除", "removed"),
                                          (self.changed, "変更", "changed")):
            if records:
                ja_parts.append(f"{ja_word}したレコード {len(records)} 件：{_names(records, 'ja')}。")
                en_parts.append(f"Records {en_word} ({len(records)}): {_names(records, 'en')}.")
        if not (self.added or self.removed or self.changed):
            ja_parts.append("レコードの追加・削除・変更はない（変わったのはオントロジーや公開物の記述）。")
            en_parts.append("No record was added, removed or changed (only the ontology or the release's own "
                            "description).")
        added = sum(a for _, a, _ in self.counts)
        removed = sum(r for _, _, r in self.counts)
        ja = "、".join(f"{name(g)}（追加 {a}、削除 {r}）" for g, a, r in self.counts)
        en = "; ".join(f"{name(g)}: {a} added, {r} removed" for g, a, r in self.counts)
        return {"ja": f"版 {self.version} からの変更。" + "".join(ja_parts)
                      + f"トリプル {added} 件追加、{removed} 件削除。グラフごと：{ja}。",
                "en": " ".join([f"Changes since version {self.version}.", *en_parts,
                                f"Triples: {added} added, {removed} removed. By graph: {en}."])}


def _names(records: Iterable[Record], language: str) -> str:
    records = list(records)
    shown = [getattr(r, language) for r in records[:NAMED]]
    rest = len(records) - len(shown)
    if language == "ja":
        return "、".join(shown) + (f" ほか {rest} 件" if rest else "")
    return "; ".join(shown) + (f"; and {rest} more" if rest else "")


def records_of(result: Diff, space: str) -> tuple[tuple[Record, ...], tuple[Record, ...], tuple[Record, ...]]:
    """The labelled records behind the changed triples: (added, removed, changed), each sorted by label."""
    labels: dict[str, dict[str, str]] = {}
    parent: dict[str, str] = {}
    subjects_old = {q.subject.value for q in result.old.quads if isinstance(q.subject, ox.NamedNode)}
    subjects_new = {q.subject.value for q in result.new.quads if isinstance(q.subject, ox.NamedNode)}
    for quad in [*result.new.quads, *result.old.quads]:  # the new labels win: they name the record now
        s, p, o = quad.subject.value, quad.predicate.value, quad.object
        if p in (RDFS_LABEL, SKOS_PREF) and isinstance(o, ox.Literal):
            labels.setdefault(s, {}).setdefault(o.language or "", o.value)
        elif isinstance(o, ox.NamedNode) and o.value.startswith(space):
            if p == RDF_SUBJECT:
                parent[s] = o.value  # a reified statement belongs to the record it is about
            elif s.startswith(space) and o.value not in parent:
                parent[o.value] = s  # a quote or a figure belongs to the record pointing at it
    touched = set()
    for change in result.graphs.values():
        for triple in [*change.added, *change.removed]:
            if isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(space):
                touched.add(_owner(triple.subject.value, labels, parent))
    added, removed, changed = [], [], []
    for iri in touched:
        names = labels.get(iri, {})
        path = iri[len(space):]
        record = Record(iri, names.get("ja") or names.get("") or names.get("en") or path,
                        names.get("en") or names.get("") or names.get("ja") or path)
        if iri not in subjects_old:
            added.append(record)
        elif iri not in subjects_new:
            removed.append(record)
        else:
            changed.append(record)
    order = lambda r: (r.en.casefold(), r.iri)  # noqa: E731
    return tuple(sorted(added, key=order)), tuple(sorted(removed, key=order)), tuple(sorted(changed, key=order))


def _owner(iri: str, labels: dict[str, dict[str, str]], parent: dict[str, str]) -> str:
    """The labelled record ``iri`` belongs to: itself, or the record its statement or quote is about."""
    seen = {iri}
    current = iri
    while current not in labels and current in parent and parent[current] not in seen:
        current = parent[current]
        seen.add(current)
    return current if current in labels else iri
