"""The test tiers name real tests: a renamed test must not slip out of the inner loop's exclusions unseen."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import EXTERNAL_MODULES, INNER_LOOP, SLOW_TESTS

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def _functions(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_slow_entry_names_an_existing_test() -> None:
    for entry, why in SLOW_TESTS.items():
        module, _, function = entry.partition("::")
        assert (TESTS / module).is_file(), f"SLOW_TESTS names {module}, which is not in tests/"
        if function:
            assert function in _functions(TESTS / module), f"SLOW_TESTS names {entry}, which is not a test"
        assert why.strip(), f"SLOW_TESTS entry {entry} must say why it is slow and what the inner loop keeps"


def test_every_external_module_exists() -> None:
    for module in EXTERNAL_MODULES:
        assert (TESTS / module).is_file(), f"EXTERNAL_MODULES names {module}, which is not in tests/"


def test_the_docs_give_the_inner_loop_that_the_tests_define() -> None:
    for doc in ("README.md", "docs/development.md"):
        assert f"pytest -q {INNER_LOOP}" in (ROOT / doc).read_text(encoding="utf-8"), f"{doc} gives another inner loop"


def test_no_installed_module_installs_system_packages() -> None:
    """What installs Debian packages is test machinery (tests/support/), never part of the installed package."""
    package = ROOT / "src" / "clusterlod"
    offenders = [str(path.relative_to(ROOT)) for path in sorted(package.rglob("*.py"))
                 if any(word in path.read_text(encoding="utf-8") for word in ("apt-get", "dpkg", "ensure_packages"))]
    assert offenders == []
    assert (ROOT / "tests" / "support" / "system.py").is_file()  # where it went: the check has something to miss
