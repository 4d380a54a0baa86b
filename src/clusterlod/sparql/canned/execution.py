"""Running a canned query: on the built dataset in an embedded store, or on a remote endpoint.

The embedded store is the built ``dist/clusterlod.nq`` in pyoxigraph. Its dataset follows
SPARQL 1.1 (:func:`clusterlod.sparql.sparql_text.dataset_arguments`): a query with ``FROM`` gets the
graphs it names; otherwise the default graph is the union of all named graphs, which is what
the canned queries expect, and ``GRAPH ?g { }`` still sees each named graph. Remote queries
ask for the same dataset with Oxigraph's ``union-default-graph`` parameter (other stores
ignore it; see docs/querying.md), through the one client, :mod:`clusterlod.sparql.remote`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from clusterlod import formats
from clusterlod.errors import ClusterlodError
from clusterlod.namespaces import RESOURCE_KINDS
from clusterlod.release.rebase import rebase_query, release_base
from clusterlod.sparql import answers
from clusterlod.sparql.answers import Answer
from clusterlod.sparql.canned.binding import bind_values, prepare, syntax_error
from clusterlod.sparql.canned.catalogue import CannedQuery
from clusterlod.sparql.sparql_text import dataset_arguments, inspect


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ox.Store:
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def open_store(dist: Path) -> ox.Store:
    """The built dataset (``DIST/clusterlod.nq``) in an in-memory store, loaded once per build."""
    path = dist / formats.DATASET_FILE
    if not path.is_file():
        raise ClusterlodError(f"no built dataset at {path}: run `clusterlod build` first, or pass --dist DIR")
    return _load(str(path.resolve()), path.stat().st_mtime)


def query_form(text: str, origin: str = "query") -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword of the query."""
    form = inspect(text).form
    if form is None:
        raise ClusterlodError(f"{origin}: not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return form


def run_local(text: str, store: ox.Store, origin: str = "query") -> Answer:
    """Run on the embedded store; the dataset is the one SPARQL 1.1 gives the query (FROM is honoured)."""
    form = query_form(text, origin)
    try:
        answer = store.query(text, **dataset_arguments(text))
    except SyntaxError as error:
        raise syntax_error(error, text, origin) from None
    except OSError as error:
        raise ClusterlodError(f"{origin}: the store failed: {error}") from None
    return answers.from_store(form, answer)


def run_remote(text: str, endpoint: str, timeout: float | None = None, union: bool = True,
               origin: str = "query", max_answer_bytes: int | None = None) -> Answer:
    """Run on a SPARQL 1.1 endpoint; every failure becomes one RemoteError line.

    ``timeout`` and ``max_answer_bytes`` default to the client's (clusterlod.sparql.remote).
    """
    from clusterlod.sparql.remote import MAX_ANSWER_BYTES, TIMEOUT, SparqlClient

    query_form(text, origin)
    with SparqlClient(endpoint, timeout=timeout or TIMEOUT,
                      max_answer_bytes=max_answer_bytes or MAX_ANSWER_BYTES) as client:
        return client.query(text, union=union, what=origin)


def run(query: CannedQuery, params: dict[str, str] | None = None, *, store: ox.Store | None = None,
        dist: Path | None = None, endpoint: str | None = None, timeout: float | None = None,
        union: bool = True, max_answer_bytes: int | None = None) -> Answer:
    """Bind and run a canned query on a remote endpoint, a given store, or the built dataset."""
    def execute(text: str) -> Answer:
        if endpoint is not None:
            return run_remote(text, endpoint, timeout, union, str(query.path), max_answer_bytes)
        if store is None:  # the built release: its IRIs are under the base it was built with
            text = rebase_query(text, release_base(dist or Path("dist")))
        return run_local(text, store if store is not None else open_store(dist or Path("dist")), str(query.path))

    answer = execute(prepare(query, params))
    if not (answer.rows or answer.triples or answer.boolean):
        _named_resources_exist(query, params or {}, execute)
    return answer


def _named_resources_exist(query: CannedQuery, given: dict[str, str], execute: Callable[[str], Answer]) -> None:
    """An empty answer because a parameter names a resource the data does not hold (a mistyped slug) is
    one line, not an empty table: asked only when the answer is empty, so a normal run costs nothing."""
    terms = bind_values(query, given)
    for param in query.params:
        if param.type in RESOURCE_KINDS and param.name in given:
            iri = terms[param.name]
            if not execute(f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}").boolean:
                raise ClusterlodError(f"parameter '{param.name}': {given[param.name]!r} names no {param.type} in "
                                      "the data")
