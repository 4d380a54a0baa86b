"""dist/csv/: the tables for spreadsheet users, generated from the graph, described by CSVW, in the catalogue.

The machine-readability rules are checked one by one in test_machine_readability.py; here: what the tables
hold, that they come from the graph alone, and the CSVW round trip (every triple the metadata makes of a
table is a triple of the release: the drift guard).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from csv_tables import METADATA, Tables, release_triples, to_rdf

from clusterlod import formats
from clusterlod.build import credit_of
from clusterlod.japan import check_digit, prefecture_code
from clusterlod.namespaces import Namespaces
from clusterlod.release.tables import write_tables
from clusterlod.sources.project import read_sources

DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
IANA = "https://www.iana.org/assignments/media-types/"
SOURCE = "data/source/knowledge-cluster-collaboration-2008.txt"


@pytest.fixture(scope="module")
def tables(built_dist: Path, project_root: Path) -> Tables:
    return Tables.read(built_dist / "csv", (project_root / SOURCE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def release(built_dist: Path) -> set[tuple]:
    return release_triples(built_dist / formats.DATASET_FILE)


def test_every_table_of_the_metadata_is_written_and_no_other(tables: Tables, built_dist: Path) -> None:
    described = [t["url"] for t in tables.metadata["tables"]]
    assert sorted(described) == sorted(tables.files)
    # At least the kinds of record the issue names, each with rows.
    for name in ("projects.csv", "events.csv", "organisations.csv", "prefectures.csv", "regions.csv",
                 "figures.csv", "fields.csv", "codes.csv"):
        assert len(tables.dicts(name)) > 0, name
    assert sorted(p.name for p in (built_dist / "csv").iterdir()) == sorted([*described, METADATA])


def test_tables_are_the_graph_written_again(built_dist: Path, project_root: Path, tmp_path: Path) -> None:
    """Made from the published N-Quads alone (no YAML), the tables come out byte for byte as released."""
    store = ox.Store()
    store.bulk_load(path=str(built_dist / formats.DATASET_FILE), format=ox.RdfFormat.N_QUADS)
    sources = read_sources(project_root)
    written = write_tables(tmp_path, store, Namespaces(), sources.dataset, credit_of(sources))
    assert written
    for path in written:
        assert path.read_bytes() == (built_dist / "csv" / path.name).read_bytes(), path.name


def test_csvw_round_trip_is_contained_in_the_release(built_dist: Path, tables: Tables, release: set[tuple]) -> None:
    triples = to_rdf(built_dist / "csv" / METADATA)
    assert sorted(triples) == sorted(tables.files)
    for name, made in triples.items():
        assert made, name
        assert sorted(made - release) == [], name
    # Every column that maps to RDF yields triples, so none is silently left out of the check.
    predicates = {p for made in triples.values() for _, p, _ in made}
    for table in tables.metadata["tables"]:
        for column in table["tableSchema"]["columns"]:
            if column.get("suppressOutput"):
                continue
            assert any(str(p).endswith(column["propertyUrl"].split(":")[-1].split("}")[-1]) for p in predicates), \
                (table["url"], column["name"])


def test_the_round_trip_catches_a_table_that_drifts(tables: Tables, release: set[tuple], tmp_path: Path) -> None:
    """The broken twin: one number changed in projects.csv gives a triple the release does not hold."""
    twin = tables.copy()
    row = next(i for i, r in enumerate(twin.dicts("projects.csv")) if r["companies"] == "570")
    twin.edit("projects.csv", "companies", row, "571")
    made = to_rdf(twin.save(tmp_path / "twin"))["projects.csv"]
    extra = made - release
    assert [(str(s).rsplit("/", 1)[-1], o.toPython()) for s, _, o in extra] == \
        [("hokkaido-super-cluster-companies", 571)]


def test_every_row_carries_its_iri_and_every_figure_its_exact_quote(tables: Tables) -> None:
    for table in tables.metadata["tables"]:
        about = table["tableSchema"]["aboutUrl"]
        column = about.strip("{+}")
        for row in tables.dicts(table["url"]):
            assert row[column].startswith("https://w3id.org/clusterlod/"), (table["url"], row)
    figures = tables.dicts("figures.csv")
    assert figures
    for row in figures:
        if row["basis"]:  # an editorial figure names its basis instead of a quote
            continue
        assert row["quote"] and row["quote"] in tables.source, row
        # 約 is its own column, and says what the quote says.
        assert (row["value_approximate"] == "true") == row["quote"].startswith("約"), row
    projects = tables.dicts("projects.csv")
    for row in projects:
        for stem in ("companies", "universities"):
            if row[stem]:
                assert row[f"{stem}_quote"] in tables.source
                assert f"{int(row[stem]):,}" in row[f"{stem}_quote"], row


def test_figures_from_the_source_text(tables: Tables) -> None:
    """Facts read off the page: 北海道スーパー・クラスター振興戦略Ⅱ, 情報・バイオ分野 約570社 28大学 (the map)."""
    assert "◆北海道スーパー・クラスター振興戦略Ⅱ\n　情報・バイオ分野　約570社　28大学" in tables.source
    row = next(r for r in tables.dicts("projects.csv") if r["name_ja"] == "北海道スーパー・クラスター振興戦略Ⅱ")
    assert (row["companies"], row["companies_approximate"], row["companies_unit_ja"], row["companies_quote"]) == \
        ("570", "true", "社", "約570社")
    assert (row["universities"], row["universities_approximate"], row["universities_quote"]) == \
        ("28", "false", "28大学")
    fields = {r["field"] for r in tables.dicts("project-fields.csv") if r["project"] == row["iri"]}
    names = {r["code"]: r["name_ja"] for r in tables.dicts("fields.csv")}
    assert {names[f] for f in fields} == {"情報", "バイオ"}
    # The page's count of projects (18プロジェクト) is the number of project rows.
    assert "18プロジェクト" in tables.source
    assert len(tables.dicts("projects.csv")) == 18
    # A dated event: クラスタージャパン2007テクノフェア（平成19年11月28日～11月30日・東京ビッグサイト）
    fair = next(r for r in tables.dicts("events.csv") if r["name_ja"] == "クラスタージャパン2007テクノフェア")
    assert (fair["start_date"], fair["end_date"], fair["venue_name_ja"]) == \
        ("2007-11-28", "2007-11-30", "東京ビッグサイト")
    assert fair["date_quote"] in tables.source


def test_blank_never_stands_for_zero(tables: Tables) -> None:
    assert tables.metadata["null"] == ""
    for row in tables.dicts("projects.csv"):
        for stem in ("companies", "universities"):
            assert bool(row[stem]) == bool(row[f"{stem}_figure"]), row
    for table in tables.metadata["tables"]:
        numeric = [c["name"] for c in table["tableSchema"]["columns"] if c["datatype"] == "integer"]
        for row in tables.dicts(table["url"]):
            assert all(row[n] != "0" for n in numeric), row


def test_prefectures_carry_jis_and_local_government_codes(tables: Tables, project_root: Path) -> None:
    """The JIS X 0401 codes and official names of the verified identifier list; the six-digit code is the JIS
    code, 000 and its check digit, and the e-Stat standard area code is the same five digits."""
    reference = {}
    with (project_root / "data/reference/identifiers.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["scheme"] == "jisx0401":
                reference[row["identifier"]] = row["entity_ja"]
    rows = tables.dicts("prefectures.csv")
    assert len(reference) == 47 and {r["code"]: r["name_ja"] for r in rows} == reference
    for row in rows:
        assert row["local_government_code"][:5] == row["code"] + "000"
        assert row["local_government_code"] == PUBLISHED.get(row["code"], row["local_government_code"])
        assert row["estat_area"].startswith(f"http://data.e-stat.go.jp/lod/sac/C{row['code']}000")


# Published 全国地方公共団体コード (総務省, 都道府県コード及び市区町村コード): the prefectures' six digits.
PUBLISHED = {"01": "010006", "02": "020001", "11": "110001", "13": "130001", "14": "140007", "23": "230006",
             "27": "270008", "47": "470007"}


@pytest.mark.parametrize(("jis", "code"), sorted(PUBLISHED.items()))
def test_the_local_government_code_matches_the_published_code(jis: str, code: str) -> None:
    assert prefecture_code(jis) == code
    assert check_digit(code[:5]) == code[5]


@pytest.mark.parametrize("bad", ["1", "00", "48", "1a", "013"])
def test_local_government_code_refuses_what_is_no_prefecture_code(bad: str) -> None:
    with pytest.raises(ValueError):
        prefecture_code(bad)


def test_codes_have_their_code_tables(built_dist: Path, tables: Tables) -> None:
    """Every code column is a foreign key into a code table of the group, and csvw finds every code there."""
    from csvw import TableGroup

    for table in tables.metadata["tables"]:
        keys = {k["columnReference"]: k["reference"]["resource"] for k in table["tableSchema"].get("foreignKeys", [])}
        for column in table["tableSchema"]["columns"]:
            if column["name"] in ("region", "field", "kind", "status", "measure"):
                assert column["name"] in keys, (table["url"], column["name"])
    assert TableGroup.from_file(built_dist / "csv" / METADATA).check_referential_integrity()


def test_the_catalogue_lists_each_table_as_a_distribution(built_dist: Path, tables: Tables) -> None:
    graph = rdflib.Graph().parse(built_dist / formats.CATALOG_FILE)
    base = "https://w3id.org/clusterlod/download/csv/"
    for name, media in [*((n, formats.CSV_MEDIA_TYPE) for n in tables.files),
                        (METADATA, formats.CSVW_METADATA_MEDIA_TYPE)]:
        node = rdflib.URIRef(base + name)
        assert (rdflib.URIRef("https://w3id.org/clusterlod/dataset"), rdflib.URIRef(DCAT + "distribution"),
                node) in graph, name
        assert (node, rdflib.URIRef(DCAT + "mediaType"), rdflib.URIRef(IANA + media)) in graph, name
        titles = {t.language for t in graph.objects(node, rdflib.URIRef(DCTERMS + "title"))}
        assert titles == {"ja", "en"}, name


def test_the_metadata_names_licence_credit_and_dialect(tables: Tables, project_root: Path) -> None:
    meta = read_sources(project_root).dataset
    group = tables.metadata
    assert group["dc:license"] == {"@id": meta["licence"]}
    assert {c["@language"]: c["@value"] for c in group["dc:bibliographicCitation"]}["ja"] == \
        " ".join(meta["attribution"]["ja"].split())
    assert group["dialect"]["encoding"] == "utf-8" and group["dialect"]["lineTerminators"] == ["\r\n"]
    for name, data in tables.files.items():
        assert data.startswith(b"\xef\xbb\xbf"), name  # the BOM the metadata states ("dc:format")
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), name
        assert list(csv.reader(io.StringIO(tables.text(name))))[0] == \
            [c["name"] for c in tables.columns(name)], name


def test_a_build_failing_after_the_tables_leaves_the_release_as_it_was(built_dist: Path, project_root: Path,
                                                                        tmp_path: Path) -> None:
    """The tables go through the release's staging folder: written, then thrown away with it on a failure."""
    import shutil

    from clusterlod.build import build

    out = tmp_path / "dist"
    shutil.copytree(built_dist, out)
    (out / "csv" / "projects.csv").write_bytes(b"the previous release\r\n")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    seen: list[Path] = []

    def timer(name, stage, run) -> None:
        stage(run)
        if name == "tables (CSV)":
            seen.extend(sorted((run.staging / "csv").iterdir()))
            raise RuntimeError("stopped after the tables")

    with pytest.raises(RuntimeError, match="stopped after the tables"):
        build(project_root, out, timer=timer)
    assert [p.name for p in seen] == sorted(p.name for p in (built_dist / "csv").iterdir())
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


def test_a_column_with_one_unit_states_it_and_its_cells_agree(tables: Tables) -> None:
    unit = "https://schema.org/unitText"
    stated = [(t["url"], c) for t in tables.metadata["tables"] for c in t["tableSchema"]["columns"] if unit in c]
    assert {c["name"] for _, c in stated} == {"companies", "universities"}
    for name, column in stated:
        words = {v["@language"]: v["@value"] for v in column[unit]}
        for row in tables.dicts(name):
            if row[column["name"]]:
                stem = column["name"]
                assert (row[f"{stem}_unit_ja"], row[f"{stem}_unit_en"]) == (words["ja"], words["en"])


def test_a_prefecture_code_that_is_none_names_its_record_and_writes_nothing(project_copy: Path,
                                                                          tmp_path: Path) -> None:
    """The six-digit code is computed from the JIS code: a code outside 01..47 stops the build at its record."""
    from clusterlod.build import build
    from clusterlod.errors import DataError

    for name, old, new in (("data/prefectures.yaml", "jisx0401:47", "jisx0401:48"),
                           ("data/reference/identifiers.csv", "沖縄県,jisx0401,47,", "沖縄県,jisx0401,48,")):
        path = project_copy / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1
        path.write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "dist"
    with pytest.raises(DataError) as failure:
        build(project_copy, out)
    assert failure.value.path == "data/prefectures.yaml" and failure.value.record == "okinawa-ken", str(failure.value)
    assert "48" in str(failure.value)
    assert not out.exists()
