"""Output folders written whole or not at all, and what a killed writer leaves: removed by the next one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clusterlod.errors import ClusterlodError, ExitCode
from clusterlod.release.atomic import MARKER, replace_directory

INSTALLED = Path(sys.executable).with_name("clusterlod")

#: A writer that stops inside replace_directory: killed (SIGKILL, no clean-up) or waiting on stdin.
WRITER = """
import os, signal, sys
from pathlib import Path
from clusterlod.errors import ClusterlodError, ExitCode
from clusterlod.release.atomic import MARKER, replace_directory

with replace_directory(Path(sys.argv[1])) as staging:
    (staging / "half.txt").write_text("half")
    print(staging, flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.readline()
"""

#: A real build killed by itself once it has written part of the release.
KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from clusterlod.build import build

def die(stage):
    if stage == "quality checks":
        os.kill(os.getpid(), signal.SIGKILL)

build(Path(sys.argv[1]), Path(sys.argv[2]), progress=die)
"""


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}."))


def test_a_killed_writers_folder_is_removed_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "dist"
    killed = subprocess.run([sys.executable, "-c", WRITER, str(target), "kill"], capture_output=True, text=True,
                            timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(leftovers(target)) == 1 and (tmp_path / leftovers(target)[0] / "half.txt").is_file()
    with replace_directory(target) as staging:
        (staging / "whole.txt").write_text("whole")
    assert leftovers(target) == []
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "whole.txt"]


def test_a_live_writers_folder_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "dist"
    live = subprocess.Popen([sys.executable, "-c", WRITER, str(target), "wait"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        theirs = Path(live.stdout.readline().strip())  # type: ignore[union-attr]
        assert theirs.is_dir()
        with replace_directory(target) as staging:
            (staging / "mine.txt").write_text("mine")
        assert theirs.is_dir() and (theirs / "half.txt").is_file()  # still being written: not touched
        live.communicate("\n", timeout=30)
        assert live.returncode == 0
        assert sorted(p.name for p in target.iterdir()) == [MARKER, "half.txt"]  # the live writer finished last
    finally:
        if live.poll() is None:
            live.kill()
            live.wait(timeout=10)
    assert leftovers(target) == []


def test_killed_between_the_two_renames_the_old_release_comes_back(tmp_path: Path) -> None:
    """The swap sets the old release aside, then renames the new one in; a kill between leaves no target."""
    target = tmp_path / "dist"
    aside = tmp_path / ".dist.old-x1" / "dist"
    aside.mkdir(parents=True)
    (aside / "old.txt").write_text("old")
    (tmp_path / ".dist.new-x2").mkdir()
    with pytest.raises(RuntimeError), replace_directory(target):
        raise RuntimeError("this build fails")
    assert leftovers(target) == []
    assert (target / "old.txt").read_text() == "old"


def test_a_killed_build_leaves_nothing_after_the_next_build(tmp_path: Path, project_root: Path) -> None:
    out = tmp_path / "dist"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    killed = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(project_root), str(out)], capture_output=True,
                            text=True, timeout=300, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert [name for name in leftovers(out) if ".new-" in name] != []
    done = subprocess.run([str(INSTALLED), "build", "--root", str(project_root), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert leftovers(out) == []
    assert (out / "clusterlod.nq").is_file()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (``.git`` included): what "nothing touched" compares."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(target: Path, *args, **kwargs) -> str:
    """The one line replace_directory refuses with; the body never runs."""
    with pytest.raises(ClusterlodError) as caught, replace_directory(target, *args, **kwargs) as staging:
        (staging / "new.txt").write_text("new")
        pytest.fail("the body ran: the folder would have been replaced")
    assert caught.value.exit_code == ExitCode.ERROR and "\n" not in str(caught.value)
    return str(caught.value)


def test_a_folder_it_did_not_write_is_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 29, break 1: `build --out .` wiped data/, src/ and .git. Each rule, in process."""
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "clusters.yaml").write_text("- id: a\n")
    (project / "notes").mkdir()
    (project / "notes" / "mine.txt").write_text("mine")
    before = tree(project)
    monkeypatch.chdir(project)
    assert "it is the current folder" in refused(project)
    assert "it holds" in refused(tmp_path)  # a parent of the current folder
    monkeypatch.chdir(tmp_path.parent)
    assert "it is an input" in refused(project / "data", inputs=[project / "data"])
    assert "it holds" in refused(project, inputs=[project / "data"])
    assert "was not written by clusterlod" in refused(project / "notes")
    (project / "notes" / "mine.txt").unlink()
    (project / "notes" / ".git").mkdir()  # an empty folder but a repository's (as in a fresh `git init`)
    assert ".git" in refused(project / "notes")
    (project / "notes" / ".git").rmdir()
    (project / "notes" / "mine.txt").write_text("mine")
    assert "not a folder" in refused(project / "data" / "clusters.yaml")
    assert tree(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]  # no staging folder was left either


def test_a_path_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file")
    assert "cannot write" in refused(tmp_path / "file" / "dist")


def test_it_replaces_what_it_wrote_and_only_of_the_same_kind(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()  # empty: fine
    for round_ in ("first", "second"):
        with replace_directory(target, "site") as staging:
            (staging / "index.html").write_text(round_)
    assert (target / "index.html").read_text() == "second"
    assert "holds a clusterlod site, not a release" in refused(target, "release")
    assert (target / "index.html").read_text() == "second"


def test_a_release_from_before_the_marker_is_recognised_by_its_catalogue(built_dist: Path, tmp_path: Path) -> None:
    """A dist/ of 0.3.0 has no marker; its catalog.ttl (written by a build) says it is ours."""
    from clusterlod.release.catalog import written_by_us

    old = tmp_path / "dist"
    shutil.copytree(built_dist, old)
    (old / MARKER).unlink()
    assert written_by_us(old)
    with replace_directory(old, "release", ours=written_by_us) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in old.iterdir()) == [MARKER, "new.txt"]
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "catalog.ttl").write_text("<a> <b> <c> .\n")
    (foreign / "clusterlod.nq").write_text("")
    assert not written_by_us(foreign)
    assert "was not written by clusterlod" in refused(foreign, "release", ours=written_by_us)


def _fresh_clone(tmp_path: Path, built_dist: Path) -> Path:
    """The project as a newcomer has it: its folders, a repository, a dist/ from a build."""
    root = Path(__file__).resolve().parents[1]
    clone = tmp_path / "clone"
    for name in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(root / name, clone / name)
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    shutil.copytree(built_dist, clone / "dist")
    return clone


@pytest.mark.parametrize("command", [["build", "--out", "."], ["build", "--out", "data"], ["site", "."],
                                     ["site", "dist"], ["site", "data"]])
def test_the_installed_command_never_deletes_a_project(command: list[str], tmp_path: Path, built_dist: Path) -> None:
    """Issue 29's reproduction, in a fresh copy of the project: non-zero, one line, .git and data/ intact."""
    clone = _fresh_clone(tmp_path, built_dist)
    before = tree(clone)
    done = subprocess.run([str(INSTALLED), *command], cwd=clone, capture_output=True, text=True, timeout=300)
    assert done.returncode == ExitCode.ERROR, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "refusing to replace" in done.stderr, done.stderr
    assert tree(clone) == before


def test_a_site_from_before_the_marker_is_recognised_by_its_nginx_example(tmp_path: Path) -> None:
    """A 0.3.0 `clusterlod site` tree: no marker, but the nginx example that `site` writes first."""
    from clusterlod.web.release.static_site import NGINX_FILE, _old_site

    old = tmp_path / "public"
    old.mkdir()
    (old / NGINX_FILE).write_text("# clusterlod: generated by `clusterlod site`; content negotiation as "
                                  "`clusterlod serve` does it.\nmap $http_accept $clo_ext {\n}\n")
    (old / "index.html").write_text("old")
    with replace_directory(old, "site", ours=_old_site) as staging:
        (staging / "index.html").write_text("new")
    assert (old / "index.html").read_text() == "new"
    (old / MARKER).unlink()
    (old / NGINX_FILE).write_text("# someone else's nginx example\n")
    assert "was not written by clusterlod" in refused(old, "site", ours=_old_site)
