"""The data licence: its names, its legal text shipped with the package, and the rights statement of a release.

The legal text is CC BY 4.0's own (Creative Commons' legalcode text, as Debian ships it in
/usr/share/doc/libuv1/copyright): never re-typed. The repository's LICENSE-DATA is a link to the same file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

#: The licence text in dist/.
LICENCE_FILE = "LICENSE.txt"


@dataclass(frozen=True)
class Licence:
    iri: str
    name_en: str
    name_ja: str
    legal_code: str
    text_resource: str
    #: The licence of the legal text itself (CC's licence texts say they are dedicated to the public domain
    #: under CC0, in their closing paragraph).
    text_licence: str

    def text(self) -> bytes:
        return resources.files("clusterlod.release").joinpath(self.text_resource).read_bytes()


#: The licences a release can be published under: those whose legal text the package ships.
LICENCES: dict[str, Licence] = {licence.iri: licence for licence in (
    Licence("https://creativecommons.org/licenses/by/4.0/",
            "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）",
            "https://creativecommons.org/licenses/by/4.0/legalcode", "CC-BY-4.0.txt",
            "https://creativecommons.org/publicdomain/zero/1.0/"),
)}


def licence_problem(iri: str) -> str | None:
    """Why dataset.yaml's licence cannot be published, or None."""
    if iri in LICENCES:
        return None
    return f"clusterlod ships the legal text of {', '.join(LICENCES)} only; {iri} has none"


def write_licence(out: Path, iri: str) -> None:
    (out / LICENCE_FILE).write_bytes(LICENCES[iri].text())


def rights_text(meta: dict) -> dict[str, str]:
    """The rights statement of the dataset, in both languages, from dataset.yaml's licence and attribution."""
    licence = LICENCES[meta["licence"]]
    return {
        "ja": (f"このデータセットは{licence.name_ja}の下で提供される（{licence.iri}、全文は {LICENCE_FILE}）。"
               f"利用の際は次のように出典を示すこと：{meta['attribution']['ja']}。"
               "source/ の本文は文部科学省の文章であり、このライセンスの対象ではない。"),
        "en": (f"This dataset is licensed under {licence.name_en} ({licence.iri}; full text in {LICENCE_FILE}). "
               f"Credit it as: {meta['attribution']['en']}. The text in source/ is MEXT's wording and is not "
               "covered by this licence."),
    }


@dataclass(frozen=True)
class SourceCredit:
    """What the credit line of 公共データ利用規約 (PDL 1.0) names: the source's title, publisher and URL, the editor."""

    title: str
    publisher: dict[str, str]
    editor: dict[str, str]
    url: str | None = None  # a public copy, known and verified; None: not recorded


def source_credit(records: Iterable[Any], meta: dict[str, Any]) -> SourceCredit:
    """The credit of a release: the Document record's title and publisher (data/document.yaml), the editor
    (dataset.yaml's publisher). No URL: no public copy of the page has been found and verified."""
    by_id = {r.id: r for r in records}
    document = next(r for r in by_id.values() if r.type == "Document")
    publisher = document.get("publisher").data
    publisher_id = publisher["ref"] if isinstance(publisher, dict) else publisher
    names = by_id[publisher_id].get("label").data
    short = {"ja": names["ja"], "en": names["en"].rsplit("(", 1)[-1].rstrip(")") if "(" in names["en"] else names["en"]}
    return SourceCredit(" ".join(document.get("label").data["ja"].split()), short, meta["publisher"])


def credit_lines(credit: SourceCredit) -> dict[str, str]:
    """The credit line, as 政府標準利用規約 2.0 and 公共データ利用規約 第1.0版 show it: 出典：「title」（publisher）
    (URL), then 「…」を加工して作成 with the editor's name. One text for the README, the pages and the tables."""
    title, publisher, editor = credit.title, credit.publisher, credit.editor
    url_ja = f"（{credit.url}）" if credit.url else "（公開されている原本の URL は記録していない）"
    url_en = f" ({credit.url})" if credit.url else " (the URL of a public copy is not recorded)"
    return {
        "ja": f"出典：「{title}」（{publisher['ja']}）{url_ja}。"
              f"「{title}」（{publisher['ja']}）を加工して作成（加工者：{editor['ja']}）",
        "en": f"Source: \"{title}\" ({publisher['en']}){url_en}. "
              f"Created by editing \"{title}\" ({publisher['en']}). Editor: {editor['en']}",
    }
