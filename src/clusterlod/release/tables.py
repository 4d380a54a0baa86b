"""dist/csv/: the release's records as CSV tables for spreadsheet users, with their W3C CSVW metadata.

The rows come from SPARQL over the built dataset (clusterlod.release.tablespecs), so a table cannot say what
the graph does not. The bytes follow what the Digital Agency's machine-readability rules (行政データにおける
機械可読性に関するルール) ask of a CSV: the header row first, one record a line, bare numbers, blank only
where there is no value; UTF-8 with a BOM (so Excel on Windows opens the Japanese text correctly) and CRLF line
ends (RFC 4180), both stated in the metadata.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.namespaces import Namespaces
from clusterlod.release.files import TABLE_FOLDER
from clusterlod.release.licence import LICENCES, rights_text
from clusterlod.release.tablespecs import SCHEMA, Column, Table, tables
from clusterlod.sources.dataset import release_date, release_version

#: The byte order mark the files begin with, and their line end.
BOM = "\ufeff"
LINE_END = "\r\n"
#: Prefixes that CSVW's own context defines as the release uses them; every other CURIE is written out.
_CSVW_PREFIXES = ("rdf", "rdfs", "skos", "oa", "xsd")

ENCODING_NOTE = {
    "ja": "文字コードは UTF-8（BOM 付き）、改行は CRLF、区切りはカンマ、カンマ・引用符を含む値は二重引用符で囲む。"
          "1行目は項目名（name、英数字）。空欄は値がないこと（ゼロではない）。数値は数字のみで、単位と概数（約）は別の列。",
    "en": "UTF-8 with a byte order mark, CRLF line ends, comma-separated; a value with a comma or a quote is in "
          "double quotes. The first line holds the column names (alphanumeric). A blank cell means there is no "
          "value (never zero). Numbers are bare; their unit and whether they are approximate (約) are in "
          "their own columns.",
}


def rows_of(table: Table, store: ox.Store, ns: Namespaces) -> list[dict[str, str]]:
    """The table's rows: its query over the release, every unbound variable a blank cell. Every value is the
    graph's (a computed code included: clusterlod.japan computes it while the graph is made), so a table
    cannot say what the release does not."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(ns.prefixes().items()))
    projected = " ".join(f"?{c.name}" for c in table.columns)
    text = prefixes + table.query.replace("SELECT DISTINCT *", f"SELECT DISTINCT {projected}", 1)
    rows = []
    for solution in store.query(text, use_default_graph_as_union=True):
        row = {}
        for column in table.columns:
            term = solution[column.name]
            row[column.name] = "" if term is None else term.value
        rows.append(row)
    return rows


def csv_bytes(table: Table, rows: list[dict[str, str]]) -> bytes:
    """The CSV file: BOM, the header of column names, one line a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.names)
    for row in rows:
        writer.writerow([row[name] for name in table.names])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _bilingual(ja: str, en: str) -> list[dict[str, str]]:
    return [{"@value": ja, "@language": "ja"}, {"@value": en, "@language": "en"}]


def _curie(term: str, ns: Namespaces) -> str:
    """A CURIE CSVW knows as the release means it, or the whole IRI (clo: and schema: are written out)."""
    prefix, _, local = term.partition(":")
    if prefix in _CSVW_PREFIXES or local.startswith("//") or not local:
        return term
    known = ns.prefixes()
    return known[prefix] + local if prefix in known else term


def _column(column: Column, ns: Namespaces) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.name, "titles": {"ja": column.ja, "en": column.en},
                           "datatype": column.datatype}
    if column.required:
        out["required"] = True
    if column.lang:
        out["lang"] = column.lang
    if column.prop is None:
        out["suppressOutput"] = True
    else:
        out["propertyUrl"] = _curie(column.prop, ns)
        if column.about:
            out["aboutUrl"] = column.about
        if column.value:
            out["valueUrl"] = column.value
    if column.unit:
        out[SCHEMA + "unitText"] = _bilingual(*column.unit)
    note_ja, note_en = column.note_ja, column.note_en
    if column.verbatim:
        note_ja, note_en = (note_ja + "出典どおりの表記。").strip(), (note_en + " As printed in the source.").strip()
    if column.prop is None:
        note_ja += "表示のための列（RDF には出力しない）。"
        note_en = (note_en + " For reading only (no RDF output).").strip()
    if note_ja or note_en:
        out["dc:description"] = _bilingual(note_ja, note_en)
    return out


def _table(table: Table, ns: Namespaces) -> dict[str, Any]:
    schema: dict[str, Any] = {"columns": [_column(c, ns) for c in table.columns],
                              "primaryKey": list(table.key) if len(table.key) > 1 else table.key[0],
                              "aboutUrl": table.about}
    keys = [{"columnReference": c.name, "reference": {"resource": c.codes, "columnReference": "code"}}
            for c in table.columns if c.codes]
    if keys:
        schema["foreignKeys"] = keys
    return {"url": table.file, "dc:title": _bilingual(table.ja, table.en),
            "dc:description": _bilingual(table.description_ja, table.description_en), "tableSchema": schema}


def metadata(ns: Namespaces, meta: dict[str, Any], specs: list[Table], sources: list[str] = (),
             credit: dict[str, str] | None = None) -> dict[str, Any]:
    """The CSVW table-group description of every table: columns, datatypes, IRIs, licence, credit, dialect;
    ``sources`` are the IRIs of the documents the data comes from, ``credit`` the release's credit line
    (出典・加工, clusterlod.release.licence.credit_lines), as the catalogue gives it."""
    rights = rights_text(meta)
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "ja"}],
        "dc:title": _bilingual(f"{meta['title']['ja']}：表", f"{meta['title']['en']}: tables"),
        "dc:description": _bilingual(
            "公開物のグラフから生成した表。各行は資源の IRI（iri 列など）で公開物に戻れ、"
            "数値には出典の正確な引用が付く。",
            "Tables generated from the release's graph. Each row leads back to the release by its resource's IRI, "
            "and each figure carries the exact quote of the source."),
        "dc:license": {"@id": meta["licence"]},
        "dc:rights": _bilingual(rights["ja"], rights["en"]),
        "dc:bibliographicCitation": _bilingual(" ".join(meta["attribution"]["ja"].split()),
                                               " ".join(meta["attribution"]["en"].split())),
        **({"cc:attributionText": _bilingual(credit["ja"], credit["en"])} if credit else {}),
        "dc:publisher": _bilingual(meta["publisher"]["ja"], meta["publisher"]["en"]),
        "dc:issued": {"@value": meta["issued"], "@type": "xsd:date"},
        "dc:modified": {"@value": release_date(meta), "@type": "xsd:date"},
        "dc:source": [{"@id": iri} for iri in sources],
        "dcat:version": release_version(meta),
        "dc:isPartOf": {"@id": ns.dataset},
        "dc:format": _bilingual("UTF-8（BOM 付き）、CRLF", "UTF-8 with BOM, CRLF"),
        "rdfs:comment": _bilingual(ENCODING_NOTE["ja"], ENCODING_NOTE["en"]),
        "dialect": {"encoding": "utf-8", "lineTerminators": [LINE_END], "delimiter": ",", "quoteChar": '"',
                    "doubleQuote": True, "header": True, "headerRowCount": 1, "skipRows": 0, "trim": False},
        "null": "",
        "tables": [_table(t, ns) for t in specs],
    }


def metadata_bytes(ns: Namespaces, meta: dict[str, Any], specs: list[Table], sources: list[str] = (),
                   credit: dict[str, str] | None = None) -> bytes:
    text = json.dumps(metadata(ns, meta, specs, sources, credit), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def source_documents(store: ox.Store, ns: Namespaces) -> list[str]:
    """The documents the release's statements are taken from (clo:SourceDocument), sorted."""
    query = f"SELECT DISTINCT ?d WHERE {{ ?d a <{ns.vocab}SourceDocument> }} ORDER BY ?d"
    return [row["d"].value for row in store.query(query, use_default_graph_as_union=True)]


def write_tables(out: Path, store: ox.Store, ns: Namespaces, meta: dict[str, Any],
                 credit: dict[str, str] | None = None) -> list[Path]:
    """Every table and the one metadata file into ``out``/csv/; the paths written."""
    if meta["licence"] not in LICENCES:
        raise ValueError(f"no licence text for {meta['licence']}")
    folder = out / TABLE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    specs, written = tables(ns), []
    for table in specs:
        path = folder / table.file
        path.write_bytes(csv_bytes(table, rows_of(table, store, ns)))
        written.append(path)
    path = folder / formats.CSVW_METADATA_FILE
    path.write_bytes(metadata_bytes(ns, meta, specs, source_documents(store, ns), credit))
    return [*written, path]
