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
          "Deepest nesting of braces and brackets in a query; a deeper one is answered 400 before it runs."),
    Limit("query_workers", 2, "processes",
          "Processes running SPARQL queries; a worker that dies or overruns is replaced."),
    Limit("worker_memory_mb", 2048, "MiB",
          "Address space of one query worker (RLIMIT_AS); a query needing more is stopped and answered 500."),
    Limit("max_connections", 500, "connections",
          "Open connections at once; further ones are closed at once (no answer, no log line)."),
    Limit("keep_alive_timeout", 5.0, "s", "An idle keep-alive connection is closed after this long."),
    Limit("header_timeout", 10.0, "s",
          "A connection must send a complete request head within this long, or it is closed."),
    Limit("max_header_bytes", 16_384, "bytes", "Largest request head (request line and headers); larger ones get 400."),
)
BY_NAME = {limit.name: limit for limit in LIMITS}

#: What `clusterlod serve` runs with: the release, where its data lives, and every limit above.
Settings = make_dataclass(
    "Settings",
    [("dist", Path), ("base", "str | None", None), ("endpoint", "str | None", None),
     ("queries", "Path | None", Path("queries"))]
    + [(limit.name, limit.type, limit.default) for limit in LIMITS],
    frozen=True,
    namespace={"__doc__": "What `clusterlod serve` was asked for; the limits come from LIMITS.",
               "__module__": __name__},
)


def limit_values(settings: Any) -> dict[str, Any]:
    """The limits a running server was given, by setting name."""
    return {f.name: getattr(settings, f.name) for f in fields(settings) if f.name in BY_NAME}


def markdown_table() -> str:
    """The limits as the Markdown table of docs/serving.md."""
    lines = ["| Option | Default | What it bounds |", "|---|---|---|"]
    for limit in LIMITS:
        lines.append(f"| `{limit.option}` | {limit.default:,} {limit.unit} | {limit.help} |")
    return "\n".join(lines) + "\n"
