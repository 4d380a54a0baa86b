"""Errors that the CLI turns into one clear line on stderr and a non-zero exit."""

from __future__ import annotations

from pathlib import Path


class ClusterlodError(Exception):
    """A failure the user can act on; its message is the whole story."""

    exit_code = 1


class DataError(ClusterlodError):
    """Bad input: names the file, the line and the record."""

    exit_code = 2

    def __init__(self, path: Path | str, line: int | None, record: str | None, message: str):
        self.path = str(path)
        self.line = line
        self.record = record
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        rec = f" record '{record}':" if record else ""
        super().__init__(f"{where}:{rec} {message}")


class ValidationFailed(ClusterlodError):
    """The graph does not conform to the shapes; nothing is published."""

    exit_code = 3


class RemoteError(ClusterlodError):
    """A remote SPARQL endpoint could not be reached or gave no usable answer."""

    exit_code = 4


class LoadError(ClusterlodError):
    """A load that did not complete: the target graphs are as they were before it."""

    exit_code = 4
