"""`clusterlod build` and `clusterlod validate`: the same gate, with or without publishing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from clusterlod.namespaces import DEFAULT_BASE

#: A build running longer than this many seconds says which stage it is in, even without -v.
PROGRESS_AFTER = 5.0

root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="The project folder holding data/, ontology/ and shapes/.")


def _checked_base(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A base IRI checked by the writers' own parser, so a bad one is one line, not a traceback."""
    from clusterlod.sources.records import iri_problem

    problem = iri_problem(value) if value else None
    if problem:
        raise click.BadParameter(problem, ctx, param)
    return value


base_option = click.option("--base", default=None, metavar="IRI", callback=_checked_base,
                           help=f"Base IRI of every published resource (default {DEFAULT_BASE}).")


def gate_options(command: Callable) -> Callable:
    """--engine and --fail-on, the same for both commands so that they give the same verdict."""
    command = click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
                           show_default=True, help="Lowest SHACL severity that blocks: warnings and infos are "
                                                   "reported but do not block unless this says so.")(command)
    return click.option("--engine", type=click.Choice(["turbo", "pyshacl"]), default="turbo", show_default=True,
                        help="SHACL engine: pyshacl-turbo (maintained, passes the W3C SHACL Core suite; the "
                             "default) or pySHACL (the reference, much slower on large data).")(command)


@click.command()
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=("Output folder (default: dist/ in the project folder). "
                    "Replaced whole, or left as it was on failure; only a missing or empty folder or one "
                    "clusterlod wrote (docs/release.md)."))
@base_option
@gate_options
@click.option("--previous", type=click.Path(exists=True, path_type=Path), default=None, metavar="OLD",
              help="The release this one follows (a dist/ folder or its N-Quads): the catalogue links it with "
                   "dcat:previousVersion and counts what changed in adms:versionNotes.")
@click.option("-v", "--verbose", is_flag=True, help="Say when each stage starts (a build that runs past "
              f"{PROGRESS_AFTER:g} s says so anyway).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success, not even the summary line.")
def build(root: Path, out: Path | None, base: str | None, engine: str, fail_on: str, previous: Path | None,
          verbose: bool, quiet: bool) -> None:
    """Build the release: write every syntax to a staging folder, pass the gate, then swap it in.

    Writes Turtle, JSON-LD, N-Triples, RDF/XML, TriG and N-Quads, the ontology,
    the shapes, the JSON-LD context, a DCAT/VoID catalog, the validation
    report, a README (Japanese and English) and the licence text. The gate
    is SHACL plus the quality checks of queries/qc/ and companies-add-up.
    Bad input stops the build with one line naming the file, line and
    record; the previous dist/ is left as it was.
    """
    import time

    from clusterlod.build import Summary
    from clusterlod.build import build as run_build

    started = time.perf_counter()
    summaries: list[Summary] = []

    def say(stage: str) -> None:
        elapsed = time.perf_counter() - started
        if verbose or (elapsed > PROGRESS_AFTER and not quiet):  # a long build shows where it is
            click.echo(f"clusterlod: [{elapsed:5.1f} s] {stage}", err=True)

    target = out or root / "dist"
    report = run_build(root, target, base, say, engine, fail_on, previous=previous, done=summaries.append)
    if quiet:
        return
    for violation in report.violations:  # warnings and infos that did not block
        click.echo(f"clusterlod: {violation.line()}", err=True)
    click.echo(f"clusterlod: {summaries[0].line(target, time.perf_counter() - started)}", err=True)


@click.command()
@root_option
@base_option
@gate_options
def validate(root: Path, base: str | None, engine: str, fail_on: str) -> None:
    """Run the publishing gate (SHACL and the quality checks) without writing anything.

    Each problem is reported with the data file, line and record behind it;
    the exit status is non-zero when the build would refuse to publish.
    """
    from clusterlod.build import assemble, check
    from clusterlod.errors import ValidationFailed

    report = check(assemble(root, base), engine, fail_on)
    if not report.conforms:
        raise ValidationFailed(report.text())
    click.echo(report.text())


@click.command()
@root_option
@click.option("--dist", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The built release to archive (default: dist/ in the project folder).")
def archive(root: Path, dist: Path | None) -> None:
    """Keep a built release in the archive: releases/<version>/ in the project folder.

    Each file of the release is stored gzip-compressed (about 0.4 MB a version), under the
    version its catalogue states. Every version is kept for good (docs/release.md): the
    next build links it as dcat:previousVersion with notes on what changed, and serve and
    site answer <dataset>/version/<version> from it. A version already archived with
    other content is refused: a changed release needs a new version in data/dataset.yaml.
    """
    from clusterlod import formats
    from clusterlod.errors import DataError
    from clusterlod.release.archive import ARCHIVE_DIR
    from clusterlod.release.archive import archive as store
    from clusterlod.release.diff import read_release

    source = dist or root / "dist"
    release = read_release(source)
    if not release.version:
        raise DataError(source, None, None, f"states no single dcat:version in {formats.CATALOG_FILE}")
    target = store(source, root / ARCHIVE_DIR, release.version)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    click.echo(f"clusterlod: archived version {release.version} in {target} ({size:,} bytes)", err=True)
