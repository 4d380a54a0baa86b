"""What a new user does: a fresh clone, Debian's own Python, the README's two commands.

The commands are read from the README, so this test breaks when the README and the code
disagree. The second command's test run is narrowed to the inner loop (``-m "not external and not slow"``,
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
from conftest import INNER_LOOP

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


#: Debian's own interpreter: externally managed (PEP 668), so ``pip install`` outside a venv is refused.
DEBIAN_PYTHON = "/usr/bin/python3.11"


@pytest.fixture
def fresh_venv(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A clone of this repository, with Debian's externally managed ``python3`` first on PATH, as on a
    stock Debian 12 (the README's first command must make its own virtual environment)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to clone")
    from support.system import ensure_packages

    python = ensure_packages(["python3", "python3-venv"], DEBIAN_PYTHON)
    ensure_packages(["python3-venv"], "/usr/lib/python3.11/ensurepip/__init__.py")  # venv's pip, else it fails
    stdlib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert (Path(stdlib) / "EXTERNALLY-MANAGED").is_file(), "not an externally managed Python: the test proves less"
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTHONHOME")}
    env.update(PATH=f"{bin_dir}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
               CLUSTERLOD_CLONE=str(clone), PIP_BREAK_SYSTEM_PACKAGES="0")
    refused = subprocess.run(["python3", "-m", "pip", "install", "--dry-run", "-q", "clusterlod"], cwd=clone,
                             env=env, capture_output=True, text=True)
    assert refused.returncode != 0, "this python3 lets pip install outside a venv: not the case under test"
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
    installed = clone / ".venv" / "bin" / "clusterlod"
    assert installed.is_file(), "the first command did not install the clusterlod command into its environment"
    assert "gate passed" in first.stderr  # the build's summary line

    second = run_in_clone(install_and_test, {**fresh_venv, "PYTEST_ADDOPTS": f"{INNER_LOOP} -x"},
                          timeout=1200)
    assert second.returncode == 0, (second.stdout[-3000:], second.stderr[-3000:])
    assert re.search(r"\d+ passed", second.stdout)


@pytest.fixture
def plain_install(tmp_path: Path) -> Path:
    """clusterlod installed with a plain (not editable) ``pip install``, into a new virtual environment;
    yields its ``clusterlod`` command. Its dependencies are this environment's, seen through a .pth file,
    so only the project itself is built and copied (the fresh-environment test downloads the rest)."""
    import sysconfig

    venv = tmp_path / "plain-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    where = subprocess.run([str(python), "-c", "import clusterlod; print(clusterlod.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(site), f"clusterlod came from {where}, not from the plain install"
    return venv / "bin" / "clusterlod"


def test_a_plain_install_runs_the_projects_checks_and_never_none(plain_install: Path, tmp_path: Path) -> None:
    """Outside the checkout, the gate and the queries are the project's: found under --root, or refused."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(plain_install), *args], cwd=elsewhere, capture_output=True, text=True, timeout=300)

    listed = run("queries")
    assert listed.returncode == 1 and listed.stdout == "", listed
    assert listed.stderr == ("clusterlod: error: no queries/ folder here: run clusterlod in the project folder, "
                             "or pass --queries DIR\n")
    without = tmp_path / "project"
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / name, without / name)
    refused = run("validate", "--root", str(without))
    assert refused.returncode == 3 and "queries/qc/: no quality checks" in refused.stderr, refused
    assert run("build", "--root", str(without), "--out", str(tmp_path / "nodist")).returncode == 3
    assert not (tmp_path / "nodist").exists()

    built = run("build", "--root", str(ROOT), "--out", str(tmp_path / "dist"))
    assert built.returncode == 0, built.stderr
    checks = len(list((ROOT / "queries" / "qc").glob("*.rq"))) + 1  # and companies-add-up
    assert f"{checks} quality checks, 0 failed" in built.stderr
    answer = run("query", "companies-add-up", "--dist", str(tmp_path / "dist"), "--queries", str(ROOT / "queries"),
                 "--format", "csv")
    assert answer.returncode == 0 and answer.stdout.strip().splitlines()[-1] == "true", answer
