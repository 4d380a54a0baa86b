"""Write a whole output folder or nothing: build beside it, then swap it in."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from clusterlod.errors import ClusterlodError

#: The file every output folder this tool writes holds: its one line names what the folder is ("release",
#: "site"). A folder is replaced only when it holds this file (of the same kind), is empty or is missing.
MARKER = ".clusterlod"
#: The kinds of folder clusterlod writes: a build's release, a static site.
KINDS = ("release", "site")


def marker_text(kind: str) -> str:
    return f"clusterlod {kind}: written by clusterlod; `clusterlod` replaces this folder whole\n"


def check_replaceable(target: Path, kind: str, inputs: Iterable[Path] = (),
                      ours: Callable[[Path], bool] | None = None) -> None:
    """Refuse (one line, exit 1) to replace a folder this tool did not write, or one it must never touch.

    Never replaced, whatever it holds: a folder holding ``.git``; the current folder or one of its
    parents; an input (``inputs``: the project root, data/, the release a site is made from...) or a
    parent of one. Otherwise a folder is replaced only if it is missing, empty, holds :data:`MARKER`
    of this ``kind``, or (a folder written before the marker existed) ``ours(target)`` says it is ours.
    """
    assert kind in KINDS, kind
    target = Path(os.path.abspath(target))
    resolved = target.resolve()

    def refuse(reason: str) -> ClusterlodError:
        return ClusterlodError(f"refusing to replace {target}: {reason}; nothing was written")

    guards = [(Path(folder).resolve(), "an input of this command") for folder in inputs]
    with contextlib.suppress(OSError):  # a current folder that was removed guards nothing
        guards.insert(0, (Path.cwd().resolve(), "the current folder"))
    for guarded, what in guards:
        if guarded == resolved:
            raise refuse(f"it is {what}")
        if resolved in guarded.parents:
            raise refuse(f"it holds {guarded}, {what}")
    if not os.path.lexists(target):
        return
    if not resolved.is_dir():
        raise refuse("it is not a folder")
    if os.path.lexists(resolved / ".git"):
        raise refuse("it holds .git (a repository)")
    try:
        entries = {entry.name for entry in os.scandir(resolved)}
        if not entries:
            return
        if MARKER in entries:
            written = (resolved / MARKER).read_text(encoding="utf-8", errors="replace")
            if written == marker_text(kind):
                return
            other = next((k for k in KINDS if written == marker_text(k)), None)
            raise refuse(f"it holds a clusterlod {other}, not a {kind}" if other else
                         f"its {MARKER} file is not one clusterlod wrote")
        if ours is not None and ours(resolved):
            return
    except OSError as error:
        raise refuse(f"it cannot be read ({error.strerror})") from None
    raise refuse(f"it is not empty and was not written by clusterlod (no {MARKER} file): give a new or empty "
                 f"folder")


@contextmanager
def replace_directory(target: Path, kind: str = "release", inputs: Iterable[Path] = (),
                      ours: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """Yield a fresh folder next to ``target``; on success it replaces ``target``.

    Only a folder :func:`check_replaceable` accepts is replaced, checked before anything is written
    and again at the swap; the new folder gets the :data:`MARKER` of ``kind``. A folder that cannot be
    written (under a file, without permission) is one line, not a traceback.

    On any exception the temporary folder is removed and ``target`` is left
    exactly as it was. The swap is two renames on the same file system, so a
    reader sees either the old release or the new one, never a half-written one.

    A process killed mid-way (SIGKILL, a power cut) cannot clean up: its staging folder stays.
    Each staging folder is therefore locked (``flock``) by the process writing it, and the next
    call removes the ones whose lock is free, whose writer is gone. A concurrent build's folder
    is locked and kept. The lock goes with the process, so a reused process id fools nothing.
    """
    inputs = list(inputs)
    check_replaceable(target, kind, inputs, ours)
    target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _parent_locked(target.parent):
            remove_stale(target)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
            held = _lock(staging)
    except OSError as error:
        raise ClusterlodError(f"cannot write {target}: {_reason(error)}") from None
    try:
        yield staging
        (staging / MARKER).write_text(marker_text(kind), encoding="utf-8")
        os.chmod(staging, 0o755)
        with _parent_locked(target.parent):  # no other call cleans up while the old one is set aside
            check_replaceable(target, kind, inputs, ours)  # it may have changed while the new one was written
            if target.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
                os.rename(target, retired / target.name)
                os.rename(staging, target)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if held is not None:
            os.close(held)


def remove_stale(target: Path) -> list[Path]:
    """Remove the staging (``.NAME.new-*``) and set-aside (``.NAME.old-*``) folders left by dead writers.

    Call with the parent folder locked (:func:`replace_directory` does). A folder is stale when no
    process holds its lock; the folders removed are returned.
    """
    removed = []
    for pattern in (f".{target.name}.new-*", f".{target.name}.old-*"):
        for folder in sorted(target.parent.glob(pattern)):
            if folder.is_symlink() or not folder.is_dir():
                continue
            held = _lock(folder, wait=False)
            if held is None:
                continue  # a live writer holds it (or it cannot be locked): not ours to remove
            try:
                kept = folder / target.name
                if pattern.endswith(".old-*") and kept.is_dir() and not target.exists():
                    os.rename(kept, target)  # killed between the swap's two renames: the old release returns
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            finally:
                os.close(held)
    return removed


def _lock(folder: Path, wait: bool = True) -> int | None:
    """An open descriptor holding an exclusive lock on ``folder``; None if another process holds it
    (``wait=False``) or the file system cannot lock (then nothing is ever removed as stale)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


@contextmanager
def _parent_locked(parent: Path) -> Iterator[None]:
    """The parent folder locked: creating a staging folder and its lock, or swapping, is one step
    for the other writers, so none sees a new staging folder before it is locked."""
    held = _lock(parent)
    try:
        yield
    finally:
        if held is not None:
            with contextlib.suppress(OSError):
                os.close(held)


def write_text(path: Path, text: str) -> None:
    """Write a file whole or not at all (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_file(path: Path, write: Callable[[Path], None]) -> None:
    """``write(temporary)`` fills a file beside ``path`` that is then renamed to it: whole or nothing.

    The folder is made if missing, as ``build --out`` does; one that cannot be (a file in the way, no
    permission) is one line, exit 1.
    """
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
        temporary = Path(name)
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise ClusterlodError(f"cannot write {path}: {_reason(error)}") from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _reason(error: OSError) -> str:
    """Why a folder could not be made, in words: mkdir says "File exists" when a file is in the way."""
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return "a file is in the way of its folder"
    return error.strerror or str(error)
