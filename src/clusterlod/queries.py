"""Canned SPARQL queries: find them, read their headers, bind parameters safely, run, format.

A canned query is one ``.rq`` file in ``queries/`` (quality checks in ``queries/qc/``)
whose leading comment says what it is::

    # title-ja: 分野別のプロジェクト
    # title-en: Projects by field
    # description: ... (continued on lines that start with "#   ")
    # param field (field): the industrial field (default: bio)

A parameter is a variable of the query. Its value is parsed into one RDF term by
its declared type (``iri``, ``string``, ``integer``, ``decimal``, ``date``, or a
resource kind such as ``field`` that also takes a bare slug) and bound with a
``VALUES`` block placed at the start of the query's outermost WHERE group. The
block is written from pyoxigraph terms, whose serialisation escapes everything,
so no value can change the structure of the query. The same final text runs on
the embedded store and on a remote endpoint, so both give the same answers.

The embedded store is the built ``dist/clusterlod.nq`` in pyoxigraph, queried
with the union of all named graphs as the default graph; ``GRAPH ?g { }`` still
sees each named graph. Remote queries ask for the same dataset with Oxigraph's
``union-default-graph`` parameter (other stores ignore it; see the README, "Querying").
"""

from __future__ import annotations

import ast
import csv
import difflib
import io
import json
import re
import socket
import unicodedata
import urllib.error
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from clusterlod.errors import ClusterlodError, RemoteError
from clusterlod.namespaces import RESOURCE_KINDS, XSD, Namespaces

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QC_FOLDER = "qc"
DATASET_FILE = "clusterlod.nq"
UNION_PARAMETER = "union-default-graph"
#: The variable in which Virtuoso answers an ASK asked for JSON results (a one-row SELECT).
VIRTUOSO_ASK = "__ASK_RETVAL"
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
SCALAR_TYPES = ("iri", "string", "integer", "decimal", "date")
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
ROW_FORMATS = ("table", "csv", "tsv", "json")

HEADER_KEY = re.compile(r"^#\s*(title-ja|title-en|description|param)\s*:?\s*(.*)$")
PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z-]+)\)\s*:\s*(?P<text>.*?)"
                   r"(?:\s*\(default:\s*(?P<default>.*)\))?\s*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
LEXICAL = {
    "integer": re.compile(r"^[+-]?[0-9]+$"),
    "decimal": re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"),
    "date": re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
}
#: Tokens that matter when looking for the query form and the WHERE group; the rest is skipped.
TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>[A-Za-z0-9_\u00C0-\uFFFF.-]*:[A-Za-z0-9_\u00C0-\uFFFF.:%-]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>\S)
""", re.X | re.S)
SYNTAX_ERROR = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


# --------------------------------------------------------------------------- the queries


@dataclass(frozen=True)
class Param:
    """One declared parameter: a variable of the query, its type and default."""

    name: str
    type: str
    description: str
    default: str | None = None


@dataclass
class CannedQuery:
    """A query file and what its header says about it."""

    name: str
    path: Path
    text: str
    title_ja: str = ""
    title_en: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)

    @property
    def is_qc(self) -> bool:
        return self.name.startswith(QC_FOLDER + "/")

    @property
    def form(self) -> str:
        return query_form(self.text, self.name)


def default_folder() -> Path:
    """``./queries`` when it exists, else the queries of the project this package belongs to."""
    here = Path("queries")
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "queries"


def parse_header(text: str, origin: str) -> dict:
    """The title, description and parameters from the query's leading comment lines."""
    header: dict = {"title-ja": "", "title-en": "", "description": "", "params": []}
    last = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = HEADER_KEY.match(stripped)
        if match and match.group(1) == "param":
            header["params"].append(parse_param(match.group(2), origin))
            last = None
        elif match:
            last = match.group(1)
            header[last] = match.group(2).strip()
        elif last == "description" and stripped[1:].strip():
            header["description"] += " " + stripped[1:].strip()
    return header


def parse_param(spec: str, origin: str) -> Param:
    match = PARAM.match(spec.strip())
    if not match:
        raise ClusterlodError(f"{origin}: bad parameter line '# param {spec}' "
                              "(expected '# param NAME (TYPE): DESCRIPTION (default: VALUE)')")
    kind = match.group("type")
    if kind not in SCALAR_TYPES and kind not in RESOURCE_KINDS:
        raise ClusterlodError(f"{origin}: parameter '{match.group('name')}' has unknown type '{kind}' "
                              f"(expected one of {', '.join(SCALAR_TYPES)} or a resource kind)")
    return Param(match.group("name"), kind, match.group("text").strip(), match.group("default"))


def load_query(path: Path, name: str | None = None) -> CannedQuery:
    """Read one .rq file and its header."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ClusterlodError(f"cannot read query {path}: {error}") from None
    header = parse_header(text, str(path))
    return CannedQuery(name or path.stem, path, text, header["title-ja"], header["title-en"],
                       header["description"], header["params"])


def discover(folder: Path | None = None) -> list[CannedQuery]:
    """Every canned query: those of ``folder`` by name, then the quality checks as ``qc/NAME``."""
    folder = folder or default_folder()
    found = [load_query(p) for p in sorted(folder.glob("*.rq"))]
    found += [load_query(p, f"{QC_FOLDER}/{p.stem}") for p in sorted((folder / QC_FOLDER).glob("*.rq"))]
    return found


def resolve(name: str, folder: Path | None = None) -> CannedQuery:
    """A canned query by name (``projects-by-field``, ``qc/...``) or any .rq file by path."""
    path = Path(name)
    if name.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise ClusterlodError(f"no such query file: {name}")
        return load_query(path, str(path))
    known = {q.name: q for q in discover(folder)}
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, list(known), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else " (`clusterlod queries` lists them)"
    raise ClusterlodError(f"unknown query '{name}'{hint}")


# --------------------------------------------------------------------------- reading the text


def tokens(text: str) -> Iterable[re.Match]:
    """The significant tokens of a query: comments and strings are skipped, IRIs kept whole."""
    for match in TOKEN.finditer(text):
        if match.lastgroup not in ("comment", "string"):
            yield match


def query_form(text: str, origin: str = "query") -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword of the query."""
    for match in tokens(text):
        if match.lastgroup == "word" and match.group().upper() in FORMS:
            return match.group().upper()
    raise ClusterlodError(f"{origin}: not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")


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


def syntax_error(error: SyntaxError, text: str, origin: str) -> ClusterlodError:
    """One readable line naming the file, line and column of a syntax error.

    pyoxigraph decides whether the query is valid, but often places the error at the
    end of the text; rdflib's parser points at the token where the query goes wrong,
    so its position is used when it also rejects the query.
    """
    located = rdflib_position(text)
    if located is not None:
        line, column, found = located
        return ClusterlodError(f"{origin}: syntax error at line {line}, column {column}: unexpected {found}")
    message = str(error)
    match = SYNTAX_ERROR.match(message)
    if not match:
        return ClusterlodError(f"{origin}: syntax error: {message.splitlines()[0]}")
    line, column, detail = match.groups()
    detail = " ".join(detail.split())
    if len(detail) > 160:
        detail = detail[:157] + "..."
    return ClusterlodError(f"{origin}: syntax error at line {line}, column {column}: {detail}")


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
    except Exception:  # noqa: BLE001 - rdflib only helps to place the error
        return None
    return None


def check_syntax(text: str, origin: str) -> None:
    """Parse the query (on an empty store, so nothing is evaluated); raise with line and column."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as error:
        raise syntax_error(error, text, origin) from None
    del result


# --------------------------------------------------------------------------- parameters


def parse_value(param: Param, value: str, ns: Namespaces | None = None) -> Term:
    """One parameter value as one RDF term, checked against the parameter's type."""
    ns = ns or Namespaces()
    if param.type == "string":
        return ox.Literal(value)
    if param.type in LEXICAL:
        if not LEXICAL[param.type].match(value.strip()):
            raise ClusterlodError(f"parameter '{param.name}': {value!r} is not a valid {param.type}")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + param.type))
    if param.type in RESOURCE_KINDS and SLUG.match(value):
        return ox.NamedNode(ns.resource(param.type, value))
    return ox.NamedNode(parse_iri(param, value, ns))


def parse_iri(param: Param, value: str, ns: Namespaces) -> str:
    """<IRI>, a prefixed name with a known prefix, or an absolute IRI; anything else is refused."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        prefix, _, local = text.partition(":")
        prefixes = ns.prefixes()
        if prefix in prefixes and not local.startswith("//"):
            text = prefixes[prefix] + local
    if not ABSOLUTE_IRI.match(text) or IRI_FORBIDDEN.search(text):
        raise ClusterlodError(f"parameter '{param.name}': {value!r} is not an IRI "
                              "(give <IRI>, a prefixed name such as clo:Planned, or a slug)")
    try:
        return ox.NamedNode(text).value
    except ValueError as error:
        raise ClusterlodError(f"parameter '{param.name}': {value!r} is not an IRI ({error})") from None


def bind_values(query: CannedQuery, given: dict[str, str], ns: Namespaces | None = None) -> dict[str, Term]:
    """Every declared parameter as a term: the given value or the default; unknown names refused."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise ClusterlodError(f"query {query.name}: unknown parameter '{unknown[0]}' (it takes {takes})")
    terms = {}
    for param in query.params:
        value = given.get(param.name, param.default)
        if value is None:
            raise ClusterlodError(f"query {query.name}: missing parameter '{param.name}' "
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


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """The answer to one query, the same whichever store gave it."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "boolean" if self.form == "ASK" else "graph" if self.form in ("CONSTRUCT", "DESCRIBE") else "bindings"

    def values(self) -> list[tuple[str | None, ...]]:
        """The rows as N-Triples terms (None when unbound): what the tests compare across stores."""
        return [tuple(None if t is None else str(t) for t in row) for row in self.rows]


# --------------------------------------------------------------------------- embedded store


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ox.Store:
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def open_store(dist: Path) -> ox.Store:
    """The built dataset (``DIST/clusterlod.nq``) in an in-memory store, loaded once per build."""
    path = dist / DATASET_FILE
    if not path.is_file():
        raise ClusterlodError(f"no built dataset at {path}: run `clusterlod build` first, or pass --dist DIR")
    return _load(str(path.resolve()), path.stat().st_mtime)


def run_local(text: str, store: ox.Store, origin: str = "query") -> Result:
    """Run on the embedded store, all named graphs forming the default graph."""
    form = query_form(text, origin)
    try:
        answer = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise syntax_error(error, text, origin) from None
    except OSError as error:
        raise ClusterlodError(f"{origin}: the store failed: {error}") from None
    if isinstance(answer, ox.QueryBoolean):
        return Result(form, boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result(form, triples=list(answer))
    variables = [v.value for v in answer.variables]
    rows = [tuple(solution[name] for name in variables) for solution in answer]
    return Result(form, variables, rows)


# --------------------------------------------------------------------------- remote endpoint


def run_remote(text: str, endpoint: str, timeout: float = 30.0, union: bool = True,
               origin: str = "query") -> Result:
    """Run on a SPARQL 1.1 endpoint through SPARQLWrapper; every failure becomes one RemoteError line."""
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    form = query_form(text, origin)
    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.queryType = form  # its own guess reads comments: "add up" in a title looked like ADD
    client.setMethod(POST)
    client.setOnlyConneg(True)
    client.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    client.timeout = timeout  # setTimeout() would truncate to whole seconds
    if union:
        client.addParameter(UNION_PARAMETER, "true")
    try:
        response = client.query().response
        body = response.read()
        media_type = response.headers.get("Content-Type", "")
    except Exception as error:  # noqa: BLE001 - every transport failure is reported the same way
        raise remote_error(error, endpoint, timeout) from None
    if form in ("CONSTRUCT", "DESCRIBE"):
        return Result(form, triples=parse_graph(body, media_type, endpoint))
    return parse_results_json(form, body, media_type, endpoint)


def remote_error(error: Exception, endpoint: str, timeout: float) -> RemoteError:
    """One clear line for an unreachable endpoint, an HTTP error or a timeout."""
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    status = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
              "EndPointInternalError": 500}
    if isinstance(error, SPARQLWrapperException):
        code = status.get(type(error).__name__, "an error")
        return RemoteError(f"{endpoint} answered HTTP {code}: {first_line(wrapped_response(error))}")
    if isinstance(error, urllib.error.HTTPError):
        return RemoteError(f"{endpoint} answered HTTP {error.code} {error.reason}: {first_line(error.read())}")
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return RemoteError(f"{endpoint} did not answer within {timeout:g} s (--timeout)")
    if isinstance(reason, ValueError):
        return RemoteError(f"bad endpoint URL {endpoint!r}: {reason}")
    return RemoteError(f"cannot reach {endpoint}: {reason}")


def wrapped_response(error: Exception) -> bytes | str:
    """The server's answer that SPARQLWrapper keeps only inside its exception message."""
    message = str(error)
    _, found, body = message.partition("Response:\n")
    if not found:
        return message
    try:
        value = ast.literal_eval(body.strip())
    except (ValueError, SyntaxError):
        return body
    return value if isinstance(value, (bytes, str)) else body


def first_line(body: bytes | str | None) -> str:
    """The first non-empty line of an error body, short, or a placeholder."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    for line in (body or "").splitlines():
        if line.strip():
            line = " ".join(line.split())
            return line if len(line) <= 200 else line[:197] + "..."
    return "(no message)"


def parse_results_json(form: str, body: bytes, media_type: str, endpoint: str) -> Result:
    """SPARQL 1.1 JSON results into a Result; anything else is 'not a SPARQL answer'."""
    what = media_type.split(";")[0].strip() or "no content type"
    try:
        data = json.loads(body)
        if form == "ASK":
            return Result(form, boolean=ask_boolean(data))
        variables = list(data["head"]["vars"])
        rows = [tuple(json_term(b[v]) if v in b else None for v in variables) for b in data["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise RemoteError(f"{endpoint} did not give a SPARQL answer ({what}): {first_line(body)}") from None
    return Result(form, variables, rows)


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


def parse_graph(body: bytes, media_type: str, endpoint: str) -> list[ox.Triple]:
    """An RDF graph answer (Turtle, N-Triples, RDF/XML, JSON-LD) into triples."""
    what = media_type.split(";")[0].strip()
    syntax = ox.RdfFormat.from_media_type(what) if what else None
    if syntax is None:
        raise RemoteError(f"{endpoint} did not give an RDF graph ({what or 'no content type'}): {first_line(body)}")
    try:
        return [q.triple for q in ox.parse(body, syntax)]
    except (SyntaxError, ValueError) as error:
        raise RemoteError(f"{endpoint} gave a graph that does not parse as {what}: {first_line(str(error))}") from None


# --------------------------------------------------------------------------- output


def display(term: Term | None, prefixes: dict[str, str]) -> str:
    """A term for people: prefixed name for IRIs, the text of literals, one line."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in prefixes.items():
            local = term.value[len(namespace):]
            if term.value.startswith(namespace) and local and re.fullmatch(r"[A-Za-z0-9_.-]+", local):
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value.replace("\r", "").replace("\n", "⏎")


def width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(result: Result, prefixes: dict[str, str]) -> str:
    cells = [[display(t, prefixes) for t in row] for row in result.rows]
    widths = [max([width(v)] + [width(r[i]) for r in cells]) for i, v in enumerate(result.variables)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    rule = ["-" * w for w in widths]
    return "\n".join([line(result.variables), line(rule), *(line(r) for r in cells)]) + "\n"


def format_csv(result: Result) -> str:
    """SPARQL 1.1 CSV: plain values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value for t in row])
    return out.getvalue()


def format_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV: terms in their SPARQL/Turtle syntax."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def json_binding(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    if term.datatype.value != XSD + "string":
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return {"type": "literal", "value": term.value}


def format_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "boolean":
        data: dict = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [{v: json_binding(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
        data = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def format_graph(triples: list[ox.Triple], syntax: str, prefixes: dict[str, str]) -> str:
    """A graph answer, sorted for stable output, as Turtle, N-Triples or JSON-LD."""
    ordered = [t for _, t in sorted({str(t): t for t in triples}.items())]
    if syntax == "jsonld":
        from clusterlod import jsonld

        used = {p: n for p, n in prefixes.items() if any(n in str(t) for t in ordered)}
        return jsonld.dumps(jsonld.document(ordered, jsonld.make_context(ordered, used))).decode("utf-8")
    kwargs = {"prefixes": {p: n for p, n in prefixes.items() if any(n in str(t) for t in ordered)}} \
        if syntax == "turtle" else {}
    return ox.serialize(ordered, format=GRAPH_FORMATS[syntax], **kwargs).decode("utf-8")


def render(result: Result, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """The answer in the asked format: rows as table/csv/tsv/json, graphs as turtle/ntriples/jsonld."""
    prefixes = prefixes if prefixes is not None else Namespaces().prefixes()
    if result.kind == "graph":
        syntax = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
        if syntax not in GRAPH_FORMATS:
            raise ClusterlodError(f"a {result.form} answer is a graph: use --format turtle, ntriples or jsonld")
        return format_graph(result.triples, syntax, prefixes)
    if fmt in GRAPH_FORMATS:
        raise ClusterlodError(f"a {result.form} answer is not a graph: use --format table, csv, tsv or json")
    if result.kind == "boolean":
        return format_json(result) if fmt == "json" else ("true" if result.boolean else "false") + "\n"
    return {"table": lambda: format_table(result, prefixes), "csv": lambda: format_csv(result),
            "tsv": lambda: format_tsv(result), "json": lambda: format_json(result)}[fmt]()


# --------------------------------------------------------------------------- one call


def run(query: CannedQuery, params: dict[str, str] | None = None, *, store: ox.Store | None = None,
        dist: Path | None = None, endpoint: str | None = None, timeout: float = 30.0,
        union: bool = True) -> Result:
    """Bind and run a canned query on a remote endpoint, a given store, or the built dataset."""
    text = prepare(query, params)
    if endpoint:
        return run_remote(text, endpoint, timeout, union, str(query.path))
    if store is None:  # the built release: its IRIs are under the base it was built with
        from clusterlod.rebase import rebase_query, release_base

        text = rebase_query(text, release_base(dist or Path("dist")))
    return run_local(text, store if store is not None else open_store(dist or Path("dist")), str(query.path))
