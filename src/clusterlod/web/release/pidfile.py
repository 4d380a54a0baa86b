"""The pid file of `clusterlod serve`, held by the server while it runs, and the reload status beside it.

A pid file alone cannot say whether its process id is still the server's: a killed server
leaves it behind, and the number may since belong to anything (``kill`` of a stale file hit an
unrelated process; ``0`` hit the caller's own process group). So the server holds ``flock`` on
its pid file while it runs: a file nobody holds is stale, whatever number it says, and the next
server replaces it. `clusterlod reload` signals only a process that holds the lock and whose
command line is `clusterlod serve` with this very pid file, then waits for the outcome the server
records in the status file beside it (``FILE.status``: the reload's start time, what it did, why
it refused the release and with which exit code).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from clusterlod.errors import ClusterlodError
from clusterlod.release.atomic import write_text


def status_path(pid_file: Path) -> Path:
    return pid_file.with_name(pid_file.name + ".status")


def _held(path: Path) -> bool | None:
    """True when a live process holds ``path``'s lock, False when nobody does, None when it is missing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError:
        return True  # cannot be opened: not ours to judge stale
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def read_pid(pid_file: Path) -> int:
    """The process id the file holds: ASCII digits, a positive number (``0`` and ``-1`` mean process groups)."""
    try:
        text = pid_file.read_text(encoding="ascii", errors="replace").strip()
    except OSError as e:
        raise ClusterlodError(f"{pid_file}: cannot be read ({e.strerror}); is `clusterlod serve --pid-file "
                              f"{pid_file}` running?") from None
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 9 and int(text) > 1):
        raise ClusterlodError(f"{pid_file}: holds no process id of a server ({text[:20]!r})")
    return int(text)


class PidFile:
    """The server's side: claim the file at start, write and lock it when ready, record reloads, remove it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.status = status_path(self.path)
        self._lock: int | None = None

    def claim(self) -> None:
        """Refuse a pid file a running server holds; remove a stale one (a killed server's)."""
        held = _held(self.path)
        if held:
            try:
                holder = f"process {read_pid(self.path)}"
            except ClusterlodError:
                holder = "another process"
            raise ClusterlodError(f"{self.path}: {holder} holds it (a running `clusterlod serve`?): stop that "
                                  "server or pass another --pid-file")
        if held is False:  # left by a server that was killed
            self.path.unlink(missing_ok=True)
            self.status.unlink(missing_ok=True)

    def write(self, release: str) -> None:
        """The process id, once the server answers and SIGHUP reloads; held (flock) until :meth:`remove`."""
        write_text(self.status, json.dumps({"pid": os.getpid(), "release": release, "started": None}) + "\n")
        write_text(self.path, f"{os.getpid()}\n")
        fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ClusterlodError(f"{self.path}: another server took it meanwhile; pass another --pid-file") from None
        self._lock = fd

    def record(self, outcome: dict[str, Any]) -> None:
        """What a reload did, for `clusterlod reload` waiting on it."""
        write_text(self.status, json.dumps({"pid": os.getpid(), **outcome}, ensure_ascii=False) + "\n")

    def remove(self) -> None:
        if self._lock is None:
            return
        with contextlib.suppress(OSError, ClusterlodError):
            if read_pid(self.path) == os.getpid():
                self.path.unlink(missing_ok=True)
                self.status.unlink(missing_ok=True)
        os.close(self._lock)
        self._lock = None


def _options(arguments: list[str], name: str) -> list[str]:
    """The values of ``--name VALUE`` and ``--name=VALUE`` in a command line."""
    values = []
    for i, argument in enumerate(arguments):
        if argument == name and i + 1 < len(arguments):
            values.append(arguments[i + 1])
        elif argument.startswith(name + "="):
            values.append(argument[len(name) + 1:])
    return values


def serving_process(pid_file: Path, dist: Path | None = None) -> int:
    """The process id of the `clusterlod serve` holding ``pid_file`` (of ``dist``, when given); one line if none.

    Reads ``/proc/PID/cmdline`` and ``/proc/PID/cwd``: the process must be `clusterlod serve` whose
    ``--pid-file`` is this file, and it must hold the file's lock (so a reused process id is no match).
    """
    pid = read_pid(pid_file)
    proc = Path("/proc") / str(pid)
    try:
        arguments = [a.decode("utf-8", "replace") for a in (proc / "cmdline").read_bytes().split(b"\0") if a]
        cwd = Path(os.readlink(proc / "cwd"))
    except FileNotFoundError:
        raise ClusterlodError(f"{pid_file}: no process {pid} is running (is `clusterlod serve` stopped?)") from None
    except PermissionError:
        raise ClusterlodError(f"{pid_file}: not allowed to look at process {pid}") from None
    serves = "serve" in arguments and any(Path(a).name == "clusterlod" or a == "clusterlod"
                                          for a in arguments[:arguments.index("serve")])
    named = [(cwd / value).resolve() for value in _options(arguments, "--pid-file")]
    if not serves or pid_file.resolve() not in named:
        raise ClusterlodError(f"{pid_file}: process {pid} is not `clusterlod serve --pid-file {pid_file}` "
                              "(a stale file?); nothing was signalled")
    if not _held(pid_file):
        raise ClusterlodError(f"{pid_file}: process {pid} does not hold it (a stale file?); nothing was signalled")
    if dist is not None:
        served = (cwd / (_options(arguments, "--dist") or ["dist"])[-1]).resolve()
        if served != dist.resolve():
            raise ClusterlodError(f"{pid_file}: process {pid} serves {served}, not {dist.resolve()}; "
                                  "nothing was signalled")
    return pid


def read_status(pid_file: Path) -> dict[str, Any]:
    try:
        return json.loads(status_path(pid_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def wait_for_outcome(pid_file: Path, pid: int, sent: float, wait: float) -> dict[str, Any]:
    """The outcome of the first reload the server started after ``sent`` (time.time()), within ``wait`` s."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        status = read_status(pid_file)
        if status.get("pid") == pid and (status.get("started") or 0) >= sent:
            return status
        if not Path("/proc", str(pid)).exists():
            raise ClusterlodError(f"{pid_file}: process {pid} stopped before it reported the reload")
        time.sleep(0.05)
    raise ClusterlodError(f"{pid_file}: process {pid} did not report the reload within {wait:g} s "
                          "(see its stderr and /healthz)")
