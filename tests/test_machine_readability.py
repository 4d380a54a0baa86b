"""The tables of dist/csv/ against the Digital Agency's 行政データにおける機械可読性に関するルール, rule by rule.

One test per rule that applies to CSV, named after its ID. Each runs on the built tables and on a broken twin
(the same tables with one small fault a spreadsheet often has: a title line, a note row, a unit inside a
number, a merged-looking blank...): the built tables pass and every twin fails, so no check can pass by
checking nothing. The rules' IDs and names come from the vendored text (tests/data/machine-readability-rules/);
the rules that cannot apply to a CSV file are listed in NOT_FOR_CSV, and docs/release.md says the same.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from csv_tables import METADATA, Tables

RULES_FILE = Path(__file__).parent / "data/machine-readability-rules/machine-readability-rules.csv"
SOURCE = "data/source/knowledge-cluster-collaboration-2008.txt"
DOCS = "docs/release.md"

#: Rules for Excel workbooks that a CSV file cannot break, and why (docs/release.md's table says the same).
NOT_FOR_CSV = {
    "L1-10": "CSV has no objects (images, shapes, text boxes): every value is a cell",
    "L1-11": "CSV has no formatting (bold, colours, fonts): a difference is a value in a column",
    "L1-12": "CSV has no merged cells; the CSV form of the fault, a value left out below its first row, is L2-02",
    "L1-13": "CSV has no hidden rows or columns: every line and field is read",
}
NUMERIC = ("integer", "decimal", "double", "float", "number")
DATES = {"date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "gYearMonth": r"[0-9]{4}-[0-9]{2}", "gYear": r"[0-9]{4}"}
#: Integer columns that are a rank, not a quantity: they have no unit (L3-04).
RANKS = {"position"}
#: Characters that read differently across platforms (機種依存文字), by the classes of the Digital Agency's
#: sample checker (digital-go-jp/machine_readability_rule, rule L1-08): circled numbers, Roman numerals,
#: enclosed and squared forms, vertical forms, the wave dash and the full-width tilde, the Reiwa ligature.
PLATFORM_DEPENDENT = re.compile("[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2160-\u217f\u3220-\u3243"
                                "\u3280-\u32ff\u3300-\u33ff\ufe30-\ufe4f\u301c\uff5e]")
ERA = re.compile("(明治|大正|昭和|平成|令和)[0-9０-９元]+年")


def rules() -> dict[str, str]:
    with RULES_FILE.open(encoding="utf-8", newline="") as f:
        return {row["ID"]: row["ルール名称"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def tables(built_dist: Path, project_root: Path) -> Tables:
    return Tables.read(built_dist / "csv", (project_root / SOURCE).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- helpers

def columns_of(t: Tables, name: str, *types: str) -> list[str]:
    return [c["name"] for c in t.columns(name) if not types or c["datatype"] in types]


def code_columns(t: Tables, name: str) -> dict[str, str]:
    """Column -> code table, from the metadata's foreign keys."""
    keys = t.schema(name)["tableSchema"].get("foreignKeys", [])
    return {k["columnReference"]: k["reference"]["resource"] for k in keys}


def verbatim(t: Tables, cell: str) -> bool:
    """Printed in the source as it is: a quote, or a proper noun as the page writes it."""
    return bool(cell) and cell in t.source


def every_cell(t: Tables):
    for name in t.files:
        header, *records = t.rows(name)
        for number, record in enumerate(records, 2):
            for column, cell in zip(header, record, strict=False):
                yield name, number, column, cell


def judge(tables: Tables, twin: str, check: Callable[[Tables], list[str]]) -> None:
    """The built tables pass; the twin (the built tables with one fault made by ``break_<twin>``) fails."""
    t = tables.copy()
    if twin != "built":
        getattr(sys.modules[__name__], f"break_{twin}")(t)
    problems = check(t)
    if twin == "built":
        assert problems == []
    else:
        assert problems, f"the check passed the broken twin '{twin}'"


def _row_where(t: Tables, name: str, column: str, value: str) -> int:
    return next(i for i, r in enumerate(t.dicts(name)) if r[column] == value)


def _add_column(t: Tables, name: str, column: str, values: Callable[[dict[str, str]], str], meta: dict) -> None:
    rows = t.rows(name)
    rows[0].append(column)
    for record, as_dict in zip(rows[1:], t.dicts(name), strict=True):
        record.append(values(as_dict))
    t.write_rows(name, rows)
    if meta:
        t.columns(name).append(meta)


# ---------------------------------------------------------------- L1: format and layout

def check_L1_01(t: Tables) -> list[str]:
    problems = []
    for name in t.files:
        if not name.endswith(".csv"):
            problems.append(f"{name}: not a .csv file")
            continue
        try:
            rows = t.rows(name)
        except (UnicodeDecodeError, csv.Error) as error:
            problems.append(f"{name}: not a CSV a machine reads: {error}")
            continue
        if len(rows) < 2 or any(len(r) != len(rows[0]) for r in rows):
            problems.append(f"{name}: not one rectangular table")
    return problems


def break_pdf(t: Tables) -> None:
    t.files["projects.csv"] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize("twin", ["built", "pdf"])
def test_L1_01_files_are_csv_a_machine_reads(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_01)


def check_L1_02(t: Tables) -> list[str]:
    problems = []
    for name in t.files:
        header, *records = t.rows(name)
        for number, record in enumerate(records, 2):
            if record == header:
                problems.append(f"{name}:{number}: a second header: a second table in the file")
            elif len(record) != len(header):
                problems.append(f"{name}:{number}: {len(record)} fields under a header of {len(header)}")
    return problems


def break_second_table(t: Tables) -> None:
    rows = t.rows("regions.csv")
    fields = t.rows("fields.csv")
    t.write_rows("regions.csv", [*rows, [], *fields[:3]])


@pytest.mark.parametrize("twin", ["built", "second_table"])
def test_L1_02_one_table_per_file(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_02)


def check_L1_03(t: Tables) -> list[str]:
    """No blank row, no blank column the metadata does not define (a named column with no value in this
    edition is part of the schema, L3-07; a spacer column has no name)."""
    problems = []
    for name in t.files:
        header, *records = t.rows(name)
        named = set(columns_of(t, name))
        for number, record in enumerate(records, 2):
            if not any(cell.strip() for cell in record):
                problems.append(f"{name}:{number}: a blank row splits the table")
        for index, column in enumerate(header):
            if column not in named and not any(r[index].strip() for r in records if index < len(r)):
                problems.append(f"{name}: blank column {index + 1} splits the table")
    return problems


def break_blank_row(t: Tables) -> None:
    rows = t.rows("prefectures.csv")
    t.write_rows("prefectures.csv", [*rows[:10], [""] * len(rows[0]), *rows[10:]])


def break_spacer_column(t: Tables) -> None:
    rows = t.rows("regions.csv")
    t.write_rows("regions.csv", [[*r[:3], "", *r[3:]] for r in rows])


@pytest.mark.parametrize("twin", ["built", "blank_row", "spacer_column"])
def test_L1_03_data_is_not_split(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_03)


def check_L1_04(t: Tables) -> list[str]:
    """Every line is a record: its resource's IRI is given (the row's aboutUrl column), and no line is a note."""
    problems = []
    for name in t.files:
        key = t.schema(name)["tableSchema"]["aboutUrl"].strip("{+}")
        for number, row in enumerate(t.dicts(name), 2):
            first = next(iter(row.values()), "")
            if not row.get(key, "").startswith(("http://", "https://")):
                problems.append(f"{name}:{number}: a line that is no record (no IRI in {key})")
            elif first.startswith(("※", "注", "出典", "（注", "(注")):
                problems.append(f"{name}:{number}: a note line")
    return problems


def break_note_line(t: Tables) -> None:
    rows = t.rows("projects.csv")
    t.write_rows("projects.csv", [*rows, ["※数値は平成20年現在"] + [""] * (len(rows[0]) - 1)])


@pytest.mark.parametrize("twin", ["built", "note_line"])
def test_L1_04_nothing_beside_the_data(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_04)


def check_L1_05(t: Tables) -> list[str]:
    problems = []
    generic = re.compile(r"(列|column|col|field)[ _]?[0-9]+|unnamed[ _:0-9]*", re.IGNORECASE)
    for name in t.files:
        header = t.rows(name)[0]
        described = columns_of(t, name)
        if header != described:
            problems.append(f"{name}: header {header} is not the described columns {described}")
        for column in t.columns(name):
            titles = column.get("titles", {})
            for language in ("ja", "en"):
                title = titles.get(language, "").strip()
                if not title or generic.fullmatch(title) or title == column["name"]:
                    problems.append(f"{name}: column {column['name']} has no meaningful {language} title")
        for index, cell in enumerate(header):
            if not cell.strip() or generic.fullmatch(cell):
                problems.append(f"{name}: column {index + 1} has no name")
    return problems


def break_unnamed_column(t: Tables) -> None:
    rows = t.rows("organisations.csv")
    rows[0][3] = ""
    t.write_rows("organisations.csv", rows)


@pytest.mark.parametrize("twin", ["built", "unnamed_column"])
def test_L1_05_every_column_has_a_name(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_05)


def check_L1_06(t: Tables) -> list[str]:
    problems = []
    for name, number, column, cell in every_cell(t):
        if cell != cell.strip():
            problems.append(f"{name}:{number}: {column} padded with spaces")
        elif ("\u3000" in cell or "  " in cell) and not verbatim(t, cell):
            problems.append(f"{name}:{number}: {column} spaced out for looks")
    return problems


def break_spaced_name(t: Tables) -> None:
    t.edit("prefectures.csv", "name_ja", _row_where(t, "prefectures.csv", "code", "13"), "東　京　都")


def break_padded_name(t: Tables) -> None:
    t.edit("prefectures.csv", "name_ja", 0, "　北海道")


@pytest.mark.parametrize("twin", ["built", "spaced_name", "padded_name"])
def test_L1_06_no_spaces_or_breaks_for_layout(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_06)


def check_L1_07(t: Tables) -> list[str]:
    """One datum a cell: one IRI, one code, one number, one date, one true or false."""
    problems = []
    for name in t.files:
        kinds = {c["name"]: c["datatype"] for c in t.columns(name)}
        codes = set(code_columns(t, name)) | {"code"}
        for number, row in enumerate(t.dicts(name), 2):
            for column, cell in row.items():
                kind = kinds.get(column, "string")
                if not cell:
                    continue
                if kind == "anyURI":
                    ok = re.fullmatch(r"https?://\S+", cell) is not None and cell.count("://") == 1
                elif column in codes:
                    ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", cell) is not None
                elif kind in NUMERIC:
                    ok = re.fullmatch(r"-?[0-9]+", cell) is not None
                elif kind == "boolean":
                    ok = cell in ("true", "false")
                elif kind in DATES:
                    ok = re.fullmatch(DATES[kind], cell) is not None
                else:
                    continue
                if not ok:
                    problems.append(f"{name}:{number}: {column} holds more than one datum: {cell!r}")
    return problems


def break_two_fields(t: Tables) -> None:
    t.edit("project-fields.csv", "field", 0, "bio、information")


@pytest.mark.parametrize("twin", ["built", "two_fields"])
def test_L1_07_one_datum_per_cell(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_07)


def check_L1_08(t: Tables) -> list[str]:
    """No platform-dependent character, except in words printed so in the source (the rule's own exception:
    proper nouns written exactly, such as 北海道スーパー・クラスター振興戦略Ⅱ, and exact quotes)."""
    return [f"{name}:{number}: {column} has {PLATFORM_DEPENDENT.findall(cell)}"
            for name, number, column, cell in every_cell(t)
            if PLATFORM_DEPENDENT.search(cell) and not verbatim(t, cell)]


def break_circled_number(t: Tables) -> None:
    t.edit("codes.csv", "name_ja", 0, "①" + t.dicts("codes.csv")[0]["name_ja"])


def break_roman_numeral_in_english(t: Tables) -> None:
    row = _row_where(t, "projects.csv", "name_ja", "北海道スーパー・クラスター振興戦略Ⅱ")
    t.edit("projects.csv", "name_en", row, "Hokkaido Super Cluster Promotion Strategy Ⅱ")


@pytest.mark.parametrize("twin", ["built", "circled_number", "roman_numeral_in_english"])
def test_L1_08_no_platform_dependent_characters(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_08)


def check_L1_09(t: Tables) -> list[str]:
    """Blank is "no value", stated in the metadata, and a number is blank exactly where there is no figure."""
    problems = []
    if t.metadata.get("null") != "":
        problems.append("the metadata does not say that blank (and only blank) is no value")
    for number, row in enumerate(t.dicts("projects.csv"), 2):
        for stem in ("companies", "universities"):
            if bool(row[stem]) != bool(row[f"{stem}_figure"]):
                problems.append(f"projects.csv:{number}: {stem} is {row[stem]!r} but its figure is "
                                f"{row[f'{stem}_figure']!r}")
    for number, row in enumerate(t.dicts("figures.csv"), 2):
        if not row["value"]:
            problems.append(f"figures.csv:{number}: a figure without its value")
    return problems


def break_blank_figure(t: Tables) -> None:
    t.edit("projects.csv", "companies", 0, "")


def break_zero_for_no_figure(t: Tables) -> None:
    t.edit("projects.csv", "universities_figure", 1, "")
    t.edit("projects.csv", "universities", 1, "0")


@pytest.mark.parametrize("twin", ["built", "blank_figure", "zero_for_no_figure"])
def test_L1_09_blank_and_zero_are_apart(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_09)


def check_L1_14(t: Tables) -> list[str]:
    problems = []
    for name in t.files:
        lines = t.text(name).split("\r\n")
        if lines[-1] == "":
            lines.pop()
        records = t.rows(name)
        if len(lines) != len(records):
            problems.append(f"{name}: {len(records)} records on {len(lines)} lines")
        for number, record in enumerate(records, 1):
            if any("\n" in cell or "\r" in cell for cell in record):
                problems.append(f"{name}: record {number} breaks across lines")
    return problems


def break_quote_on_two_lines(t: Tables) -> None:
    row = _row_where(t, "events.csv", "date_quote", "平成19年11月28日～11月30日")
    t.edit("events.csv", "date_quote", row, "平成19年11月28日\n～11月30日")


@pytest.mark.parametrize("twin", ["built", "quote_on_two_lines"])
def test_L1_14_one_record_one_line(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_14)


def check_L1_15(t: Tables) -> list[str]:
    """A value with a comma is in double quotes: each line, read alone, has the header's number of fields."""
    problems = []
    for name in t.files:
        lines = [line for line in t.text(name).split("\r\n") if line]
        width = len(next(csv.reader([lines[0]])))
        for number, line in enumerate(lines[1:], 2):
            if len(next(csv.reader([line]))) != width:
                problems.append(f"{name}:{number}: a comma outside double quotes")
    return problems


def break_unquoted_comma(t: Tables) -> None:
    text = t.text("regions.csv")
    assert '"Hokkaido Bureau of Economy, Trade and Industry"' in text
    text = text.replace('"Hokkaido Bureau of Economy, Trade and Industry"', "Hokkaido Bureau of Economy, Trade and "
                                                                            "Industry")
    t.files["regions.csv"] = ("\ufeff" + text).encode("utf-8")


@pytest.mark.parametrize("twin", ["built", "unquoted_comma"])
def test_L1_15_commas_inside_double_quotes(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L1_15)


# ---------------------------------------------------------------- L2: values

def check_L2_01(t: Tables) -> list[str]:
    """Numbers are numbers: no unit, separator or note mark in a numeric column."""
    return [f"{name}:{number}: {column} = {row[column]!r} is not a bare number"
            for name in t.files for number, row in enumerate(t.dicts(name), 2)
            for column in columns_of(t, name, *NUMERIC)
            if row[column] and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", row[column])]


def break_unit_in_number(t: Tables) -> None:
    t.edit("projects.csv", "companies", _row_where(t, "projects.csv", "companies", "1170"), "約1,170社")


def break_note_mark_in_number(t: Tables) -> None:
    t.edit("figures.csv", "value", 0, "530※1")


@pytest.mark.parametrize("twin", ["built", "unit_in_number", "note_mark_in_number"])
def test_L2_01_numbers_hold_no_text(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L2_01)


def check_L2_02(t: Tables) -> list[str]:
    """Nothing left out as "same as above": every required column is filled on every row."""
    return [f"{name}:{number}: {column['name']} left blank"
            for name in t.files for number, row in enumerate(t.dicts(name), 2)
            for column in t.columns(name) if column.get("required") and not row.get(column["name"])]


def break_ditto(t: Tables) -> None:
    rows = t.dicts("project-fields.csv")
    row = next(i for i in range(1, len(rows)) if rows[i]["project"] == rows[i - 1]["project"])
    t.edit("project-fields.csv", "project", row, "")
    t.edit("project-fields.csv", "project_name_ja", row, "")


@pytest.mark.parametrize("twin", ["built", "ditto"])
def test_L2_02_no_value_left_out(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L2_02)


def check_L2_03(t: Tables) -> list[str]:
    problems = []
    for name in t.files:
        header = t.rows(name)[0]
        if len(set(header)) != len(header):
            problems.append(f"{name}: column names repeat: {header}")
        for language in ("ja", "en"):
            titles = [c["titles"][language] for c in t.columns(name)]
            if len(set(titles)) != len(titles):
                problems.append(f"{name}: {language} titles repeat")
    return problems


def break_repeated_name(t: Tables) -> None:
    rows = t.rows("organisations.csv")
    rows[0][rows[0].index("name_en")] = "name_ja"
    t.write_rows("organisations.csv", rows)


@pytest.mark.parametrize("twin", ["built", "repeated_name"])
def test_L2_03_column_names_are_unique(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L2_03)


def _codes(t: Tables, table: str) -> set[str]:
    return {r["code"] for r in t.dicts(table)}


def check_L2_04(t: Tables) -> list[str]:
    """Choices are codes, written one way: every value of a code column is a code of its table."""
    problems = []
    for name in t.files:
        for column, table in code_columns(t, name).items():
            allowed = _codes(t, table)
            problems += [f"{name}:{number}: {column} = {row[column]!r} is not a code of {table}"
                         for number, row in enumerate(t.dicts(name), 2) if row[column] and row[column] not in allowed]
    return problems


def break_status_in_words(t: Tables) -> None:
    t.edit("events.csv", "status", _row_where(t, "events.csv", "status", "Held"), "開催済")


@pytest.mark.parametrize("twin", ["built", "status_in_words"])
def test_L2_04_choices_are_standard_codes(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L2_04)


def check_L2_05(t: Tables) -> list[str]:
    """No "other (details)" inside a choice column or a code table: free text has its own column."""
    other = re.compile(r"その他|他（|other", re.IGNORECASE)
    problems = []
    for name in t.files:
        choices = set(code_columns(t, name))
        if any(name == table for c in t.files for table in code_columns(t, c).values()):
            choices |= {"code"}
        problems += [f"{name}:{number}: {column} = {row[column]!r} mixes a choice with free text"
                     for number, row in enumerate(t.dicts(name), 2) for column in choices
                     if other.search(row.get(column, ""))]
    return problems


def break_other_with_details(t: Tables) -> None:
    t.edit("events.csv", "status", _row_where(t, "events.csv", "status", "Planned"), "その他（延期）")


@pytest.mark.parametrize("twin", ["built", "other_with_details"])
def test_L2_05_other_is_kept_apart(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L2_05)


def check_L2_06(t: Tables) -> list[str]:
    """【Excel】 formulas: a CSV holds none, but a cell that begins with = + - or @ becomes one when a
    spreadsheet opens the file; no cell may (a negative number in a numeric column would be a number)."""
    problems = []
    for name in t.files:
        numeric = set(columns_of(t, name, *NUMERIC))
        for number, row in enumerate(t.dicts(name), 2):
            for column, cell in row.items():
                if cell[:1] in ("=", "+", "-", "@") and not (column in numeric and re.fullmatch(r"-[0-9]+", cell)):
                    problems.append(f"{name}:{number}: {column} = {cell!r} is read as a formula")
    return problems


def break_formula(t: Tables) -> None:
    t.edit("organisations.csv", "name_en", 0, '=HYPERLINK("https://example.org/","MEXT")')


@pytest.mark.parametrize("twin", ["built", "formula"])
def test_L2_06_no_formulas(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L2_06)


# ---------------------------------------------------------------- L3: codes, units, time, metadata

def check_L3_01(t: Tables) -> list[str]:
    problems = []
    for name, data in t.files.items():
        first = data.decode("utf-8", errors="replace").removeprefix("\ufeff").split("\r\n", 1)[0]
        if first != ",".join(columns_of(t, name)):
            problems.append(f"{name}: line 1 is {first[:40]!r}, not the column names")
    return problems


def break_title_line(t: Tables) -> None:
    t.files["projects.csv"] = b"\xef\xbb\xbf\xe3\x82\xaf\xe3\x83\xa9\xe3\x82\xb9\xe3\x82\xbf\xe3\x83\xbc\r\n" + \
        t.files["projects.csv"].removeprefix(b"\xef\xbb\xbf")


def break_blank_first_line(t: Tables) -> None:
    t.files["fields.csv"] = b"\xef\xbb\xbf\r\n" + t.files["fields.csv"].removeprefix(b"\xef\xbb\xbf")


@pytest.mark.parametrize("twin", ["built", "title_line", "blank_first_line"])
def test_L3_01_header_on_line_one_data_from_line_two(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_01)


def check_L3_02(t: Tables, folder: Path | None = None) -> list[str]:
    """Every code column names its code table (a CSVW foreign key) and every code is defined there with its
    Japanese and English names."""
    problems = []
    for name in t.files:
        for column, table in code_columns(t, name).items():
            if table not in t.files:
                problems.append(f"{name}: the code table {table} of {column} is not in the release")
                continue
            defined = {r["code"]: r for r in t.dicts(table)}
            for number, row in enumerate(t.dicts(name), 2):
                code = row[column]
                if code and (code not in defined or not defined[code].get("name_ja")
                             or not defined[code].get("name_en")):
                    problems.append(f"{name}:{number}: {column} = {code!r} is not defined in {table}")
        for column in columns_of(t, name):
            if column in ("region", "field", "kind", "status", "measure") and column not in code_columns(t, name):
                problems.append(f"{name}: the codes of {column} have no code table")
    return problems


def break_code_missing_from_table(t: Tables) -> None:
    rows = [r for r in t.rows("codes.csv") if r[0] != "Planned"]
    t.write_rows("codes.csv", rows)


def break_no_foreign_key(t: Tables) -> None:
    schema = t.schema("events.csv")["tableSchema"]
    schema["foreignKeys"] = [k for k in schema["foreignKeys"] if k["columnReference"] != "status"]


@pytest.mark.parametrize("twin", ["built", "code_missing_from_table", "no_foreign_key"])
def test_L3_02_codes_come_with_code_tables(tables: Tables, twin: str, tmp_path: Path) -> None:
    judge(tables, twin, check_L3_02)
    if twin == "built":  # and a CSVW processor agrees
        from csvw import TableGroup

        assert TableGroup.from_file(tables.copy().save(tmp_path)).check_referential_integrity()


def check_L3_03(t: Tables) -> list[str]:
    """No special symbol (秘匿 x, －, …, ▲) in a numeric column: blank is the one mark, and the metadata says so."""
    problems = [] if t.metadata.get("null") == "" else [f"null marks {t.metadata.get('null')!r} besides blank"]
    for name in t.files:
        for column in columns_of(t, name, *NUMERIC):
            problems += [f"{name}:{number}: {column} = {row[column]!r}"
                         for number, row in enumerate(t.dicts(name), 2)
                         if row[column] and not re.fullmatch(r"-?[0-9]+", row[column])]
    return problems


def break_secret_mark(t: Tables) -> None:
    t.edit("figures.csv", "value", 3, "x")


def break_dash_for_nothing(t: Tables) -> None:
    t.metadata["null"] = ["", "－"]


@pytest.mark.parametrize("twin", ["built", "secret_mark", "dash_for_nothing"])
def test_L3_03_no_special_symbols_in_numbers(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_03)


def check_L3_04(t: Tables) -> list[str]:
    """Every number has its unit beside it (``<column>_unit_ja``), filled wherever the number is."""
    problems = []
    for name in t.files:
        names = columns_of(t, name)
        for column in columns_of(t, name, *NUMERIC):
            if column in RANKS:
                continue
            unit = f"{column}_unit_ja"
            if unit not in names:
                problems.append(f"{name}: {column} has no unit column")
                continue
            problems += [f"{name}:{number}: {column} without its unit"
                         for number, row in enumerate(t.dicts(name), 2) if row[column] and not row.get(unit)]
    return problems


def break_unit_left_out(t: Tables) -> None:
    t.edit("projects.csv", "companies_unit_ja", 2, "")


def break_number_without_unit_column(t: Tables) -> None:
    _add_column(t, "organisations.csv", "staff", lambda row: "10",
                {"name": "staff", "titles": {"ja": "職員数", "en": "Staff"}, "datatype": "integer"})


@pytest.mark.parametrize("twin", ["built", "unit_left_out", "number_without_unit_column"])
def test_L3_04_units_are_stated(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_04)


def check_L3_05(t: Tables) -> list[str]:
    """Dates are Western ISO 8601; a Japanese-era date (a quote, a fiscal year's name) has a Western date beside it."""
    problems = []
    for name in t.files:
        kinds = {c["name"]: c["datatype"] for c in t.columns(name)}
        western = [c for c, kind in kinds.items() if kind in DATES]
        for number, row in enumerate(t.dicts(name), 2):
            for column in western:
                if row[column] and not re.fullmatch(DATES[kinds[column]], row[column]):
                    problems.append(f"{name}:{number}: {column} = {row[column]!r} is not ISO 8601")
            if any(ERA.search(cell) for cell in row.values()) and not any(row[c] for c in western):
                problems.append(f"{name}:{number}: a Japanese-era date without its Western date")
    return problems


def break_era_date(t: Tables) -> None:
    t.edit("events.csv", "start_date", _row_where(t, "events.csv", "start_date", "2007-11-28"), "平成19年11月28日")


def break_era_alone(t: Tables) -> None:
    row = _row_where(t, "events.csv", "fiscal_year_ja", "平成19年度")
    t.edit("events.csv", "fiscal_year", row, "")


@pytest.mark.parametrize("twin", ["built", "era_date", "era_alone"])
def test_L3_05_time_is_western_or_beside_it(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_05)


def _reference(root: Path) -> dict[str, str]:
    """JIS X 0401 code -> official name, from the verified identifier list (data/reference/identifiers.csv)."""
    with (root / "data/reference/identifiers.csv").open(encoding="utf-8", newline="") as f:
        return {r["identifier"]: r["entity_ja"] for r in csv.DictReader(f) if r["scheme"] == "jisx0401"}


def check_L3_06(t: Tables) -> list[str]:
    """Each prefecture: the standard code and the official name of the reference; each region: a code of its table."""
    reference = _reference(Path(__file__).parent.parent)
    problems = [] if len(reference) == 47 else ["the reference list does not hold the 47 prefectures"]
    rows = t.dicts("prefectures.csv")
    regions = _codes(t, "regions.csv")
    for number, row in enumerate(rows, 2):
        if reference.get(row["code"]) != row["name_ja"]:
            problems.append(f"prefectures.csv:{number}: {row['code']!r} {row['name_ja']!r} is not a standard code "
                            "with its official name")
        if not row["estat_area"].startswith(f"http://data.e-stat.go.jp/lod/sac/C{row['code']}000"):
            problems.append(f"prefectures.csv:{number}: e-Stat area code {row['estat_area']!r}")
        if row["region"] not in regions:
            problems.append(f"prefectures.csv:{number}: region {row['region']!r}")
    if sorted(r["code"] for r in rows) != sorted(reference):
        problems.append("prefectures.csv does not hold each prefecture once")
    return problems


def break_short_name(t: Tables) -> None:
    t.edit("prefectures.csv", "name_ja", _row_where(t, "prefectures.csv", "code", "13"), "東京")


def break_code_as_number(t: Tables) -> None:
    t.edit("prefectures.csv", "code", 0, "1")


@pytest.mark.parametrize("twin", ["built", "short_name", "code_as_number"])
def test_L3_06_standard_region_codes_and_official_names(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_06)


def documented_columns(root: Path) -> dict[str, list[str]]:
    """The columns docs/release.md promises, from its lines "- `file.csv`: `a`, `b`, ..." (its Tables section)."""
    text = (root / DOCS).read_text(encoding="utf-8")
    return {m.group(1): re.findall(r"`([a-z0-9_]+)`", m.group(2))
            for m in re.finditer(r"^- `([a-z-]+\.csv)`: (.+)$", text, re.MULTILINE)}


def check_L3_07(t: Tables) -> list[str]:
    """The format holds from one edition to the next: the columns are the ones the documentation promises (a
    change must change docs/release.md, and CHANGELOG.md says when)."""
    documented = documented_columns(Path(__file__).parent.parent)
    built = {name: columns_of(t, name) for name in t.files}
    return [f"{name}: columns {built.get(name)} differ from docs/release.md's {documented.get(name)}"
            for name in sorted(set(documented) | set(built)) if documented.get(name) != built.get(name)]


def break_renamed_column(t: Tables) -> None:
    rows = t.rows("events.csv")
    index = rows[0].index("start_date")
    rows[0][index] = "start"
    t.write_rows("events.csv", rows)
    t.columns("events.csv")[index]["name"] = "start"


@pytest.mark.parametrize("twin", ["built", "renamed_column"])
def test_L3_07_format_stays_as_documented(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_07)


def check_L3_08(t: Tables) -> list[str]:
    """Definitions and history: alphanumeric names, ja/en titles and datatype for each column, a title and
    description for each table; the release's date, version, licence and credit; the encoding and the BOM."""
    group, problems = t.metadata, []
    for key in ("dc:issued", "dc:modified", "dcat:version", "dc:license", "dc:bibliographicCitation", "dc:title",
                "dc:source"):
        if not group.get(key):
            problems.append(f"the metadata has no {key}")
    stated = " ".join(f.get("@value", "") for f in group.get("dc:format", []))
    bom = all(data.startswith(b"\xef\xbb\xbf") for data in t.files.values())
    if group.get("dialect", {}).get("encoding") != "utf-8" or "BOM" not in stated or not bom:
        problems.append(f"the encoding (utf-8) and BOM are not stated as written: {stated!r}, BOM on all: {bom}")
    for table in group["tables"]:
        for key in ("dc:title", "dc:description"):
            if {v["@language"] for v in table.get(key, [])} != {"ja", "en"}:
                problems.append(f"{table['url']}: no {key} in Japanese and English")
        for column in table["tableSchema"]["columns"]:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", column["name"]) or not column.get("datatype"):
                problems.append(f"{table['url']}: column {column['name']!r} needs an alphanumeric name and a datatype")
    return problems


def break_japanese_column_name(t: Tables) -> None:
    rows = t.rows("fields.csv")
    rows[0][rows[0].index("name_ja")] = "名称"
    t.write_rows("fields.csv", rows)
    next(c for c in t.columns("fields.csv") if c["name"] == "name_ja")["name"] = "名称"


def break_no_source(t: Tables) -> None:
    del t.metadata["dc:source"]


def break_bom_dropped(t: Tables) -> None:
    t.files["codes.csv"] = t.files["codes.csv"].removeprefix(b"\xef\xbb\xbf")


@pytest.mark.parametrize("twin", ["built", "japanese_column_name", "bom_dropped", "no_source"])
def test_L3_08_definitions_encoding_and_history(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_08)


def check_L3_09(t: Tables) -> list[str]:
    """Long format: no column per year or per repeat; the figures are one per row (figures.csv)."""
    problems = [f"{name}: column {column} spreads a series across columns"
                for name in t.files for column in columns_of(t, name)
                if re.search(r"(19|20)[0-9]{2}|_[0-9]+$", column)]
    if "figures.csv" not in t.files or not {"measure", "value"} <= set(columns_of(t, "figures.csv")):
        problems.append("no long table of the figures (figures.csv: measure, value)")
    return problems


def break_year_columns(t: Tables) -> None:
    _add_column(t, "projects.csv", "companies_2008", lambda row: row["companies"],
                {"name": "companies_2008", "titles": {"ja": "企業数2008", "en": "Companies 2008"},
                 "datatype": "integer"})


@pytest.mark.parametrize("twin", ["built", "year_columns"])
def test_L3_09_long_format(tables: Tables, twin: str) -> None:
    judge(tables, twin, check_L3_09)


# ---------------------------------------------------------------- the rules themselves

def test_every_rule_has_a_test_or_a_reason(project_root: Path) -> None:
    """Each of the 30 rules is tested here by its ID, or is in NOT_FOR_CSV; docs/release.md's table agrees."""
    ids = rules()
    assert len(ids) == 30 and set(NOT_FOR_CSV) <= set(ids)
    tested = {name.split("_")[1] + "-" + name.split("_")[2] for name in globals() if re.match(r"test_L[0-9]_", name)}
    assert tested | set(NOT_FOR_CSV) == set(ids) and not tested & set(NOT_FOR_CSV)
    text = (project_root / DOCS).read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (L[0-9]-[0-9]{2}) \|[^|]*\| ([^|]+) \|", text, re.MULTILINE))
    assert set(table) == set(ids)
    for rule, verdict in table.items():
        if rule in NOT_FOR_CSV:
            assert verdict.strip().startswith("does not apply"), rule
        else:
            test = re.match(r"`(test_[A-Za-z0-9_]+)`", verdict.strip())
            assert test and test.group(1).startswith("test_" + rule.replace("-", "_")) and test.group(1) in globals(), \
                rule
    for rule, name in ids.items():
        assert name in text, f"docs/release.md does not name rule {rule}: {name}"


def test_the_vendored_rules_keep_their_notice() -> None:
    notice = (RULES_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "PDL 1.0" in notice and "digital-go-jp/machine_readability_rule" in notice
    assert METADATA == "csv-metadata.json"
