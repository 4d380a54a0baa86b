"""Binding a canned query's parameters: each value parsed into one RDF term, placed by VALUES.

A parameter is a variable of the query. Its value is parsed into one RDF term by its
declared type (``iri``, ``string``, ``integer``, ``decimal``, ``date``, or a resource
kind such as ``field`` that also takes a bare slug) and bound with a ``VALUES`` block
placed at the start of the query's outermost WHERE group. The block is written from
pyoxigraph terms, whose serialisation escapes everything, so no value can change the
structure of the query. The same final text runs on the embedded store and on a remote
endpoint, so both give the same answers.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from clusterlod.errors import ClusterlodError, QuerySyntaxError, UsageError
from clusterlod.namespaces import RESOURCE_KINDS, XSD, Namespaces
from clusterlod.sparql.canned.catalogue import CannedQuery, Param
from clusterlod.sparql.sparql_text import FORMS, tokens

Term = ox.NamedNode | ox.BlankNode | ox.Literal
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: IRI schemes a bare (unbracketed) value may use; any other "x:y" must be a known prefix.
BARE_SCHEMES = ("http", "https", "urn", "mailto", "tag", "doi", "info")
LEXICAL = {
    "integer": re.compile(r"^[+-]?[0-9]+$"),
    "decimal": re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"),
    "date": re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
}
SYNTAX_ERROR = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


# --------------------------------------------------------------------------- reading the text


def where_group(text: str, origin: str = "query") -> int:
    """The offset just after the opening brace of the query's outermost WHERE group."""
    form, depth, template_done = None, 0, False
    for match in tokens(text):
        kind, value = match.lastgroup, match.group()
        if form is None:
            if kind == "word" and value.upper() in FORMS:
                form = value.upper()
            continue
        if form == "CONSTRUCT" and not template_done:
            if kind == "word" and value.upper() == "WHERE":
                template_done = True
            elif kind == "open":
                depth += 1
            elif kind == "close":
                depth -= 1
                template_done = depth == 0
            continue
        if kind == "open":
            return match.end()
    raise ClusterlodError(f"{origin}: the query has no WHERE group to bind parameters in")


def syntax_error(error: SyntaxError, text: str, origin: str) -> QuerySyntaxError:
    """One readable line naming the file, line and column of a syntax error (exit 3: a malformed input).

    pyoxigraph decides whether the query is valid, but often places the error at the
    end of the text; rdflib's parser points at the token where the query goes wrong,
    so its position is used when it also rejects the query.
    """
    located = rdflib_position(text)
    if located is not None:
        line, column, found = located
        return QuerySyntaxError(f"{origin}: syntax error at line {line}, column {column}: unexpected {found}")
    message = str(error)
    match = SYNTAX_ERROR.match(message)
    if not match:
        return QuerySyntaxError(f"{origin}: syntax error: {message.splitlines()[0]}")
    line, column, detail = match.groups()
    detail = " ".join(detail.split())
    if len(detail) > 160:
        detail = detail[:157] + "..."
    return QuerySyntaxError(f"{origin}: syntax error at line {line}, column {column}: {detail}")


def rdflib_position(text: str) -> tuple[int, int, str] | None:
    """(line, column, the offending token) from rdflib's parser, or None when it accepts the text."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(text)
    except ParseBaseException as error:
        found = re.search(r"found (.+?)\s+\(at char", str(error))
        token = found.group(1) if found else "end of text"
        return error.lineno, error.col, token
    except Exception:
        return None
    return None


def check_syntax(text: str, origin: str) -> None:
    """Parse the query (on an empty store, so nothing is evaluated); raise with line and column."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as error:
        raise syntax_error(error, text, origin) from None
    del result


# --------------------------------------------------------------------------- values


def parse_value(param: Param, value: str, ns: Namespaces | None = None) -> Term:
    """One parameter value as one RDF term, checked against the parameter's type."""
    ns = ns or Namespaces()
    if param.type == "string":
        return ox.Literal(value)
    if param.type in LEXICAL:
        if not LEXICAL[param.type].match(value.strip()):
            raise UsageError(f"parameter '{param.name}': {value!r} is not a valid {param.type}")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + param.type))
    if param.type in RESOURCE_KINDS and SLUG.match(value):
        return ox.NamedNode(ns.resource(param.type, value))
    return ox.NamedNode(parse_iri(param, value, ns))


def parse_iri(param: Param, value: str, ns: Namespaces) -> str:
    """<IRI>, a prefixed name with a known prefix, or an absolute http(s)/urn IRI; anything else is refused.

    ``unknownprefix:foo`` is refused by name rather than taken for an IRI of scheme
    ``unknownprefix`` (which would match nothing, silently).
    """
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        prefix, colon, local = text.partition(":")
        prefixes = ns.prefixes()
        if prefix in prefixes and not local.startswith("//"):
            text = prefixes[prefix] + local
        elif colon and prefix.lower() not in BARE_SCHEMES and not local.startswith("//"):
            raise UsageError(f"parameter '{param.name}': unknown prefix '{prefix}:' in {value!r} "
                                  "(give a known prefix such as clo: or cluster:, a slug, or a full <IRI>)")
    try:  # oxigraph's parser, the one the query runs with, decides what an IRI is
        return ox.NamedNode(text).value
    except ValueError as error:
        raise UsageError(f"parameter '{param.name}': {value!r} is not an IRI ({error}; "
                              "give <IRI>, a prefixed name such as clo:Planned, or a slug)") from None


def bind_values(query: CannedQuery, given: dict[str, str], ns: Namespaces | None = None) -> dict[str, Term]:
    """Every declared parameter as a term: the given value or the default; unknown names refused."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise UsageError(f"query {query.name}: unknown parameter '{unknown[0]}' (it takes {takes})")
    terms = {}
    for param in query.params:
        value = given.get(param.name, param.default)
        if value is None:
            raise UsageError(f"query {query.name}: missing parameter '{param.name}' "
                             f"({param.description}): pass --param {param.name}=VALUE")
        terms[param.name] = parse_value(param, value, ns)
    return terms


def values_block(terms: dict[str, Term]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` written from terms, on one line."""
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(str(term) for term in terms.values())
    return f" VALUES ({names}) {{ ({row}) }} "


def prepare(query: CannedQuery, given: dict[str, str] | None = None, ns: Namespaces | None = None) -> str:
    """The text to run: syntax-checked, with its parameters bound by a VALUES block.

    The block goes right after the brace that opens the outermost WHERE group, on
    the same line, so the line numbers of any later error still match the file.
    """
    check_syntax(query.text, str(query.path))
    terms = bind_values(query, given or {}, ns)
    if not terms:
        return query.text
    at = where_group(query.text, str(query.path))
    text = query.text[:at] + values_block(terms) + query.text[at:]
    check_syntax(text, str(query.path))
    return text
