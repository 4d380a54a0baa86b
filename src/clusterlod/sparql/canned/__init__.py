"""Canned SPARQL queries: the catalogue, parameter binding, execution and rendering.

One module per concern; this package re-exports what the CLI, the web pages and the
tests use, so ``from clusterlod.sparql import canned`` is the one entry point:

- :mod:`.catalogue`: find the ``.rq`` files and read their headers (:class:`CannedQuery`);
- :mod:`.binding`: parse parameter values into RDF terms and bind them with ``VALUES``;
- :mod:`.execution`: run on the embedded store or a remote endpoint (:func:`run`);
- :mod:`.rendering`: the answer as a table, CSV, TSV, JSON or an RDF syntax.
"""

from clusterlod.sparql.answers import Answer
from clusterlod.sparql.canned.binding import bind_values, parse_value, prepare
from clusterlod.sparql.canned.catalogue import CannedQuery, Param, default_folder, discover, parse_header, resolve
from clusterlod.sparql.canned.execution import open_store, query_form, run, run_local, run_remote
from clusterlod.sparql.canned.rendering import render

__all__ = ["Answer", "CannedQuery", "Param", "bind_values", "default_folder", "discover", "open_store",
           "parse_header", "parse_value", "prepare", "query_form", "render", "resolve", "run", "run_local",
           "run_remote"]
