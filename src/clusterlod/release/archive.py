"""The archive of past releases: ``releases/<version>/`` in the project, tracked in git.

Retention: every published version is kept, whole, for good (a citation of any version keeps resolving).
Each file of that version's dist/ is stored gzip-compressed (``<file>.gz``, no name or time in the gzip
header, so the same release gives the same bytes): about 0.4 MB a version instead of 4 MB, and each file
decompresses to exactly the bytes its catalogue's size and checksum describe.

``clusterlod archive`` stores a built dist/; the build takes the newest archived version below its own
as the previous one (dcat:previousVersion and the version notes) and copies the archive into
dist/releases/, from where ``serve`` and ``site`` answer ``<dataset>/version/<X>``.
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path

from clusterlod import formats
from clusterlod.errors import ClusterlodError, DataError
from clusterlod.release.atomic import replace_directory
from clusterlod.sources.dataset import VERSION, version_key

#: The archive's folder in the project, and its copy inside a built dist/.
ARCHIVE_DIR = "releases"
SUFFIX = ".gz"


@dataclass(frozen=True)
class Archived:
    """One archived version: its folder, holding ``<file>.gz`` for each file of that release."""

    version: str
    folder: Path

    def files(self) -> list[str]:
        """The release's file names (relative, without .gz), sorted."""
        return sorted(p.relative_to(self.folder).as_posix()[:-len(SUFFIX)]
                      for p in self.folder.rglob(f"*{SUFFIX}") if p.is_file())

    def read(self, name: str) -> bytes | None:
        """The original bytes of one file of that release, or None when it has no such file."""
        if name not in self.files():
            return None
        return gzip.decompress((self.folder / (name + SUFFIX)).read_bytes())


def archived(folder: Path) -> list[Archived]:
    """The versions archived in ``folder`` (releases/ or dist/releases/), oldest first."""
    if not folder.is_dir():
        return []
    found = [Archived(p.name, p) for p in folder.iterdir()
             if p.is_dir() and VERSION.fullmatch(p.name) and (p / (formats.CATALOG_FILE + SUFFIX)).is_file()]
    return sorted(found, key=lambda a: version_key(a.version))


def previous_of(folder: Path, version: str) -> Archived | None:
    """The newest archived version below ``version``: the one a build of ``version`` follows."""
    below = [a for a in archived(folder) if version_key(a.version) < version_key(version)]
    return below[-1] if below else None


def extract(entry: Archived, into: Path) -> Path:
    """Decompress one archived release into ``into`` (a scratch folder), for the diff."""
    for name in entry.files():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entry.read(name) or b"")
    return into


def compress(data: bytes) -> bytes:
    """gzip with no file name and time 0 in the header: the same file gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def archive(dist: Path, releases: Path, version: str) -> Path:
    """Store the built ``dist`` as ``releases/<version>/``; an existing, different copy is refused."""
    if not (dist / formats.CATALOG_FILE).is_file():
        raise DataError(dist, None, None, f"no {formats.CATALOG_FILE}: not a built release")
    files = sorted(p for p in dist.rglob("*") if p.is_file() and not _in_archive(p.relative_to(dist)))
    target = releases / version
    if target.exists():
        same = archived(releases) and all(
            (target / (p.relative_to(dist).as_posix() + SUFFIX)).is_file()
            and gzip.decompress((target / (p.relative_to(dist).as_posix() + SUFFIX)).read_bytes()) == p.read_bytes()
            for p in files)
        if same:
            return target
        raise ClusterlodError(f"{target}: version {version} is already archived with other content; a changed "
                              "release needs a new version (data/dataset.yaml)")
    releases.mkdir(parents=True, exist_ok=True)
    with replace_directory(target) as staging:
        for path in files:
            out = staging / (path.relative_to(dist).as_posix() + SUFFIX)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(compress(path.read_bytes()))
    return target


def _in_archive(relative: Path) -> bool:
    """Not a file of the release: the archive's own copy, or a hidden file (a tool's marker, not data)."""
    return relative.parts[:1] == (ARCHIVE_DIR,) or relative.name.startswith(".")


def copy_archive(releases: Path, out: Path) -> None:
    """Copy the archive into a built release (dist/releases/), as it is."""
    for entry in archived(releases):
        shutil.copytree(entry.folder, out / ARCHIVE_DIR / entry.version)
