"""Version notes: what a release changed since the one before it, in both languages, from a diff's counts."""

from __future__ import annotations

from dataclasses import dataclass

from clusterlod.release.diff import Diff


@dataclass(frozen=True)
class Previous:
    """The release a build follows: its version and, per named graph that changed, (added, removed)."""

    version: str
    counts: tuple[tuple[str, int, int], ...]

    @classmethod
    def of(cls, result: Diff) -> Previous:
        return cls(result.old.version or "", tuple(result.counts()))

    def version_iri(self, dataset: str) -> str:
        """The IRI of that version of the dataset: <dataset>/version/<version>."""
        return f"{dataset}/version/{self.version}"

    def notes(self, base: str) -> dict[str, str]:
        """adms:versionNotes: the counts of each changed graph, named by its path below the base IRI."""
        def name(graph: str) -> str:
            return graph[len(base):] if graph.startswith(base) else graph or "(default)"

        if not self.counts:
            return {"ja": f"版 {self.version} からデータの変更はない。",
                    "en": f"No change to the data since version {self.version}."}
        added = sum(a for _, a, _ in self.counts)
        removed = sum(r for _, _, r in self.counts)
        ja = "、".join(f"{name(g)}（追加 {a}、削除 {r}）" for g, a, r in self.counts)
        en = "; ".join(f"{name(g)}: {a} added, {r} removed" for g, a, r in self.counts)
        return {"ja": f"版 {self.version} からの変更：トリプル {added} 件追加、{removed} 件削除。グラフごと：{ja}。",
                "en": f"Changes since version {self.version}: {added} triples added, {removed} removed. "
                      f"By graph: {en}."}
