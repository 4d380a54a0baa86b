"""The parts of docs/ that are generated from the code, so they cannot drift from it.

``docs/cli.md`` is written whole from the commands' ``--help`` and the exit-code table;
in ``docs/curating.md`` the block between the ``GENERATED`` markers is the table of
record types and fields from :mod:`clusterlod.model`. ``scripts/gen-docs`` rewrites
both; ``tests/test_docs.py`` fails when the committed files differ from what this
module writes.
"""

from __future__ import annotations

from pathlib import Path

import click

from clusterlod.errors import ExitCode
from clusterlod.model import COMMON_FIELDS, TYPES, FieldSpec

#: Help is rendered at a fixed width, so the file does not depend on the terminal.
WIDTH = 88
BEGIN = "<!-- GENERATED: record types (scripts/gen-docs; do not edit by hand) -->"
END = "<!-- END GENERATED -->"


def _help(command: click.Command, name: str, parent: click.Context | None) -> tuple[str, click.Context]:
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH)
    return command.get_help(ctx), ctx


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    return [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]


def _sections(command: click.Command, path: list[str], parent: click.Context | None) -> list[str]:
    text, ctx = _help(command, path[-1], parent)
    out = [f"{'#' * min(len(path) + 1, 4)} `{' '.join(path)}`\n", "```text", text.rstrip(), "```\n"]
    if isinstance(command, click.Group):
        for name, sub in _commands(command, ctx):
            if sub is not None:
                out += _sections(sub, [*path, name], ctx)
    return out


def cli_reference() -> str:
    """docs/cli.md: every command's help, then the exit codes."""
    from clusterlod.cli import cli

    lines = ["# Command reference", "",
             "Generated from `clusterlod --help` by `scripts/gen-docs`; a test fails when it drifts.", ""]
    lines += _sections(cli, ["clusterlod"], None)
    lines += ["## Exit codes", "",
              "Every failure prints one line on stderr (`clusterlod: error: ...`) and exits with one of these",
              "codes (`clusterlod.errors.ExitCode`):", "",
              "| code | name | meaning |", "|---:|---|---|"]
    lines += [f"| {int(code)} | `{code.name}` | {code.meaning} |" for code in ExitCode]
    return "\n".join(lines) + "\n"


def _field_row(spec: FieldSpec) -> str:
    targets = ", ".join(spec.targets) or ""
    predicate = f"`{spec.predicate}`" if spec.predicate else ""
    return f"| `{spec.name}` | {spec.kind.value} | {predicate} | {'yes' if spec.required else ''} | {targets} |"


def record_types() -> str:
    """The table of record types and their fields, as curators need it."""
    head = ["| field | kind | predicate | required | refers to |", "|---|---|---|---|---|"]
    lines = ["Fields every record may have:", "", *head, *(_field_row(f) for f in COMMON_FIELDS), ""]
    for spec in TYPES.values():
        source = "" if spec.needs_source else " (editorial: needs no quote)"
        lines += [f"### `{spec.name}` → `{spec.rdf_class}`, IRIs `id/{spec.path}/<id>`{source}", ""]
        lines += [*head, *(_field_row(f) for f in spec.fields), ""] if spec.fields else ["No fields of its own.", ""]
    return "\n".join(lines)


def curating_block(text: str) -> str:
    """``text`` (docs/curating.md) with its generated block replaced by the current table."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + record_types() + "\n" + text[end:]


def generated(root: Path) -> dict[Path, str]:
    """What each generated file under ``root/docs`` should hold."""
    docs = root / "docs"
    return {docs / "cli.md": cli_reference(),
            docs / "curating.md": curating_block((docs / "curating.md").read_text(encoding="utf-8"))}


def write(root: Path) -> list[Path]:
    """Rewrite the generated files; the paths that changed."""
    changed = []
    for path, text in generated(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
