"""The parts of docs/ that are generated from the code, so they cannot drift from it.

``docs/cli.md`` is written whole from the commands' ``--help`` and the exit-code table.
Other pages hold blocks between ``GENERATED`` markers: the table of record types and
fields from :mod:`clusterlod.model` in ``docs/curating.md``, the module map (each
module's first docstring line) in ``docs/development.md``. ``scripts/gen-docs``
rewrites them; ``tests/test_docs.py`` fails when the committed files differ from what
this module writes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import click

from clusterlod.commands.failures import FAILURES, by_code
from clusterlod.errors import ExitCode
from clusterlod.model import COMMON_FIELDS, TYPES, FieldSpec

#: Help is rendered at a fixed width, so the file does not depend on the terminal.
WIDTH = 88
END = "<!-- END GENERATED -->"
PACKAGE = Path(__file__).resolve().parent


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
              "| code | name | meaning | for example |", "|---:|---|---|---|"]
    lines += [f"| {int(code)} | `{code.name}` | {code.meaning} | "
              f"{'; '.join(f.situation for f in by_code(code)) or 'every command that did its job'} |"
              for code in ExitCode]
    lines += ["", "### What each failure looks like", "",
              "Each of these is run by `tests/test_failures.py` with the installed command, which checks the",
              "exit code and the line (`…` stands for text that depends on the data or on another program):", ""]
    for failure in FAILURES:
        lines += [f"{failure.situation[0].upper()}{failure.situation[1:]}: exit {int(failure.code)} "
                  f"(`{failure.code.name}`).", "", "```text", f"$ {failure.shown(failure.command)}",
                  failure.shown(failure.line), "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


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


def _first_docstring_line(path: Path) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def module_map() -> str:
    """Every module of the package with the first line of its docstring."""
    lines = ["| module | what it is for |", "|---|---|"]
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        if path.name == "__init__.py" and not _first_docstring_line(path):
            continue
        purpose = _first_docstring_line(path).replace("|", "\\|")
        lines.append(f"| `{relative.as_posix()}` | {purpose} |")
    return "\n".join(lines) + "\n"


def operations() -> str:
    """The /healthz fields and /metrics series of `clusterlod serve` (web/operations.py)."""
    from clusterlod.web.http.operations import markdown_table

    return markdown_table()


def serve_limits() -> str:
    """The limits of `clusterlod serve` (web/limits.py), for docs/serving.md."""
    from clusterlod.web.http.limits import markdown_table

    return markdown_table()


def client_limits() -> str:
    """The SPARQL client's limits (clusterlod.sparql.remote), for docs/querying.md."""
    from clusterlod.sparql.remote import limits_table

    return limits_table()


#: Generated blocks: (page, block name) -> the function writing its content.
BLOCKS = {("curating.md", "record types"): record_types, ("development.md", "module map"): module_map,
          ("serving.md", "limits"): serve_limits, ("serving.md", "operations"): operations,
          ("querying.md", "client limits"): client_limits}


def begin(name: str) -> str:
    return f"<!-- GENERATED: {name} (scripts/gen-docs; do not edit by hand) -->"


def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with the block called ``name`` replaced by ``content``."""
    start, end = text.index(begin(name)) + len(begin(name)), text.index(END, text.index(begin(name)))
    return text[:start] + "\n" + content + "\n" + text[end:]


def generated(root: Path) -> dict[Path, str]:
    """What each generated file under ``root/docs`` should hold."""
    docs = root / "docs"
    from clusterlod.release.citation import CFF_FILE, repository_cff

    out = {docs / "cli.md": cli_reference(), root / CFF_FILE: repository_cff(root)}
    for (page, name), make in BLOCKS.items():
        path = docs / page
        out[path] = replace_block(out.get(path) or path.read_text(encoding="utf-8"), name, make())
    return out


def write(root: Path) -> list[Path]:
    """Rewrite the generated files; the paths that changed."""
    changed = []
    for path, text in generated(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
