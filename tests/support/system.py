"""Debian packages the tests need (Virtuoso, nginx, Apache, Chromium and a CJK font), installed when missing.

A fresh machine has none of them, so the fixtures install them with ``apt-get``. The package
index is refreshed first (a new machine's lists may be empty or stale), and every ``apt-get``
waits for the package lock instead of failing when another install is running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

#: How long an apt-get waits for another one to release the package lock.
LOCK_TIMEOUT_S = 600
_updated = threading.Event()
_lock = threading.Lock()


def _as_root(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return command
    if shutil.which("sudo"):
        return ["sudo", "-n", "-E", *command]
    raise RuntimeError(f"installing Debian packages needs root: run `sudo {' '.join(command)}`")


def _apt(*args: str) -> list[str]:
    return _as_root(["apt-get", "-q", "-o", f"DPkg::Lock::Timeout={LOCK_TIMEOUT_S}", *args])


def _found(binary: str) -> str | None:
    return shutil.which(binary) or (binary if os.path.isabs(binary) and os.path.exists(binary) else None)


def ensure_packages(packages: list[str], binary: str, debconf: str | None = None) -> str:
    """The path of ``binary``, installing ``packages`` first when it is missing.

    ``debconf`` preseeds answers (one ``debconf-set-selections`` line each) for packages that
    would otherwise ask a question.
    """
    found = _found(binary)
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with _lock:
        if debconf:
            subprocess.run(_as_root(["debconf-set-selections"]), input=debconf, text=True, check=True, env=env)
        if not _updated.is_set():
            subprocess.run(_apt("update"), env=env, check=False, capture_output=True)
            _updated.set()
        result = subprocess.run(_apt("install", "-y", "--no-install-recommends", *packages), env=env,
                                capture_output=True, text=True)
    if result.returncode != 0:
        output = result.stdout[-2000:] + result.stderr[-2000:]
        raise RuntimeError(f"apt-get install {' '.join(packages)} failed:\n{output}")
    found = _found(binary)
    if not found:
        raise RuntimeError(f"{' '.join(packages)} installed but {binary} is missing")
    return found


#: A file of Debian's fonts-noto-cjk: Chromium's Japanese glyphs on a machine with no desktop.
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def ensure_chromium() -> str:
    """Debian's Chromium with a CJK font, so Japanese pages render as text, not empty boxes."""
    ensure_packages(["fonts-noto-cjk"], NOTO_CJK)
    return ensure_packages(["chromium"], "/usr/bin/chromium")


def ensure_nginx() -> str:
    return ensure_packages(["nginx"], "/usr/sbin/nginx")


def ensure_apache() -> str:
    """Debian's Apache httpd (its modules, mod_rewrite and mod_headers included, come with it)."""
    return ensure_packages(["apache2"], "/usr/sbin/apache2")
