"""What each file of a release is for, in Japanese and English: one text for the catalogue and the README.

A file that is not described here is a build error, so a new kind of file cannot reach dist/ unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterlod import formats
from clusterlod.namespaces import Namespaces
from clusterlod.release.licence import LICENCE_FILE
from clusterlod.release.linksets import LINKSET_FOLDER, TARGETS
from clusterlod.release.tablespecs import tables
from clusterlod.sources.project import IDENTIFIERS_FILE

#: The folder of the CSV tables in dist/ (clusterlod.release.tables writes it).
TABLE_FOLDER = "csv"

#: The README of a release, in dist/.
README_FILE = "README.md"


@dataclass(frozen=True)
class FileText:
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str


_WHOLE = {
    "ttl": ("Turtle", "読みやすく、多くのツールに読み込める。"
            "名前付きグラフは一つにまとめられる（区別が要るなら TriG か N-Quads）。",
            "the easiest to read and to load into most tools; the named graphs are merged (use TriG or N-Quads to "
            "keep them apart)."),
    "nt": ("N-Triples", "1行1トリプルで、行単位の処理（grep、sort、diff）や大きな一括読み込みに向く。"
           "名前付きグラフはまとめられる。",
           "one triple a line, for line tools (grep, sort, diff) and bulk loaders; the named graphs are merged."),
    "jsonld": ("JSON-LD", "context.jsonld の読みやすいキーを使う JSON。"
               "ウェブアプリや JSON の道具から使う。名前付きグラフはまとめられる。",
               "plain JSON with the readable keys of context.jsonld, for web applications and JSON tools; the "
               "named graphs are merged."),
    "rdf": ("RDF/XML", "XML の道具や古い RDF ソフトウェア向け。名前付きグラフはまとめられる。",
            "for XML tools and older RDF software; the named graphs are merged."),
    "trig": ("TriG", "名前付きグラフ（原文が述べる事実と根拠ごとの編集上の追加）を保ったまま読める形。",
             "keeps the named graphs (what the source states, and each basis of editorial additions) apart, in a "
             "readable form."),
    "nq": ("N-Quads", "名前付きグラフを保つ1行1文の形。clusterlod load、serve、トリプルストアへの一括読み込みが使う。",
           "keeps the named graphs, one statement a line: what clusterlod load, clusterlod serve and triple "
           "stores' bulk loaders read."),
}

_FIXED = {
    "context.jsonld": FileText(
        "JSON-LD コンテキスト", "JSON-LD context",
        "clusterlod.jsonld のキーを IRI に対応付ける。自分の JSON を同じ語彙で書くときにも使える。",
        "Maps the keys of clusterlod.jsonld to IRIs; reuse it to write your own JSON in the same vocabulary."),
    "ontology.ttl": FileText(
        "オントロジー（Turtle）", "Ontology (Turtle)",
        "データが使う clo: のクラスとプロパティ（日英のラベルと定義、既存語彙との対応）。",
        "The clo: classes and properties the data uses, with Japanese and English labels and definitions and "
        "their alignments to standard vocabularies."),
    "shapes.ttl": FileText(
        "SHACL シェイプ（Turtle）", "SHACL shapes (Turtle)",
        "公開前にデータを検査した制約。自分の追加データを同じ基準で検証するのに使う。",
        "The constraints the data was checked against before publication; validate your own additions with them."),
    "validation-report.ttl": FileText(
        "検証報告（Turtle）", "Validation report (Turtle)",
        "この公開物が SHACL シェイプと品質検査に合格したことを示す SHACL の検証報告。",
        "The SHACL validation report of this release: evidence that it passed the shapes and the quality checks."),
    IDENTIFIERS_FILE: FileText(
        "外部識別子の一覧（CSV）", "List of external identifiers (CSV)",
        "Wikidata・DBpedia・GeoNames・e-Stat へのリンクの元になった一覧。各行に確度と検証の記録がある。",
        "The list the links to Wikidata, DBpedia, GeoNames and e-Stat come from, each row with its confidence "
        "and where it was verified."),
    "catalog.ttl": FileText(
        "DCAT-AP カタログ（Turtle）", "DCAT-AP catalogue (Turtle)",
        "この公開物の説明（版、ライセンス、名前付きグラフ、リンクセット、各ファイルの大きさと SHA-256）。",
        "The description of this release: version, licence, named graphs, link sets, and each file's size and "
        "SHA-256 checksum, for data portals and for checking a download."),
    README_FILE: FileText(
        "はじめにお読みください（日英）", "Read me first (Japanese and English)",
        "この公開物が何か、各ファイル、読み込み方、引用の仕方、出典とライセンスの説明。",
        "What this release is, its files, how to load and cite it, its source and its licence."),
    LICENCE_FILE: FileText(
        "ライセンス全文", "Licence text",
        "データに適用されるライセンス（CC BY 4.0）の法的条文。",
        "The legal text of the licence the data is published under (CC BY 4.0)."),
}


def describe_file(relative: str) -> FileText:
    """The titles and descriptions of one file of a release, by its path in dist/."""
    stem, _, extension = relative.rpartition(".")
    if stem == formats.DATASET_STEM and extension in _WHOLE:
        syntax, ja, en = _WHOLE[extension]
        return FileText(f"データセット全体（{syntax}）", f"The whole dataset ({syntax})",
                        f"すべてのグラフを {syntax} で収める。{ja}", f"Every graph of the dataset in {syntax}: {en}")
    if relative in _FIXED:
        return _FIXED[relative]
    folder, _, name = relative.partition("/")
    if folder == LINKSET_FOLDER and name.rpartition(".")[0] in TARGETS:
        title = TARGETS[name.rpartition(".")[0]].title
        return FileText(
            f"{title} へのリンクセット（Turtle）", f"Links to {title} (Turtle)",
            f"{title} へのリンクと、各リンクの確度と検証の記録。データを {title} と結び付けるのに使う。",
            f"The links to {title}, each with how sure it is and where it was verified: to join the data "
            f"with {title}.")
    if folder == TABLE_FOLDER:
        return _table_file(name)
    if folder == "source" and extension == "txt":
        return FileText(
            "出典の本文（テキスト）", "Source text",
            "文部科学省のパンフレット頁から抽出した本文。データの引用（clo:SourceQuote）はこの本文からの正確な引用。"
            "文章は文部科学省のもので、データセットのライセンスの対象ではない。",
            "The text extracted from MEXT's brochure page: the data's quotes (clo:SourceQuote) are exact quotes "
            "of it. The wording is MEXT's and not under the dataset's licence.")
    raise ValueError(f"no description for the release file {relative}: add one to clusterlod.release.files")


def _table_file(name: str) -> FileText:
    """A table of dist/csv/ or its CSVW metadata; the titles are the table's own (release.tablespecs)."""
    if name == formats.CSVW_METADATA_FILE:
        return FileText(
            "表のメタデータ（W3C CSVW）", "Metadata of the tables (W3C CSVW)",
            "csv/ の各表の列名（日英の見出し）、データ型、単位、各行を公開物の IRI に戻す規則、文字コード、ライセンス。"
            "CSVW 対応の道具はこれで表を RDF や型付きのデータとして読める。",
            "The columns of each table in csv/ (names, Japanese and English titles), their datatypes and units, "
            "how each row maps back to the release's IRIs, the encoding and the licence: CSVW tools read the "
            "tables through it as typed data or RDF.")
    for table in tables(Namespaces()):
        if table.file == name:
            return FileText(
                f"表：{table.ja}（CSV）", f"Table: {table.en} (CSV)",
                f"{table.description_ja}UTF-8（BOM 付き）で、Excel でそのまま開ける。列の定義は csv-metadata.json。",
                f"{table.description_en} UTF-8 with a BOM, so Excel opens it as it is; the columns are defined in "
                "csv-metadata.json.")
    raise ValueError(f"no description for the release file {TABLE_FOLDER}/{name}: add its table to "
                     "clusterlod.release.tablespecs")
