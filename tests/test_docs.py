"""The generated docs match the code, and every exit code is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clusterlod import docgen
from clusterlod.errors import ClusterlodError, ExitCode

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["cli.md", "curating.md"])
def test_generated_docs_are_up_to_date(name: str) -> None:
    path = ROOT / "docs" / name
    expected = docgen.generated(ROOT)[path]
    assert path.read_text(encoding="utf-8") == expected, f"docs/{name} is stale: run scripts/gen-docs"


def test_every_exit_code_is_documented_once() -> None:
    table = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = {int(code): name for code, name in re.findall(r"^\| (\d+) \| `([A-Z_]+)` \|", table, re.M)}
    assert documented == {int(code): code.name for code in ExitCode}


def _error_classes(cls: type) -> list[type]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _error_classes(child))]


def test_every_error_class_maps_to_a_code_of_the_table() -> None:
    import clusterlod.cli  # noqa: F401 - imports the errors the commands define

    for cls in _error_classes(ClusterlodError):
        assert isinstance(cls.exit_code, ExitCode), cls
        assert cls.exit_code not in (ExitCode.OK, ExitCode.INTERNAL, ExitCode.ABORTED), cls


def test_every_record_type_is_in_the_curators_table() -> None:
    text = (ROOT / "docs" / "curating.md").read_text(encoding="utf-8")
    from clusterlod.model import TYPES

    for name, spec in TYPES.items():
        assert f"### `{name}` → `{spec.rdf_class}`" in text
        for field in spec.fields:
            assert f"| `{field.name}` |" in text


def test_the_docs_link_to_files_that_exist() -> None:
    for page in [ROOT / "README.md", ROOT / "data" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"


def test_every_module_says_what_it_is_for() -> None:
    """The module map is made of the docstrings' first lines, so none may be empty."""
    rows = re.findall(r"^\| `(clusterlod/[^`]+)` \| (.*) \|$", docgen.module_map(), re.M)
    assert rows and all(purpose.strip() for _, purpose in rows), [m for m, p in rows if not p.strip()]
