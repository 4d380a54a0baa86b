"""Reading SPARQL text: keywords are found only outside comments, strings and IRIs."""

from __future__ import annotations

import pytest

from clusterlod.sparql.sparql_text import inspect


@pytest.mark.parametrize("text", [
    "DROP ALL",
    "\ufeffDROP ALL",
    'VERSION "1.2" DROP ALL',
    "SELECT * {} ; DROP ALL",
    "PREFIX ex: <http://example.org/#> INSERT DATA { ex:a ex:b ex:c }",
    "# a comment\nLOAD <http://example.org/x>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "clear silent graph <urn:g>",
])
def test_update_words_are_found_anywhere_outside_strings(text: str) -> None:
    assert inspect(text).is_update


@pytest.mark.parametrize("text, form", [
    ("# title-en: do the companies add up?\nASK { ?s ?p ?o }", "ASK"),
    ('SELECT ?s WHERE { ?s <http://example.org/#DROP> "DROP ALL" }', "SELECT"),
    ("PREFIX ex: <http://example.org/> CONSTRUCT { ?s ex:copy ?o } WHERE { ?s ex:move ?o }", "CONSTRUCT"),
    ("SELECT ?add ?drop WHERE { ?add ?drop ?load }", "SELECT"),
    ("describe <http://example.org/x>", "DESCRIBE"),
    ("SELECT * WHERE { ?a ?b ?c FILTER(?a<?b) }", "SELECT"),
    ("SELECT * WHERE { ?s ?p '''it's a\nlong DROP''' }", "SELECT"),
])
def test_queries_are_not_updates(text: str, form: str) -> None:
    shape = inspect(text)
    assert shape.form == form
    assert not shape.is_update
    assert not shape.federated


def test_service_is_federation_wherever_it_stands() -> None:
    assert inspect("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }").federated
    assert inspect("SELECT * WHERE { ?s ?p ?o OPTIONAL { service silent ?x { ?s ?p ?o } } }").federated
    assert not inspect('SELECT * WHERE { ?s ?p "SERVICE" }').federated


def test_from_clauses_name_a_dataset() -> None:
    assert inspect("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }").names_dataset
    assert inspect("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }").names_dataset
    assert not inspect("SELECT * WHERE { ?s <urn:from> ?o }").names_dataset


def _count(text: str, **request: list[str]) -> int:
    import pyoxigraph as ox

    from clusterlod.sparql.sparql_text import dataset_arguments

    store = ox.Store()
    for graph, value in (("urn:g:a", "1"), ("urn:g:b", "2"), ("urn:g:b", "3")):
        store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(value), ox.NamedNode(graph)))
    kwargs = dataset_arguments(text, request.get("default", []), request.get("named", []))
    return int(next(iter(store.query(text, **kwargs)))["n"].value)


def test_the_union_is_the_default_only_when_no_dataset_is_named() -> None:
    assert _count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 3
    assert _count("SELECT (COUNT(*) AS ?n) FROM <urn:g:a> WHERE { ?s ?p ?o }") == 1
    assert _count("SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE { ?s ?p ?o }") == 0
    assert _count("SELECT (COUNT(*) AS ?n) FROM <urn:g:a> WHERE { ?s ?p ?o }", default=["urn:g:b"]) == 2
    assert _count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", named=["urn:g:a"]) == 0
    assert _count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named=["urn:g:b"]) == 2


def test_nesting_counts_braces_parentheses_and_brackets_outside_strings_comments_and_iris() -> None:
    assert inspect("SELECT * WHERE { ?s ?p [ ?q (1 2) ] }").nesting == 3
    assert inspect('SELECT * WHERE { ?s ?p "{{{(((" } # {{{{{').nesting == 1
    assert inspect("SELECT * WHERE " + "{" * 3000 + "}" * 3000).nesting == 3000


def _shape_tokens(text: str) -> list[tuple[str | None, str]]:
    from clusterlod.sparql.sparql_text import tokens

    return [(m.lastgroup, m.group()) for m in tokens(text)]


def test_a_run_of_name_characters_is_read_as_before() -> None:
    """The linear reading of ``a-a-…`` finds the tokens the grammar does: words, operators, numbers."""
    assert _shape_tokens("a-b:c 1e+5 a.b: a-b SELECT-x a.:") == [
        ("pname", "a-b:c"), ("number", "1e+5"), ("pname", "a.b:"), ("word", "a"), ("other", "-"), ("word", "b"),
        ("word", "SELECT"), ("other", "-"), ("word", "x"), ("word", "a"), ("other", "."), ("pname", ":")]
    assert inspect("ASK {}" + "a-" * 20_000 + " DROP ALL").is_update  # a keyword after a long run is still seen


def test_unary_operator_chains_count_as_nesting() -> None:
    """100,000 ``!`` crash pyoxigraph's parser (a stack overflow), as deep brackets do."""
    assert inspect("ASK { FILTER(" + "!" * 500 + "true) }").nesting == 502
    assert inspect("ASK { FILTER(" + "! " * 500 + "true) }").nesting == 502
    assert inspect("ASK { FILTER(?a != ?b && !BOUND(?c)) }").nesting == 3
    assert inspect('ASK { FILTER("!!!!" = "-+-+") }').nesting == 2


def test_a_quote_that_opens_no_string_is_flagged() -> None:
    assert inspect('ASK { ?s ?p "open }').unclosed
    assert inspect("ASK { ?s ?p 'a\\'b\n' }").unclosed
    assert not inspect("ASK { ?s ?p \"\"\"two\nlines\"\"\" }").unclosed
    assert not inspect("ASK { ?s ?p 'it\\'s' }").unclosed
