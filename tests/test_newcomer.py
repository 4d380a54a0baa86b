"""What a new user does: a fresh clone, a fresh virtual environment, the README's two commands.

The commands are read from the README, so this test breaks when the README and the code
disagree. The second command's test run is narrowed to the inner loop (``-m "not external"``,
through ``PYTEST_ADDOPTS``) so the suite does not run itself twice; the outer run covers the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    """The shell commands of the README's "Quick start" section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_the_readme_gives_an_install_and_build_command_and_a_test_command() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("clusterlod build")
    assert "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


@pytest.fixture
def fresh_venv(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A clone of this repository and an empty virtual environment first on PATH."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to clone")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               CLUSTERLOD_CLONE=str(clone))
    yield env


def run_in_clone(command: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=env["CLUSTERLOD_CLONE"], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_a_new_user_follows_the_readme(fresh_venv: dict[str, str]) -> None:
    install_and_build, install_and_test = quick_start_commands()
    clone = Path(fresh_venv["CLUSTERLOD_CLONE"])

    first = run_in_clone(install_and_build, fresh_venv, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    assert (clone / "dist" / "clusterlod.ttl").is_file() and (clone / "dist" / "catalog.ttl").is_file()
    installed = Path(fresh_venv["VIRTUAL_ENV"]) / "bin" / "clusterlod"
    assert installed.is_file(), "the first command did not install the clusterlod command into the environment"

    second = run_in_clone(install_and_test, {**fresh_venv, "PYTEST_ADDOPTS": '-m "not external" -x'},
                          timeout=1200)
    assert second.returncode == 0, (second.stdout[-3000:], second.stderr[-3000:])
    assert re.search(r"\d+ passed", second.stdout)
