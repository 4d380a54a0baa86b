"""Write the release files: every syntax, the ontology, shapes, context, report, sources.

All writers take sorted, blank-node-free (or canonically labelled) input, so the
same sources always give byte-identical files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.release import jsonld
from clusterlod.release.rdfio import sorted_triples


def write_rdf(path: Path, statements: list[ox.Triple] | list[ox.Quad], syntax: formats.Syntax,
              prefixes: dict[str, str]) -> None:
    """One file in one syntax; JSON-LD goes through our compacting writer."""
    if syntax is formats.JSON_LD:
        context = jsonld.make_context(statements, prefixes)
        path.write_bytes(jsonld.dumps(jsonld.document(statements, context)))
        return
    kwargs = {"prefixes": prefixes} if syntax in (formats.TURTLE, formats.TRIG, formats.RDF_XML) else {}
    ox.serialize(statements, str(path), syntax.oxigraph, **kwargs)


def used_prefixes(statements: list[ox.Triple] | list[ox.Quad], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes a file uses, so each file's header says what it speaks.

    A prefix counts as used when some IRI's namespace (up to its last / or #) is
    exactly the prefix's namespace: the only case a writer can abbreviate.
    Subjects and graph names repeat, so they are gathered as terms first (hashed
    by oxigraph) and only the distinct ones are read as text.
    """
    iris: set[str] = set()
    add = iris.add
    for s in statements:
        add(s.predicate.value)
        o = s.object
        if type(o) is ox.NamedNode:
            add(o.value)
        elif type(o) is ox.Literal:
            add(o.datatype.value)
    repeated = {s.subject for s in statements}
    if statements and isinstance(statements[0], ox.Quad):
        repeated |= {s.graph_name for s in statements}
    iris.update(term.value for term in repeated if type(term) is ox.NamedNode)
    namespaces = {iri[: max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in iris}
    return {p: n for p, n in prefixes.items() if n in namespaces}


def write_dataset(out: Path, quads: list[ox.Quad], triples: list[ox.Triple], prefixes: dict[str, str]) -> None:
    """The whole dataset: named graphs in TriG/N-Quads, their union in the triple syntaxes.

    ``quads`` come sorted (rdfio.sorted_quads) and ``triples`` are their union (rdfio.union_triples).
    """
    used = used_prefixes(quads, prefixes)
    context = jsonld.make_context(triples, used)
    (out / "context.jsonld").write_bytes(jsonld.dumps({"@context": context}))
    for syntax in formats.DATASET_SYNTAXES:
        path = out / f"{formats.DATASET_STEM}.{syntax.extension}"
        if syntax is formats.JSON_LD:
            path.write_bytes(jsonld.dumps(jsonld.document(triples, context)))
        else:
            write_rdf(path, quads if syntax.quads else triples, syntax, used)


def write_graph(path: Path, triples: list[ox.Triple], prefixes: dict[str, str]) -> None:
    """A single graph (ontology, shapes, report) as Turtle."""
    triples = sorted_triples(triples)
    write_rdf(path, triples, formats.TURTLE, used_prefixes(triples, prefixes))


def copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
