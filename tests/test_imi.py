"""The IMI view and the standard codes: what a user of Japan's open government data queries, on our release.

Expected values come from the source text (its lines, read here) and from published code lists, never from
clusterlod's code: the 和暦 dates are converted by this file's own arithmetic, the check digit by the rule
as 総務省 states it, and the 47 codes are compared with a list published independently.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from clusterlod.japan import check_digit, fiscal_year_both, fiscal_year_ja, gbizinfo_iri, prefecture_code

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "source" / "knowledge-cluster-collaboration-2008.txt"
IDENTIFIERS = ROOT / "data" / "reference" / "identifiers.csv"
IC = "http://imi.go.jp/ns/core/rdf#"
BASE = "https://w3id.org/clusterlod/"
PREFIX = f"PREFIX ic: <{IC}>\n"
#: The event query of a city's event LOD (Kobe's, for one), as issue 25 and docs/querying.md write it.
EVENTS = PREFIX + """SELECT ?s ?name ?from ?place WHERE {
  ?s a ic:イベント型 ; ic:名称/ic:表記 ?name ; ic:期間 [ ic:開始日 ?from ] ; ic:開催場所/ic:名称/ic:表記 ?place .
}"""
#: e-Stat's standard area codes are read with this pattern.
CODES = PREFIX + "SELECT ?s ?label ?code WHERE { ?s ic:表記 ?label ; ic:識別値 ?code }"

#: 全国地方公共団体コード of the 47 prefectures as published in a public GitHub file independent of this
#: project (a Java test, GetPrefectureLgCodeServiceTest, package net.seijishikin.jp.normalize, which lists
#: "// 010006,北海道" ... "// 470007,沖縄県"); 010006, 130001 and 270008 also appear in two more public files
#: (a CSV sample "010006,北海道 ... 130001,東京都" and the jlg tool's README, `jlg code 大阪府` -> 270008).
PUBLISHED = {
    "北海道": "010006", "青森県": "020001", "岩手県": "030007", "宮城県": "040002", "秋田県": "050008",
    "山形県": "060003", "福島県": "070009", "茨城県": "080004", "栃木県": "090000", "群馬県": "100005",
    "埼玉県": "110001", "千葉県": "120006", "東京都": "130001", "神奈川県": "140007", "新潟県": "150002",
    "富山県": "160008", "石川県": "170003", "福井県": "180009", "山梨県": "190004", "長野県": "200000",
    "岐阜県": "210005", "静岡県": "220001", "愛知県": "230006", "三重県": "240001", "滋賀県": "250007",
    "京都府": "260002", "大阪府": "270008", "兵庫県": "280003", "奈良県": "290009", "和歌山県": "300004",
    "鳥取県": "310000", "島根県": "320005", "岡山県": "330001", "広島県": "340006", "山口県": "350001",
    "徳島県": "360007", "香川県": "370002", "愛媛県": "380008", "高知県": "390003", "福岡県": "400009",
    "佐賀県": "410004", "長崎県": "420000", "熊本県": "430005", "大分県": "440001", "宮崎県": "450006",
    "鹿児島県": "460001", "沖縄県": "470007",
}


def source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").splitlines()


def heisei(year: str) -> int:
    """平成N年 as 西暦: 平成元年 is 1989."""
    return 1988 + int(year)


def caption_events() -> list[tuple[str, str, str]]:
    """(name, first day, venue) of each photo caption: a name line, then （平成Y年M月D日～…・venue）."""
    lines, found = source_lines(), []
    caption = re.compile(r"（平成(\d+)年(\d+)月(\d+)日～[^・]*・(.+)）")
    for number, line in enumerate(lines):
        match = caption.fullmatch(line.strip())
        if match:
            year, month, day, venue = match.groups()
            found.append((lines[number - 1].strip(), f"{heisei(year)}-{int(month):02d}-{int(day):02d}", venue))
    return found


def line_with(words: str) -> str:
    [line] = [line for line in source_lines() if words in line]
    return line


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value if term is not None else "" for term in row)
            for row in store.query(query, use_default_graph_as_union=True)]


# --------------------------------------------------------------------------- the event query


def test_the_event_query_finds_every_dated_event_with_its_place(dist_store: ox.Store) -> None:
    captions = caption_events()
    assert len(captions) == 3  # the three photo captions of the page
    # Two more events the body dates and places: 平成20年4月の…来日 (a visit to Japan) and 日本における…2007・春.
    assert "平成20年4月のフィヨン首相来日" in line_with("フィヨン首相来日")
    assert "日本におけるイタリア2007・春" in line_with("2007・春")
    body = [("フィヨン首相来日", f"{heisei('20')}-04", "日本"), ("イタリアの春", "2007", "日本")]
    expected = {*captions, *body}
    rows = {(name, start, place) for _, name, start, place in select(dist_store, EVENTS)}
    assert rows == expected


def test_dates_keep_the_precision_the_page_prints(dist_store: ox.Store) -> None:
    XSD = "http://www.w3.org/2001/XMLSchema#"
    types = {row["name"].value: row["from"].datatype.value
             for row in dist_store.query(EVENTS, use_default_graph_as_union=True)}
    assert types["フィヨン首相来日"] == XSD + "gYearMonth"  # 平成20年4月: no day made up
    assert types["イタリアの春"] == XSD + "gYear"
    assert types["第7回産学官連携推進会議"] == XSD + "date"
    # The page's own words for the dates (和暦) stand beside them in ic:説明.
    [(words,)] = select(dist_store, PREFIX + """SELECT ?words WHERE {
        ?s ic:名称/ic:表記 "第7回産学官連携推進会議" ; ic:期間/ic:説明 ?words }""")
    assert words in line_with("国立京都国際会館")


def test_a_fiscal_year_is_a_period_with_wareki_beside_seireki(dist_store: ox.Store) -> None:
    """平成19年度 (line 79) dates クラスタージャパン2007 and the seminars: a period, not a start day."""
    assert "平成19年度" in line_with("地域クラスターセミナー")
    rows = set(select(dist_store, PREFIX + """SELECT ?name ?when WHERE {
        ?s a ic:イベント型 ; ic:名称/ic:表記 ?name ; ic:期間 ?p . ?p a ic:期間型 ; ic:説明 ?when }"""))
    fy2007 = "平成19年度（2007年度）"
    assert rows == {("クラスタージャパン2007", fy2007), ("地域クラスターセミナー", fy2007)}
    assert select(dist_store, PREFIX + """SELECT ?d WHERE { ?s ic:名称/ic:表記 "クラスタージャパン2007" ;
        ic:期間/ic:開始日 ?d }""") == []


def test_a_place_the_page_names_carries_it_as_its_address(dist_store: ox.Store) -> None:
    assert "「クラスタージャパン2007」を東京で開催" in line_with("を東京で開催")
    rows = select(dist_store, PREFIX + """SELECT ?address WHERE {
        ?s ic:名称/ic:表記 "クラスタージャパン2007" ; ic:開催場所/ic:住所/ic:表記 ?address }""")
    assert rows == [("東京",)]


def test_an_editorial_date_stays_editorial_in_the_view(dist_store: ox.Store) -> None:
    """クラスタージャパン2008's December is the editors' (the forum "に合わせて" is held then): its ic:開始日 is in
    the view of that basis's graph, found the way the release finds any editorial basis."""
    rows = select(dist_store, PREFIX + """PREFIX clo: <https://w3id.org/clusterlod/ontology/>
        SELECT ?g ?d ?basis WHERE {
          <https://w3id.org/clusterlod/id/event/cluster-japan-2008> ic:期間 ?p .
          GRAPH ?g { ?p ic:開始日 ?d }
          ?basis a clo:EditorialBasis .
          FILTER (STRAFTER(STR(?g), "/editorial/") = STRAFTER(STR(?basis), "/id/basis/"))
        }""")
    assert rows == [(BASE + "graph/imi/editorial/cluster-japan-2008-timing", "2008-12",
                     BASE + "id/basis/cluster-japan-2008-timing")]


def test_the_view_never_writes_into_a_source_graph(publication) -> None:
    view_graphs = {q.graph_name.value for q in publication.view}
    assert view_graphs and all(g.startswith(BASE + "graph/imi/") for g in view_graphs)
    sources = {q.graph_name.value for q in publication.built.quads}
    assert not view_graphs & sources
    # Each view graph restates one source graph that exists.
    assert {g.replace("graph/imi/", "graph/") for g in view_graphs} <= sources


def test_every_ic_term_of_the_view_is_in_the_crosswalk_with_where_it_was_checked(publication) -> None:
    crosswalk = rdflib.Graph().parse(ROOT / "ontology" / "imi-crosswalk.ttl")
    checked = {str(s) for s, o in crosswalk.subject_objects(rdflib.SKOS.note) if str(s).startswith(IC)}
    used = {t.value for q in publication.view for t in (q.predicate, q.object)
            if isinstance(t, ox.NamedNode) and t.value.startswith(IC)}
    assert used and used <= checked, sorted(used - checked)
    for term in used:
        note = str(crosswalk.value(rdflib.URIRef(term), rdflib.SKOS.note))
        assert re.search(r"\[A\] line \d+", note), (term, note)  # the line of IMI 2.4.1 that defines it


def test_every_clo_term_has_a_mapping_or_says_it_has_none() -> None:
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "clusterlod.ttl")
    crosswalk = rdflib.Graph().parse(ROOT / "ontology" / "imi-crosswalk.ttl")
    OWL = rdflib.OWL
    terms = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in ontology.subjects(rdflib.RDF.type, kind)}
    matches = (rdflib.SKOS.exactMatch, rdflib.SKOS.closeMatch, rdflib.SKOS.broadMatch)
    for term in terms:
        notes = {n.language for n in crosswalk.objects(term, rdflib.SKOS.editorialNote)}
        assert notes == {"ja", "en"}, f"{term}: a one-line reason in Japanese and English"
        mapped = [o for p in matches for o in crosswalk.objects(term, p)]
        if not mapped:
            english = str(next(n for n in crosswalk.objects(term, rdflib.SKOS.editorialNote) if n.language == "en"))
            assert english.startswith("No IMI counterpart"), term
        assert all(str(o).startswith(IC) for o in mapped), term


# --------------------------------------------------------------------------- the codes


def test_check_digit_rule_on_published_codes() -> None:
    # Hokkaido 010006, Tokyo 130001, Osaka 270008 (総務省's rule: digits x 6,5,4,3,2; (11 - sum mod 11) mod 10).
    for code in ("010006", "130001", "270008", *PUBLISHED.values()):
        assert check_digit(code[:5]) == code[5], code
    assert check_digit("13101") == "6"  # 千代田区 131016, a municipality from the same published CSV sample
    with pytest.raises(ValueError):
        check_digit("1300")
    with pytest.raises(ValueError):
        prefecture_code("48")


def jis_codes() -> dict[str, str]:
    with IDENTIFIERS.open(encoding="utf-8", newline="") as handle:
        return {row["entity_ja"]: row["identifier"] for row in csv.DictReader(handle) if row["scheme"] == "jisx0401"}


def test_the_estat_style_code_query_finds_all_47_prefectures(dist_store: ox.Store) -> None:
    rows = select(dist_store, CODES)
    prefectures = {s for s, _, _ in rows}
    assert len(prefectures) == 47 and all(s.startswith(BASE + "id/prefecture/") for s in prefectures)
    found = {label: code for _, label, code in rows}
    assert found == PUBLISHED  # each name with the code published for it
    jis = jis_codes()
    for label, code in found.items():
        assert re.fullmatch(r"[0-9]{6}", code) and code[:2] == jis[label] and code[2:5] == "000", (label, code)
        weights = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
        assert int(code[5]) == (11 - weights % 11) % 10, (label, code)


def test_prefectures_carry_the_code_in_the_release_too_with_the_estat_link(dist_store: ox.Store) -> None:
    rows = select(dist_store, """PREFIX clo: <https://w3id.org/clusterlod/ontology/>
        SELECT ?p ?code ?sac WHERE { ?p a clo:Prefecture ; clo:localGovernmentCode ?code ;
          <https://schema.org/sameAs>|<http://www.w3.org/2002/07/owl#sameAs> ?sac
          FILTER STRSTARTS(STR(?sac), "http://data.e-stat.go.jp/lod/sac/") }""")
    assert len({p for p, _, _ in rows}) == 47
    for _, code, sac in rows:  # the e-Stat standard area code is the first five digits
        assert sac.rsplit("/", 1)[1].startswith("C" + code[:5]), (code, sac)


def test_ministries_link_their_corporate_number_to_gbizinfo(dist_store: ox.Store) -> None:
    rows = set(select(dist_store, """PREFIX clo: <https://w3id.org/clusterlod/ontology/>
        SELECT ?m ?n ?link WHERE { ?m a clo:Ministry ; clo:corporateNumber ?n ; rdfs:seeAlso ?link
          FILTER STRSTARTS(STR(?link), "http://hojin-info.go.jp/") }""".replace(
        "SELECT", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT")))
    # The numbers of identifiers.csv, in gBizINFO's form http://hojin-info.go.jp/data/basic/<法人番号>.
    assert rows == {(BASE + "id/organization/mext", "7000012060001", "http://hojin-info.go.jp/data/basic/7000012060001"),
                    (BASE + "id/organization/meti", "4000012090001", "http://hojin-info.go.jp/data/basic/4000012090001")}
    ids = set(select(dist_store, PREFIX + """SELECT ?name ?value ?scheme WHERE {
        ?m a ic:組織型 ; ic:名称/ic:表記 ?name ; ic:ID [ ic:識別値 ?value ; ic:体系/ic:名称/ic:表記 ?scheme ] }"""))
    assert ids == {("文部科学省", "7000012060001", "法人番号"), ("経済産業省", "4000012090001", "法人番号")}
    with pytest.raises(ValueError):
        gbizinfo_iri("700001206000")


def test_fiscal_years_in_wareki_and_seireki() -> None:
    # 平成元年 is 1989; the page's 平成19年度 is FY2007 (line 79) and 平成20年 is 2008.
    assert fiscal_year_ja(2007) == "平成19年度" and "平成19年度" in line_with("地域クラスターセミナー")
    assert fiscal_year_ja(1989) == "平成元年度" and fiscal_year_ja(2019) == "2019年度"
    assert fiscal_year_both(2007, "ja") == "平成19年度（2007年度）"
    assert fiscal_year_both(2007, "en") == "FY2007 (平成19年度)"
    assert fiscal_year_both(2020, "ja") == "2020年度"


def test_the_pages_show_a_fiscal_year_in_wareki_beside_seireki(built_dist: Path, tmp_path: Path) -> None:
    from inprocess import app_client

    (tmp_path / "queries").mkdir()
    with app_client(dist=built_dist, queries=tmp_path / "queries") as client:
        ja, en = client.get("/index.ja.html").text, client.get("/index.en.html").text
    assert "平成19年度（2007年度）" in ja  # the page prints 平成19年度 (line 79)
    assert "FY2007 (平成19年度)" in en
