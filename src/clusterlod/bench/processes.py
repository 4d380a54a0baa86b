"""Run `clusterlod serve` as a real process on loopback, and find free ports: for tests and benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers; fail early with the process's output if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
            raise RuntimeError(f"the server exited with {process.returncode}:\n{out}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def start_server(dist: Path, port: int, *extra: str, log: Path | None = None) -> subprocess.Popen:
    """``clusterlod serve`` in a subprocess, answering on http://127.0.0.1:port/."""
    command = [sys.executable, "-m", "clusterlod", "serve", "--dist", str(dist), "--port", str(port), *extra]
    output = open(log, "wb") if log else subprocess.PIPE  # noqa: SIM115 - the server writes it while it runs
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{port}/static/style.css", process)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
