"""The credit line Japan's terms ask for (政府標準利用規約 2.0 / 公共データ利用規約 第1.0版): 出典 and 加工, one text
in the README, the catalogue, the release graph and the pages' footer.

The expected words are read from the curated data (the document's title in data/document.yaml, the editor in
data/dataset.yaml) and from the terms' own example (出典：「…」（…省）, 「…」を加工して作成), not from the code.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib
import yaml
from inprocess import app_client

ROOT = Path(__file__).resolve().parents[1]
CC = "http://creativecommons.org/ns#attributionText"
DATASET = "https://w3id.org/clusterlod/dataset"


def title() -> str:
    [document] = [r for r in yaml.safe_load((ROOT / "data" / "document.yaml").read_text(encoding="utf-8"))
                  if r["type"] == "Document"]
    return "".join(document["label"]["ja"].split())


def editor() -> str:
    return yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))["publisher"]["ja"]


def expected_ja_parts() -> list[str]:
    name = title()
    return [f"出典：「{name}」（文部科学省）", f"「{name}」（文部科学省）を加工して作成", f"加工者：{editor()}",
            "URL は記録していない"]  # no public copy of the page has been verified: no URL is made up


def test_readme_gives_the_credit_line(built_dist: Path) -> None:
    text = (built_dist / "README.md").read_text(encoding="utf-8")
    source = text.split("### 出典", 1)[1].split("###", 1)[0]
    for part in expected_ja_parts():
        assert part in source, part
    assert "http" not in source
    english = text.split("### Source", 1)[1].split("###", 1)[0]
    assert f'Source: "{title()}" (MEXT)' in english and "not recorded" in english


def test_catalogue_and_release_graph_carry_the_same_credit(built_dist: Path, dist_store: ox.Store) -> None:
    catalogue = rdflib.Graph().parse(built_dist / "catalog.ttl")
    in_catalogue = {(str(o), o.language) for o in catalogue.objects(rdflib.URIRef(DATASET), rdflib.URIRef(CC))}
    in_data = {(q.object.value, q.object.language)
               for q in dist_store.quads_for_pattern(ox.NamedNode(DATASET), ox.NamedNode(CC), None, None)}
    assert in_catalogue == in_data and {language for _, language in in_data} == {"ja", "en"}
    [ja] = [text for text, language in in_data if language == "ja"]
    for part in expected_ja_parts():
        assert part in ja


def test_pages_show_the_credit_in_their_footer(built_dist: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    queries.mkdir()
    with app_client(dist=built_dist, queries=queries) as client:
        page = client.get("/index.ja.html").text
    footer = page.split("<footer>", 1)[1]
    for part in expected_ja_parts():
        assert part in footer, part
