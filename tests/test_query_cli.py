"""`clusterlod query` through the INSTALLED console script: every refused input is one line and a non-zero exit.

The script next to the running interpreter is what a user runs (``python -m clusterlod``
hid an import bug once); PYTHONPATH points it at the source tree under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from stores import free_port

SCRIPT = Path(sys.executable).with_name("clusterlod")
SRC = Path(__file__).resolve().parents[1] / "src"


def clusterlod(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not SCRIPT.is_file():
        pytest.fail(f"the console script {SCRIPT} is not installed: pip install -e .")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([str(SCRIPT), *args], check=False, capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode != 0 and result.stdout == "", result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_the_installed_script_runs_a_query(project_root: Path, built_dist: Path) -> None:
    result = clusterlod("query", "companies-add-up", "--dist", str(built_dist), cwd=project_root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "true\n", "")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "", "ftp://example.org/sparql", "localhost:7878/query"])
def test_endpoint_must_be_an_http_url_and_no_local_file_is_read(url: str, project_root: Path,
                                                                built_dist: Path) -> None:
    line = refused(clusterlod("query", "totals-by-region", "--endpoint", url, "--dist", str(built_dist),
                              cwd=project_root), "--endpoint", "http:// or https://")
    assert "root:" not in line  # the first line of /etc/passwd


def test_a_repeated_param_is_refused_by_name(project_root: Path, built_dist: Path) -> None:
    refused(clusterlod("query", "projects-by-field", "--param", "field=bio", "--param", "field=semiconductor",
                       "--dist", str(built_dist), cwd=project_root), "--param field", "given twice")


def test_an_unknown_prefix_is_refused_by_name(project_root: Path, built_dist: Path) -> None:
    refused(clusterlod("query", "describe-entity", "--param", "entity=unknownprefix:foo", "--dist", str(built_dist),
                       cwd=project_root), "entity", "unknown prefix 'unknownprefix:'")


def test_a_known_prefix_and_a_full_iri_still_work(project_root: Path, built_dist: Path) -> None:
    for value in ("cluster:kansai-bio-cluster", "<https://w3id.org/clusterlod/id/cluster/kansai-bio-cluster>",
                  "https://w3id.org/clusterlod/id/cluster/kansai-bio-cluster"):
        result = clusterlod("query", "describe-entity", "--param", f"entity={value}", "--format", "ntriples",
                            "--dist", str(built_dist), cwd=project_root)
        assert result.returncode == 0 and "kansai-bio-cluster" in result.stdout, (value, result.stderr)


def test_credentials_in_the_url_authenticate_and_are_never_shown(project_root: Path, virtuoso_server) -> None:
    """Virtuoso's /sparql-auth asks for Digest: the user and password of the URL answer it."""
    host = virtuoso_server.base.split("//", 1)[1]
    good = clusterlod("query", "companies-add-up", "--endpoint", f"http://dba:{virtuoso_server.password}@{host}/sparql-auth",
                      cwd=project_root)
    assert good.returncode == 0 and good.stdout in ("true\n", "false\n"), good.stderr
    line = refused(clusterlod("query", "companies-add-up", "--endpoint", f"http://dba:wrong-Pa55@{host}/sparql-auth",
                              cwd=project_root), "HTTP 401")
    assert "wrong-Pa55" not in line and "dba" not in line


def test_an_unreachable_endpoint_is_one_line(project_root: Path, built_dist: Path) -> None:
    refused(clusterlod("query", "totals-by-region", "--endpoint", f"http://127.0.0.1:{free_port()}/query",
                       "--dist", str(built_dist), cwd=project_root), "cannot reach")


def test_every_quality_check_says_its_verdict(project_root: Path, built_dist: Path) -> None:
    """Issue 29: a passing quality check printed a bare header. Each row is a problem; none is a pass."""
    from inprocess import run_cli

    checks = sorted((project_root / "queries" / "qc").glob("*.rq"))
    assert checks, "no quality checks found"
    for check in checks:
        result = run_cli("query", f"qc/{check.stem}", "--dist", str(built_dist), cwd=project_root)
        assert result.returncode == 0, result.stderr  # the release passed its gate, so every check passes
        assert result.stdout.splitlines()[-1] == "0 rows: passed", result.stdout
        as_csv = run_cli("query", f"qc/{check.stem}", "--dist", str(built_dist), "--format", "csv", cwd=project_root)
        assert "passed" not in as_csv.stdout  # machine formats stay the SPARQL results alone
