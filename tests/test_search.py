"""Search (/search.<lang>.html and /search.json, web/lookup/search.py): labels, other names, descriptions
and the printed quotes, ranked, with the quote that matched and facets that are links. Phrases are
written by hand from the source text (line given)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from inprocess import app_client

#: A phrase of each project's quote, as the source prints it (line), with its ideographic spaces.
PHRASES = {
    "hokkaido-super-cluster": (24, "情報・バイオ分野　約570社"),
    "tohoku-monozukuri-corridor": (27, "ものづくり分野　約700社"),
    "regional-industry-revitalization": (31, "首都圏西部（ＴＡＭＡ）、中央自動車道沿線"),
    "bio-venture-development": (36, "バイオ分野　約530社"),
    "it-venture-development": (38, "ＩＴ分野　約840社"),
    "tokai-monozukuri": (41, "約1,490社　26大学"),
    "tokai-bio-monozukuri": (43, "約100社　52大学"),
    "hokuriku-monozukuri": (45, "約380社　17大学"),
    "kansai-bio-cluster": (48, "約350社　56大学"),
    "kansai-front-runner": (50, "ものづくり・情報・エネルギー分野"),
    "kansai-environment-business": (52, "環境分野　約120社"),
    "shikoku-techno-bridge": (55, "ものづくり、健康・バイオ分野"),
    "kyushu-k-rip": (60, "環境分野　約550社　41大学"),
    "kyushu-silicon-cluster": (62, "半導体分野　約110社"),
    "kyushu-bio-cluster": (64, "約20社　5大学"),
    "next-generation-core-industries": (67, "ものづくり、バイオ、ＩＴ分野"),
    "recycling-oriented-society": (69, "約260社　30大学"),
    "okinawa-industry-promotion": (91, "情報・健康・環境・加工交易分野"),
}


@pytest.fixture(scope="module")
def client(built_dist: Path):
    with app_client(dist=built_dist, queries=None, query_workers=1) as c:
        yield c


def test_the_phrases_are_the_source_s_words(project_root: Path) -> None:
    lines = (project_root / "data" / "source" / "knowledge-cluster-collaboration-2008.txt").read_text(
        encoding="utf-8").splitlines()
    assert len(PHRASES) == 18
    for slug, (line, phrase) in PHRASES.items():
        assert phrase in lines[line - 1], slug


@pytest.mark.parametrize("slug", sorted(PHRASES))
def test_every_project_is_found_by_a_phrase_of_its_quote(client: httpx.Client, slug: str) -> None:
    line, phrase = PHRASES[slug]
    answer = client.get("/search.json", params={"q": phrase}).json()
    found = [r["id"] for r in answer["results"]]
    assert f"cluster/{slug}" in found[:3], (phrase, found[:5])
    hit = next(r for r in answer["results"] if r["id"] == f"cluster/{slug}")
    assert hit["quote"]["line"] <= line <= hit["quote"]["line"] + 4 and hit["matched"] == "quote"
    assert all(word in hit["quote"]["text"] for word in phrase.split())
    page = client.get("/search.ja.html", params={"q": phrase})
    assert page.status_code == 200
    item = re.search(rf'<li data-kind="cluster"><a href="/id/cluster/{slug}\.ja\.html".*?</li>', page.text, re.S)
    assert item and all(word in unescape(item.group(0)) for word in phrase.split())  # the quote that matched


def test_labels_other_names_and_descriptions_are_searched_in_both_languages(client: httpx.Client) -> None:
    def ids(q: str, **facets: str) -> list[str]:
        return [r["id"] for r in client.get("/search.json", params={"q": q, **facets}).json()["results"]]

    assert ids("Neo Cluster")[0] == "cluster/kansai-front-runner"  # an altLabel, line 49
    assert ids("ＥＵ")[:1] == ["organization/eu"]  # the altLabel ＥＵ, line 122
    assert "cluster/hokkaido-super-cluster" in ids("hokkaido super")
    assert ids("北海道スーパー・クラスター振興戦略Ⅱ")[0] == "cluster/hokkaido-super-cluster"  # the whole name first
    assert ids("振興戦略2")[:1] == ["cluster/hokkaido-super-cluster"]  # the numeral as users type it
    assert "program/mext-measures" in ids("文部科学省施策")


def test_facets_are_links_whose_counts_hold(client: httpx.Client) -> None:
    answer = client.get("/search.json", params={"q": "ものづくり"}).json()
    assert set(answer["facets"]) == {"type", "region", "programme", "field", "origin"}
    followed = 0
    for facet, values in answer["facets"].items():
        for value in values:
            narrowed = client.get(value["href"]).json()
            assert narrowed["total"] == value["count"], (facet, value)
            assert narrowed["filters"][facet] == value["id"] and narrowed["query"] == "ものづくり"
            followed += 1
    assert followed >= 8
    chubu = client.get("/search.json", params={"q": "ものづくり", "region": "region/chubu"}).json()
    assert {r["id"] for r in chubu["results"]} == {"cluster/tokai-monozukuri", "cluster/hokuriku-monozukuri",
                                                   "cluster/tokai-bio-monozukuri"}  # lines 40-45, Chubu bureau


def test_stated_and_editorial_are_a_facet(client: httpx.Client) -> None:
    editorial = client.get("/search.json", params={"q": "", "origin": "editorial", "type": "Region"}).json()
    assert editorial["total"] == 9 and all(r["origin"] == "editorial" for r in editorial["results"])
    stated = client.get("/search.json", params={"q": "", "origin": "stated", "type": "Cluster"}).json()
    assert stated["total"] == 18
    assert client.get("/search.json", params={"origin": "neither"}).status_code == 400


def test_the_page_needs_no_script_and_shows_labels_not_iris(client: httpx.Client) -> None:
    for lang, label in (("ja", "東海ものづくり創生プロジェクト"), ("en", "Tokai Manufacturing Creation Project")):
        page = client.get(f"/search.{lang}.html", params={"q": "ものづくり"})
        assert page.status_code == 200 and "<script" not in page.text
        main = page.text.split("<main>")[1].split("</main>")[0]
        texts = re.findall(r"<a [^>]*>([^<]+)</a>", main)
        assert label in texts and not any(t.startswith(("http://", "https://")) for t in texts)
        facets = re.findall(r'<nav class="facets".*?</nav>', main, re.S)
        assert facets and facets[0].count("<a ") >= 6
        for href in re.findall(r'href="([^"]+)"', facets[0]):  # every facet is a link to this same page
            target = urlsplit(unescape(href))
            assert target.path == f"/search.{lang}.html" and parse_qs(target.query)["q"] == ["ものづくり"]
    chosen = client.get("/search.en.html", params={"q": "ものづくり", "field": "field/bio"}).text
    assert 'class="chosen"' in chosen and 'class="facet-remove"' in chosen


def test_listing_by_kind_and_type_without_words(client: httpx.Client) -> None:
    clusters = client.get("/search.en.html", params={"kind": "cluster"}).text
    assert len(re.findall(r'<li data-kind="cluster"><a href="/id/cluster/', clusters)) == 18
    prefectures = client.get("/search.json", params={"type": "Prefecture"}).json()
    assert prefectures["total"] == 47


def test_pages_link_to_search(client: httpx.Client) -> None:
    assert 'href="/search.en.html" class="search-link"' in client.get("/sparql?lang=en",
                                                                      headers={"Accept": "text/html"}).text
    assert 'class="search-link"' in client.get("/index.ja.html").text
    assert 'class="search-link"' in client.get("/id/cluster/tokai-monozukuri.en.html").text
