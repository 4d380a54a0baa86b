"""Fidelity of the release to the source page (issue 15).

`graph/document` holds only what the page states, every stated fact is data a query can select,
and every editorial addition names a basis a user can open. Expected values are read from the
source text (data/source/knowledge-cluster-collaboration-2008.txt), line numbers in the comments.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

BASE = "https://w3id.org/clusterlod/"
DOC = f"<{BASE}graph/document>"
PREFIXES = f"""
PREFIX clo: <{BASE}ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX event: <{BASE}id/event/>
PREFIX program: <{BASE}id/program/>
PREFIX concept: <{BASE}id/concept/>
PREFIX cooperation: <{BASE}id/cooperation/>
PREFIX organization: <{BASE}id/organization/>
PREFIX document: <{BASE}id/document/>
PREFIX quote: <{BASE}id/quote/>
PREFIX section: <{BASE}id/section/>
PREFIX basis: <{BASE}id/basis/>
"""


def squeeze(text: str) -> str:
    return "".join(text.split())


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [tuple(t.value if t is not None else "" for t in row) for row in result]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + "ASK " + query, use_default_graph_as_union=True))


@pytest.fixture(scope="module")
def source_text(project_root: Path) -> str:
    return (project_root / "data/source/knowledge-cluster-collaboration-2008.txt").read_text(encoding="utf-8")


# ----------------------------------------------------------------- nothing invented in graph/document


def test_every_text_in_the_document_graph_is_printed_by_the_source(dist_store: ox.Store, source_text: str) -> None:
    """Labels, alternative labels, units, scopes: every ja/en text of graph/document is on the page
    (line breaks of the extraction aside). This is what catches labels the editors made up."""
    printed = squeeze(source_text)
    rows = select(dist_store, f"""SELECT ?s ?p ?text WHERE {{ GRAPH {DOC} {{ ?s ?p ?text }}
        FILTER (isLiteral(?text) && lang(?text) != "") }}""")
    assert rows
    unprinted = sorted({(s, p, t) for s, p, t in rows if squeeze(t) not in printed})
    assert unprinted == []


@pytest.mark.parametrize("label", ["表題", "写真の説明文", "産業分野", "イタリアとの連携", "フランスとの連携"])
def test_labels_the_editors_gave_are_editorial(dist_store: ox.Store, label: str) -> None:
    assert not ask(dist_store, f'{{ GRAPH {DOC} {{ ?s rdfs:label "{label}"@ja }} }}')
    assert ask(dist_store,
               f'{{ GRAPH <{BASE}graph/editorial/editors-japanese-labels> {{ ?s rdfs:label "{label}"@ja }} }}')


def test_the_publisher_is_inferred_not_stated(dist_store: ox.Store) -> None:
    # The page has no colophon.
    assert not ask(dist_store, f"{{ GRAPH {DOC} {{ ?d dcterms:publisher ?p }} }}")
    assert ask(dist_store, f"""{{ GRAPH <{BASE}graph/editorial/publisher-from-content> {{
        document:kc-collaboration-2008 dcterms:publisher organization:mext }} }}""")


def test_the_eu_cooperation_is_the_forum_with_the_eu_only(dist_store: ox.Store) -> None:
    # ＥＵとの連携のもと (line 126) says nothing of METI; Cluster Japan 2008 is METI's joint event.
    assert select(dist_store, "SELECT ?a WHERE { cooperation:eu-cooperation clo:activity ?a }") == [
        (BASE + "id/event/japan-eu-cluster-forum",)]
    assert select(dist_store, "SELECT ?p WHERE { cooperation:eu-cooperation clo:partner ?p }") == [
        (BASE + "id/organization/eu",)]


def test_france_cooperation_builds_on_the_declaration_and_plans_an_exchange(dist_store: ox.Store) -> None:
    # これを基に、今後の協力に向けて更なる情報交換を進めていきます (lines 118-120)
    assert select(dist_store, "SELECT ?a WHERE { cooperation:france-cooperation clo:activity ?a }") == [
        (BASE + "id/event/france-further-exchange",)]
    assert ask(dist_store, f"""{{ GRAPH {DOC} {{
        cooperation:france-cooperation clo:basedOn <{BASE}id/declaration/japan-france-declaration> .
        event:france-further-exchange clo:status clo:Planned ; rdfs:label "更なる情報交換"@ja ;
            clo:sourceQuote ?q }} }}""")


# ----------------------------------------------------------------- stated facts are data


def _stated(store: ox.Store, subject: str, predicate: str) -> set[str]:
    rows = select(store, f"""SELECT ?label WHERE {{ GRAPH {DOC} {{
        {subject} {predicate} ?o . ?o rdfs:label ?label ; clo:sourceQuote ?q . FILTER (lang(?label) = "ja") }} }}""")
    return {squeeze(label) for (label,) in rows}


def test_the_plan_companies_are_nationwide_smes_aiming_at_world_markets(dist_store: ox.Store) -> None:
    # 全国で世界市場を目指す中堅・中小企業約10,700社 … 広域的な人的ネットワークを形成 (lines 16-18)
    assert _stated(dist_store, "program:icp-phase2", "clo:companyProfile") == {"中堅・中小企業", "世界市場を目指す"}
    assert _stated(dist_store, "program:icp-phase2", "clo:spatialScope") == {"全国"}
    assert _stated(dist_store, "program:icp-phase2", "clo:formsNetwork") == {"広域的な人的ネットワーク"}


def test_the_collaboration_is_with_the_plan_and_other_meti_measures(dist_store: ox.Store) -> None:
    # 「産業クラスター計画」等との連携 (line 73)
    assert _stated(dist_store, "cooperation:mext-meti", "clo:concernsProgram") == {
        "知的クラスター創成事業", "産業クラスター計画", "経済産業省施策"}


def test_the_loop_between_the_measures_is_directed(dist_store: ox.Store) -> None:
    # Seeds of MEXT's measures -> commercialised by METI's -> market needs fed back -> new research (83-87)
    chain = select(dist_store, f"""SELECT ?a ?b WHERE {{ GRAPH {DOC} {{ ?a clo:leadsTo ?b }} }} ORDER BY ?a""")
    c = BASE + "id/concept/"
    assert sorted(chain) == sorted([(c + "seed-creation", c + "commercialisation"),
                                    (c + "commercialisation", c + "market-needs-feedback"),
                                    (c + "market-needs-feedback", c + "new-seed-research")])
    assert select(dist_store, "SELECT ?p WHERE { concept:seed-creation clo:carriedOutBy ?p }") == [
        (BASE + "id/program/mext-measures",)]
    assert select(dist_store, "SELECT ?p WHERE { concept:commercialisation clo:carriedOutBy ?p }") == [
        (BASE + "id/program/meti-measures",)]


def test_purposes_and_means_of_the_international_outreach(dist_store: ox.Store) -> None:
    # lines 94-96
    assert _stated(dist_store, "cooperation:international", "clo:aim") == {
        "世界レベルのクラスターの形成", "知的クラスター事業の国際的な知名度の向上"}
    assert _stated(dist_store, "cooperation:international", "clo:means") == {
        "諸外国の事業担当者との情報交換", "合同でのイベント"}


def test_aim_and_rationale_of_the_wide_area_programme(dist_store: ox.Store) -> None:
    # クラスターの競争力強化の観点から、国内外を問わず戦略的に他地域との連携関係を構築する (98-100)
    assert _stated(dist_store, "program:kci-wide-area-program", "clo:aim") == {
        "国内外を問わず戦略的に他地域との連携関係を構築"}
    assert _stated(dist_store, "program:kci-wide-area-program", "clo:rationale") == {"クラスターの競争力強化"}


def test_where_the_joint_events_are_held(dist_store: ox.Store) -> None:
    # 合同成果発表会を各地で (75), 「地域クラスターセミナー」を地方で (79)
    assert _stated(dist_store, "event:joint-results-presentations", "clo:spatialScope") == {"各地"}
    assert _stated(dist_store, "event:regional-cluster-seminars", "clo:spatialScope") == {"地方"}


def test_health_and_bio_stay_one_printed_item(dist_store: ox.Store) -> None:
    # ものづくり、健康・バイオ分野 (line 55): two field concepts, grouped as the page prints them
    rows = select(dist_store, f"""SELECT ?member WHERE {{ GRAPH {DOC} {{
        <{BASE}id/cluster/shikoku-techno-bridge> clo:fieldGroup ?g .
        ?g rdfs:label "健康・バイオ"@ja ; skos:member ?member }} }}""")
    assert sorted(m for (m,) in rows) == [BASE + "id/field/bio", BASE + "id/field/health"]


# ----------------------------------------------------------------- wrong items


def test_the_workshop_title_is_english_as_printed(dist_store: ox.Store) -> None:
    # 「Regional Innovation for Italian and Japanese Economy」 (lines 108-110) is printed in English
    title = "Regional Innovation for Italian and Japanese Economy"
    assert ask(dist_store, f'{{ GRAPH {DOC} {{ event:italy-workshop-2007 ?p "{title}"@en }} }}')
    assert not ask(dist_store, f'{{ ?s ?p "{title}"@ja }}')


def test_the_workshop_date_quote_is_in_the_captions(dist_store: ox.Store) -> None:
    # （平成19年6月4日～5日・東京ビッグサイト） is the photo caption of line 21
    rows = select(dist_store,
                  "SELECT ?s ?line WHERE { quote:italy-workshop-2007-date-quote clo:section ?s ; clo:line ?line }")
    assert rows == [(BASE + "id/section/captions", "21")]


def test_italy_spring_is_not_italia_in_giappone(dist_store: ox.Store) -> None:
    labels = [label for (label,) in select(dist_store, "SELECT ?l WHERE { event:italy-spring-2007 rdfs:label ?l }")]
    assert labels and not any("Italia in Giappone" in label for label in labels)


def test_the_english_basis_admits_the_english_the_source_prints(dist_store: ox.Store) -> None:
    (text,) = select(dist_store,
                     'SELECT ?d WHERE { basis:curated-english dcterms:description ?d FILTER (lang(?d) = "en") }')[0]
    assert "Regional Innovation for Italian and Japanese Economy" in text and "TOHOKU" in text
    assert "has none" not in text


def test_the_fiscal_year_is_an_interval_not_a_calendar_year(dist_store: ox.Store) -> None:
    # 平成19年度 (line 79): 1 April 2007 to 31 March 2008
    rows = select(dist_store, f"""SELECT ?label ?start ?end WHERE {{ GRAPH {DOC} {{
        event:cluster-japan-2007 clo:fiscalYear ?fy . ?fy a time:ProperInterval ; rdfs:label ?label ;
        time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end .
        FILTER (lang(?label) = "ja") }} }}""")
    assert rows == [("平成19年度", "2007-04-01", "2008-03-31")]
    assert not ask(dist_store, "{ ?e clo:fiscalYear ?y FILTER isLiteral(?y) }")


def test_university_counts_say_they_do_not_add_up(project_root: Path) -> None:
    import rdflib

    ontology = rdflib.Graph().parse(project_root / "ontology/clusterlod.ttl")
    notes = [str(n) for n in ontology.objects(rdflib.URIRef(BASE + "ontology/universityCount"),
                                              rdflib.URIRef("http://www.w3.org/2004/02/skos/core#scopeNote"))]
    assert any("not additive" in n for n in notes) and any("足し合わせられない" in n for n in notes)


def test_no_canned_query_joins_projects_to_prefectures(project_root: Path) -> None:
    # The source gives no prefecture of any project: a bureau area's prefectures are not the project's.
    assert not (project_root / "queries/projects-by-prefecture.rq").exists()


# ----------------------------------------------------------------- editorial bases


def test_every_basis_cites_something_a_user_can_open(dist_store: ox.Store, built_dist: Path) -> None:
    rows = select(dist_store,
                  """SELECT ?b ?ref WHERE { ?b a clo:EditorialBasis OPTIONAL { ?b dcterms:source ?ref } }""")
    assert len(rows) >= 10
    for basis, reference in rows:
        assert reference, f"{basis} cites nothing"
        if reference.startswith(BASE + "download/"):
            assert (built_dist / reference[len(BASE + "download/"):]).is_file(), reference
        else:
            assert reference.startswith(("http://", "https://")) and not reference.startswith(BASE), reference
    texts = select(dist_store, "SELECT ?d WHERE { ?b a clo:EditorialBasis ; dcterms:description ?d }")
    assert not [t for (t,) in texts if "guide" in t.lower() or "ガイド" in t]


def test_every_basis_is_used(dist_store: ox.Store) -> None:
    rows = select(dist_store, f"""SELECT ?b WHERE {{ ?b a clo:EditorialBasis
        BIND (IRI(CONCAT("{BASE}graph/editorial/", STRAFTER(STR(?b), "/id/basis/"))) AS ?g)
        FILTER NOT EXISTS {{ ?s clo:editorialBasis ?b }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?s != ?b) }} }}""")
    assert rows == []
    assert not ask(dist_store, "{ basis:document-context ?p ?o }")  # split into bases that say what they cover


def test_the_catalogue_claims_no_more_than_the_release_holds(built_dist: Path) -> None:
    catalog = (built_dist / "catalog.ttl").read_text(encoding="utf-8")
    assert "Every fact" not in catalog and "すべての事実" not in catalog


def test_translations_and_written_descriptions_have_separate_bases(dist_store: ox.Store) -> None:
    # A translated label and a summary the editors wrote are unlike things: one basis each.
    assert not ask(dist_store, f"""{{ GRAPH <{BASE}graph/editorial/curated-english> {{ ?s dcterms:description ?d }}
        FILTER (?s != basis:curated-english) }}""")
    assert ask(dist_store, f"""{{ GRAPH <{BASE}graph/editorial/editors-descriptions> {{
        event:cluster-japan-2007 dcterms:description ?d }} }}""")


# ----------------------------------------------------------------- issue 21: the audit's items, each from the page

EDITORIAL = f"{BASE}graph/editorial/"


def test_information_and_it_are_related_only_by_the_editors(dist_store: ox.Store) -> None:
    # 情報・バイオ分野 (line 24) and ＩＴ分野 (line 38) are printed apart; the page never relates them.
    assert not ask(dist_store, f"{{ GRAPH {DOC} {{ ?a skos:related ?b }} }}")
    rows = select(dist_store, f"""SELECT ?a ?b WHERE {{ GRAPH <{EDITORIAL}information-it-related> {{
        ?a skos:related ?b }} }} ORDER BY ?a""")
    field = BASE + "id/field/"
    assert rows == [(field + "information", field + "it"), (field + "it", field + "information")]
    (text,) = select(dist_store, 'SELECT ?d WHERE { basis:information-it-related dcterms:description ?d '
                                 'FILTER (lang(?d) = "en") }')[0]
    assert "No source shows the relation" in text


def test_fillons_country_and_his_visits_partner_are_one_inference(dist_store: ox.Store) -> None:
    # The page names フィヨン首相 under ● フランス (lines 114-116) but never gives his country.
    fillon, visit, france = (f"<{BASE}id/person/fillon>", "event:fillon-visit-2008", f"<{BASE}id/country/france>")
    for subject, predicate in ((fillon, "clo:country"), (visit, "clo:partner")):
        assert not ask(dist_store, f"{{ GRAPH {DOC} {{ {subject} {predicate} ?x }} }}")
        assert ask(dist_store, f"{{ GRAPH <{EDITORIAL}fillon-of-france> {{ {subject} {predicate} {france} }} }}")


def test_cluster_japan_2007_has_its_stated_purpose(dist_store: ox.Store, source_text: str) -> None:
    # 両省の取り組みによる成果を一堂に集めて、情報発信・情報交換の場とする「クラスタージャパン2007」 (lines 79-81)
    aims = _stated(dist_store, "event:cluster-japan-2007", "clo:aim")
    assert aims == {"両省の取り組みによる成果を一堂に集め", "情報発信・情報交換の場"}
    assert all(aim in squeeze(source_text) for aim in aims)


def test_the_italian_spring_is_a_promotion_campaign_in_japan_in_spring_2007(dist_store: ox.Store) -> None:
    # 日本におけるイタリアのプロモーション・キャンペーン「イタリアの春」 (line 106);
    # 日本におけるイタリア2007・春 (line 20)
    assert _stated(dist_store, "event:italy-spring-2007", "clo:eventKind") == {"プロモーション・キャンペーン"}
    assert ask(dist_store, f"""{{ GRAPH {DOC} {{ event:italy-spring-2007 clo:location <{BASE}id/country/japan> ;
        clo:startDate "2007"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
        clo:endDate "2007"^^<http://www.w3.org/2001/XMLSchema#gYear> ; clo:season "春"@ja }} }}""")
    assert not ask(dist_store, "{ event:italy-spring-2007 clo:startDate ?d FILTER (STRLEN(STR(?d)) > 4) }")


def test_the_7th_conference_is_the_7th_of_a_series(dist_store: ox.Store) -> None:
    # 第7回産学官連携推進会議 (line 11)
    rows = select(dist_store, f"""SELECT ?n ?label WHERE {{ GRAPH {DOC} {{
        event:iag-conference-7 clo:ordinal ?n ; clo:partOfEvent ?series .
        ?series a clo:EventSeries ; rdfs:label ?label ; clo:sourceQuote ?q FILTER (lang(?label) = "ja") }} }}""")
    assert rows == [("7", "産学官連携推進会議")]


def test_organisers_are_stated_where_the_page_states_them(dist_store: ox.Store) -> None:
    # The page's voice holds them: …「日本－EUクラスターフォーラム」を開催し (line 126), …ミーティングを実施しました
    # (line 112); Cluster Japan 2008 is 経済産業省との合同イベント (line 124).
    org = BASE + "id/organization/"

    def organisers(event: str) -> list[str]:
        query = f"SELECT ?o WHERE {{ GRAPH {DOC} {{ {event} clo:organizer ?o }} }}"
        return sorted(o for (o,) in select(dist_store, query))
    for event in ("event:japan-eu-cluster-forum", "event:japan-italy-cluster-meetings", "event:japan-eu-symposium",
                  "event:japan-eu-cluster-meetings"):
        assert organisers(event) == [org + "mext"], event
    assert organisers("event:cluster-japan-2008") == [org + "meti", org + "mext"]
    assert organisers("event:regional-cluster-seminars") == [org + "meti", org + "mext"]  # 合同で (line 79)


def test_printed_short_names_are_alternative_labels(dist_store: ox.Store) -> None:
    # 交流プラザ（K-RIP） (line 59), 首都圏西部（ＴＡＭＡ） (line 31)
    assert ask(dist_store, f"""{{ GRAPH {DOC} {{ <{BASE}id/cluster/kyushu-k-rip> skos:altLabel "K-RIP"@en .
        <{BASE}id/network/tama> skos:altLabel "ＴＡＭＡ"@ja }} }}""")


def test_bases_cite_what_shows_them_or_say_nothing_openable_does(dist_store: ox.Store) -> None:
    def basis(name: str) -> tuple[str, str]:
        return select(dist_store, f"""SELECT ?ref ?d WHERE {{ basis:{name} dcterms:source ?ref ;
            dcterms:description ?d FILTER (lang(?d) = "en") }}""")[0]
    reference, text = basis("region-from-meti-list")
    assert "meti.go.jp" not in reference and "J-Net21" in text and "次世代中核産業形成" in text
    reference, text = basis("region-chubu-bureau-projects")
    assert "No source the editors could open shows which bureau" in text
    for name in ("fillon-of-france", "cluster-japan-2007-joint"):
        assert "no other source is cited" in basis(name)[1].lower(), name


def test_a_declaration_is_not_a_source_of_the_dataset(dist_store: ox.Store) -> None:
    # Under RDFS, only the brochure page is a clo:SourceDocument; the 日仏経済宣言 is something it names.
    rows = select(dist_store, "SELECT DISTINCT ?d WHERE { ?d a/rdfs:subClassOf* clo:SourceDocument }")
    assert rows == [(BASE + "id/document/kc-collaboration-2008",)]


def test_every_partner_is_in_the_range_of_clo_partner(dist_store: ox.Store) -> None:
    (ranges,) = select(dist_store, "SELECT (COUNT(?r) AS ?n) WHERE { clo:partner rdfs:range ?r }")
    assert ranges == ("1",)
    outside = select(dist_store, """SELECT DISTINCT ?p WHERE { ?s clo:partner ?p . clo:partner rdfs:range ?range
        FILTER NOT EXISTS { ?p a/rdfs:subClassOf* ?range } }""")
    assert outside == []
    assert len(select(dist_store, "SELECT DISTINCT ?p WHERE { ?s clo:partner ?p }")) == 4  # Italy, France, EU, METI


def test_link_predicates_follow_the_verification_levels(dist_store: ox.Store) -> None:
    # docs/links.md: owl:sameAs only when verified twice; verified twice and the same thing is owl:sameAs.
    rows = select(dist_store, """SELECT ?p ?confidence WHERE { ?st a clo:EditorialStatement ; rdf:predicate ?p ;
        clo:confidence ?confidence }""")
    assert len(rows) > 150
    same = {"http://www.w3.org/2002/07/owl#sameAs", "https://schema.org/sameAs",
            "http://www.w3.org/2004/02/skos/core#exactMatch"}
    for predicate, confidence in rows:
        if predicate == "http://www.w3.org/2002/07/owl#sameAs":
            assert confidence.startswith("verified twice"), (predicate, confidence)
        elif predicate in same:
            assert not confidence.startswith("verified twice"), (predicate, confidence)


# ----------------------------------------------------------------- issue 28: the last gaps, each from the page


@pytest.fixture(scope="module")
def page_lines(source_text: str) -> list[str]:
    """The source's lines, numbered from 1 as in the comments (page_lines[4] is line 4)."""
    return ["", *source_text.split("\n")]


def printed(page_lines: list[str], first: int, last: int, words: str) -> str:
    """``words`` as printed on lines first..last (the extraction splits words across lines): checked, returned."""
    assert words in squeeze("".join(page_lines[first:last + 1])), (first, last, words)
    return words


def quotes_of(store: ox.Store, subject: str) -> set[tuple[str, str]]:
    rows = select(store, f"""SELECT ?exact ?line WHERE {{ GRAPH {DOC} {{
        {subject} clo:sourceQuote ?q . ?q oa:exact ?exact ; clo:line ?line }} }}""")
    return set(rows)


def test_the_document_is_about_the_knowledge_cluster_initiative(dist_store: ox.Store, page_lines: list[str]) -> None:
    # The running head 「●知的クラスター創成事業」 (line 4) names what the page is about.
    head = page_lines[4].strip()
    assert head == "●知的クラスター創成事業"
    rows = select(dist_store, f"""SELECT ?p ?label WHERE {{ GRAPH {DOC} {{
        document:kc-collaboration-2008 dcterms:subject ?p . ?p a clo:Program ; rdfs:label ?label
        FILTER (lang(?label) = "ja") }} }}""")
    assert rows == [(BASE + "id/program/kci", head.lstrip("●"))]
    assert (head, "4") in quotes_of(dist_store, "document:kc-collaboration-2008")


def test_the_further_exchange_with_france_aims_at_future_cooperation(dist_store: ox.Store,
                                                                      page_lines: list[str]) -> None:
    # これを基に、今後の協力に向けて更なる情報交換を進めていきます (lines 118-120): the aim is stated, not only
    # in the editors' description.
    printed(page_lines, 118, 120, "今後の協力に向けて更なる情報交換を進めていきます")
    aim = printed(page_lines, 118, 118, "今後の協力")
    rows = select(dist_store, f"""SELECT ?c ?label WHERE {{ GRAPH {DOC} {{
        event:france-further-exchange clo:aim ?c . ?c a clo:StatedConcept ; rdfs:label ?label
        FILTER (lang(?label) = "ja") }} }}""")
    assert rows == [(BASE + "id/concept/future-cooperation", aim)]
    assert quotes_of(dist_store, "concept:future-cooperation") == {("今後の協力に向け", "118")}


def test_mext_is_a_stated_organiser_of_cluster_japan_2007_and_meti_an_editorial_one(
        dist_store: ox.Store, page_lines: list[str]) -> None:
    # …「クラスタージャパン2007」を東京で開催しました (line 81): the same unwritten subject, MEXT, as the events of
    # section 2 (開催し, line 126; 実施しました, line 112). 合同で (line 79) belongs to the seminars' clause.
    printed(page_lines, 81, 81, "「クラスタージャパン2007」を東京で開催しました")
    printed(page_lines, 79, 79, "合同で「地域クラスターセミナー」を地方で3回開催しており")
    org = BASE + "id/organization/"
    assert select(dist_store, f"SELECT ?o WHERE {{ GRAPH {DOC} {{ event:cluster-japan-2007 clo:organizer ?o }} }}"
                  ) == [(org + "mext",)]
    joint = f"<{EDITORIAL}cluster-japan-2007-joint>"
    assert select(dist_store, f"SELECT ?o WHERE {{ GRAPH {joint} {{ event:cluster-japan-2007 clo:organizer ?o }} }}"
                  ) == [(org + "meti",)]
    (text,) = select(dist_store, 'SELECT ?d WHERE { basis:cluster-japan-2007-joint dcterms:description ?d '
                                 'FILTER (lang(?d) = "en") }')[0]
    assert "合同で" in text and "MEXT as organiser is stated" in text


def test_mext_took_part_in_the_italy_workshop_in_cooperation_with_meti(dist_store: ox.Store,
                                                                       page_lines: list[str]) -> None:
    # …ワークショップ「Regional Innovation for Italian and Japanese Economy」に、経済産業省と協力して参加し (l. 110):
    # MEXT took part; METI is who it worked with. The page does not say METI attended.
    printed(page_lines, 110, 110, "経済産業省と協力して参加し")
    org = BASE + "id/organization/"
    assert select(dist_store, f"""SELECT ?o WHERE {{ GRAPH {DOC} {{
        event:italy-workshop-2007 clo:participant ?o }} }}""") == [(org + "mext",)]
    assert select(dist_store, f"""SELECT ?o WHERE {{ GRAPH {DOC} {{
        event:italy-workshop-2007 clo:inCooperationWith ?o }} }}""") == [(org + "meti",)]
    assert not ask(dist_store, "{ event:italy-workshop-2007 clo:participant organization:meti }")  # in no graph


def test_meti_is_not_a_partner_abroad(dist_store: ox.Store, page_lines: list[str]) -> None:
    # ● イタリア (line 104) names the partner abroad; METI is the partner of section 1's cooperation, whose
    # heading is 「1. 経済産業省（産業クラスター計画）との連携」 (line 71).
    printed(page_lines, 104, 104, "●イタリア")
    printed(page_lines, 71, 71, "経済産業省（産業クラスター計画）との連携")
    assert select(dist_store, "SELECT ?p WHERE { cooperation:italy-cooperation clo:partner ?p }") == [
        (BASE + "id/country/italy",)]
    assert select(dist_store, "SELECT ?c WHERE { ?c clo:partner organization:meti }") == [
        (BASE + "id/cooperation/mext-meti",)]


def test_the_wide_area_programme_is_not_an_activity_of_the_international_cooperation(
        dist_store: ox.Store, page_lines: list[str]) -> None:
    # 国内外を問わず戦略的に他地域との連携関係を構築する (line 98): partnerships in Japan and abroad alike.
    printed(page_lines, 98, 98, "国内外を問わず")
    assert not ask(dist_store, "{ ?c clo:activity program:kci-wide-area-program }")
    assert not ask(dist_store, "{ cooperation:international clo:activity ?a }")
    assert ask(dist_store, "{ program:kci-wide-area-program clo:subProgramOf program:kci-phase2 }")


def test_the_symposium_is_printed_and_stated(dist_store: ox.Store, page_lines: list[str]) -> None:
    # 「シン」 ends line 126 and 「ポジウム」 begins line 128: printed, like the workshop title over lines 108-110.
    assert page_lines[126].endswith("シン") and page_lines[128].startswith("ポジウム")
    label = printed(page_lines, 126, 128, "シンポジウム")
    assert ask(dist_store, f'{{ GRAPH {DOC} {{ event:japan-eu-symposium rdfs:label "{label}"@ja }} }}')
    assert not ask(dist_store, f"""{{ GRAPH <{EDITORIAL}editors-japanese-labels> {{
        event:japan-eu-symposium rdfs:label ?l }} }}""")
    assert not ask(dist_store, "{ ?st rdf:subject event:japan-eu-symposium ; rdf:predicate rdfs:label }")
    texts = select(dist_store, "SELECT ?d WHERE { basis:editors-japanese-labels dcterms:description ?d }")
    assert texts and not [t for (t,) in texts if label in t]


def test_the_heading_of_section_1_is_a_quote_of_the_mext_meti_cooperation(dist_store: ox.Store,
                                                                           page_lines: list[str]) -> None:
    heading = page_lines[71].strip()
    assert heading == "1. 経済産業省（産業クラスター計画）との連携"
    assert (heading, "71") in quotes_of(dist_store, "cooperation:mext-meti")
    assert ask(dist_store, f'{{ GRAPH {DOC} {{ cooperation:mext-meti rdfs:label "{heading[3:]}"@ja }} }}')


def test_the_chugoku_basis_says_what_it_cites(dist_store: ox.Store, page_lines: list[str]) -> None:
    # The two projects that name no place: ◆次世代中核産業形成プロジェクト (line 66), ◆循環・環境型社会形成プロジェクト
    # (line 68). The basis keeps its IRI but cites a J-Net21 article (2007), not a METI list.
    names = [printed(page_lines, 66, 66, "次世代中核産業形成"), printed(page_lines, 68, 68, "循環・環境型社会形成")]
    rows = select(dist_store, """SELECT ?label ?text ?ref WHERE { basis:region-from-meti-list rdfs:label ?label ;
        dcterms:description ?text ; dcterms:source ?ref FILTER (lang(?label) = lang(?text)) }""")
    assert len(rows) == 2
    for label, text, reference in rows:
        assert "J-Net21" in label and "METI" not in label and "経済産業省" not in label
        assert all(name in text for name in names)
        assert reference.startswith("http://j-net21.smrj.go.jp/")
    english = next(text for label, text, _ in rows if label.isascii())
    assert "No METI list is cited" in english
    # An archived copy is linked only where one is known; none is, and the text says so.
    archived = select(dist_store, "SELECT ?a WHERE { basis:region-from-meti-list rdfs:seeAlso ?a }")
    assert archived or "no archived copy of it is known" in english


# ----------------------------------------------------------------- issue 28: provenance a reader can follow

#: A place a reader can look up: an address, a host name, a repository path (owner/name, with or without
#: github.com/), or an explicit "not recorded".
LOOKUP = re.compile(r"https?://\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:jp|org|com|net|info|io|icu)\b"
                    r"|\b[A-Za-z0-9_.-]+/[A-Za-z0-9_.~-]+|not recorded")
#: Internal search-result numbers and notes as the old identifiers.csv wrote them: the search tool's name, "id" or
#: "ids" before numbers of six digits or more, the index's note that it did not name the repository, and its
#: copies of pages. Spelt in pieces so that this file does not match itself.
SEARCH_NUMBERS = re.compile("find" r"_string|\bids? [0-9]{6,}|repo not" " named|stored" " copy|pages" " corpus")


def _identifier_rows(project_root: Path) -> list[dict[str, str]]:
    with (project_root / "data/reference/identifiers.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 200  # the list is there and read
    return rows


def test_every_where_seen_names_something_a_reader_can_look_up(project_root: Path) -> None:
    for row in _identifier_rows(project_root):
        seen = row["where_seen"]
        assert LOOKUP.search(seen), (row["identifier"], seen)
        # A file that is not named says so: "a public GitHub file (repository not recorded…)".
        for mention in re.finditer(r"public GitHub files?(.{0,30})", seen):
            assert re.match(r" \(repositor(?:y|ies) not recorded", mention.group(1)), (row["identifier"], seen)


def test_the_verification_literals_are_the_lists_where_seen(project_root: Path, dist_store: ox.Store,
                                                            built_dist: Path) -> None:
    seen = {row["where_seen"] for row in _identifier_rows(project_root)}
    literals = {v for (v,) in select(dist_store, "SELECT DISTINCT ?v WHERE { ?st clo:verification ?v }")}
    # A link derived from a verified code by a published rule (clusterlod.japan) names the rule instead.
    derived = {v for v in literals - seen if v.startswith(("computed from JIS X 0401 code", "IRI form "))}
    assert literals and literals - derived <= seen
    assert all("clusterlod.japan" in v or "github.com/" in v for v in derived), derived
    shipped = (built_dist / "reference/identifiers.csv").read_bytes()
    assert shipped == (project_root / "data/reference/identifiers.csv").read_bytes()


def test_no_tracked_file_holds_internal_search_numbers(project_root: Path, built_dist: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=project_root, capture_output=True, check=True).stdout
    tracked = [project_root / name for name in listed.decode().split("\0") if name]
    assert any(path.name == "identifiers.csv" for path in tracked)  # the scan sees the file that held them
    files = [p for p in tracked if p.is_file()] + [p for p in built_dist.rglob("*") if p.is_file()]
    holding = [str(p) for p in files if SEARCH_NUMBERS.search(p.read_bytes().decode("utf-8", "replace"))]
    assert holding == []
    old_form = "(JP: 1861060); " + "id" + " 53049093767"  # as line 3 of the old list had it
    assert SEARCH_NUMBERS.search(old_form) and SEARCH_NUMBERS.search("find" + "_string")


# ----------------------------------------------------------------- issue 28: the ontology tells the truth


@pytest.mark.parametrize("prop", ["organizer", "participant", "party", "activity", "partner", "inCooperationWith"])
def test_every_object_is_in_the_declared_range(dist_store: ox.Store, prop: str) -> None:
    ranges = select(dist_store, f"SELECT ?r WHERE {{ clo:{prop} rdfs:range ?r }}")
    assert len(ranges) == 1, ranges
    uses = select(dist_store, f"SELECT DISTINCT ?o WHERE {{ ?s clo:{prop} ?o }}")
    assert uses, prop
    outside = select(dist_store, f"""SELECT DISTINCT ?o WHERE {{ ?s clo:{prop} ?o . clo:{prop} rdfs:range ?range
        FILTER NOT EXISTS {{ ?o a/rdfs:subClassOf* ?range }} }}""")
    assert outside == []


def test_date_definitions_name_every_precision_the_data_uses(dist_store: ox.Store, page_lines: list[str]) -> None:
    # 日本におけるイタリア2007・春 (line 20): a year and a season, no month or day; the data says 2007 (xsd:gYear).
    printed(page_lines, 20, 20, "2007・春")
    for prop in ("startDate", "endDate"):
        used = {t.rsplit("#", 1)[1] for (t,) in select(dist_store,
                f"SELECT DISTINCT (DATATYPE(?d) AS ?t) WHERE {{ ?e clo:{prop} ?d }}")}
        assert "gYear" in used
        for (definition,) in select(dist_store, f"SELECT ?d WHERE {{ clo:{prop} skos:definition ?d }}"):
            for datatype in used:
                assert re.search(rf"xsd:{datatype}\b", definition), (prop, datatype, definition)


def test_the_ontology_version_is_the_releases(built_dist: Path) -> None:
    ontology, catalog = ox.Store(), ox.Store()
    ontology.load(path=str(built_dist / "ontology.ttl"), format=ox.RdfFormat.TURTLE)
    catalog.load(path=str(built_dist / "catalog.ttl"), format=ox.RdfFormat.TURTLE)
    owl, dcat = "http://www.w3.org/2002/07/owl#", "http://www.w3.org/ns/dcat#"
    (info, modified), = [(r[0].value, r[1].value) for r in ontology.query(f"""SELECT ?v ?m WHERE {{
        <{BASE}ontology> <{owl}versionInfo> ?v ; <http://purl.org/dc/terms/modified> ?m }}""")]
    (version, catalog_modified), = [(r[0].value, r[1].value) for r in catalog.query(f"""SELECT ?v ?m WHERE {{
        ?d a <{dcat}Dataset> ; <{dcat}version> ?v . ?c a <{dcat}Catalog> ; <http://purl.org/dc/terms/modified> ?m
        }}""")]
    assert (info, modified) == (version, catalog_modified)


def test_the_ontology_follows_the_data_version_wherever_it_is_set() -> None:
    from clusterlod.namespaces import Namespaces
    from clusterlod.release.about import ontology_version

    ns = Namespaces()
    header = [ox.Triple(ox.NamedNode(ns.ontology), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology"))]
    added = {(t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], t.object.value)
             for t in ontology_version(header, ns, {"version": "9.1.0", "issued": "2030-01-01",
                                                                    "modified": "2031-02-03"})}
    assert ("versionInfo", "9.1.0") in added and ("modified", "2031-02-03") in added
