"""Competency questions: each a SPARQL query with its answer, written down from the source document."""

from __future__ import annotations

import pyoxigraph as ox

PREFIXES = """
PREFIX clo: <https://w3id.org/clusterlod/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX program: <https://w3id.org/clusterlod/id/program/>
PREFIX cluster: <https://w3id.org/clusterlod/id/cluster/>
PREFIX organization: <https://w3id.org/clusterlod/id/organization/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    variables = solutions.variables
    return [tuple(row[v].value if row[v] is not None else None for v in variables) for row in solutions]


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# The 18 projects as the page lists them: Japanese name, region (editorial, from the lost map), fields.
PROJECTS = {
    ("北海道スーパー・クラスター振興戦略Ⅱ", "hokkaido", "bio information"),
    ("ＴＯＨＯＫＵものづくりコリドー", "tohoku", "manufacturing"),
    ("地域産業活性化プロジェクト", "kanto", "manufacturing"),
    ("バイオベンチャーの育成", "kanto", "bio"),
    ("情報ベンチャーの育成", "kanto", "it"),
    ("東海ものづくり創生プロジェクト", "chubu", "manufacturing"),
    ("東海バイオものづくり創生プロジェクト", "chubu", "bio"),
    ("北陸ものづくり創生プロジェクト", "chubu", "manufacturing"),
    ("関西バイオクラスタープロジェクト", "kinki", "bio"),
    ("関西フロントランナープロジェクト", "kinki", "energy information manufacturing"),
    ("環境ビジネスＫＡＮＳＡＩプロジェクト", "kinki", "environment"),
    ("四国テクノブリッジ計画", "shikoku", "bio health manufacturing"),
    ("九州地域環境・リサイクル産業交流プラザ（K-RIP）", "kyushu", "environment"),
    ("九州地域シリコン・クラスター計画", "kyushu", "semiconductor"),
    ("九州バイオ・クラスター計画", "kyushu", "bio"),
    ("次世代中核産業形成プロジェクト", "chugoku", "bio it manufacturing"),
    ("循環・環境型社会形成プロジェクト", "chugoku", "environment"),
    ("OKINAWA型産業振興プロジェクト", "okinawa", "environment health information processing-trade"),
}


def test_the_18_projects_with_region_and_fields(dist_store: ox.Store) -> None:
    rows = select(dist_store, """
        SELECT ?name ?region (GROUP_CONCAT(STR(?field); separator=" ") AS ?fields) WHERE {
          SELECT ?name ?region ?field WHERE {
            ?p a clo:Cluster ; rdfs:label ?name ; clo:region ?region ; clo:industrialField ?field .
            FILTER (lang(?name) = "ja")
          } ORDER BY ?field
        } GROUP BY ?name ?region""")
    got = {(name, short(region), " ".join(short(f) for f in fields.split())) for name, region, fields in rows}
    assert len(rows) == 18
    assert got == PROJECTS


def test_project_companies_add_up_to_the_national_total(dist_store: ox.Store) -> None:
    [(total, stated, approximate)] = select(dist_store, """
        SELECT (SUM(?n) AS ?total) ?stated ?approximate WHERE {
          ?p a clo:Cluster ; clo:companyCount/clo:value ?n .
          program:icp-phase2 clo:companyCount ?national .
          ?national clo:value ?stated ; clo:approximate ?approximate .
        } GROUP BY ?stated ?approximate""")
    assert int(total) == 10690            # 570+700+2240+530+840+1490+100+380+350+1170+120+460+550+110+20+400+260+400
    assert int(stated) == 10700 and approximate == "true"
    assert abs(int(total) - int(stated)) / int(stated) < 0.01


def test_events_in_date_order_with_venues(dist_store: ox.Store) -> None:
    rows = select(dist_store, """
        SELECT ?event ?start ?venue WHERE {
          ?event a clo:Event ; clo:startDate ?start .
          OPTIONAL { ?event clo:venue ?venue }
        } ORDER BY STR(?start) ?event""")
    assert [(short(e), s, short(v) if v else None) for e, s, v in rows] == [
        ("italy-spring-2007", "2007", None),  # 日本におけるイタリア2007・春 (line 20): a year and a season, no day
        ("italy-workshop-2007", "2007-06-04", "tokyo-big-sight"),
        ("cluster-japan-2007-techno-fair", "2007-11-28", "tokyo-big-sight"),
        ("fillon-visit-2008", "2008-04", None),
        ("iag-conference-7", "2008-06-14", "kyoto-icc"),
        ("cluster-japan-2008", "2008-12", None),
        ("japan-eu-cluster-forum", "2008-12", None),
    ]


def test_events_still_planned_as_of_the_document(dist_store: ox.Store) -> None:
    rows = select(dist_store, "SELECT ?event WHERE { ?event clo:status clo:Planned } ORDER BY ?event")
    assert [short(e) for (e,) in rows] == [
        "cluster-japan-2008", "france-further-exchange",  # 更なる情報交換を進めていきます
        "japan-eu-cluster-forum", "japan-eu-cluster-meetings", "japan-eu-symposium"]


def test_regions_ranked_by_companies(dist_store: ox.Store) -> None:
    rows = select(dist_store, """
        SELECT ?region (SUM(?n) AS ?companies) WHERE {
          ?p a clo:Cluster ; clo:region ?region ; clo:companyCount/clo:value ?n .
        } GROUP BY ?region ORDER BY DESC(?companies)""")
    assert [(short(r), int(n)) for r, n in rows] == [
        ("kanto", 3610), ("chubu", 1970), ("kinki", 1640), ("tohoku", 700), ("kyushu", 680),
        ("chugoku", 660), ("hokkaido", 570), ("shikoku", 460), ("okinawa", 400)]


def test_regions_are_editorial_and_say_why(dist_store: ox.Store) -> None:
    rows = select(dist_store, """
        SELECT ?project ?basis WHERE {
          GRAPH ?g { ?project clo:region ?region }
          ?st a clo:EditorialStatement ; rdf:subject ?project ; rdf:predicate clo:region ; clo:editorialBasis ?basis .
        }""")
    bases = {short(p): short(b) for p, b in rows}
    assert len(bases) == 18
    assert bases["next-generation-core-industries"] == bases["recycling-oriented-society"] == "region-from-meti-list"
    # 東海 and 北陸 name no METI bureau; the Kanto three are placed by their umbrella network.
    assert {p for p, b in bases.items() if b == "region-chubu-bureau-projects"} == {
        "tokai-monozukuri", "tokai-bio-monozukuri", "hokuriku-monozukuri"}
    assert {p for p, b in bases.items() if b == "region-from-umbrella-network"} == {
        "regional-industry-revitalization", "bio-venture-development", "it-venture-development"}
    assert {b for p, b in bases.items()} == {"region-from-meti-list", "region-from-project-name",
                                            "region-chubu-bureau-projects", "region-from-umbrella-network"}
    document_regions = select(dist_store, """
        SELECT ?p WHERE { GRAPH <https://w3id.org/clusterlod/graph/document> { ?p clo:region ?r } }""")
    assert document_regions == [], "the source never states a region"


def test_the_eu_is_not_a_country(dist_store: ox.Store) -> None:
    countries = select(dist_store, "SELECT ?c WHERE { ?c a clo:Country } ORDER BY ?c")
    assert [short(c) for (c,) in countries] == ["france", "italy", "japan"]
    # In the IMI view (graph/imi/...) too it is an organisation (ic:組織型), not a place.
    assert select(dist_store, "SELECT ?t WHERE { organization:eu a ?t } ORDER BY ?t") == [
        ("http://imi.go.jp/ns/core/rdf#組織型",), ("https://w3id.org/clusterlod/ontology/UnionOfStates",)]


def test_figures_are_approximate_and_dated(dist_store: ox.Store) -> None:
    [(value, approximate, as_of, quote)] = select(dist_store, """
        SELECT ?v ?a ?y ?text WHERE {
          cluster:hokkaido-super-cluster clo:companyCount ?f .
          ?f clo:value ?v ; clo:approximate ?a ; clo:asOf ?y ; clo:sourceQuote/<http://www.w3.org/ns/oa#exact> ?text .
          FILTER (?text != "数値は平成20年現在")
        }""")
    assert (value, approximate, as_of, quote) == ("570", "true", "2008", "約570社")
