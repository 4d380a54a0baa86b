"""Output folders written whole or not at all, and what a killed writer leaves: removed by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clusterlod.release.atomic import replace_directory

INSTALLED = Path(sys.executable).with_name("clusterlod")

#: A writer that stops inside replace_directory: killed (SIGKILL, no clean-up) or waiting on stdin.
WRITER = """
import os, signal, sys
from pathlib import Path
from clusterlod.release.atomic import replace_directory

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
    assert sorted(p.name for p in target.iterdir()) == ["whole.txt"]


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
        assert sorted(p.name for p in target.iterdir()) == ["half.txt"]  # the live writer finished last
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
