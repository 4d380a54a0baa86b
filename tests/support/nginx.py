"""Debian's nginx on a loopback port, in a folder of its own: for the tests of the static site and of caching."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from clusterlod.bench.processes import wait_until_up
from support.system import ensure_nginx


def start_nginx(folder: Path, port: int, http_body: str) -> subprocess.Popen:
    """nginx running ``http_body`` inside its ``http {}`` block, every file it writes in ``folder``.

    The configuration is checked with ``nginx -t`` first, so a bad one fails with nginx's own
    message. Stop it with :func:`clusterlod.bench.processes.stop`, by its process.
    """
    binary = ensure_nginx()
    # As root, nginx's workers would drop to nobody and could not read pytest's private temp folders.
    user = "user root;" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(f"""
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{http_body}
}}
""", encoding="utf-8")
    check = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration: {check.stderr}")
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{port}/static/style.css", process, 30)
    return process
