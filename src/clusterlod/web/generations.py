"""One release served at a time, from a private copy, switched atomically on SIGHUP.

`clusterlod serve` never reads ``dist/`` after loading it: a release is copied into a
private folder through one open handle on ``dist/`` (so a build swapping ``dist/``
meanwhile gives the old folder or the new one, never a mixture), checked against the
SHA-256 sums its own catalogue states, and everything (pages, downloads, the query
workers, also when a worker is replaced) comes from that copy. Each request is pinned
to the generation that was current when it arrived; a reload opens the next release
completely (workers started, pages rendered) before one assignment makes it current,
and the old one is closed once its last request has finished.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterlod.errors import ClusterlodError, DataError
from clusterlod.namespaces import STANDARD_PREFIXES
from clusterlod.release.catalog import CATALOG_FILE
from clusterlod.web.paths import DOWNLOAD

SPDX = STANDARD_PREFIXES["spdx"]
DCAT_VERSION = STANDARD_PREFIXES["dcat"] + "version"
#: Attempts to copy a release that is being replaced while it is read, and the pause between them.
COPY_ATTEMPTS, COPY_PAUSE_S = 20, 0.1
#: The response header naming the release that answered.
RELEASE_HEADER = "X-Clusterlod-Release"


class MixedRelease(Exception):
    """The copied files disagree with their catalogue: a writer changed ``dist/`` while it was read."""


@dataclass(frozen=True)
class Snapshot:
    """A private, immutable copy of one release and what identifies it."""

    folder: Path
    #: relative path -> SHA-256 (hex) of every file copied.
    digests: dict[str, str]
    #: relative path -> modification time (s) of the file in ``dist/``.
    mtimes: dict[str, float]
    #: The first 16 hex digits of the SHA-256 of the sorted (path, SHA-256) list: the release's identity.
    id: str
    #: The dataset's ``dcat:version`` from the catalogue, when it states one.
    version: str | None


def _copy(dist: Path, into: Path) -> tuple[dict[str, str], dict[str, float]]:
    """Copy every regular file of ``dist`` through one directory handle (symbolic links are skipped)."""
    digests, mtimes = {}, {}
    handle = os.open(dist, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for folder, _, names, folder_fd in os.fwalk(".", dir_fd=handle):
            for name in names:
                try:
                    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder_fd)
                except OSError:  # a symbolic link (ELOOP) or a file removed meanwhile
                    continue
                with os.fdopen(fd, "rb") as source:
                    data, stat = source.read(), os.fstat(source.fileno())
                relative = os.path.normpath(os.path.join(folder, name))
                target = into / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
                digests[relative] = hashlib.sha256(data).hexdigest()
                mtimes[relative] = stat.st_mtime
    finally:
        os.close(handle)
    return digests, mtimes


def _check(folder: Path, digests: dict[str, str]) -> str | None:
    """Every file the catalogue states a SHA-256 for has it; returns the dataset's dcat:version."""
    catalog = folder / CATALOG_FILE
    if not catalog.is_file():
        return None
    store = ox.Store()
    try:
        store.load(path=str(catalog), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, ValueError, OSError) as e:
        raise MixedRelease(f"{CATALOG_FILE} does not parse: {e}") from e
    values = {q.subject: q.object.value
              for q in store.quads_for_pattern(None, ox.NamedNode(SPDX + "checksumValue"), None, None)}
    for q in store.quads_for_pattern(None, ox.NamedNode(SPDX + "checksum"), None, None):
        relative = q.subject.value.partition("/" + DOWNLOAD)[2]
        expected = values.get(q.object)
        if relative and expected and relative not in digests:
            raise MixedRelease(f"{relative} is missing")
        if relative and expected and digests[relative] != expected:
            raise MixedRelease(f"{relative} does not have the SHA-256 {CATALOG_FILE} states")
    # The dataset's own version (<base>dataset), not a previous release's the catalogue may describe.
    versions = sorted((not q.subject.value.endswith("/dataset"), q.object.value)
                      for q in store.quads_for_pattern(None, ox.NamedNode(DCAT_VERSION), None, None))
    return versions[0][1] if versions else None


def take_snapshot(dist: Path, attempts: int | None = None) -> Snapshot:
    """A consistent private copy of ``dist``; retried while a build is swapping it.

    Raises :class:`DataError` when ``dist`` stays missing or inconsistent.
    """
    problem = None
    attempts = attempts or COPY_ATTEMPTS
    for attempt in range(attempts):
        folder = Path(tempfile.mkdtemp(prefix="clusterlod-serve-"))
        try:
            digests, mtimes = _copy(dist, folder)
            version = _check(folder, digests)
        except (FileNotFoundError, NotADirectoryError):
            problem = None
        except MixedRelease as e:
            problem = f"does not match its catalogue: {e} (if a build is writing it, reload when it is done)"
        else:
            manifest = "".join(f"{path}\0{digests[path]}\n" for path in sorted(digests))
            return Snapshot(folder, digests, mtimes, hashlib.sha256(manifest.encode()).hexdigest()[:16], version)
        shutil.rmtree(folder, ignore_errors=True)
        if attempt + 1 < attempts:
            time.sleep(COPY_PAUSE_S)
    if problem is None:
        raise no_release(dist, "the folder is missing")
    raise DataError(Path(dist), None, None, problem)


def no_release(dist: Path, why: str) -> ClusterlodError:
    """The one line for a --dist that holds no build, worded as web/release.py words it."""
    return ClusterlodError(f"no built release at {dist} ({why}): run `clusterlod build` first, or pass --dist DIR")


@dataclass(eq=False)
class Generation:
    """One release as served: its snapshot and what the application opened on it."""

    snapshot: Snapshot
    #: Whatever the application keeps per release (data, pages, caches, query workers).
    parts: Any = None
    loaded_at: float = field(default_factory=time.time)
    users: int = 0
    #: Set once another generation has replaced it.
    retired: bool = False

    @property
    def id(self) -> str:
        return self.snapshot.id


#: The generation the current request was pinned to (copied into the threads it starts).
PINNED: contextvars.ContextVar[Generation | None] = contextvars.ContextVar("clusterlod_generation", default=None)


class Generations:
    """The current generation, its replacement on reload, and the retirement of the old one.

    ``open_parts(generation)`` builds everything a release needs before it is shown to anyone;
    ``close_parts(generation)`` stops it. Both run outside the event loop.
    """

    def __init__(self, dist: Path, open_parts: Callable[[Generation], Any], close_parts: Callable[[Generation], None],
                 drain_timeout: float = 60.0):
        self.dist, self.open_parts, self.close_parts = Path(dist), open_parts, close_parts
        self.drain_timeout = drain_timeout
        self._users = threading.Condition()
        self._reloading = threading.Lock()
        self._wanted = threading.Event()
        self._worker: threading.Thread | None = None
        self._retiring: list[threading.Thread] = []
        self.reloads = 0
        self.failed_reloads = 0
        #: Why the last reload was refused; None once one succeeds (shown by /healthz).
        self.last_error: str | None = None
        self.current = self._open(take_snapshot(self.dist, attempts=1 if not self.dist.is_dir() else None))

    def _open(self, snapshot: Snapshot) -> Generation:
        generation = Generation(snapshot)
        # The copy goes with the generation even when nobody calls close() (an app dropped by a test).
        weakref.finalize(generation, shutil.rmtree, snapshot.folder, True)
        try:
            generation.parts = self.open_parts(generation)
            return generation
        except BaseException:
            try:
                if generation.parts is not None:
                    self.close_parts(generation)
            finally:
                shutil.rmtree(snapshot.folder, ignore_errors=True)
            raise

    # ------------------------------------------------------------ requests
    def acquire(self) -> Generation:
        """The current generation, held until :meth:`release` (so it is not closed under the request)."""
        with self._users:
            generation = self.current
            generation.users += 1
            return generation

    def release(self, generation: Generation) -> None:
        with self._users:
            generation.users -= 1
            if generation.users == 0:
                self._users.notify_all()

    def pinned(self) -> Generation:
        return PINNED.get() or self.current

    # ------------------------------------------------------------ reloading
    def reload(self) -> bool:
        """Blocking: load ``dist/`` again and switch to it; False when it is the release already served.

        A release that cannot be read leaves the current one serving and raises.
        """
        with self._reloading:
            try:
                snapshot = take_snapshot(self.dist)
                fresh = None if snapshot.id == self.current.id else self._open(snapshot)
            except Exception as e:
                self.failed_reloads += 1
                self.last_error = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise
            self.last_error = None
            if fresh is None:
                shutil.rmtree(snapshot.folder, ignore_errors=True)
                return False
            with self._users:
                old, self.current = self.current, fresh
            self.reloads += 1
            # Retired beside: a slow client still reading an old answer must not hold up the next reload.
            retiring = threading.Thread(target=self._retire, args=(old,), name="clusterlod-retire", daemon=True)
            self._retiring = [t for t in self._retiring if t.is_alive()] + [retiring]
            retiring.start()
            return True

    def _retire(self, old: Generation) -> None:
        """Wait for the old generation's last request (bounded), then close it and remove its copy."""
        old.retired = True
        with self._users:
            self._users.wait_for(lambda: old.users == 0, timeout=self.drain_timeout)
        try:
            self.close_parts(old)
        finally:
            shutil.rmtree(old.snapshot.folder, ignore_errors=True)

    def request_reload(self) -> None:
        """From a signal handler: reload in a background thread; signals arriving meanwhile make one more."""
        self._wanted.set()
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._reload_loop, name="clusterlod-reload", daemon=True)
            self._worker.start()

    def _reload_loop(self) -> None:
        while self._wanted.is_set():
            self._wanted.clear()
            try:
                changed = self.reload()
            except Exception as e:  # any failure keeps the old release serving (counted by reload())
                print(f"clusterlod: reload failed, still serving release {self.current.id}: {e}",
                      file=sys.stderr, flush=True)
                continue
            state = "now serving" if changed else "unchanged, still serving"
            print(f"clusterlod: reload: {state} release {self.current.id}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Stop everything: the current generation (and wait for a reload under way)."""
        self._wanted.clear()
        if self._worker is not None:
            self._worker.join(self.drain_timeout)
        with self._reloading:
            for retiring in self._retiring:  # old generations still finishing their last requests
                retiring.join(self.drain_timeout)
            try:
                self.close_parts(self.current)
            finally:
                shutil.rmtree(self.current.snapshot.folder, ignore_errors=True)
