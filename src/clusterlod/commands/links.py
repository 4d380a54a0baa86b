"""`clusterlod links check` and `clusterlod links suggest`."""

from __future__ import annotations

from pathlib import Path

import click

from clusterlod.commands.remote_options import max_answer_option, timeout_option
from clusterlod.errors import ExitCode, LinksChanged
from clusterlod.release.linksets import TARGETS

dist_option = click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default="dist",
                           show_default=True, help="The built release to read.")
target_option = click.option("--target", type=click.Choice(sorted(TARGETS)), default="wikidata", show_default=True,
                             help="Which linked dataset to ask.")
endpoint_option = click.option("--endpoint", metavar="URL", default=None,
                               help="SPARQL endpoint of the target (default: the target's public endpoint).")


@click.group()
def links() -> None:
    """Check the release's external links, or find candidates for new ones."""


def _endpoint(target: str, endpoint: str | None) -> str:
    from clusterlod.errors import ClusterlodError

    url = endpoint or TARGETS[target].sparql
    if not url:
        raise ClusterlodError(f"{target} has no public SPARQL endpoint; pass --endpoint URL")
    return url


CHECK_HELP = f"""Ask the target whether each linked resource still exists and still has our name.

    Prints a table of ok / changed / missing and exits with {int(ExitCode.LINKS_CHANGED)}
    ({ExitCode.LINKS_CHANGED.name}) when any link is not ok. A link is ok when one of the
    target's Japanese or English labels matches ours or the name recorded when the
    identifier was verified.
    """


@links.command(help=CHECK_HELP)
@dist_option
@target_option
@endpoint_option
@timeout_option()
@max_answer_option
def check(dist: Path, target: str, endpoint: str | None, timeout: float, max_answer_bytes: int) -> None:
    from clusterlod import links as linking

    url = _endpoint(target, endpoint)
    results = linking.check(linking.published_links(dist, TARGETS[target]), url, timeout, max_answer_bytes)
    width = max((len(r.link.subject) for r in results), default=10)
    click.echo(f"{'status':8} {'entity':{width}} target")
    for r in results:
        remote = f"  (now: {', '.join(r.remote)})" if r.status == "changed" else ""
        click.echo(f"{r.status:8} {r.link.subject:{width}} {r.link.target}{remote}")
    problems = [r for r in results if r.status != "ok"]
    counts = (f"{len(results) - len(problems)} ok, {sum(r.status == 'changed' for r in results)} changed, "
              f"{sum(r.status == 'missing' for r in results)} missing")
    if problems:  # the one error line says it all
        raise LinksChanged(f"{len(problems)} of {len(results)} links changed or missing ({counts})")
    click.echo(f"{len(results)} links: {counts}", err=True)


@links.command()
@dist_option
@target_option
@endpoint_option
@timeout_option()
@max_answer_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="links-review.csv", show_default=True,
              help="Review file to write the candidates to.")
def suggest(dist: Path, target: str, endpoint: str | None, timeout: float, max_answer_bytes: int,
            out: Path) -> None:
    """Propose links, by exact label, for entities that have none yet.

    Candidates go to a CSV review file with a score (1.0: both the Japanese and
    the English label match and no other candidate does) and a blank decision
    column; nothing is written into data/. Accepted links belong in
    data/reference/identifiers.csv first, with where they were verified.
    """
    from clusterlod import links as linking
    from clusterlod.release.atomic import write_text

    url = _endpoint(target, endpoint)
    candidates = linking.suggest(linking.unlinked_entities(dist, TARGETS[target]), url, timeout, max_answer_bytes)
    write_text(out, linking.review_csv(candidates))
    click.echo(f"{len(candidates)} candidate(s) for {len({c.subject for c in candidates})} entities written to {out}",
               err=True)
