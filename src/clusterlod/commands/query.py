"""`clusterlod query` and `clusterlod queries`: run and list the canned SPARQL queries."""

from __future__ import annotations

from pathlib import Path

import click

from clusterlod.commands.remote_options import max_answer_option, timeout_option

FORMATS = ("table", "csv", "tsv", "json", "turtle", "ntriples", "jsonld")
queries_option = click.option("--queries", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
                              help="Folder of canned queries (default: ./queries, else the project's).")


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """``key=value`` pairs; the value is everything after the first '='. A key given twice is refused."""
    from clusterlod.errors import UsageError

    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        if key in params:
            raise UsageError(f"--param {key} is given twice ({params[key]!r} and {value!r}): give it once")
        params[key] = value
    return params


@click.command()
@click.argument("name", metavar="NAME|FILE.rq")
@click.option("-p", "--param", "pairs", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the query (repeatable); bound as an RDF term, never pasted into the text.")
@click.option("--endpoint", metavar="URL", default=None,
              help="An http(s) URL of a SPARQL 1.1 query endpoint (default: an embedded store of the built data); "
                   "credentials in the URL (http://user:pass@host/) are used to authenticate.")
@timeout_option()
@max_answer_option
@click.option("--union-default-graph/--no-union-default-graph", "union", default=True, show_default=True,
              help="Ask the endpoint to query all named graphs as the default graph (Oxigraph's parameter).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Rows as table, csv, tsv or json; graphs (CONSTRUCT, DESCRIBE) as turtle, ntriples or jsonld.")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default="dist", show_default=True,
              help="The built release whose dataset file (clusterlod.nq) the embedded store loads.")
@queries_option
def query(name: str, pairs: tuple[str, ...], endpoint: str | None, timeout: float, max_answer_bytes: int,
          union: bool, fmt: str, dist: Path, folder: Path | None) -> None:
    """Run a canned query by NAME (see `clusterlod queries`) or any FILE.rq.

    Without --endpoint it runs on the built data (dist/clusterlod.nq) with all
    named graphs as the default graph; with --endpoint, on any SPARQL 1.1
    endpoint, which should hold the same dataset (see `clusterlod load`).
    """
    from clusterlod.sparql import canned
    from clusterlod.sparql.remote import check_url

    if endpoint is not None:
        check_url(endpoint)  # before anything is read: only http(s) URLs, never a local file
    params = parse_params(pairs)
    query_ = canned.resolve(name, folder)
    answer = canned.run(query_, params, dist=dist, endpoint=endpoint, timeout=timeout, union=union,
                        max_answer_bytes=max_answer_bytes)
    click.echo(canned.render(answer, fmt), nl=False)
    if query_.is_qc and answer.kind == "bindings":
        verdict(query_.name, len(answer.rows), fmt)


def verdict(name: str, rows: int, fmt: str) -> None:
    """A quality check's result in words: each row is a problem, so no row means it passed (exit 4 if not)."""
    from clusterlod.errors import ValidationFailed

    if rows:
        raise ValidationFailed(f"{name}: {rows} {'row' if rows == 1 else 'rows'}: failed (each row is a problem)")
    if fmt == "table":  # the machine formats stay exactly the SPARQL results
        click.echo("0 rows: passed")


@click.command()
@queries_option
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True,
              help="Language of the titles.")
@click.option("-v", "--verbose", is_flag=True, help="Also show each query's description and parameters.")
def queries(folder: Path | None, lang: str, verbose: bool) -> None:
    """List the canned queries with their titles (quality checks are named qc/...)."""
    from clusterlod.sparql import canned

    found = canned.discover(folder)
    width = max((len(q.name) for q in found), default=10)
    for q in found:
        title = q.title_ja if lang == "ja" else q.title_en
        params = " ".join(f"{p.name}=" for p in q.params)
        click.echo(f"{q.name:{width}}  {title}" + (f"  [{params}]" if params and not verbose else ""))
        if verbose:
            click.echo(f"{'':{width}}  {q.title_en if lang == 'ja' else q.title_ja}")
            click.echo(f"{'':{width}}  {q.description}")
            for p in q.params:
                default = f" (default: {p.default})" if p.default is not None else " (required)"
                click.echo(f"{'':{width}}  --param {p.name}=… ({p.type}): {p.description}{default}")
