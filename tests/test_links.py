"""Link sets and `clusterlod links` against a live SPARQL server on loopback."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
from stores import free_port

from clusterlod.errors import ExitCode

IDENTIFIERS = Path(__file__).resolve().parents[1] / "data" / "reference" / "identifiers.csv"
WD = "http://www.wikidata.org/entity/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LINK_PREDICATES = {"http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#exactMatch",
                   "http://www.w3.org/2004/02/skos/core#closeMatch", "http://www.w3.org/2000/01/rdf-schema#seeAlso",
                   "https://schema.org/sameAs"}


def wikidata_fixture(renamed: dict[str, tuple[str, str]] | None = None, removed: set[str] = frozenset(),
                     extra: list[str] = ()) -> str:
    """A small Wikidata-style graph written for the tests: each listed item with its ja and en names."""
    lines = []
    with IDENTIFIERS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            qid = row["identifier"]
            if row["scheme"] != "wikidata" or qid in removed:
                continue
            ja, en = (renamed or {}).get(qid, (row["entity_ja"], row["entity_en"].split(" (")[0]))
            lines.append(f'<{WD}{qid}> <{LABEL}> {ox.Literal(ja, language="ja")}, {ox.Literal(en, language="en")} .')
    return "\n".join(lines + list(extra)) + "\n"


def load(server, turtle: str) -> None:
    response = httpx.put(f"{server.store_url}?default", content=turtle.encode("utf-8"),
                         headers={"Content-Type": "text/turtle"}, timeout=30)
    assert response.status_code in (200, 201, 204), response.text


def clusterlod(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clusterlod", *args], capture_output=True, text=True, timeout=120)


def statuses(stdout: str) -> dict[str, str]:
    rows = [line.split() for line in stdout.splitlines()[1:] if line.strip()]
    return {row[2].rsplit("/", 1)[-1] + "|" + row[1].rsplit("/", 1)[-1]: row[0] for row in rows}


def test_every_published_link_is_traceable_to_its_verification(built_dist: Path) -> None:
    rows = {}
    with IDENTIFIERS.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            rows[reader.line_num] = row
    store = ox.Store()
    store.load(path=str(built_dist / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS)
    links = [(q.subject.value, q.predicate.value, q.object.value) for q in store.quads_for_pattern(None, None, None)
             if q.predicate.value in LINK_PREDICATES and not q.object.value.startswith("https://w3id.org/clusterlod/")
             and q.graph_name.value != "https://w3id.org/clusterlod/graph/ontology"]
    assert len(links) > 150
    for s, p, o in links:
        [solution] = list(store.query(f"""
            PREFIX clo: <https://w3id.org/clusterlod/ontology/>
            PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            SELECT ?line ?confidence ?where WHERE {{
              ?st rdf:subject <{s}> ; rdf:predicate <{p}> ; rdf:object <{o}> ;
                  clo:identifierListLine ?line ; clo:confidence ?confidence ; clo:verification ?where .
            }}""", use_default_graph_as_union=True))
        row = rows[int(solution["line"].value)]
        assert o.endswith(row[3].split(" (")[0]) or row[3].split(" (")[0] in o, (o, row)
        if o.startswith("http://hojin-info.go.jp/data/basic/"):
            # Derived from a verified 法人番号 by gBizINFO's IRI form: the number's confidence, the form's evidence.
            assert row[2] == "houjin" and solution["confidence"].value.startswith(row[4]), (o, row)
            assert "Babibubebon/gbizinfo-lod" in solution["where"].value
            assert "not checked from here" in solution["where"].value
            continue
        assert solution["confidence"].value == row[4] and solution["where"].value == row[5]
        if p.endswith("#sameAs"):
            assert row[4].startswith("verified twice"), (s, o, "owl:sameAs only for identifiers verified twice")
        if "title only" in row[4]:
            assert p.endswith("#seeAlso"), (s, o)


def test_link_sets_are_distributions_described_as_void_linksets(built_dist: Path) -> None:
    import rdflib

    catalog = rdflib.Graph().parse(built_dist / "catalog.ttl")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    linksets = set(catalog.subjects(rdflib.RDF.type, VOID.Linkset))
    assert {str(ls).rsplit("/", 1)[-1].split("-")[0] for ls in linksets} == {"wikidata", "dbpedia", "geonames", "estat",
                                                                                 "gbizinfo"}
    for linkset in linksets:
        dump = catalog.value(linkset, VOID.dataDump)
        path = built_dist / str(dump).split("/download/", 1)[1]
        predicate = catalog.value(linkset, VOID.linkPredicate)
        target = catalog.value(linkset, VOID.objectsTarget)
        spaces = [str(s) for s in catalog.objects(target, VOID.uriSpace)]
        links = [t for t in ox.parse(path=str(path)) if t.predicate.value == str(predicate)
                 and t.object.value.startswith(tuple(spaces))]
        assert int(catalog.value(linkset, VOID.triples)) == len(links) > 0


def test_regions_are_close_matches_where_the_bureau_area_differs(dist_store: ox.Store) -> None:
    # A region is a place, not a skos:Concept: schema:sameAs where SKOS would say exactMatch, rdfs:seeAlso for close.
    answer = dist_store.query(
        "SELECT ?r ?p WHERE { ?r a <https://w3id.org/clusterlod/ontology/Region> ; "
        f"?p ?w FILTER(STRSTARTS(STR(?w), '{WD}')) }}",
        use_default_graph_as_union=True)
    rows = {r["r"].value.rsplit("/", 1)[-1]: r["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in answer}
    assert rows == {"hokkaido": "sameAs", "tohoku": "sameAs", "kanto": "seeAlso", "chubu": "seeAlso",
                    "kinki": "seeAlso", "chugoku": "sameAs", "shikoku": "sameAs", "kyushu": "seeAlso"}
    kanto = {r["c"].value for r in dist_store.query(
        "SELECT ?c WHERE { <https://w3id.org/clusterlod/id/region/kanto> "
        "<https://w3id.org/clusterlod/ontology/coversPrefecture>/<https://w3id.org/clusterlod/ontology/jisCode> ?c }",
        use_default_graph_as_union=True)}
    assert kanto == {"08", "09", "10", "11", "12", "13", "14", "15", "19", "20", "22"}


def test_check_reports_good_changed_and_missing_links(oxigraph_instance, built_dist: Path) -> None:
    load(oxigraph_instance, wikidata_fixture())
    good = clusterlod("links", "check", "--dist", str(built_dist), "--endpoint", oxigraph_instance.query_url)
    assert good.returncode == 0, good.stderr
    found = statuses(good.stdout)
    assert len(found) >= 55 and set(found.values()) == {"ok"}

    load(oxigraph_instance, wikidata_fixture(renamed={"Q38": ("イタリア共和国", "Italian Republic")}, removed={"Q142"}))
    result = clusterlod("links", "check", "--dist", str(built_dist), "--endpoint", oxigraph_instance.query_url)
    assert result.returncode == ExitCode.LINKS_CHANGED
    found = statuses(result.stdout)
    assert found["Q38|italy"] == "changed"
    assert found["Q142|france"] == "missing"
    assert found["Q17|japan"] == "ok"
    assert "イタリア共和国@ja" in result.stdout
    assert "2 changed" not in result.stderr and "1 changed, 1 missing" in result.stderr


def test_suggest_writes_scored_candidates_to_a_review_file(oxigraph_instance, built_dist: Path, tmp_path: Path,
                                                           project_root: Path) -> None:
    extra = [
        f'<{WD}Q1000001> <{LABEL}> "国立京都国際会館"@ja, "Kyoto International Conference Center"@en .',
        f'<{WD}Q1000002> <{LABEL}> "東京ビッグサイト"@ja .',
        f'<{WD}Q1000003> <{LABEL}> "東京ビッグサイト"@ja, "Tokyo Big Sight (old hall)"@en .',
    ]
    load(oxigraph_instance, wikidata_fixture(extra=extra))
    data_before = {p: p.read_bytes() for p in (project_root / "data").rglob("*") if p.is_file()}
    review = tmp_path / "review.csv"
    result = clusterlod("links", "suggest", "--dist", str(built_dist), "--endpoint", oxigraph_instance.query_url,
                        "--out", str(review))
    assert result.returncode == 0, result.stderr
    rows = {(r["entity"].rsplit("/", 1)[-1], r["candidate"].rsplit("/", 1)[-1]): r
            for r in csv.DictReader(review.open(encoding="utf-8"))}
    assert rows[("kyoto-icc", "Q1000001")]["score"] == "1.000"
    assert rows[("tokyo-big-sight", "Q1000002")]["alternatives"] == "2"
    assert rows[("tokyo-big-sight", "Q1000003")]["score"] == "0.250"
    assert all(r["decision"] == "" for r in rows.values())
    assert not any(entity == "japan" for entity, _ in rows), "linked entities are not proposed again"
    assert {p: p.read_bytes() for p in (project_root / "data").rglob("*") if p.is_file()} == data_before


def test_unreachable_endpoint_is_one_clear_line(built_dist: Path) -> None:
    result = clusterlod("links", "check", "--dist", str(built_dist), "--endpoint", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.returncode == ExitCode.REMOTE
    assert result.stderr.strip().count("\n") == 0 and "cannot reach" in result.stderr


def test_a_silent_endpoint_times_out_with_one_clear_line(built_dist: Path, silent_server: str) -> None:
    result = clusterlod("links", "check", "--dist", str(built_dist), "--timeout", "1", "--endpoint", silent_server)
    assert result.returncode == ExitCode.REMOTE
    assert "timeout" in result.stderr and result.stderr.strip().count("\n") == 0


def test_an_endpoint_that_is_not_sparql_is_named(built_dist: Path, oxigraph_instance) -> None:
    nothing_here = oxigraph_instance.query_url.rsplit("/", 1)[0] + "/nothing-here"
    result = clusterlod("links", "check", "--dist", str(built_dist), "--endpoint", nothing_here)
    assert result.returncode == ExitCode.REMOTE
    assert "HTTP 404" in result.stderr or "not SPARQL" in result.stderr
