"""An answer in the format asked for: rows as table, CSV, TSV or JSON; graphs as Turtle, N-Triples or JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pyoxigraph as ox

from clusterlod.errors import UsageError
from clusterlod.namespaces import XSD, Namespaces, Shortener
from clusterlod.sparql.answers import Answer, Term

GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
ROW_FORMATS = ("table", "csv", "tsv", "json")


def display(term: Term | None, shorten: Shortener) -> str:
    """A term for people: prefixed name for IRIs, the text of literals, one line."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = shorten(term.value)
        return short if short != term.value else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value.replace("\r", "").replace("\n", "⏎")


def width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(answer: Answer, prefixes: dict[str, str]) -> str:
    shorten = Shortener(prefixes)
    cells = [[display(t, shorten) for t in row] for row in answer.rows]
    widths = [max([width(v)] + [width(r[i]) for r in cells]) for i, v in enumerate(answer.variables)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = ["-" * w for w in widths]
    return "\n".join([line(answer.variables), line(rule), *(line(r) for r in cells)]) + "\n"


def format_csv(answer: Answer) -> str:
    """SPARQL 1.1 CSV: plain values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(answer.variables)
    for row in answer.rows:
        writer.writerow(["" if t is None else f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value for t in row])
    return out.getvalue()


def format_tsv(answer: Answer) -> str:
    """SPARQL 1.1 TSV: terms in their SPARQL/Turtle syntax."""
    lines = ["\t".join(f"?{v}" for v in answer.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in answer.rows]
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


def format_json(answer: Answer) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if answer.kind == "boolean":
        data: dict = {"head": {}, "boolean": answer.boolean}
    else:
        bindings = [{v: json_binding(t) for v, t in zip(answer.variables, row, strict=True) if t is not None}
                    for row in answer.rows]
        data = {"head": {"vars": answer.variables}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def format_graph(triples: list[ox.Triple], syntax: str, prefixes: dict[str, str]) -> str:
    """A graph answer, sorted for stable output, as Turtle, N-Triples or JSON-LD."""
    ordered = [t for _, t in sorted({str(t): t for t in triples}.items())]
    used = {p: n for p, n in prefixes.items() if any(n in str(t) for t in ordered)}
    if syntax == "jsonld":
        from clusterlod.release import jsonld

        return jsonld.dumps(jsonld.document(ordered, jsonld.make_context(ordered, used))).decode("utf-8")
    kwargs = {"prefixes": used} if syntax == "turtle" else {}
    return ox.serialize(ordered, format=GRAPH_FORMATS[syntax], **kwargs).decode("utf-8")


def render(answer: Answer, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """The answer in the asked format: rows as table/csv/tsv/json, graphs as turtle/ntriples/jsonld."""
    prefixes = prefixes if prefixes is not None else Namespaces().prefixes()
    if answer.kind == "graph":
        syntax = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
        if syntax not in GRAPH_FORMATS:
            raise UsageError(f"a {answer.form} answer is a graph: use --format turtle, ntriples or jsonld")
        return format_graph(answer.triples, syntax, prefixes)
    if fmt in GRAPH_FORMATS:
        raise UsageError(f"a {answer.form} answer is not a graph: use --format table, csv, tsv or json")
    if answer.kind == "boolean":
        return format_json(answer) if fmt == "json" else ("true" if answer.boolean else "false") + "\n"
    return {"table": lambda: format_table(answer, prefixes), "csv": lambda: format_csv(answer),
            "tsv": lambda: format_tsv(answer), "json": lambda: format_json(answer)}[fmt]()
