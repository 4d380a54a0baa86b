"""dist/README.md: what the release is, its files, how to load and cite it, its source and licence (ja, en).

Written by the build from the release itself (its files on disk, its graphs and their counts, dataset.yaml,
the one version), after every other file but the catalogue: so its names and figures are the release's,
and the same release gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from clusterlod import formats
from clusterlod.namespaces import Namespaces
from clusterlod.release.citation import citation as cite_as
from clusterlod.release.files import README_FILE, describe_file
from clusterlod.release.licence import LICENCE_FILE, LICENCES, rights_text

if TYPE_CHECKING:
    from clusterlod.release.catalog import GraphInfo
    from clusterlod.release.notes import Previous

#: How to load the release in Python, run by tests/test_release_readme.py in a built dist/.
PYTHON_EXAMPLE = f"""import pyoxigraph

store = pyoxigraph.Store()
store.load(path="{formats.DATASET_FILE}", format=pyoxigraph.RdfFormat.N_QUADS)
for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g ORDER BY ?g"):
    print(row["g"].value, row["n"].value)"""

_WORDS = {
    "ja": {"heading": "日本語", "what": "これは何か", "version": "版", "issued": "初版公開日",
           "modified": "この版の公開日", "files": "ファイル",
           "file": "ファイル", "purpose": "内容", "graphs": "名前付きグラフ", "graph": "グラフ",
           "triples": "トリプル数",
           "total": "計", "load": "読み込み方", "cite": "引用の仕方", "source": "出典", "licence": "ライセンス",
           "changes": "前の版からの変更",
           "load_cli": "SPARQL ストア（Oxigraph、Virtuoso など）に一つのトランザクションで読み込む：",
           "load_python": "Python（pyoxigraph）で読み込み、グラフごとのトリプル数を数える：",
           "checksums": f"各ファイルの大きさと SHA-256 は {formats.CATALOG_FILE} にある。",
           "cite_as": "次のように引用する：",
           "licence_file": f"ライセンスの全文は {LICENCE_FILE}。"},
    "en": {"heading": "English", "what": "What this is", "version": "Version", "issued": "First issued",
           "modified": "Released", "files": "Files",
           "file": "File", "purpose": "What it is for", "graphs": "Named graphs", "graph": "Graph",
           "triples": "Triples",
           "total": "Total", "load": "How to load it", "cite": "How to cite it", "source": "Source",
           "licence": "Licence", "changes": "Changes since the previous version",
           "load_cli": "Into a SPARQL store (Oxigraph, Virtuoso, ...), in one transaction:",
           "load_python": "In Python (pyoxigraph), counting the triples of each graph:",
           "checksums": f"The size and SHA-256 checksum of each file are in {formats.CATALOG_FILE}.",
           "cite_as": "Cite it as:",
           "licence_file": f"The full text of the licence is in {LICENCE_FILE}."},
}


def files_of(out: Path) -> list[str]:
    """The files the release will hold: those written so far, this README and the catalogue."""
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    return sorted(written | {README_FILE, formats.CATALOG_FILE})


def text(out: Path, ns: Namespaces, meta: dict[str, Any], graphs: list[GraphInfo],
         previous: Previous | None = None, *, credit: dict[str, str]) -> str:
    """The README's Markdown; ``credit`` is the release's credit line (clusterlod.release.licence.credit_lines)."""
    files = files_of(out)
    lines = [f"# {meta['title']['ja']}", "", f"# {meta['title']['en']}", "",
             f"{_WORDS['ja']['version']} / {_WORDS['en']['version']}: {meta['version']} · "
             f"{_WORDS['ja']['modified']} / {_WORDS['en']['modified']}: {meta['modified']} · "
             f"{_WORDS['ja']['issued']} / {_WORDS['en']['issued']}: {meta['issued']} · {ns.dataset}", ""]
    for language in ("ja", "en"):
        lines += _section(language, ns, meta, graphs, files, previous, credit[language])
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(language: str, ns: Namespaces, meta: dict[str, Any], graphs: list[GraphInfo], files: list[str],
             previous: Previous | None, credit: str) -> list[str]:
    w = _WORDS[language]
    ja = language == "ja"
    described = [describe_file(f) for f in files]
    licence = LICENCES[meta["licence"]]
    lines = [f"## {w['heading']}", "", f"### {w['what']}", "", " ".join(meta["description"][language].split()), "",
             f"### {w['files']} ({len(files)})", "", f"| {w['file']} | {w['purpose']} |", "|---|---|"]
    for name, d in zip(files, described, strict=True):
        title, description = (d.title_ja, d.description_ja) if ja else (d.title_en, d.description_en)
        lines.append(f"| `{name}` | {title}: {description} |" if not ja else f"| `{name}` | {title}：{description} |")
    lines += ["", w["checksums"], "", f"### {w['graphs']} ({len(graphs)})", "",
              f"| {w['graph']} | {w['triples']} |", "|---|---:|"]
    for info in graphs:
        lines.append(f"| `{info.iri}` — {info.title_ja if ja else info.title_en} | {info.triples} |")
    lines += [f"| {w['total']} | {sum(info.triples for info in graphs)} |", ""]
    lines += [f"### {w['load']}", "", w["load_cli"], "", "```sh",
              f"clusterlod load {formats.DATASET_FILE} --endpoint http://127.0.0.1:7878/query", "```", "",
              w["load_python"], "", "```python", PYTHON_EXAMPLE, "```", ""]
    lines += [f"### {w['cite']}", "", w["cite_as"], "", f"> {cite_as(meta, ns.dataset, language)}", ""]
    lines += [f"### {w['source']}", "", credit, ""]
    if "source_rights" in meta and meta["source_rights"].get(language):
        lines += [" ".join(meta["source_rights"][language].split()), ""]
    lines += [f"### {w['licence']}", "", rights_text(meta)[language], "",
              f"{w['licence_file']} {licence.legal_code}", ""]
    if previous is not None:
        lines += [f"### {w['changes']}", "", previous.notes(ns.base)[language], ""]
    return lines


def write(out: Path, ns: Namespaces, meta: dict[str, Any], graphs: list[GraphInfo],
          previous: Previous | None = None, *, credit: dict[str, str]) -> None:
    (out / README_FILE).write_text(text(out, ns, meta, graphs, previous, credit=credit), encoding="utf-8")
