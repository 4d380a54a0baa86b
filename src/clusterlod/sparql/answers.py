"""The answer to a SPARQL query, the same whichever store gave it, and how remote answers are read.

The embedded store gives pyoxigraph objects; a remote endpoint gives bytes in SPARQL 1.1
JSON results or an RDF syntax. Both end up as one :class:`Answer` of pyoxigraph terms, so
the CLI renders, and the tests compare, answers without caring where they came from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: The variable in which Virtuoso answers an ASK asked for JSON results (a one-row SELECT).
VIRTUOSO_ASK = "__ASK_RETVAL"
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
#: A document type declaration or an entity declaration: in an answer, only a way to make the parser
#: expand a few hundred bytes into gigabytes ("billion laughs"). The RDF/XML parser reads a lower-case
#: ``<!doctype`` too, so case is ignored.
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class NotAnAnswer(ValueError):
    """The bytes are not a SPARQL answer of the expected kind; the message says what they were."""


@dataclass
class Answer:
    """The answer to one query: rows, a boolean or triples, by the query's form."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "boolean" if self.form == "ASK" else "graph" if self.form in GRAPH_FORMS else "bindings"

    def values(self) -> list[tuple[str | None, ...]]:
        """The rows as N-Triples terms (None when unbound): what the tests compare across stores."""
        return [tuple(None if t is None else str(t) for t in row) for row in self.rows]


def from_store(form: str, answer: object) -> Answer:
    """An Answer from what ``pyoxigraph.Store.query`` returned."""
    if isinstance(answer, ox.QueryBoolean):
        return Answer(form, boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Answer(form, triples=list(answer))
    assert isinstance(answer, ox.QuerySolutions)
    variables = [v.value for v in answer.variables]
    return Answer(form, variables, [tuple(solution[name] for name in variables) for solution in answer])


def from_results_json(form: str, body: bytes) -> Answer:
    """SPARQL 1.1 JSON results (also Virtuoso's ASK and "typed-literal") into an Answer."""
    try:
        data = json.loads(body)
    except RecursionError:  # a "[[[[…" bomb: Python's reader stops at its recursion limit
        raise NotAnAnswer("JSON nested too deeply to be SPARQL results") from None
    except ValueError:
        raise NotAnAnswer("not SPARQL JSON results") from None
    try:
        if form == "ASK":
            return Answer(form, boolean=ask_boolean(data))
        variables = list(data["head"]["vars"])
        rows = [tuple(json_term(b[v]) if v in b else None for v in variables) for b in data["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise NotAnAnswer("not SPARQL JSON results") from None
    return Answer(form, variables, rows)


def ask_boolean(data: dict) -> bool:
    """The answer of an ASK: ``{"boolean": true}``, or Virtuoso 7's SELECT-like answer.

    Virtuoso answers an ASK asked for JSON with the variable ``__ASK_RETVAL``: one row with the
    integer 1 when the pattern matches, no rows when it does not.
    """
    if isinstance(data.get("boolean"), bool):
        return data["boolean"]
    if data["head"]["vars"] == [VIRTUOSO_ASK]:
        rows = data["results"]["bindings"]
        if not rows:
            return False
        if len(rows) == 1 and rows[0][VIRTUOSO_ASK]["value"] in ("1", "0", "true", "false"):
            return rows[0][VIRTUOSO_ASK]["value"] in ("1", "true")
    raise ValueError("no boolean")


def json_term(binding: dict) -> Term:
    """One term of SPARQL JSON results (also Virtuoso's "typed-literal")."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind in ("literal", "typed-literal"):
        if binding.get("xml:lang"):
            return ox.Literal(value, language=binding["xml:lang"])
        datatype = binding.get("datatype")
        return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)
    raise ValueError(f"unknown term type {kind}")


def json_bindings(body: bytes) -> list[dict[str, Term]]:
    """The rows of SELECT JSON results as {variable: term}, unbound variables left out."""
    answer = from_results_json("SELECT", body)
    return [{v: t for v, t in zip(answer.variables, row, strict=True) if t is not None} for row in answer.rows]


def from_graph(media_type: str, body: bytes) -> list[ox.Triple]:
    """An RDF graph answer (Turtle, N-Triples, RDF/XML, JSON-LD) into triples.

    RDF/XML with a DTD is refused before any parser sees it: the parser expands internal entities.
    """
    syntax = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if syntax is None:
        raise NotAnAnswer(f"not an RDF graph ({media_type or 'no content type'})")
    if syntax == ox.RdfFormat.RDF_XML and _DTD.search(body):
        raise NotAnAnswer("RDF/XML with a DTD (document type or entity declarations), refused unparsed: "
                          "entities can expand a small answer without bound")
    try:
        return [q.triple for q in ox.parse(body, syntax)]
    except (SyntaxError, ValueError) as error:
        raise NotAnAnswer(f"a graph that does not parse as {media_type}: {str(error).splitlines()[0]}") from None
