"""`clusterlod build` and `clusterlod validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from clusterlod.namespaces import DEFAULT_BASE

root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="The project folder holding data/, ontology/ and shapes/.")
base_option = click.option("--base", default=None, metavar="IRI",
                           help=f"Base IRI of every published resource (default {DEFAULT_BASE}).")


def engine_option(default: str) -> Callable:
    return click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default=default, show_default=True,
                        help="SHACL engine: clusterlod's own (fast; the tests show it reports what pySHACL "
                             "reports) or pySHACL itself (the reference).")


@click.command()
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: dist/ in the project folder). Replaced whole, or left as it was on failure.")
@base_option
@engine_option("fast")
@click.option("-v", "--verbose", is_flag=True, help="Say what each stage is doing.")
def build(root: Path, out: Path | None, base: str | None, engine: str, verbose: bool) -> None:
    """Build the release: validate the data, then write every syntax to dist/.

    Writes Turtle, JSON-LD, N-Triples, RDF/XML, TriG and N-Quads, the ontology,
    the shapes, the JSON-LD context, a DCAT/VoID catalog and the validation
    report. Bad input stops the build with one line naming the file, line and
    record; the previous dist/ is left as it was.
    """
    from clusterlod.build import build as run_build

    say = (lambda message: click.echo(f"clusterlod: {message}", err=True)) if verbose else None
    target = out or root / "dist"
    run_build(root, target, base, say, engine)
    if verbose:
        click.echo(f"clusterlod: built {target}", err=True)


@click.command()
@root_option
@base_option
@engine_option("pyshacl")
def validate(root: Path, base: str | None, engine: str) -> None:
    """Check the data against the SHACL shapes without writing anything.

    Each violation is reported with the data file, line and record behind it;
    the exit status is non-zero when the data does not conform.
    """
    from clusterlod.build import assemble, check
    from clusterlod.errors import ValidationFailed

    report = check(assemble(root, base), engine)
    if not report.conforms:
        raise ValidationFailed(report.text())
    click.echo(report.text())
