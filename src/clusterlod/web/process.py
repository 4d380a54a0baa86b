"""Run `clusterlod serve` (or nginx) as a real process on loopback: for tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
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


def ensure_debian_package(package: str, binary: str) -> str:
    """The path of ``binary``, installing the Debian package first when it is missing (CI is fresh)."""
    found = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=False, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, env=env, capture_output=True)
    found = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if not found:
        raise RuntimeError(f"installing {package} did not provide {binary}")
    return found
