"""The command line: discoverable, quiet by default, errors on stderr with a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clusterlod.cli import COMMANDS


def clusterlod(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clusterlod", *args], capture_output=True, text=True, cwd=cwd)


def test_top_level_help_lists_the_verbs() -> None:
    result = clusterlod("--help")
    assert result.returncode == 0
    for verb in ("build", "validate"):
        assert verb in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_available_command_explains_itself(command: str) -> None:
    listed = clusterlod("--help").stdout
    if f"  {command}" not in listed:
        pytest.fail(f"'{command}' is not available: its module is missing")
    result = clusterlod(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: " in result.stdout and "--help" in result.stdout
    assert len(result.stdout.splitlines()) > 4


def test_build_is_quiet_by_default(project_root: Path, tmp_path: Path) -> None:
    result = clusterlod("build", "--root", str(project_root), "--out", str(tmp_path / "dist"))
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    verbose = clusterlod("build", "-v", "--root", str(project_root), "--out", str(tmp_path / "dist"))
    assert "validating" in verbose.stderr


def test_unknown_command_fails() -> None:
    result = clusterlod("publish-everything")
    assert result.returncode != 0
    assert "No such command" in result.stderr


def test_validate_reports_conformance(project_root: Path) -> None:
    result = clusterlod("validate", "--root", str(project_root))
    assert result.returncode == 0
    assert result.stdout.strip() == "conforms: every shape is satisfied and every quality check passes"
