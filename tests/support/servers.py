"""Real SPARQL servers on 127.0.0.1, each in its own folder: Oxigraph and a private Virtuoso 7.

The tests' fixtures (``tests/stores.py``), the benchmark and ``scripts/start-store`` start
their stores with these classes. Every server binds to loopback only and is stopped by
its process, never by name.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from clusterlod.bench.processes import free_port
from support.system import ensure_packages

__all__ = ["READY_TIMEOUT", "OxigraphServer", "VirtuosoServer", "ensure_virtuoso", "free_port", "wait_until_ready"]

#: Longest wait for a server to answer after start; a first start of Virtuoso takes ~5 s.
READY_TIMEOUT = 60.0


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = READY_TIMEOUT) -> None:
    """Poll ``ASK {}`` until the server answers 200; fail with its log if it dies or is too slow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready at {url} after {timeout:g} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"


def _stop(process: subprocess.Popen | None, kill: bool) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --------------------------------------------------------------------------- Oxigraph


def oxigraph_cli() -> str | None:
    """The ``oxigraph`` command of the test extra: beside this interpreter (the virtual environment it was
    installed into, active or not, as when the README's test command runs ``.venv/bin/python``), else on PATH."""
    return shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


@dataclass
class OxigraphServer:
    """``oxigraph serve`` on a free loopback port; its data survives stop()/start()."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    user: str | None = None
    password: str | None = None
    union_default_graph: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    def arguments(self) -> list[str]:
        """What follows ``oxigraph`` on the command line (docs/loading.md shows the same flags)."""
        return ["serve", "--location", str(self.folder / "db"), "--bind", f"127.0.0.1:{self.port}",
                *(["--union-default-graph"] if self.union_default_graph else [])]

    def start(self) -> OxigraphServer:
        log = self.folder / "oxigraph.log"
        executable = oxigraph_cli()
        if executable is None:
            raise RuntimeError("the oxigraph CLI is missing: pip install oxigraph (in the test extra)")
        with log.open("ab") as out:
            self.process = subprocess.Popen([executable, *self.arguments()], stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.folder)
        wait_until_ready(self.query_url, self.process, log)
        return self

    def stop(self, kill: bool = True) -> None:
        """Kill -9 by default: the harshest stop a load can meet, and the fastest."""
        _stop(self.process, kill)


# --------------------------------------------------------------------------- Virtuoso


VIRTUOSO_PACKAGE = "virtuoso-opensource"
DBA_PASSWORD = "dba"


def ensure_virtuoso() -> str:
    """The path of ``virtuoso-t``, installing Debian's package first if it is missing.

    The package asks for the DBA password in a debconf dialogue; it is preseeded. The package's
    own service is not used (in a container policy-rc.d keeps it from starting): a private
    instance is started instead.
    """
    seeds = "".join(f"virtuoso-opensource-7 virtuoso-opensource-7/{key} password {DBA_PASSWORD}\n"
                    for key in ("dba-password", "dba-password-again"))
    return ensure_packages([VIRTUOSO_PACKAGE], "virtuoso-t", debconf=seeds)


VIRTUOSO_INI = """\
; A private Virtuoso for tests and trials: everything in {folder}, listening on 127.0.0.1 only.
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
DirsAllowed        = ., {folder}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxQueryMem        = 256M
ThreadsPerQuery    = 2

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {folder}
ServerThreads      = 10
MaxClientConnections = 10
Charset            = UTF-8

[SPARQL]
; The default caps SELECT answers at 10000 rows, silently: raise it so canned queries compare whole.
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


@dataclass
class VirtuosoServer:
    """A private ``virtuoso-t`` with its own ini and database in ``folder``."""

    folder: Path
    http_port: int = field(default_factory=free_port)
    sql_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    user: str = "dba"
    password: str = DBA_PASSWORD

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """Anonymous, read-only SPARQL."""
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        """SPARQL query and update with digest authentication."""
        return f"{self.base}/sparql-auth"

    @property
    def store_url(self) -> str:
        """Graph Store Protocol with digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"

    def start(self) -> VirtuosoServer:
        executable = ensure_virtuoso()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(folder=self.folder, sql_port=self.sql_port, http_port=self.http_port))
        log = self.folder / "virtuoso.out"
        with log.open("ab") as out:
            self.process = subprocess.Popen([executable, "+foreground", "+configfile", str(ini)],
                                            stdout=out, stderr=subprocess.STDOUT, cwd=self.folder)
        wait_until_ready(self.query_url, self.process, self.folder / "virtuoso.log")
        return self

    def stop(self, kill: bool = False) -> None:
        """SIGTERM lets Virtuoso checkpoint and close its database; kill=True does not."""
        _stop(self.process, kill)
