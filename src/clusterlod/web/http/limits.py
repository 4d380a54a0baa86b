"""The limits of `clusterlod serve`, defined once.

This table feeds the command-line options of ``serve``, the :class:`Settings` the
application runs with, the service description published at ``/sparql`` (and linked
from ``/.well-known/void``), and the table in ``docs/serving.md`` (a test checks that
the docs show :func:`markdown_table`). Change a default here and all four follow.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Limit:
    """One limit: its setting name, default, unit and what exceeding it costs the client."""

    name: str
    default: float | int
    unit: str
    help: str
    #: When set, the default follows other settings: how the docs and --help say it (see :func:`derived`).
    derived_from: str | None = None

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def type(self) -> type:
        return type(self.default)


#: Every limit of the server, in the order the docs list them.
LIMITS: tuple[Limit, ...] = (
    Limit("timeout", 10.0, "s", "Time limit of one SPARQL query; a query over it is stopped and answered 503."),
    Limit("max_result_bytes", 10_000_000, "bytes",
          "Largest SPARQL result; checked while the result is written, a larger one is answered 400."),
    Limit("max_request_bytes", 100_000, "bytes", "Largest request body or query; a larger one is answered 413."),
    Limit("max_nesting", 100, "levels",
          "Deepest nesting of braces and brackets in a query, each operator of a chain like `!!!` counting as "
          "one level; a deeper one is answered 400 before it runs."),
    Limit("max_html_rows", 1_000, "rows",
          "Rows of a SPARQL result drawn as an HTML table; the page says how many more there are "
          "(JSON, XML, CSV and TSV answers are whole)."),
    Limit("max_client_queries", 1, "queries",
          "SPARQL queries running at once for one client address (behind a proxy on 127.0.0.1, the address its "
          "X-Forwarded-For names); its further queries wait for its own turn, and get 429 after --timeout. "
          "Lookups (/reconcile, /search) take turns of their own under the same limit."),
    Limit("query_workers", 2, "processes",
          "Processes running SPARQL queries; a worker that dies or overruns is replaced."),
    Limit("worker_memory_mb", 2048, "MiB",
          "Address space of one query worker (RLIMIT_AS); a query needing more is stopped and answered 500."),
    Limit("max_connections", 500, "connections",
          "Open connections at once; further ones are closed at once (no answer, no log line)."),
    Limit("max_client_connections", 50, "connections",
          "Open connections at once from one client address (behind a reverse proxy, every connection is the "
          "proxy's: raise it there); further ones are closed at once, so one slow client cannot hold every slot. "
          "Unless given, a quarter of --max-connections, at least 1 and at most 50, so no client can take them all.",
          derived_from="min(50, max(1, max_connections // 4))"),
    Limit("keep_alive_timeout", 5.0, "s", "An idle keep-alive connection is closed after this long."),
    Limit("header_timeout", 10.0, "s",
          "A connection must send a complete request head within this long, or it is closed; "
          "a SPARQL request's body too (else 408)."),
    Limit("max_header_bytes", 16_384, "bytes",
          "Largest request head (request line and headers) in bytes as sent, whitespace and folded lines "
          "included; a larger one gets 431 and the connection is closed (send a long query by POST)."),
    Limit("max_header_count", 100, "fields",
          "Most header fields in one request (Apache's LimitRequestFields), empty ones included; more get 431 "
          "and the connection is closed."),
    Limit("max_lookup_batch", 50, "queries",
          "Queries in one reconciliation batch, and ids in one data-extension request (OpenRefine sends 10 at a "
          "time); a larger one is answered 400."),
    Limit("max_lookup_chars", 200, "characters",
          "Characters of a name, prefix or search text that are matched; the rest of a longer one is ignored, so "
          "a 100 KB name costs what 200 characters do."),
    Limit("max_lookup_candidates", 25, "candidates",
          "Candidates of one reconciliation query and suggestions of one prefix; a larger `limit` asked for is "
          "lowered to this (a query without one gets 10)."),
    Limit("answer_cache_bytes", 16_777_216, "bytes",
          "Memory for answers to repeated queries (the release does not change while served); an answer over "
          "1/64 of it is not kept; 0 turns the cache off."),
)
BY_NAME = {limit.name: limit for limit in LIMITS}


def derived(name: str, values: dict[str, Any]) -> Any:
    """The default of a limit that follows others (``derived_from``), from the other settings' values."""
    if name == "max_client_connections":
        return min(BY_NAME[name].default, max(1, values["max_connections"] // 4))
    raise KeyError(name)


def _fill_derived(self: Any) -> None:
    """Settings left None whose default follows other settings get it (the CLI passes None when not given)."""
    values = {f.name: getattr(self, f.name) for f in fields(self)}
    for limit in LIMITS:
        if limit.derived_from and values[limit.name] is None:
            object.__setattr__(self, limit.name, derived(limit.name, values))


#: What `clusterlod serve` runs with: the release, where its data lives, and every limit above.
Settings = make_dataclass(
    "Settings",
    [("dist", Path), ("base", "str | None", None), ("endpoint", "str | None", None),
     ("queries", "Path | None", Path("queries"))]
    + [(limit.name, limit.type, None if limit.derived_from else limit.default) for limit in LIMITS],
    frozen=True,
    namespace={"__doc__": "What `clusterlod serve` was asked for; the limits come from LIMITS.",
               "__module__": __name__, "__post_init__": _fill_derived},
)


def limit_values(settings: Any) -> dict[str, Any]:
    """The limits a running server was given, by setting name."""
    return {f.name: getattr(settings, f.name) for f in fields(settings) if f.name in BY_NAME}


def markdown_table() -> str:
    """The limits as the Markdown table of docs/serving.md."""
    lines = ["| Option | Default | What it bounds |", "|---|---|---|"]
    for limit in LIMITS:
        default = f"`{limit.derived_from}`" if limit.derived_from else f"{limit.default:,}"
        lines.append(f"| `{limit.option}` | {default} {limit.unit} | {limit.help} |")
    return "\n".join(lines) + "\n"


SD = "http://www.w3.org/ns/sparql-service-description#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "JSON-LD", "N-Triples", "RDF_XML")


def service_description(endpoint: str, settings: Any) -> list:
    """The SPARQL 1.1 Service Description of ``endpoint``, with each limit as a resource of its own.

    Each limit is ``<endpoint#limit-name>`` with its option name (``rdfs:label``), value
    (``rdf:value``) and meaning (``rdfs:comment``), linked from the service by ``rdfs:seeAlso``.
    """
    import pyoxigraph as ox

    service = ox.NamedNode(endpoint)

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    triples = [
        ox.Triple(service, iri(RDF + "type"), iri(SD + "Service")),
        ox.Triple(service, iri(SD + "endpoint"), service),
        ox.Triple(service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        ox.Triple(service, iri(RDFS + "comment"), ox.Literal(
            "Read-only: SPARQL Update is refused (403) and SERVICE is refused (400). Without FROM or "
            "default-graph-uri/named-graph-uri the default graph is the union of all graphs.", language="en")),
    ]
    triples += [ox.Triple(service, iri(SD + "resultFormat"), iri("http://www.w3.org/ns/formats/" + name))
                for name in RESULT_FORMATS]
    for limit in LIMITS:
        value = getattr(settings, limit.name)
        node = iri(f"{endpoint}#limit-{limit.name.replace('_', '-')}")
        triples += [ox.Triple(service, iri(RDFS + "seeAlso"), node),
                    ox.Triple(node, iri(RDFS + "label"), ox.Literal(limit.option)),
                    ox.Triple(node, iri(RDF + "value"), ox.Literal(value)),
                    ox.Triple(node, iri(RDFS + "comment"), ox.Literal(f"{limit.help} ({limit.unit})", language="en"))]
    return triples
