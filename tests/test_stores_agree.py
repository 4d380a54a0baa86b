"""Every canned query gives the same answer on the embedded store, a live Oxigraph, a live Virtuoso and Jena.

The real build (``built_dist``) is loaded into a fresh Oxigraph server and a fresh private Virtuoso,
both on 127.0.0.1, with ``clusterlod load`` run as a user runs it (the CLI, one SPARQL Update request,
Digest authentication for Virtuoso). Then each canned query and each quality check runs through
``clusterlod.sparql.canned`` on the three stores, with its default parameters and with the parameter
values that tests/test_queries.py writes answers down for:

- SELECT: the same variables and the same rows as RDF terms, in the same order (every canned
  SELECT has an ORDER BY that decides the order), duplicates included;
- ASK: the same boolean;
- CONSTRUCT: isomorphic graphs (the canned DESCRIBE is a CONSTRUCT now: see
  queries/describe-entity.rq).

Jena is Debian's ``libapache-jena-java`` (docs/loading.md names the version, which
:func:`test_jena_version_is_recorded` checks against the installed one): Fuseki's engine, ARQ, over a
TDB2 dataset that Jena's own ``tdb2.tdbloader`` filled from the release's N-Quads, its default
graph the union of the named graphs (``unionDefaultGraph``, as docs/loading.md configures Fuseki).
Each query is bound exactly as ``clusterlod query`` binds it (``canned.prepare``) and handed to ARQ.

The quality checks find nothing on the published data, so agreeing on them proves little: they are
also run after one more graph of deliberately broken data has been loaded into the three stores,
where each check finds something.

What is normalised before comparing, and nothing else (see ``canonical``):

- an ``xsd:boolean`` literal spelt ``1``/``0`` is compared as ``true``/``false``. Virtuoso 7
  returns stored booleans in SELECT results in that form (``"1"^^xsd:boolean``). Both are lexical
  forms of the same value in XSD (``true``/``false`` are the canonical ones); the data holds
  ``true``/``false`` and Virtuoso gives them back as such in CONSTRUCT results.

Virtuoso's other known differences are handled where they arise, not by normalising: its ASK
answer (a one-row ``__ASK_RETVAL`` result, no rows for false) is read by clusterlod.sparql.answers itself,
and the queries that met its other quirks were rewritten to portable equivalents (see
the README, "Portable queries").
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from jena import JenaStore, classpath, jena_version, run_command
from rdflib import Graph as RdflibGraph
from rdflib.compare import isomorphic
from stores import OxigraphServer, VirtuosoServer, _oxigraph, _virtuoso

from clusterlod.sparql import canned as Q
from clusterlod.sparql.answers import Term
from clusterlod.sparql.sparql_text import tokens

BASE = "https://w3id.org/clusterlod/"
CLO = BASE + "ontology/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_BOOLEAN = XSD + "boolean"
ALL = Q.discover()
QC = [q for q in ALL if q.is_qc]
STORES = ("oxigraph", "virtuoso")

#: Parameter values besides the defaults: those tests/test_queries.py writes the answers down for,
#: and an ASK that is false (Virtuoso answers a false ASK with no rows at all).
PARAMETER_CASES: list[tuple[str, dict[str, str]]] = [
    ("projects-by-field", {"field": "semiconductor"}),
    ("projects-by-region", {"region": "chugoku"}),
    ("projects-by-size", {"min_companies": "1000"}),
    ("events-by-status", {"status": "clo:Held"}),
    ("external-links", {"class": "clo:Ministry"}),
    ("companies-add-up", {"tolerance": "0.001"}),
    ("companies-add-up", {"tolerance": "0.0001"}),
    ("quote-search", {"text": 'x" } UNION { ?s ?p ?o } #'}),
    ("fact-source", {"entity": "cluster:tokai-monozukuri"}),
    ("describe-entity", {"entity": "cluster:kansai-bio-cluster"}),
    ("project-card", {"project": "kansai-bio-cluster"}),
    ("stated-vs-editorial", {"entity": "event:cluster-japan-2008"}),
]
CASES = [(q.name, {}) for q in ALL] + PARAMETER_CASES


# --------------------------------------------------------------------------- the stores


def clusterlod_load(source: Path, *args: str) -> str:
    """``clusterlod load SOURCE ARGS``, as a user runs it; its report, after checking it succeeded."""
    result = subprocess.run([sys.executable, "-m", "clusterlod", "load", str(source), *args, "--quiet"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"clusterlod load failed ({result.returncode}):\n{result.stdout}{result.stderr}"
    return result.stdout


def load_args(server: OxigraphServer | VirtuosoServer) -> list[str]:
    """The endpoints the README ("Loading into a triple store") gives for each store."""
    if isinstance(server, VirtuosoServer):
        return ["--endpoint", server.update_url, "--user", server.user, "--password", server.password]
    return ["--endpoint", server.query_url]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A fresh Oxigraph of this module's own: ``oxigraph_instance`` for a whole module."""
    yield from _oxigraph(tmp_path_factory.mktemp("agree-oxigraph"))


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A fresh private Virtuoso: ``virtuoso_instance`` for a whole module, so that no graph another
    test loads into the shared ``virtuoso_server`` joins the union the canned queries read."""
    yield from _virtuoso(tmp_path_factory.mktemp("agree-virtuoso"))


@pytest.fixture(scope="module")
def endpoints(built_dist: Path, dist_store: ox.Store, oxigraph: OxigraphServer,
              virtuoso: VirtuosoServer) -> dict[str, str]:
    """The build loaded into both servers by ``clusterlod load``; their anonymous query URLs."""
    graphs = {str(q.graph_name.value) for q in dist_store}
    for server in (oxigraph, virtuoso):
        report = clusterlod_load(built_dist, *load_args(server))
        assert sum(1 for line in report.splitlines() if line.endswith(" ok")) == len(graphs), report
    return {"oxigraph": oxigraph.query_url, "virtuoso": virtuoso.query_url}


@pytest.fixture(scope="module")
def jena_classpath(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return classpath(tmp_path_factory.mktemp("jena-bundles"))


@pytest.fixture(scope="module")
def jena(built_dist: Path, jena_classpath: list[str], tmp_path_factory: pytest.TempPathFactory) -> JenaStore:
    """The release loaded into a TDB2 dataset by Jena's own loader, as docs/loading.md tells a Fuseki
    user to load it, then opened by ARQ with the union as its default graph."""
    location = tmp_path_factory.mktemp("tdb2") / "clusterlod"
    loaded = run_command(jena_classpath, "tdb2.tdbloader", "--loc", str(location),
                         str(built_dist / "clusterlod.nq"))
    assert loaded.returncode == 0, f"tdb2.tdbloader failed:\n{loaded.stdout}{loaded.stderr}"
    return JenaStore(jena_classpath, location)


@pytest.fixture(scope="module")
def engines(endpoints: dict[str, str], jena: JenaStore) -> dict[str, Callable[[str], Q.Answer]]:
    """Every store, as what it answers to a query text (bound as `clusterlod query` binds it)."""
    def remote(url: str) -> Callable[[str], Q.Answer]:
        return lambda text: Q.run_remote(text, url, timeout=30)

    return {**{store: remote(url) for store, url in endpoints.items()}, "jena": jena.run}


# --------------------------------------------------------------------------- comparing


def canonical(term: Term | None) -> Term | None:
    """The term to compare: ``"1"``/``"0"`` of xsd:boolean as ``"true"``/``"false"`` (see the module
    docstring); every other term as it is."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_BOOLEAN and term.value in ("1", "0"):
        return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term


def ordered(query_text: str) -> bool:
    """Whether the query has an ORDER BY (comments and strings skipped)."""
    words = [m.group().upper() for m in tokens(query_text) if m.lastgroup == "word"]
    return any(a == "ORDER" and b == "BY" for a, b in itertools.pairwise(words))


def rows(result: Q.Answer, keep_order: bool) -> list[tuple[str, ...]]:
    """The rows as tuples of N-Triples terms ("" when unbound), after ``canonical``."""
    found = [tuple("" if t is None else str(canonical(t)) for t in row) for row in result.rows]
    return found if keep_order else sorted(found)


def triples(result: Q.Answer) -> list[ox.Triple]:
    return [ox.Triple(t.subject, t.predicate, canonical(t.object)) for t in result.triples]


def same_graph(one: list[ox.Triple], other: list[ox.Triple]) -> bool:
    """Isomorphic graphs. Without blank nodes that is equal sets of triples, compared here term for
    term; with blank nodes rdflib decides (it then also reads literals by value)."""
    if not any(isinstance(term, ox.BlankNode) for t in one + other for term in (t.subject, t.object)):
        return {str(t) for t in one} == {str(t) for t in other}

    def graph(found: list[ox.Triple]) -> RdflibGraph:
        return RdflibGraph().parse(data=ox.serialize(found, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")

    return isomorphic(graph(one), graph(other))


def assert_same_answer(query: Q.CannedQuery, local: Q.Answer, remote: Q.Answer, store: str) -> None:
    where = f"{query.name} on {store}"
    assert remote.form == local.form, where
    if local.kind == "boolean":
        assert remote.boolean is local.boolean, where
    elif local.kind == "graph":
        assert same_graph(triples(remote), triples(local)), (
            f"{where}: only there {sorted(set(map(str, triples(remote))) - set(map(str, triples(local))))[:5]}, "
            f"only embedded {sorted(set(map(str, triples(local))) - set(map(str, triples(remote))))[:5]}")
    else:
        assert remote.variables == local.variables, where
        keep_order = ordered(query.text)
        there, here = rows(remote, keep_order), rows(local, keep_order)
        if there != here:
            missing = [r for r in here if r not in there]
            extra = [r for r in there if r not in here]
            pytest.fail(f"{where}: {len(there)} rows against {len(here)} embedded; only embedded {missing[:3]}, "
                        f"only there {extra[:3]}" + ("" if missing or extra else "; the order differs"))


# --------------------------------------------------------------------------- the tests


def test_the_default_graph_is_the_union_of_the_loaded_graphs(dist_store: ox.Store,
                                                              endpoints: dict[str, str]) -> None:
    """Oxigraph by its union-default-graph parameter, Virtuoso by itself (a query without FROM).

    Virtuoso's union also holds its own system graphs (virtrdf#, ldp#, localuriqaserver/sparql:
    about 2,500 triples); the canned queries only match the dataset's own terms, which the rest
    of this module shows, so those graphs change no answer.
    """
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = {g.value: int(n.value) for g, n in Q.run_local(per_graph, dist_store).rows}
    assert sum(expected.values()) == len(dist_store) == int(Q.run_local(union, dist_store).rows[0][0].value)
    for store, url in endpoints.items():
        found = {g.value: int(n.value) for g, n in Q.run_remote(per_graph, url).rows}
        ours = {g: n for g, n in found.items() if g.startswith(BASE)}
        assert ours == expected, store
        others = set(found) - set(ours)
        assert store == "virtuoso" or not others, f"{store} holds other graphs: {sorted(others)}"
        assert int(Q.run_remote(union, url).rows[0][0].value) == sum(found.values()), \
            f"{store}: the default graph is not the union of all its graphs"


@pytest.mark.parametrize("name, params", CASES,
                         ids=[name + "".join(f"[{v}]" for v in params.values()) for name, params in CASES])
def test_canned_queries_agree_across_the_stores(dist_store: ox.Store, engines: dict[str, Callable[[str], Q.Answer]],
                                                name: str, params: dict[str, str]) -> None:
    query = Q.resolve(name)
    local = Q.run(query, params, store=dist_store)
    if not query.is_qc and local.kind == "bindings" and not params:
        assert local.rows, f"{name} gives no rows: nothing to compare"
    if local.kind == "graph":
        assert local.triples, f"{name} gives an empty graph: nothing to compare"
    text = Q.prepare(query, params)
    for store, answer in engines.items():
        assert_same_answer(query, local, answer(text), store)


def test_jena_version_is_recorded() -> None:
    """docs/loading.md names the Jena version these tests run; it must be the one installed."""
    version = jena_version()
    assert version, "dpkg knows no version of libapache-jena-java"
    upstream = version.split("-")[0]
    assert f"Jena {upstream}" in (Path(__file__).parents[1] / "docs" / "loading.md").read_text(), version


def fuseki_block() -> str:
    """The shell block of docs/loading.md's Fuseki section: what a Fuseki user is told to run."""
    text = (Path(__file__).parents[1] / "docs" / "loading.md").read_text()
    section = text[text.index("### Apache Jena Fuseki"):]
    start = section.index("```sh\n") + len("```sh\n")
    return section[start:section.index("\n```", start)]


def test_the_documented_tdb2_load_answers_national_totals(built_dist: Path, dist_store: ox.Store,
                                                          jena_classpath: list[str], tmp_path: Path) -> None:
    """docs/loading.md's commands, run as they stand with Debian's Jena: tdb2.tdbloader, then
    tdb2.tdbquery of national-totals, whose table must hold the embedded store's three rows."""
    shutil.copytree(built_dist, tmp_path / "dist")
    shutil.copytree(Path(__file__).parents[1] / "queries", tmp_path / "queries")
    ran = subprocess.run(["bash", "-euo", "pipefail", "-c", fuseki_block()], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Mismatch" not in ran.stderr
    table = [[cell.strip().strip('"') for cell in line.strip("|").split("|")]
             for line in ran.stdout.splitlines() if line.startswith('| "')]
    expected = Q.run(Q.resolve("national-totals"), store=dist_store)
    assert table == [[term.value if term is not None else "" for term in row] for row in expected.rows]
    assert len(table) == 3


def test_the_tdb2_load_holds_every_graph(dist_store: ox.Store, jena: JenaStore) -> None:
    """tdb2.tdbloader's TDB2 dataset holds each named graph with its triples; its union is the whole."""
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    expected = {g.value: int(n.value) for g, n in Q.run_local(per_graph, dist_store).rows}
    found = {g.value: int(n.value) for g, n in jena.run(per_graph).rows}
    assert found == expected
    union = jena.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(union.rows[0][0].value) == len(dist_store)


def test_every_canned_query_is_compared() -> None:
    assert {name for name, _ in CASES} == {q.name for q in ALL}
    assert {q.form for q in ALL} <= {"SELECT", "ASK", "CONSTRUCT"}, "a DESCRIBE cannot agree across stores"


# --------------------------------------------------------------------------- quality checks on broken data

BROKEN_GRAPH = "urn:clusterlod-test:broken"


def broken_quads() -> list[ox.Quad]:
    """Data that each quality check should catch at least once."""
    g = ox.NamedNode(BROKEN_GRAPH)

    def node(path: str) -> ox.NamedNode:
        return ox.NamedNode(BASE + path)

    def lit(value: str, kind: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))

    clo = {name: ox.NamedNode(CLO + name) for name in (
        "Place", "Cluster", "Figure", "ApproximateFigure", "SourceQuote", "EditorialStatement", "value",
        "approximate", "region", "endDate", "startOffset", "endOffset", "line", "section")}
    nowhere, elsewhere = node("id/place/nowhere"), node("id/place/elsewhere")
    quote = node("id/quote/broken-q1")
    return [ox.Quad(*spo, g) for spo in [
        (nowhere, RDF_TYPE, clo["Place"]),                                 # no ja label, no source
        (nowhere, RDFS_LABEL, ox.Literal("Nowhere", language="en")),
        (elsewhere, RDF_TYPE, clo["Place"]),                               # no en label
        (elsewhere, RDFS_LABEL, ox.Literal("どこか", language="ja")),
        (node("id/event/iag-conference-7"), clo["endDate"], lit("2008-06-13", "date")),  # before its start
        (node("id/cluster/tokai-monozukuri"), clo["region"], node("id/region/atlantis")),  # dangling
        (node("id/cluster/ghost"), RDF_TYPE, clo["Cluster"]),              # incomplete project
        (node("id/figure/zero"), RDF_TYPE, clo["Figure"]),                 # value not above zero
        (node("id/figure/zero"), clo["value"], lit("0", "integer")),
        (node("id/figure/zero"), clo["approximate"], lit("false", "boolean")),
        (node("id/figure/flag"), RDF_TYPE, clo["Figure"]),                 # exact, yet flagged approximate
        (node("id/figure/flag"), clo["value"], lit("7", "integer")),
        (node("id/figure/flag"), clo["approximate"], lit("true", "boolean")),
        (node("id/figure/two"), RDF_TYPE, clo["Figure"]),                  # two values
        (node("id/figure/two"), clo["value"], lit("5", "integer")),
        (node("id/figure/two"), clo["value"], lit("6", "integer")),
        (node("id/figure/two"), clo["approximate"], lit("false", "boolean")),
        (node("id/figure/about"), RDF_TYPE, clo["ApproximateFigure"]),     # approximate, flag says exact
        (node("id/figure/about"), clo["value"], lit("9", "integer")),
        (node("id/figure/about"), clo["approximate"], lit("false", "boolean")),
        (quote, RDF_TYPE, clo["SourceQuote"]),                             # ends before it starts
        (quote, ox.NamedNode("http://www.w3.org/ns/oa#exact"), ox.Literal("どこか")),
        (quote, clo["section"], node("id/section/map")),
        (quote, clo["line"], lit("3", "integer")),
        (quote, clo["startOffset"], lit("20", "integer")),
        (quote, clo["endOffset"], lit("10", "integer")),
        (node("id/statement/orphan"), RDF_TYPE, clo["EditorialStatement"]),  # no basis
    ]]


@pytest.fixture
def broken(tmp_path: Path, dist_store: ox.Store, endpoints: dict[str, str], oxigraph: OxigraphServer,
           virtuoso: VirtuosoServer, jena: JenaStore) -> Iterator[ox.Store]:
    """The broken graph loaded into both servers (by clusterlod load) and into Jena's TDB2 store for one test,
    then dropped; the embedded store with the same graph added."""
    quads = broken_quads()
    source = tmp_path / "broken.nq"
    ox.serialize(quads, str(source), ox.RdfFormat.N_QUADS)
    store = ox.Store()
    store.extend(list(dist_store))
    store.extend(quads)
    try:
        for server in (oxigraph, virtuoso):
            clusterlod_load(source, *load_args(server))
        jena.load(source)
        yield store
    finally:
        jena.drop_graph(BROKEN_GRAPH)
        assert jena.run(f"ASK {{ GRAPH <{BROKEN_GRAPH}> {{ ?s ?p ?o }} }}").boolean is False, "still in jena"
        drop = {"update": f"DROP SILENT GRAPH <{BROKEN_GRAPH}>"}
        assert httpx.post(oxigraph.update_url, data=drop, timeout=30).is_success
        assert httpx.post(virtuoso.update_url, data=drop, timeout=30,
                          auth=httpx.DigestAuth(virtuoso.user, virtuoso.password)).is_success
        for store_name, url in endpoints.items():
            left = Q.run_remote(f"ASK {{ GRAPH <{BROKEN_GRAPH}> {{ ?s ?p ?o }} }}", url)
            assert left.boolean is False, f"the broken graph is still in {store_name}"


def test_quality_checks_agree_on_broken_data(broken: ox.Store, engines: dict[str, Callable[[str], Q.Answer]]) -> None:
    for query in QC:
        local = Q.run(query, store=broken)
        assert local.rows, f"{query.name} finds nothing in the broken data: nothing to compare"
        for store, answer in engines.items():
            assert_same_answer(query, local, answer(query.text), store)


def test_no_query_text_needs_a_store_specific_form() -> None:
    """The canned queries stay standard SPARQL 1.1: no Virtuoso pragmas or built-ins."""
    for query in ALL:
        assert not re.search(r"^\s*define\s+\w+:", query.text, re.I | re.M), query.name
        assert "bif:" not in query.text and "sql:" not in query.text, query.name
