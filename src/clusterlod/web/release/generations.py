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

import contextlib
import contextvars
import errno
import fcntl
import gzip
import hashlib
import os
import shutil
import stat
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
from clusterlod.release.archive import ARCHIVE_DIR, SUFFIX
from clusterlod.release.catalog import CATALOG_FILE
from clusterlod.sources.dataset import VERSION
from clusterlod.web.release.paths import DOWNLOAD

SPDX = STANDARD_PREFIXES["spdx"]
DCAT_VERSION = STANDARD_PREFIXES["dcat"] + "version"
#: Attempts to copy a release that is being replaced while it is read, and the pause between them.
COPY_ATTEMPTS, COPY_PAUSE_S = 20, 0.1
#: The response header naming the release that answered.
RELEASE_HEADER = "X-Clusterlod-Release"


class MixedRelease(Exception):
    """The copied files disagree with their catalogue: a writer changed ``dist/`` while it was read."""


class RefusedRelease(Exception):
    """The release can never be served as it is (no catalogue, a special file): no retry helps."""


#: Copies of releases live in the temporary folder as ``clusterlod-release-*``, each locked by its server.
COPY_PREFIX = "clusterlod-release-"
#: Bytes read at once when copying and hashing a file (a big download never sits in memory whole).
CHUNK = 1 << 20


class CopyLock:
    """The descriptor holding ``flock`` on a private copy; closed once, however many parties let it go
    (closing a number twice could close a file opened meanwhile under the same number)."""

    def __init__(self, fd: int):
        self._fd: int | None = fd
        self._guard = threading.Lock()

    def close(self) -> None:
        with self._guard:
            fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass(frozen=True)
class Snapshot:
    """A private, immutable copy of one release and what identifies it."""

    folder: Path
    #: relative path -> SHA-256 (hex) of every file copied: catalog.ttl and the files it lists, nothing else.
    digests: dict[str, str]
    #: relative path -> modification time (s) of the file in ``dist/``.
    mtimes: dict[str, float]
    #: The first 16 hex digits of the SHA-256 of the sorted (path, SHA-256) list: the release's identity.
    id: str
    #: The dataset's ``dcat:version`` from the catalogue, when it states one.
    version: str | None
    #: The ``flock`` on ``folder`` while this process serves it, so the next server can tell the copy of
    #: a killed one (lock free) from a live one's.
    lock: CopyLock | None = None


def _listed(catalog: bytes) -> tuple[dict[str, str], str | None]:
    """The files the catalogue states a SHA-256 for (path below download/ -> hex), and the dcat:version."""
    store = ox.Store()
    try:
        store.load(catalog, format=ox.RdfFormat.TURTLE)
    except (SyntaxError, ValueError, OSError) as e:
        raise MixedRelease(f"{CATALOG_FILE} does not parse: {e}") from e
    values = {q.subject: q.object.value
              for q in store.quads_for_pattern(None, ox.NamedNode(SPDX + "checksumValue"), None, None)}
    listed = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(SPDX + "checksum"), None, None):
        relative = q.subject.value.partition("/" + DOWNLOAD)[2]
        expected = values.get(q.object)
        if relative and expected:
            parts = relative.split("/")
            if relative.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in relative:
                raise RefusedRelease(f"{CATALOG_FILE} lists a file outside the release: {relative!r}")
            listed[relative] = expected.lower()
    # The dataset's own version (<base>dataset), not a previous release's the catalogue may describe.
    versions = sorted((not q.subject.value.endswith("/dataset"), q.object.value)
                      for q in store.quads_for_pattern(None, ox.NamedNode(DCAT_VERSION), None, None))
    return listed, versions[0][1] if versions else None


def _open_beneath(root: int, relative: str) -> int:
    """A descriptor on the regular file ``relative`` below the folder ``root``, never leaving it.

    Every component is opened without following a symbolic link, and the file without blocking:
    a FIFO, a device or a link (out of the folder or not) is refused at once, never waited on.
    Raises FileNotFoundError for a missing file (a build may be swapping it), RefusedRelease else.
    """
    *folders, name = relative.split("/")
    held = [root]
    try:
        for folder in folders:
            try:
                held.append(os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=held[-1]))
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise RefusedRelease(f"{relative}: {folder}/ is a symbolic link or no folder: refused") from None
                raise
        info = os.stat(name, dir_fd=held[-1], follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedRelease(f"{relative} is not a regular file ({_kind(info.st_mode)}): refused")
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=held[-1])
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the two looks
            os.close(fd)
            raise RefusedRelease(f"{relative} is not a regular file: refused")
        return fd
    finally:
        for fd in held[1:]:
            os.close(fd)


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "a special file"


def _copy_one(root: int, relative: str, into: Path) -> tuple[str, float]:
    """Copy one file in chunks (hashing as it goes); its SHA-256 and modification time."""
    fd = _open_beneath(root, relative)
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as source:
        info = os.fstat(source.fileno())
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    return digest.hexdigest(), info.st_mtime


def _copy(dist: Path, into: Path) -> tuple[dict[str, str], dict[str, float], str | None]:
    """Copy catalog.ttl and the files it lists, through one handle on ``dist``, checking each SHA-256.

    Nothing else of the folder is read: a file the catalogue does not list is never served.
    """
    digests, mtimes = {}, {}
    handle = os.open(dist, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            digests[CATALOG_FILE], mtimes[CATALOG_FILE] = _copy_one(handle, CATALOG_FILE, into)
        except FileNotFoundError:
            raise RefusedRelease(f"{CATALOG_FILE} is missing: a release is served only as its catalogue "
                                 "lists and checks it") from None
        listed, version = _listed((into / CATALOG_FILE).read_bytes())
        for relative in sorted(listed):
            if _copy_listed(handle, relative, into, digests, mtimes) != listed[relative]:
                raise MixedRelease(f"{relative} does not have the SHA-256 {CATALOG_FILE} states")
        _copy_archive(handle, into, digests, mtimes)
    finally:
        os.close(handle)
    return digests, mtimes, version


def _copy_listed(handle: int, relative: str, into: Path, digests: dict[str, str], mtimes: dict[str, float]) -> str:
    """Copy one file a catalogue lists, noting its SHA-256 and time; a listed file that is gone is a mixed release
    (a build may be swapping the folder). Its SHA-256 (of the bytes as stored)."""
    try:
        digests[relative], mtimes[relative] = _copy_one(handle, relative, into)
    except FileNotFoundError:
        raise MixedRelease(f"{relative} is missing") from None
    return digests[relative]


def _copy_archive(handle: int, into: Path, digests: dict[str, str], mtimes: dict[str, float]) -> None:
    """Copy the archived past releases (``releases/<X>/``, gzip-compressed, clusterlod.release.archive) that
    ``<dataset>/version/<X>`` answers from: each version's files are the ones its own archived catalogue lists,
    each checked against the SHA-256 that catalogue states for its decompressed bytes. Nothing else is read."""
    try:
        folder = os.open(ARCHIVE_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
    except FileNotFoundError:
        return  # a release without an archive
    except OSError as e:
        raise RefusedRelease(f"{ARCHIVE_DIR}/ is a symbolic link or no folder: refused") from e
    try:
        versions = sorted(name for name in os.listdir(folder) if VERSION.fullmatch(name))
    finally:
        os.close(folder)
    for version in versions:
        root = f"{ARCHIVE_DIR}/{version}/"
        catalog = root + CATALOG_FILE + SUFFIX
        _copy_listed(handle, catalog, into, digests, mtimes)
        listed, _ = _listed(gzip.decompress((into / catalog).read_bytes()))
        for relative in sorted(listed):
            stored = root + relative + SUFFIX
            _copy_listed(handle, stored, into, digests, mtimes)
            if hashlib.sha256(gzip.decompress((into / stored).read_bytes())).hexdigest() != listed[relative]:
                raise MixedRelease(f"{stored} does not have the SHA-256 its version's {CATALOG_FILE} states")


def _private_folder() -> tuple[Path, CopyLock]:
    """A new ``clusterlod-release-*`` folder, already locked when it gets its name (so no sweep takes it)."""
    staging = Path(tempfile.mkdtemp(prefix="." + COPY_PREFIX))
    fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    folder = staging.with_name(staging.name[1:])
    os.rename(staging, folder)
    return folder, CopyLock(fd)


def _discard(folder: Path, lock: CopyLock | None) -> None:
    """Remove a copy, then let go of its lock (in this order: no sweep may find it unlocked but present)."""
    shutil.rmtree(folder, ignore_errors=True)
    if lock is not None:
        lock.close()


def remove_stale_copies(parent: Path | None = None) -> list[Path]:
    """Remove the private copies of servers that are gone (killed: nobody holds their lock)."""
    removed = []
    for folder in sorted(Path(parent or tempfile.gettempdir()).glob(COPY_PREFIX + "*")):
        if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            continue
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a live server's copy
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed


def take_snapshot(dist: Path, attempts: int | None = None) -> Snapshot:
    """A consistent private copy of ``dist``; retried while a build is swapping it.

    Raises :class:`DataError` when ``dist`` stays inconsistent, :class:`ClusterlodError` when it is
    missing or can never be served (no catalogue, a special file).
    """
    problem = None
    attempts = attempts or COPY_ATTEMPTS
    for attempt in range(attempts):
        folder, lock = _private_folder()
        try:
            digests, mtimes, version = _copy(dist, folder)
        except (FileNotFoundError, NotADirectoryError):
            problem = None
        except RefusedRelease as e:
            _discard(folder, lock)
            raise no_release(dist, str(e)) from None
        except MixedRelease as e:
            problem = f"does not match its catalogue: {e} (if a build is writing it, reload when it is done)"
        except BaseException:
            _discard(folder, lock)
            raise
        else:
            # The identity is the current release's files (docs/serving.md); the archive of past versions in it is
            # fixed by that catalogue (dcat:previousVersion), so it adds nothing to tell two releases apart.
            manifest = "".join(f"{path}\0{digests[path]}\n" for path in sorted(digests)
                               if not path.startswith(ARCHIVE_DIR + "/"))
            return Snapshot(folder, digests, mtimes, hashlib.sha256(manifest.encode()).hexdigest()[:16], version,
                            lock)
        _discard(folder, lock)
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
        self._stopping = False
        self._worker: threading.Thread | None = None
        self._retiring: list[threading.Thread] = []
        self.reloads = 0
        self.failed_reloads = 0
        #: Why the last reload was refused; None once one succeeds (shown by /healthz).
        self.last_error: str | None = None
        #: Called after each reload attempt with what it did (`clusterlod reload` waits for it: web/reloads.py).
        self.on_outcome: Callable[[dict[str, Any]], None] | None = None
        remove_stale_copies()  # the copies of servers killed before they could remove them
        self.current = self._open(take_snapshot(self.dist, attempts=1 if not self.dist.is_dir() else None))

    def _open(self, snapshot: Snapshot) -> Generation:
        generation = Generation(snapshot)
        # The copy goes with the generation even when nobody calls close() (an app dropped by a test).
        weakref.finalize(generation, _discard, snapshot.folder, snapshot.lock)
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
                _discard(snapshot.folder, snapshot.lock)
                return False
            if self._stopping:  # the server stopped while this release was opened: nobody will close it later
                try:
                    self.close_parts(fresh)
                finally:
                    _discard(snapshot.folder, snapshot.lock)
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
            self._users.wait_for(lambda: old.users == 0 or self._stopping, timeout=self.drain_timeout)
        try:
            self.close_parts(old)
        finally:
            _discard(old.snapshot.folder, old.snapshot.lock)

    def request_reload(self) -> None:
        """Ask for a reload; never blocks and never waits on a lock a caller might hold.

        Called on the event loop (``loop.add_signal_handler``), never inside a signal handler.
        Requests coalesce: however many arrive during a reload, one more reload follows it.
        """
        if self._stopping:
            return
        self._wanted.set()
        if self._worker is None:
            self._worker = threading.Thread(target=self._reload_loop, name="clusterlod-reload", daemon=True)
            self._worker.start()

    def _reload_loop(self) -> None:
        """One long-lived thread: it never exits between requests, so no request can find it ending."""
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()
            started = time.time()
            outcome: dict[str, Any] = {"started": started}
            try:
                changed = self.reload()
            except Exception as e:  # any failure keeps the old release serving (counted by reload())
                print(f"clusterlod: reload failed, still serving release {self.current.id}: {e}",
                      file=sys.stderr, flush=True)
                outcome.update(outcome="refused", error=self.last_error,
                               code=int(getattr(e, "exit_code", 1)))
            else:
                state = "now serving" if changed else "unchanged, still serving"
                print(f"clusterlod: reload: {state} release {self.current.id}", file=sys.stderr, flush=True)
                outcome.update(outcome="switched" if changed else "unchanged", error=None, code=0)
            outcome.update(release=self.current.id, finished=time.time())
            if self.on_outcome is not None:
                try:
                    self.on_outcome(outcome)
                except OSError as e:
                    print(f"clusterlod: cannot record the reload's outcome: {e}", file=sys.stderr, flush=True)

    def close(self, grace: float | None = None) -> None:
        """Stop everything within ``grace`` seconds: a reload under way, old generations, the current one."""
        grace = self.drain_timeout if grace is None else grace
        deadline = time.monotonic() + grace
        self._stopping = True
        self._wanted.set()
        with self._users:
            self._users.notify_all()  # old generations waiting for their last request: stop waiting
        if self._worker is not None:
            self._worker.join(max(0.0, deadline - time.monotonic()))
        if not self._reloading.acquire(timeout=max(0.0, deadline - time.monotonic())):
            print("clusterlod: a reload was still under way at shutdown; stopping without it", file=sys.stderr,
                  flush=True)
        else:
            self._reloading.release()
        for retiring in self._retiring:  # old generations closing
            retiring.join(max(0.0, deadline - time.monotonic()))
        try:
            self.close_parts(self.current)
        finally:
            _discard(self.current.snapshot.folder, self.current.snapshot.lock)
