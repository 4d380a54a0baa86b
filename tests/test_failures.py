"""Every exit code, raised by a real run of the installed command: the table of clusterlod.commands.failures.

Each scenario sets up the situation for real (a broken copy of the project, a server on a busy
port, a read-only endpoint, a proxy that holds an answer, SIGINT to a running server), runs the
command line the docs show with the run's values put in, and checks the exit code and the one
line on stderr. One ``clusterlod serve`` of the shared build serves the scenarios that need an
endpoint; the Ctrl-C scenario starts its own, since it ends it.
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from inprocess import run_cli
from stores import swallowing_proxy

from clusterlod.bench.processes import free_port, stop, wait_until_up
from clusterlod.commands.failures import FAILURES, SHOWN, Failure
from clusterlod.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
INSTALLED = Path(sys.executable).with_name("clusterlod")
BY_NAME = {failure.name: failure for failure in FAILURES}


def argv(failure: Failure, values: dict[str, str]) -> list[str]:
    """The documented command line with this run's values: what the docs show is what runs."""
    words = shlex.split(failure.command.format(**values))
    assert words[0] == "clusterlod"
    return [str(INSTALLED), *words[1:]]


@pytest.fixture(scope="module")
def served(built_dist: Path) -> Iterator[str]:
    """One real ``clusterlod serve`` of the shared build (a read-only endpoint); yields its port."""
    port = free_port()
    process = subprocess.Popen([str(INSTALLED), "serve", "--dist", str(built_dist), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/static/style.css", process)
        yield str(port)
    finally:
        stop(process)


#: A scenario's set-up: given the test's request and a folder, the values of its placeholders and an environment.
Setup = Callable[[pytest.FixtureRequest, Path], tuple[dict[str, str], dict[str, str] | None]]


def _project(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue("project_copy")


def _dist(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"dist": str(request.getfixturevalue("built_dist"))}


def bad_data(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    project = _project(request)
    (project / "data" / "new.yaml").write_text("- id: late-addition\n  type: Cluster\n", encoding="utf-8")
    return {"project": str(project)}, None


def no_quality_checks(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    project = _project(request)
    for check in (project / "queries" / "qc").glob("*.rq"):
        check.unlink()
    return {"project": str(project)}, None


def not_conforming(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    project = _project(request)
    shapes = project / "shapes" / "clusterlod-shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + """
closh:OneFieldForHokkaido a sh:NodeShape ;
  sh:targetNode <https://w3id.org/clusterlod/id/cluster/hokkaido-super-cluster> ;
  sh:property [ sh:path clo:industrialField ; sh:maxCount 1 ] .
""", encoding="utf-8")
    return {"project": str(project), "record_line": str(record_line("hokkaido-super-cluster"))}, None


def record_line(record: str) -> int:
    """The line a record starts on in data/clusters.yaml, read here, not from clusterlod."""
    lines = (ROOT / "data" / "clusters.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index(f"- id: {record}") + 1


def unsupported_shape(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    project = _project(request)
    (project / "shapes" / "js.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://w3id.org/clusterlod/shapes/ScriptedCluster> a sh:NodeShape ;
  sh:targetClass <https://w3id.org/clusterlod/ontology/Cluster> ;
  sh:js [ a sh:JSConstraint ; sh:message "no JavaScript here" ; sh:jsFunctionName "check" ;
          sh:jsLibrary [ sh:jsLibraryURL "https://example.org/check.js" ] ] .
""", encoding="utf-8")
    return {"project": str(project)}, None


def stale_pid_file(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    """The pid file of a server killed by SIGKILL: it names a process that is gone."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    pid_file = tmp / "serve.pid"
    pid_file.write_text(f"{gone.pid}\n", encoding="utf-8")
    return {"pid_file": str(pid_file), "gone": str(gone.pid)}, None


def bug(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A command that divides by zero, put in the place of ``build`` when the interpreter starts."""
    (tmp / "planted_bug.py").write_text(
        "import click\n@click.command()\n@click.option('--root')\ndef build(root):\n    1 / 0\n", encoding="utf-8")
    (tmp / "sitecustomize.py").write_text(
        "import clusterlod.cli\nclusterlod.cli.COMMANDS['build'] = 'planted_bug:build'\n", encoding="utf-8")
    return {"project": str(tmp)}, {"PYTHONPATH": str(tmp)}


def _bad_query(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    (tmp / "bad.rq").write_text("SELECT * WHERE { ?s ?p }\n", encoding="utf-8")
    return {**_dist(request), "query": str(tmp / "bad.rq")}, None


def _long_line(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    """Line 2 holds a literal of 17 MiB: past the 16 MiB pyoxigraph's parser holds for one statement."""
    (tmp / "big.nq").write_text('<http://example.org/a> <http://example.org/p> "ok" .\n'
                                f'<http://example.org/a> <http://example.org/p> "{"x" * (17 * 2**20)}" .\n',
                                encoding="utf-8")
    return {**_dist(request), "big": str(tmp / "big.nq")}, None


def _clique(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    """Nine blank nodes each linked to every other: the old diff took 87 s on it, each further node ten times more."""
    (tmp / "clique.nq").write_text("".join(f"_:n{a} <http://example.org/knows> _:n{b} .\n"
                                           for a in range(9) for b in range(9) if a != b), encoding="utf-8")
    return {**_dist(request), "clique": str(tmp / "clique.nq")}, None


def _failing_check(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    """A quality check that always finds one row (each row is a problem)."""
    (tmp / "queries" / "qc").mkdir(parents=True)
    (tmp / "queries" / "qc" / "always-fails.rq").write_text(
        "# title-ja: 常に失敗\n# title-en: Always fails\n# description: One row, whatever the data.\n"
        "SELECT ?problem WHERE { VALUES ?problem { \"this row\" } }\n", encoding="utf-8")
    return {**_dist(request), "queries": str(tmp / "queries")}, None


def _foreign_output(request: pytest.FixtureRequest, tmp: Path) -> tuple[dict[str, str], None]:
    project = tmp / "notes"
    project.mkdir()
    (project / "mine.txt").write_text("not clusterlod's", encoding="utf-8")
    return {**_dist(request), "project": str(project)}, None


SETUPS: dict[str, Setup] = {
    "refused-output": lambda request, tmp: ({"project": str(_project(request))}, None),
    "foreign-output": _foreign_output,
    "output-under-a-file": lambda request, tmp: ({"project": str(_project(request))}, None),
    "unwritable-output": lambda request, tmp: ({"project": str(_project(request))}, None),
    "diff-without-release": lambda request, tmp: ({**_dist(request), "empty": str(tmp)}, None),
    "unknown-slug": lambda request, tmp: (_dist(request), None),
    "bad-port": lambda request, tmp: ({}, None),
    "file-endpoint": lambda request, tmp: ({}, None),
    "graph-format-for-rows": lambda request, tmp: (_dist(request), None),
    "rewrite-syntax-in-target": lambda request, tmp: ({}, None),
    "query-syntax": _bad_query,
    "long-line": _long_line,
    "poison-graph": _clique,
    "failed-check": _failing_check,
    "unknown-option": lambda request, tmp: ({}, None),
    "bad-parameter": lambda request, tmp: (_dist(request), None),
    "no-release": lambda request, tmp: ({"empty": str(tmp), "port": str(free_port())}, None),
    "busy-port": lambda request, tmp: ({**_dist(request), "port": request.getfixturevalue("served")}, None),
    "stale-pid-file": stale_pid_file,
    "bad-data": bad_data,
    "no-quality-checks": no_quality_checks,
    "not-conforming": not_conforming,
    "unsupported-shape": unsupported_shape,
    "unreachable-endpoint": lambda request, tmp: ({"closed": str(free_port())}, None),
    "refused-load": lambda request, tmp: ({**_dist(request), "port": request.getfixturevalue("served")}, None),
    "links-changed": lambda request, tmp: ({**_dist(request), "port": request.getfixturevalue("served")}, None),
    "bug": bug,
}


def test_every_exit_code_has_a_real_scenario() -> None:
    assert {f.code for f in FAILURES} == set(ExitCode) - {ExitCode.OK}
    assert set(SETUPS) | {"unconfirmed-load", "interrupted"} == set(BY_NAME)
    assert set(SHOWN) >= {name for f in FAILURES for name in _placeholders(f.command + f.line)}


def _placeholders(text: str) -> set[str]:
    import string

    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_docs_show_the_data_as_it_is() -> None:
    """The shown record line is the record's real line (a stale figure in docs/cli.md fails here)."""
    assert SHOWN["record_line"] == str(record_line("hokkaido-super-cluster"))


def check(failure: Failure, done: subprocess.CompletedProcess[str], values: dict[str, str]) -> None:
    assert done.returncode == failure.code, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert failure.pattern(**values).fullmatch(lines[0]), (lines[0], failure.line)


#: The exit codes issue 29 found untrue, and what else it found: run with the installed command in the slow
#: tier, and in process in the inner loop. Every other scenario runs with the installed command in the inner loop.
OTHERS = sorted({"refused-output", "foreign-output", "output-under-a-file", "unwritable-output",
                 "diff-without-release", "unknown-slug", "bad-port", "file-endpoint", "graph-format-for-rows",
                 "rewrite-syntax-in-target", "query-syntax", "long-line", "poison-graph", "failed-check"})
FIRST_OF_EACH_CODE = sorted(set(SETUPS) - set(OTHERS))


def run_installed(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    failure = BY_NAME[name]
    values, env = SETUPS[name](request, tmp_path)
    environment = None
    if env is not None:
        import os

        environment = {**os.environ, **env}
    done = subprocess.run(argv(failure, values), capture_output=True, text=True, cwd=ROOT, env=environment,
                          timeout=120)
    check(failure, done, values)


@pytest.mark.parametrize("name", FIRST_OF_EACH_CODE)
def test_the_failure_has_its_code_and_its_line(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    run_installed(name, request, tmp_path)


@pytest.mark.parametrize("name", OTHERS)
def test_every_other_failure_has_its_code_and_its_line(name: str, request: pytest.FixtureRequest,
                                                      tmp_path: Path) -> None:
    run_installed(name, request, tmp_path)


@pytest.mark.parametrize("name", OTHERS)
def test_every_other_failure_in_process(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The same command lines through the CLI's entry point in this process: the inner loop's check."""
    failure = BY_NAME[name]
    values, env = SETUPS[name](request, tmp_path)
    assert env is None
    done = run_cli(*argv(failure, values)[1:], cwd=ROOT)
    check(failure, done, values)


def _is_the_load(path: str, body: bytes) -> bool:
    """The load request itself: an update whose first operation drops a target graph."""
    return parse_qs(body.decode("ascii", "replace")).get("update", [""])[0].startswith("DROP SILENT GRAPH")


def test_an_unconfirmed_load(oxigraph_server, built_dist: Path) -> None:
    """A real Oxigraph behind a proxy that holds the load's answer past --timeout: it may have committed."""
    failure = BY_NAME["unconfirmed-load"]

    def late(path: str, body: bytes) -> bool:
        if _is_the_load(path, body):
            time.sleep(2)
            return True
        return False

    with swallowing_proxy(oxigraph_server.base, late) as proxy:
        values = {"dist": str(built_dist), "proxy": proxy.rsplit(":", 1)[1]}
        done = subprocess.run(argv(failure, values), capture_output=True, text=True, cwd=ROOT, timeout=120)
    check(failure, done, values)


def test_ctrl_c(built_dist: Path) -> None:
    """SIGINT to a running server, by its PID: it stops, says so in one line and exits 130."""
    failure = BY_NAME["interrupted"]
    values = {"dist": str(built_dist), "port": str(free_port())}
    process = subprocess.Popen(argv(failure, values), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{values['port']}/static/style.css", process)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            stop(process)
    assert process.returncode == failure.code, err
    announced, *rest = err.splitlines()
    assert announced == f"clusterlod: serving {values['dist']} at http://127.0.0.1:{values['port']}/"
    assert len(rest) == 1 and failure.pattern(**values).fullmatch(rest[0]), err


@pytest.mark.parametrize("command", [["query", "totals-by-region"], ["load", "{dist}"],
                                     ["links", "check", "--dist", "{dist}"],
                                     ["serve", "--dist", "{dist}", "--port", "{port}"]])
def test_a_file_endpoint_is_a_usage_error_for_every_command(command: list[str], built_dist: Path) -> None:
    """Nothing was contacted, so the command line is what is wrong (2), whichever command is given it."""
    words = [word.format(dist=built_dist, port=free_port()) for word in command]
    done = run_cli(*words, "--endpoint", "file:///etc/passwd", cwd=ROOT)
    assert done.returncode == ExitCode.USAGE and done.stderr.count("\n") == 1, done.stderr
    assert "give an http:// or https:// URL" in done.stderr
