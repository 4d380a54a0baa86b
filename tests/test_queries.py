"""Canned queries: their answers on the built data (written down by hand from the source page),
the same rows on a live Oxigraph server, safe parameters, clear errors, and the CLI.

Expected rows come from the brochure page and data/*.yaml, not from running the code: e.g. the
Kanto region's companies are 2,240 + 530 + 840 = 3,610, and the 18 projects' companies add up to
10,690 against the page's 約10,700.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from inprocess import run_cli
from stores import free_port

from clusterlod.errors import ClusterlodError, RemoteError
from clusterlod.sparql import canned as Q

BASE = "https://w3id.org/clusterlod/"
CLO = BASE + "ontology/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ALL = Q.discover()
CANNED = [q for q in ALL if not q.is_qc]
QC = [q for q in ALL if q.is_qc]


def short(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    """IRIs of the dataset without the base ("id/cluster/x", "ontology/Held"), literals as their text."""
    if term is None:
        return ""
    value = term.value
    return value[len(BASE):] if isinstance(term, ox.NamedNode) and value.startswith(BASE) else value


def rows(result: Q.Answer, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    index = [result.variables.index(c) for c in columns]
    return [tuple(short(row[i]) for i in index) for row in result.rows]


def run(store: ox.Store, name: str, **params: str) -> Q.Answer:
    return Q.run(Q.resolve(name), params, store=store)


# --------------------------------------------------------------------------- expected answers

C, F, R, E = "id/cluster/", "id/field/", "id/region/", "id/event/"
SOURCE_TEXT = "download/source/knowledge-cluster-collaboration-2008.txt"
KANTO_PAGE = "http://www.kanto.meti.go.jp/annai/annai_index.html"
BUREAUS_PAGE = "https://ja.wikipedia.org/wiki/%E7%B5%8C%E6%B8%88%E7%94%A3%E6%A5%AD%E5%B1%80"
KANTO_NETWORK = "広域関東圏産業クラスター推進ネットワーク"
REVITALIZATION = C + "regional-industry-revitalization"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
TIMELINE_COLUMNS = ("event", "start", "end", "fiscal_year", "fiscal_start", "fiscal_end", "status", "part_of")

EXPECTED: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[tuple[str, ...], list[tuple[str, ...]]]] = {
    ("projects-by-field", ()): (("project", "companies", "universities", "region_ja"), [
        (C + "hokkaido-super-cluster", "570", "28", "北海道地域"),
        (C + "bio-venture-development", "530", "8", "広域関東圏"),
        (C + "shikoku-techno-bridge", "460", "12", "四国地域"),
        (C + "next-generation-core-industries", "400", "28", "中国地域"),
        (C + "kansai-bio-cluster", "350", "56", "近畿地域（関西）"),
        (C + "tokai-bio-monozukuri", "100", "52", "中部地域"),
        (C + "kyushu-bio-cluster", "20", "5", "九州地域"),
    ]),
    ("projects-by-field", (("field", "semiconductor"),)): (("project", "companies", "universities", "region_ja"), [
        (C + "kyushu-silicon-cluster", "110", "10", "九州地域"),
    ]),
    ("projects-by-region", ()): (("project", "companies", "universities", "field"), [
        (C + "regional-industry-revitalization", "2240", "130", F + "manufacturing"),
        (C + "it-venture-development", "840", "3", F + "it"),
        (C + "bio-venture-development", "530", "8", F + "bio"),
    ]),
    ("projects-by-region", (("region", "chugoku"),)): (("project", "companies", "universities", "field"), [
        (C + "next-generation-core-industries", "400", "28", F + "bio"),
        (C + "next-generation-core-industries", "400", "28", F + "it"),
        (C + "next-generation-core-industries", "400", "28", F + "manufacturing"),
        (C + "recycling-oriented-society", "260", "30", F + "environment"),
    ]),
    ("projects-by-size", ()): (("project", "companies", "universities"), [
        (C + "regional-industry-revitalization", "2240", "130"),
        (C + "tokai-monozukuri", "1490", "26"),
        (C + "kansai-front-runner", "1170", "32"),
        (C + "it-venture-development", "840", "3"),
        (C + "tohoku-monozukuri-corridor", "700", "32"),
        (C + "hokkaido-super-cluster", "570", "28"),
        (C + "kyushu-k-rip", "550", "41"),
        (C + "bio-venture-development", "530", "8"),
        (C + "shikoku-techno-bridge", "460", "12"),
        (C + "next-generation-core-industries", "400", "28"),
        (C + "okinawa-industry-promotion", "400", "7"),
        (C + "hokuriku-monozukuri", "380", "17"),
        (C + "kansai-bio-cluster", "350", "56"),
        (C + "recycling-oriented-society", "260", "30"),
        (C + "kansai-environment-business", "120", "21"),
        (C + "kyushu-silicon-cluster", "110", "10"),
        (C + "tokai-bio-monozukuri", "100", "52"),
        (C + "kyushu-bio-cluster", "20", "5"),
    ]),
    ("projects-by-size", (("min_companies", "1000"),)): (("project", "companies", "universities"), [
        (C + "regional-industry-revitalization", "2240", "130"),
        (C + "tokai-monozukuri", "1490", "26"),
        (C + "kansai-front-runner", "1170", "32"),
    ]),
    # Every company figure of a project is 約 (approximate), so every sum is marked 約; the
    # university sums count a university once per project it works with ("links", not universities).
    ("totals-by-region", ()): (("region", "region_ja", "projects", "companies", "university_links"), [
        (R + "hokkaido", "北海道地域", "1", "約570", "28"),
        (R + "tohoku", "東北地域", "1", "約700", "32"),
        (R + "kanto", "広域関東圏", "3", "約3610", "141"),          # 2240+530+840; 130+8+3
        (R + "chubu", "中部地域", "3", "約1970", "95"),             # 1490+100+380; 26+52+17
        (R + "kinki", "近畿地域（関西）", "3", "約1640", "109"),     # 350+1170+120; 56+32+21
        (R + "chugoku", "中国地域", "2", "約660", "58"),            # 400+260; 28+30
        (R + "shikoku", "四国地域", "1", "約460", "12"),
        (R + "kyushu", "九州地域", "3", "約680", "56"),             # 550+110+20; 41+10+5
        (R + "okinawa", "沖縄地域", "1", "約400", "7"),
    ]),
    ("totals-by-field", ()): (("field", "projects", "companies", "university_links"), [
        (F + "manufacturing", "7", "約6840", "277"),  # 700+2240+1490+380+1170+460+400
        (F + "bio", "7", "約2430", "189"),            # 570+530+100+350+460+20+400
        (F + "information", "3", "約2140", "67"),     # 570+1170+400
        (F + "environment", "4", "約1330", "99"),     # 120+550+260+400
        (F + "it", "2", "約1240", "31"),              # 840+400
        (F + "energy", "1", "約1170", "32"),
        (F + "health", "2", "約860", "19"),           # 460+400
        (F + "processing-trade", "1", "約400", "7"),
        (F + "semiconductor", "1", "約110", "10"),
    ]),
    # Page: 18プロジェクト, 約10,700社, 約290大学 (lines 14-18); the projects' 約-figures sum to about 10,690 and
    # their university counts (none with 約) to 538, which is no number of universities: no difference for it.
    ("national-totals", ()): (("measure", "sum", "stated", "difference"), [
        ("companies", "約10690", "約10700", "約-10"),
        ("projects", "18", "18", "0"),
        ("university_links", "538", "約290", ""),
    ]),
    # 平成19年度 is the fiscal year from 1 April 2007 to 31 March 2008 (sorted by its start).
    ("event-timeline", ()): (TIMELINE_COLUMNS, [
        (E + "italy-spring-2007", "2007", "2007", "", "", "", "held", ""),  # 日本におけるイタリア2007・春 (line 20)
        (E + "cluster-japan-2007", "", "", "平成19年度", "2007-04-01", "2008-03-31", "held", ""),
        (E + "regional-cluster-seminars", "", "", "平成19年度", "2007-04-01", "2008-03-31", "held", ""),
        (E + "italy-workshop-2007", "2007-06-04", "2007-06-05", "", "", "", "held", E + "italy-spring-2007"),
        (E + "cluster-japan-2007-techno-fair", "2007-11-28", "2007-11-30", "", "", "", "held",
         E + "cluster-japan-2007"),
        (E + "fillon-visit-2008", "2008-04", "", "", "", "", "held", ""),
        (E + "iag-conference-7", "2008-06-14", "2008-06-15", "", "", "", "held", E + "iag-conference-series"),
        (E + "cluster-japan-2008", "2008-12", "", "", "", "", "planned", ""),
        (E + "japan-eu-cluster-forum", "2008-12", "", "", "", "", "planned", ""),
        (E + "france-further-exchange", "", "", "", "", "", "planned", ""),  # これを基に…進めていきます
        (E + "iag-conference-series", "", "", "", "", "", "held", ""),  # 第7回 of 産学官連携推進会議 (line 11)
        (E + "japan-eu-cluster-meetings", "", "", "", "", "", "planned", E + "japan-eu-cluster-forum"),
        (E + "japan-eu-symposium", "", "", "", "", "", "planned", E + "japan-eu-cluster-forum"),
        (E + "japan-italy-cluster-meetings", "", "", "", "", "", "held", ""),
        (E + "joint-results-presentations", "", "", "", "", "", "held", ""),
    ]),
    ("events-by-venue", ()): (("place", "place_ja", "relation", "event"), [
        ("id/country/japan", "日本", "location", E + "italy-spring-2007"),  # 日本における…キャンペーン (line 106)
        ("id/country/japan", "日本", "location", E + "fillon-visit-2008"),
        ("id/place/kyoto-icc", "国立京都国際会館", "venue", E + "iag-conference-7"),
        ("id/place/tokyo", "東京", "location", E + "cluster-japan-2007"),
        ("id/place/tokyo-big-sight", "東京ビッグサイト", "venue", E + "italy-workshop-2007"),
        ("id/place/tokyo-big-sight", "東京ビッグサイト", "venue", E + "cluster-japan-2007-techno-fair"),
    ]),
    ("events-by-status", ()): (("event", "start", "stated_in"), [
        # the date comes from the forum held alongside
        (E + "cluster-japan-2008", "2008-12", "graph/editorial/cluster-japan-2008-timing"),
        (E + "france-further-exchange", "", "graph/document"),
        (E + "japan-eu-cluster-forum", "2008-12", "graph/document"),
        (E + "japan-eu-cluster-meetings", "", "graph/document"),
        (E + "japan-eu-symposium", "", "graph/document"),
    ]),
    ("events-by-status", (("status", "clo:Held"),)): (("event", "stated_in"), [
        (E + "cluster-japan-2007", "graph/document"),
        (E + "cluster-japan-2007-techno-fair", "graph/editorial/caption-events-held"),  # photo caption
        (E + "fillon-visit-2008", "graph/document"),
        (E + "iag-conference-7", "graph/editorial/caption-events-held"),  # photo caption
        (E + "iag-conference-series", "graph/editorial/caption-events-held"),  # its 7th meeting was held
        (E + "italy-spring-2007", "graph/editorial/caption-events-held"),
        (E + "italy-workshop-2007", "graph/document"),
        (E + "japan-italy-cluster-meetings", "graph/document"),
        (E + "joint-results-presentations", "graph/document"),
        (E + "regional-cluster-seminars", "graph/document"),
    ]),
    # France: the declaration is the basis (これを基に) of the planned exchange, not an activity;
    # the EU forum is held alongside Cluster Japan 2008, which is METI's joint event, not the EU's.
    # The partners abroad are Italy, France and the EU only: MEXT took part in the Italy workshop
    # 経済産業省と協力して (line 110), so METI is who it worked with, not a partner abroad (issue 28).
    ("international-partners", ()): (("partner", "relation", "activity", "date", "status", "with", "with_ja"), [
        ("id/country/france", "activity", E + "france-further-exchange", "", "planned", "", ""),
        ("id/country/france", "based on", "id/declaration/japan-france-declaration", "2008-04", "", "", ""),
        ("id/country/italy", "activity", E + "japan-italy-cluster-meetings", "", "held", "", ""),
        ("id/country/italy", "activity", E + "italy-workshop-2007", "2007-06-04", "held",
         "id/organization/meti", "経済産業省"),
        ("id/organization/eu", "activity", E + "japan-eu-cluster-forum", "2008-12", "planned", "", ""),
    ]),
    ("programmes", ()): (("programme", "ministry_ja", "relation", "parent", "phase"), [
        ("id/program/icp", "経済産業省", "", "", ""),
        ("id/program/icp-phase2", "経済産業省", "phase", "id/program/icp", "2"),
        ("id/program/kci", "文部科学省", "", "", ""),
        ("id/program/kci-ministries-frame", "文部科学省", "sub-programme", "id/program/kci", ""),
        ("id/program/kci-phase2", "文部科学省", "phase", "id/program/kci", "2"),
        ("id/program/kci-wide-area-program", "文部科学省", "sub-programme", "id/program/kci-phase2", ""),
        ("id/program/meti-measures", "経済産業省", "", "", ""),   # 経済産業省施策 (line 83)
        ("id/program/mext-measures", "文部科学省", "", "", ""),   # 文部科学省施策 (line 83)
    ]),
    ("kanto-networks", ()): (("network_ja", "project", "area_network", "area_network_ja"), [
        (KANTO_NETWORK, C + "bio-venture-development", "", ""),
        (KANTO_NETWORK, C + "it-venture-development", "", ""),
        (KANTO_NETWORK, REVITALIZATION, "id/network/chuo-expressway", "中央自動車道沿線"),
        (KANTO_NETWORK, REVITALIZATION, "id/network/keihin", "京浜"),
        (KANTO_NETWORK, REVITALIZATION, "id/network/north-capital-region", "首都圏北部"),
        (KANTO_NETWORK, REVITALIZATION, "id/network/san-en-nanshin", "三遠南信"),
        (KANTO_NETWORK, REVITALIZATION, "id/network/tama", "首都圏西部（ＴＡＭＡ）"),
        (KANTO_NETWORK, REVITALIZATION, "id/network/tx-line", "東葛川口つくば（TX沿線）"),
    ]),
    ("fact-source", ()): (("about", "section", "line", "exact"), [
        # the "as of 2008" note is on line 18 of the page, above the map's projects
        ("id/figure/kansai-bio-cluster-companies", "id/section/map", "18", "数値は平成20年現在"),
        ("id/figure/kansai-bio-cluster-universities", "id/section/map", "18", "数値は平成20年現在"),
        (C + "kansai-bio-cluster", "id/section/map", "47",
         "◆関西バイオクラスタープロジェクト Bio Cluster\n　バイオ分野　約350社　56大学"),
        (C + "kansai-bio-cluster", "id/section/map", "47", "Bio Cluster"),
        ("id/figure/kansai-bio-cluster-companies", "id/section/map", "48", "約350社"),
        ("id/figure/kansai-bio-cluster-universities", "id/section/map", "48", "56大学"),
    ]),
    ("quote-search", ()): (("entity", "section", "line", "exact"), [
        (E + "fillon-visit-2008", "id/section/s2-cases", "116", "平成20年4月のフィヨン首相来日時"),
        ("id/declaration/japan-france-declaration", "id/section/s2-cases", "116",
         "平成20年4月のフィヨン首相来日時に発表された「日仏経済宣言」において、「日\n\n仏クラスター協力の促進」が盛り込まれています。"),
        ("id/person/fillon", "id/section/s2-cases", "116", "フィヨン首相来日時"),
    ]),
    ("stated-vs-editorial", ()): (("origin", "property", "value", "basis", "confidence"), [
        ("document", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "ontology/Cluster", "", ""),
        ("document", "http://www.w3.org/2000/01/rdf-schema#label", "次世代中核産業形成プロジェクト", "", ""),
        ("document", "ontology/clusterOf", "id/program/icp-phase2", "", ""),
        ("document", "ontology/companyCount", "id/figure/next-generation-core-industries-companies", "", ""),
        ("document", "ontology/industrialField", F + "bio", "", ""),
        ("document", "ontology/industrialField", F + "it", "", ""),
        ("document", "ontology/industrialField", F + "manufacturing", "", ""),
        ("document", "ontology/sourceQuote", "id/quote/next-generation-core-industries-q1", "", ""),
        ("document", "ontology/universityCount", "id/figure/next-generation-core-industries-universities", "", ""),
        ("editorial", "http://www.w3.org/2000/01/rdf-schema#label", "Next-Generation Core Industry Formation Project",
         "id/basis/curated-english", "medium"),
        ("editorial", "ontology/region", R + "chugoku", "id/basis/region-from-meti-list", "medium"),
    ]),
    # Every basis cites something a user can open: the source text as published in the release,
    # a file of the release, or a public page (the Kanto bureau's overview, a J-Net21 article).
    ("editorial-bases", ()): (("basis", "confidence", "reference", "graph"), [
        ("id/basis/bureau-area-kanto", "high", KANTO_PAGE, "graph/editorial/bureau-area-kanto"),
        ("id/basis/bureau-areas", "medium", BUREAUS_PAGE, "graph/editorial/bureau-areas"),
        ("id/basis/caption-events-held", "medium", SOURCE_TEXT, "graph/editorial/caption-events-held"),
        ("id/basis/cluster-japan-2007-joint", "medium", SOURCE_TEXT, "graph/editorial/cluster-japan-2007-joint"),
        ("id/basis/cluster-japan-2008-timing", "high", SOURCE_TEXT, "graph/editorial/cluster-japan-2008-timing"),
        ("id/basis/curated-english", "medium", SOURCE_TEXT, "graph/editorial/curated-english"),
        ("id/basis/editors-descriptions", "medium", SOURCE_TEXT, "graph/editorial/editors-descriptions"),
        ("id/basis/editors-japanese-labels", "high", SOURCE_TEXT, "graph/editorial/editors-japanese-labels"),
        ("id/basis/fillon-of-france", "high", SOURCE_TEXT, "graph/editorial/fillon-of-france"),
        ("id/basis/identifiers", "high", "download/reference/identifiers.csv", "graph/editorial/identifiers"),
        ("id/basis/information-it-related", "medium", SOURCE_TEXT, "graph/editorial/information-it-related"),
        ("id/basis/issued-from-content", "medium", SOURCE_TEXT, "graph/editorial/issued-from-content"),
        ("id/basis/publisher-from-content", "medium", SOURCE_TEXT, "graph/editorial/publisher-from-content"),
        ("id/basis/region-chubu-bureau-projects", "medium", BUREAUS_PAGE,
         "graph/editorial/region-chubu-bureau-projects"),
        ("id/basis/region-from-meti-list", "medium",
         "http://j-net21.smrj.go.jp/expand/shigen/news/071205-2.html",  # shows both projects in Chugoku
         "graph/editorial/region-from-meti-list"),
        ("id/basis/region-from-project-name", "high", SOURCE_TEXT, "graph/editorial/region-from-project-name"),
        ("id/basis/region-from-umbrella-network", "high", KANTO_PAGE, "graph/editorial/region-from-umbrella-network"),
        ("id/basis/techno-fair-in-cluster-japan-2007", "medium", SOURCE_TEXT,
         "graph/editorial/techno-fair-in-cluster-japan-2007"),
    ]),
    ("external-links", ()): (("entity", "link_property", "target", "confidence"), [
        ("id/country/france", SAME_AS, "http://dbpedia.org/resource/France", "verified twice"),
        ("id/country/france", SAME_AS, "http://www.wikidata.org/entity/Q142", "verified twice"),
        ("id/country/france", SAME_AS, "https://sws.geonames.org/3017382/", "verified twice"),
        ("id/country/italy", SAME_AS, "http://dbpedia.org/resource/Italy", "verified twice"),
        ("id/country/italy", SAME_AS, "http://www.wikidata.org/entity/Q38", "verified twice"),
        ("id/country/italy", SAME_AS, "https://sws.geonames.org/3175395/", "verified twice"),
        ("id/country/japan", SAME_AS, "http://dbpedia.org/resource/Japan", "verified twice"),
        ("id/country/japan", SAME_AS, "http://www.wikidata.org/entity/Q17", "verified twice"),
        ("id/country/japan", SAME_AS, "https://sws.geonames.org/1861060/", "verified twice"),
    ]),
    ("external-links", (("class", "clo:Ministry"),)): (("entity", "link_property", "target"), [
        # gBizINFO's IRI form for the 法人番号 of identifiers.csv (docs/release.md, "The standard codes").
        ("id/organization/meti", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://hojin-info.go.jp/data/basic/4000012090001"),
        ("id/organization/meti", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://ja.dbpedia.org/resource/経済産業省"),
        ("id/organization/meti", "ontology/corporateNumber", "4000012090001"),
        ("id/organization/mext", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://dbpedia.org/resource/Ministry_of_Education,_Culture,_Sports,_Science_and_Technology"),
        ("id/organization/mext", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://hojin-info.go.jp/data/basic/7000012060001"),
        ("id/organization/mext", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://ja.dbpedia.org/resource/文部科学省"),
        ("id/organization/mext", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "https://doi.org/10.13039/501100001700"),
        ("id/organization/mext", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "https://ror.org/048rj2z13"),
        ("id/organization/mext", "ontology/corporateNumber", "7000012060001"),
    ]),
}

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
TOKAI = C + "tokai-monozukuri"
PROJECT_CARD = {
    (TOKAI, RDF_TYPE, "ontology/Cluster"),
    (TOKAI, RDFS_LABEL, "東海ものづくり創生プロジェクト"),
    (TOKAI, RDFS_LABEL, "Tokai Manufacturing Creation Project"),
    (TOKAI, "ontology/industrialField", F + "manufacturing"),
    (TOKAI, "ontology/region", R + "chubu"),
    (TOKAI, "ontology/companyCount", "id/figure/tokai-monozukuri-companies"),
    (TOKAI, "ontology/universityCount", "id/figure/tokai-monozukuri-universities"),
    (TOKAI, "ontology/sourceQuote", "id/quote/tokai-monozukuri-q1"),
    (F + "manufacturing", RDFS_LABEL, "ものづくり"),
    (F + "manufacturing", RDFS_LABEL, "Manufacturing"),
    (R + "chubu", RDFS_LABEL, "中部地域"),
    (R + "chubu", RDFS_LABEL, "Chubu region"),
    ("id/figure/tokai-monozukuri-companies", "ontology/value", "1490"),
    ("id/figure/tokai-monozukuri-companies", "ontology/approximate", "true"),
    ("id/figure/tokai-monozukuri-universities", "ontology/value", "26"),
    ("id/quote/tokai-monozukuri-q1", "http://www.w3.org/ns/oa#exact",
     "◆東海ものづくり創生プロジェクト\n　ものづくり分野　約1,490社　26大学"),
}


def triples(result: Q.Answer) -> set[tuple[str, str, str]]:
    return {(short(t.subject), short(t.predicate), short(t.object)) for t in result.triples}


# --------------------------------------------------------------------------- the catalogue


def test_at_least_15_canned_queries_each_with_titles_and_a_description() -> None:
    assert len(CANNED) >= 15
    assert len(QC) >= 5
    for q in ALL:
        assert q.title_ja and q.title_en and q.description, q.name
        assert any(ord(c) > 0x3000 for c in q.title_ja), f"{q.name}: title-ja is not Japanese"
        for p in q.params:
            assert p.default is not None and p.description, f"{q.name}: parameter {p.name}"


def test_every_canned_query_has_an_expected_answer() -> None:
    checked = {name for name, _ in EXPECTED} | {"companies-add-up", "project-card", "describe-entity"}
    assert {q.name for q in CANNED} <= checked


def test_the_forms_select_ask_construct_describe_are_all_there() -> None:
    # describe-entity is a CONSTRUCT of the resource's statements: a DESCRIBE's answer is up to
    # each store (Virtuoso's differs from Oxigraph's), so no canned query can be one and still
    # give the same graph everywhere (tests/test_stores_agree.py).
    assert {q.form for q in CANNED} == {"SELECT", "ASK", "CONSTRUCT"}


def test_header_parsing() -> None:
    header = Q.parse_header("# title-ja: 題\n# title-en: Title\n# description: one\n#   two\n"
                            "# param x (integer): a number (default: 3)\n# param y (iri): required\nSELECT * {}", "t")
    assert header["title-ja"] == "題" and header["title-en"] == "Title" and header["description"] == "one two"
    assert header["params"] == [Q.Param("x", "integer", "a number", "3"), Q.Param("y", "iri", "required", None)]
    with pytest.raises(ClusterlodError, match="unknown type 'colour'"):
        Q.parse_header("# param x (colour): no\n", "t")


# --------------------------------------------------------------------------- expected answers


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: k[0] + "".join(f"[{v}]" for _, v in k[1]))
def test_canned_query_answers(dist_store: ox.Store, key: tuple[str, tuple[tuple[str, str], ...]]) -> None:
    name, params = key
    columns, expected = EXPECTED[key]
    assert rows(run(dist_store, name, **dict(params)), columns) == expected


def test_companies_add_up_to_the_national_figure(dist_store: ox.Store) -> None:
    assert run(dist_store, "companies-add-up").boolean is True                   # |10690-10700| <= 1% of 10700
    assert run(dist_store, "companies-add-up", tolerance="0.001").boolean is True  # 10 <= 10.7
    assert run(dist_store, "companies-add-up", tolerance="0.0001").boolean is False  # 10 > 1.07


def test_project_card_is_a_graph(dist_store: ox.Store) -> None:
    assert triples(run(dist_store, "project-card")) == PROJECT_CARD


def test_describe_a_resource(dist_store: ox.Store) -> None:
    described = triples(run(dist_store, "describe-entity"))
    meti = "id/organization/meti"
    assert {(meti, RDF_TYPE, "ontology/Ministry"), (meti, RDFS_LABEL, "経済産業省"),
            (meti, "ontology/corporateNumber", "4000012090001"),
            (meti, "ontology/sourceQuote", "id/quote/meti-q1")} <= described
    assert {s for s, _, _ in described} == {meti}


@pytest.mark.parametrize("query", QC, ids=lambda q: q.name)
def test_quality_checks_find_nothing_on_the_published_data(dist_store: ox.Store, query: Q.CannedQuery) -> None:
    assert Q.run(query, store=dist_store).rows == []


def _broken(dist_store: ox.Store, *quads: ox.Quad) -> ox.Store:
    store = ox.Store()
    store.extend(list(dist_store))
    store.extend(quads)
    return store


def test_quality_checks_catch_broken_data(dist_store: ox.Store) -> None:
    doc = ox.NamedNode(BASE + "graph/document")
    nowhere = ox.NamedNode(BASE + "id/place/nowhere")
    iag = ox.NamedNode(BASE + E + "iag-conference-7")
    store = _broken(
        dist_store,
        ox.Quad(nowhere, ox.NamedNode(RDF_TYPE), ox.NamedNode(CLO + "Place"), doc),
        ox.Quad(nowhere, ox.NamedNode(RDFS_LABEL), ox.Literal("Nowhere", language="en"), doc),
        ox.Quad(iag, ox.NamedNode(CLO + "endDate"), ox.Literal("2008-06-13", datatype=ox.NamedNode(XSD + "date")), doc),
        ox.Quad(ox.NamedNode(BASE + TOKAI), ox.NamedNode(CLO + "region"), ox.NamedNode(BASE + R + "atlantis"), doc),
    )
    found = {q.name: rows(Q.run(q, store=store), tuple(Q.run(q, store=store).variables[:1])) for q in QC}
    assert found["qc/missing-japanese-label"] == [("id/place/nowhere",)]
    assert found["qc/entity-without-source"] == [("id/place/nowhere",)]
    assert found["qc/event-ends-before-start"] == [(E + "iag-conference-7",)]
    assert found["qc/dangling-reference"] == [(R + "atlantis",)]
    assert found["qc/missing-english-label"] == []


# --------------------------------------------------------------------------- safe parameters

INJECTION = 'x" } UNION { ?s ?p ?o } #'


def test_a_string_value_is_bound_as_one_literal_and_cannot_change_the_query(dist_store: ox.Store) -> None:
    query = Q.resolve("quote-search")
    text = Q.prepare(query, {"text": INJECTION})
    assert '"x\\" } UNION { ?s ?p ?o } #"' in text            # escaped inside one literal
    assert text.count("UNION") == query.text.count("UNION") + 1  # only the one inside the literal
    result = Q.run(query, {"text": INJECTION}, store=dist_store)
    assert result.variables == ["entity", "entity_ja", "quote", "section", "line", "exact"]
    assert result.rows == []                                     # no quote contains that text; no ?s ?p ?o rows
    for value in ('"', "}", "\\", "a\nb", "'''", '"""', "#", "} } }", "${x}"):
        assert Q.run(query, {"text": value}, store=dist_store).rows == [], value


def test_strings_with_brackets_and_quotes_still_match_as_text(dist_store: ox.Store) -> None:
    result = run(dist_store, "quote-search", text="「日仏経済宣言」")
    assert rows(result, ("entity",)) == [("id/declaration/japan-france-declaration",)]


@pytest.mark.parametrize("name, param, value", [
    ("projects-by-field", "field", "bio> } UNION { ?s ?p ?o } #"),
    ("projects-by-field", "field", "<http://x> } UNION { ?s ?p ?o"),
    ("fact-source", "entity", "cluster:kansai-bio-cluster> . ?s ?p ?o"),
    ("events-by-status", "status", "nope"),
    ("projects-by-size", "min_companies", "0) } UNION { ?s ?p ?o } #"),
    ("companies-add-up", "tolerance", "1 || true"),
])
def test_values_that_are_not_of_the_parameter_type_are_refused(name: str, param: str, value: str) -> None:
    with pytest.raises(ClusterlodError, match=f"parameter '{param}'"):
        Q.prepare(Q.resolve(name), {param: value})


def test_parameter_values_by_slug_prefixed_name_or_iri(dist_store: ox.Store) -> None:
    by_slug = run(dist_store, "projects-by-region", region="kinki")
    by_name = run(dist_store, "projects-by-region", region="region:kinki")
    by_iri = run(dist_store, "projects-by-region", region=f"<{BASE}{R}kinki>")
    assert by_slug.values() == by_name.values() == by_iri.values()
    assert len({row[0] for row in by_slug.rows}) == 3


def test_missing_and_unknown_parameters_name_themselves(tmp_path: Path) -> None:
    path = tmp_path / "needs.rq"
    path.write_text("# param who (string): a name\nSELECT ?s WHERE { ?s ?p ?who }\n")
    with pytest.raises(ClusterlodError, match="missing parameter 'who'"):
        Q.prepare(Q.resolve(str(path)))
    with pytest.raises(ClusterlodError, match="unknown parameter 'colour'"):
        Q.prepare(Q.resolve("projects-by-field"), {"colour": "red"})


def test_syntax_errors_give_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("PREFIX clo: <https://w3id.org/clusterlod/ontology/>\n"
                    "SELECT ?s WHERE {\n  ?s a clo:Cluster FILTER (?s = )\n}\n")
    with pytest.raises(ClusterlodError, match=r"bad\.rq: syntax error at line 3, column 20: unexpected 'FILTER'"):
        Q.prepare(Q.resolve(str(path)))


# --------------------------------------------------------------------------- output formats


def test_output_formats(dist_store: ox.Store) -> None:
    result = run(dist_store, "totals-by-region")
    csv_lines = Q.render(result, "csv").splitlines()
    assert csv_lines[0] == "region,region_ja,region_en,projects,companies,university_links"
    assert csv_lines[3] == f"{BASE}{R}kanto,広域関東圏,Greater Kanto region,3,約3610,141"
    tsv_lines = Q.render(result, "tsv").splitlines()
    assert tsv_lines[0].split("\t")[:2] == ["?region", "?region_ja"]
    assert tsv_lines[3].split("\t")[:2] == [f"<{BASE}{R}kanto>", '"広域関東圏"@ja']
    data = json.loads(Q.render(result, "json"))
    assert data["head"]["vars"][0] == "region"
    assert data["results"]["bindings"][2]["companies"] == {"type": "literal", "value": "約3610"}
    table = Q.render(result, "table").splitlines()
    assert table[0].split() == ["region", "region_ja", "region_en", "projects", "companies", "university_links"]
    assert table[4].split()[:2] == ["region:kanto", "広域関東圏"]
    assert Q.render(run(dist_store, "companies-add-up"), "table") == "true\n"
    assert json.loads(Q.render(run(dist_store, "companies-add-up"), "json")) == {"head": {}, "boolean": True}
    card = run(dist_store, "project-card")
    syntaxes = (("turtle", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD), ("ntriples", ox.RdfFormat.N_TRIPLES))
    for fmt, syntax in syntaxes:
        quads = ox.parse(Q.render(card, fmt).encode(), syntax)
        parsed = {(short(q.subject), short(q.predicate), short(q.object)) for q in quads}
        assert parsed == PROJECT_CARD, fmt
    with pytest.raises(ClusterlodError, match="graph"):
        Q.render(card, "csv")


# --------------------------------------------------------------------------- a real server


@pytest.fixture(scope="module")
def query_server(tmp_path_factory: pytest.TempPathFactory):
    """An Oxigraph server of this module's own: other tests load other data into the shared one."""
    from stores import _oxigraph

    yield from _oxigraph(tmp_path_factory.mktemp("query-server"))


@pytest.fixture(scope="module")
def loaded_oxigraph(query_server, built_dist: Path):
    """A fresh Oxigraph server holding the built dataset, posted to its Graph Store endpoint."""
    oxigraph_server = query_server
    body = (built_dist / "clusterlod.nq").read_bytes()
    response = httpx.post(oxigraph_server.store_url, content=body,
                          headers={"Content-Type": "application/n-quads"}, timeout=60)
    assert response.status_code in (200, 201, 204), response.text
    count = Q.run_remote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", oxigraph_server.query_url)
    quads = sum(1 for line in body.decode().splitlines() if line.strip())
    assert int(count.rows[0][0].value) == quads, "the Oxigraph server holds other copies of these triples"
    return oxigraph_server


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_every_query_gives_the_same_answer_on_a_live_oxigraph_server(
        dist_store: ox.Store, loaded_oxigraph, query: Q.CannedQuery) -> None:
    local = Q.run(query, store=dist_store)
    remote = Q.run(query, endpoint=loaded_oxigraph.query_url, timeout=30)
    assert remote.form == local.form
    if local.kind == "graph":
        assert sorted(map(str, remote.triples)) == sorted(map(str, local.triples))
        assert local.triples
    else:
        assert (remote.variables, remote.values(), remote.boolean) == (local.variables, local.values(), local.boolean)
    if not query.is_qc and local.kind == "bindings":
        assert local.rows, f"{query.name} gives no rows"


def test_the_injection_is_harmless_on_the_server_too(loaded_oxigraph) -> None:
    result = Q.run(Q.resolve("quote-search"), {"text": INJECTION}, endpoint=loaded_oxigraph.query_url)
    assert result.rows == []


def test_parameters_give_the_same_rows_on_the_server(dist_store: ox.Store, loaded_oxigraph) -> None:
    for name, params in [k for k in EXPECTED if k[1]]:
        query = Q.resolve(name)
        local = Q.run(query, dict(params), store=dist_store)
        remote = Q.run(query, dict(params), endpoint=loaded_oxigraph.query_url)
        assert remote.values() == local.values(), name


# --------------------------------------------------------------------------- remote errors


def test_unreachable_endpoint() -> None:
    with pytest.raises(RemoteError, match="cannot reach"):
        Q.run(Q.resolve("totals-by-region"), endpoint=f"http://127.0.0.1:{free_port()}/query")


def test_timeout(silent_server: str) -> None:
    with pytest.raises(RemoteError, match=r"did not answer within 0\.5 s"):
        Q.run(Q.resolve("totals-by-region"), endpoint=silent_server, timeout=0.5)


def test_not_a_sparql_answer(web_page: str) -> None:
    with pytest.raises(RemoteError, match=r"did not give a SPARQL answer \(text/html\)"):
        Q.run(Q.resolve("totals-by-region"), endpoint=web_page)
    with pytest.raises(RemoteError, match=r"did not give an RDF graph \(text/html\)"):
        Q.run(Q.resolve("project-card"), endpoint=web_page)


def test_http_error(oxigraph_server) -> None:
    with pytest.raises(RemoteError, match="answered HTTP 404"):
        Q.run(Q.resolve("totals-by-region"), endpoint=oxigraph_server.base + "/no-such-endpoint")


# --------------------------------------------------------------------------- the command line


def clusterlod(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clusterlod", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_lists_the_queries_with_titles(project_root: Path) -> None:
    result = clusterlod("queries", cwd=project_root)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == len(ALL)
    for q in ALL:
        assert any(line.startswith(q.name + " ") and q.title_en in line for line in lines), q.name
    assert q.title_ja in clusterlod("queries", "--lang", "ja", cwd=project_root).stdout


def test_cli_runs_a_query_on_the_built_data(project_root: Path, built_dist: Path) -> None:
    result = clusterlod("query", "totals-by-region", "--dist", str(built_dist), "--format", "csv", cwd=project_root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"{BASE}{R}kanto,広域関東圏,Greater Kanto region,3,約3610,141" in result.stdout.splitlines()
    result = clusterlod("query", "projects-by-field", "--param", "field=semiconductor", "--dist", str(built_dist),
                        cwd=project_root)
    assert "cluster:kyushu-silicon-cluster" in result.stdout and "110" in result.stdout


def test_cli_errors_are_one_line_with_a_non_zero_exit(project_root: Path, built_dist: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE {\n  ?s ?p\n}\n")
    cases = [
        (("query", str(bad)), "syntax error at line 2, column 3"),
        (("query", "projects-by-field", "--param", "colour=red"), "unknown parameter 'colour'"),
        (("query", "no-such-query"), "unknown query 'no-such-query'"),
        (("query", "totals-by-region", "--endpoint", f"http://127.0.0.1:{free_port()}/query"), "cannot reach"),
        (("query", "totals-by-region", "--dist", str(tmp_path / "nothing")), "run `clusterlod build` first"),
    ]
    for args, message in cases:
        extra = () if "--dist" in args else ("--dist", str(built_dist))
        result = run_cli(*args, *extra, cwd=project_root)  # the entry point in process: five errors, one each
        assert result.returncode != 0, args
        assert result.stdout == "", args
        assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, (args, result.stderr)
