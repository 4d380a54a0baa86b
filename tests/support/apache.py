"""Debian's Apache httpd with mod_rewrite on 127.0.0.1, in a folder of its own, for testing .htaccess rules.

Started in the foreground (``-DFOREGROUND``) with its own configuration, so it is stopped by
its process id and touches nothing of the machine's Apache. As root, Apache's children run as
``www-data``, so the folder is made world-readable (pytest's temporary folders are not).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from clusterlod.bench.processes import free_port, stop, wait_until_up
from support.system import ensure_apache

MODULES = Path("/usr/lib/apache2/modules")


@dataclass
class ApacheServer:
    """An Apache serving ``docroot`` (AllowOverride All) on a free loopback port.

    The modules an .htaccess of ours may use are loaded: mod_rewrite, mod_headers, mod_dir, mod_mime.
    """

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="clusterlod-apache-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def docroot(self) -> Path:
        return self.root / "www"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
        modules = "\n".join(f"LoadModule {name}_module {MODULES}/mod_{file}.so" for name, file in (
            ("mpm_event", "mpm_event"), ("authz_core", "authz_core"), ("rewrite", "rewrite"),
            ("headers", "headers"), ("dir", "dir"), ("mime", "mime")))
        types = "TypesConfig /etc/mime.types\n" if Path("/etc/mime.types").is_file() else ""
        return f"""ServerRoot "{self.root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile "{self.root}/httpd.pid"
DefaultRuntimeDir "{self.root}/run"
ErrorLog "{self.root}/error.log"
LogLevel warn
{modules}
{types}{user}DocumentRoot "{self.docroot}"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "{self.docroot}">
  AllowOverride All
  Require all granted
</Directory>
"""

    def start(self) -> ApacheServer:
        binary = ensure_apache()
        (self.root / "run").mkdir(parents=True, exist_ok=True)
        self.docroot.mkdir(parents=True, exist_ok=True)
        (self.root / "httpd.conf").write_text(self.config(), encoding="utf-8")
        for path in [self.root, *self.root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        check = subprocess.run([binary, "-t", "-f", str(self.root / "httpd.conf")], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"apache2 refused its configuration: {check.stderr.strip()}")
        self.process = subprocess.Popen([binary, "-f", str(self.root / "httpd.conf"), "-DFOREGROUND"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until_up(self.url + "/", self.process, 30)
        return self

    def put(self, relative: str, text: str) -> None:
        """Write a file under the document root, readable by Apache's children."""
        path = self.docroot / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o755)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)

    def error_log(self) -> str:
        log = self.root / "error.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None
        shutil.rmtree(self.root, ignore_errors=True)
