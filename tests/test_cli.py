"""The command line: discoverable, quiet by default, errors on stderr with a non-zero exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from inprocess import run_cli

from clusterlod.bench.processes import free_port, stop, wait_until_up
from clusterlod.cli import COMMANDS
from clusterlod.errors import ExitCode
from clusterlod.release.atomic import MARKER

#: The console script pip installed next to this interpreter: what a user runs, not ``python -m``.
INSTALLED = Path(sys.executable).with_name("clusterlod")


def clusterlod(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``clusterlod`` command, as a user would."""
    assert INSTALLED.is_file(), f"no installed command at {INSTALLED}: run `python3 -m pip install -e .`"
    return subprocess.run([str(INSTALLED), *args], capture_output=True, text=True, cwd=cwd)


def test_top_level_help_lists_the_verbs() -> None:
    result = clusterlod("--help")
    assert result.returncode == 0
    for verb in ("build", "validate"):
        assert verb in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_available_command_explains_itself(command: str) -> None:
    """Through the entry point in process (the installed command's own help is the test above)."""
    listed = run_cli("--help").stdout
    if f"  {command}" not in listed:
        pytest.fail(f"'{command}' is not available: its module is missing")
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: " in result.stdout and "--help" in result.stdout
    assert len(result.stdout.splitlines()) > 4


def test_build_ends_with_one_summary_line_that_matches_the_files(project_root: Path, tmp_path: Path) -> None:
    """Quiet by default means one line: the figures are counted here from what was written."""
    import re

    import pyoxigraph as ox

    out = tmp_path / "dist"
    result = clusterlod("build", "--root", str(project_root), "--out", str(out))
    assert result.returncode == 0 and result.stdout == "", result.stderr
    [line] = result.stderr.splitlines()
    quads = list(ox.parse(path=str(out / "clusterlod.nq"), format=ox.RdfFormat.N_QUADS))
    files = [p for p in out.rglob("*") if p.is_file() and p.name != MARKER  # the marker is the folder's
             and p.relative_to(out).parts[0] != "releases"]  # not the archive
    checks = len(list((project_root / "queries" / "qc").glob("*.rq"))) + 1  # and companies-add-up
    match = re.fullmatch(rf"clusterlod: built {re.escape(str(out))}: ([\d,]+) triples in (\d+) graphs, (\d+) files; "
                         rf"gate passed \(0 SHACL violations, 0 warnings, (\d+) quality checks, 0 failed\) "
                         rf"in (\d+\.\d) s", line)
    assert match, line
    assert int(match[1].replace(",", "")) == len(quads)
    assert int(match[2]) == len({q.graph_name for q in quads})
    assert int(match[3]) == len(files)
    assert int(match[4]) == checks
    assert 0 < float(match[5]) < 600


def test_build_q_prints_nothing_and_v_names_the_stages(project_root: Path, tmp_path: Path) -> None:
    quiet = clusterlod("build", "-q", "--root", str(project_root), "--out", str(tmp_path / "dist"))
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = clusterlod("build", "-v", "--root", str(project_root), "--out", str(tmp_path / "dist"))
    assert "] make the graph" in verbose.stderr and "] validation report" in verbose.stderr


def test_unknown_command_fails() -> None:
    result = clusterlod("publish-everything")
    assert result.returncode != 0
    assert "No such command" in result.stderr


def test_validate_reports_conformance(project_root: Path) -> None:
    result = clusterlod("validate", "--root", str(project_root))
    assert result.returncode == 0
    assert result.stdout.strip() == "conforms: every shape is satisfied and every quality check passes"


def test_the_installed_command_starts_in_a_clean_interpreter(tmp_path: Path) -> None:
    """No module may rely on what ``python -m`` or the test runner happened to import first."""
    result = subprocess.run([str(INSTALLED), "--help"], capture_output=True, text=True, cwd=tmp_path,
                            env={"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1"})
    assert result.returncode == 0, result.stderr
    assert "Usage: clusterlod" in result.stdout


def test_queries_and_query_run_through_the_installed_command(built_dist: Path) -> None:
    listed = clusterlod("queries")
    assert listed.returncode == 0, listed.stderr
    assert "totals-by-region" in listed.stdout
    answer = clusterlod("query", "companies-add-up", "--dist", str(built_dist), "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip().splitlines()[-1] == "true"


def test_a_reader_that_went_away_ends_the_command_quietly(built_dist: Path) -> None:
    """``clusterlod queries | head`` ends as a Unix filter does: killed by SIGPIPE, no error line."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write, as after head has its lines
    try:
        result = subprocess.run([str(INSTALLED), "query", "totals-by-region", "--dist", str(built_dist)],
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (-signal.SIGPIPE, "")


def test_serve_starts_through_the_installed_command(built_dist: Path) -> None:
    port = free_port()
    process = subprocess.Popen([str(INSTALLED), "serve", "--dist", str(built_dist), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        page = f"http://127.0.0.1:{port}/index.en.html"
        wait_until_up(page, process)
        response = httpx.get(page, timeout=10)
        assert response.status_code == 200 and "Knowledge Cluster" in response.text
    finally:
        stop(process)


def test_usage_errors_have_their_own_exit_code() -> None:
    result = clusterlod("query", "--no-such-option")
    assert result.returncode == ExitCode.USAGE
    assert "No such option" in result.stderr


def test_a_bug_is_one_line_and_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The last-resort handler: an exception no check foresaw gives one line and its own code."""
    from clusterlod import cli

    (tmp_path / "buggy_command.py").write_text(
        "import click\n@click.command()\ndef boom():\n    1 / 0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.COMMANDS, "boom", "buggy_command:boom")
    for argv, traceback_shown in ((["clusterlod", "boom"], False), (["clusterlod", "--debug", "boom"], True)):
        monkeypatch.setattr(sys, "argv", argv)
        monkeypatch.setattr(cli, "_debug", False)
        with pytest.raises(SystemExit) as exit_:
            cli.main()
        assert exit_.value.code == ExitCode.INTERNAL
        err = capsys.readouterr().err
        assert err.strip().splitlines()[-1] == (
            "clusterlod: internal error (ZeroDivisionError); run with --debug for the traceback")
        assert ("Traceback" in err) is traceback_shown
