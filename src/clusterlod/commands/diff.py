"""`clusterlod diff`: what changed between two releases, per named graph, printed and as RDF."""

from __future__ import annotations

from pathlib import Path

import click

#: The syntaxes `--out` can write, by file extension.
OUT_EXTENSIONS = ("ttl", "nt", "rdf", "trig", "nq")


@click.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Also write the changes as RDF to this file ({', '.join('.' + e for e in OUT_EXTENSIONS)}): "
                   "one cs:ChangeSet per named graph, with clo:addedTriples and clo:removedTriples.")
@click.option("--summary", is_flag=True, help="Print only the line of counts of each changed graph.")
def diff(old: Path, new: Path, out: Path | None, summary: bool) -> None:
    """Compare two releases: OLD and NEW are dist/ folders or N-Quads files.

    Prints, for each named graph that changed, a line "graph IRI: +ADDED -REMOVED" and then the
    added (+) and removed (-) triples in N-Triples; nothing when the releases hold the same data.
    Blank nodes are compared by what they say, not by their labels.
    """
    from clusterlod import formats
    from clusterlod.namespaces import Namespaces
    from clusterlod.release import publish
    from clusterlod.release.atomic import write_file
    from clusterlod.release.diff import change_set_triples, read_release, text
    from clusterlod.release.diff import diff as compare

    extension = out.suffix.lstrip(".") if out else None
    if out is not None and extension not in OUT_EXTENSIONS:
        raise click.BadParameter(f"{out}: expected one of {', '.join('.' + e for e in OUT_EXTENSIONS)}",
                                 param_hint="--out")
    result = compare(read_release(old), read_release(new))
    shown = text(result)
    if summary:
        shown = "".join(line + "\n" for line in shown.splitlines() if line.startswith("graph "))
    click.echo(shown, nl=False)
    if out is not None:
        ns = Namespaces()
        triples = sorted(change_set_triples(result, ns), key=str)
        syntax, prefixes = formats.BY_EXTENSION[extension], publish.used_prefixes(triples, ns.prefixes())
        write_file(out, lambda path: publish.write_rdf(path, triples, syntax, prefixes))
