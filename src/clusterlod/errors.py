"""Errors that the CLI turns into one clear line on stderr, and the exit codes they map to.

:class:`ExitCode` is the one table of exit codes; ``docs/cli.md`` publishes it and a test
checks that every code here is documented there. Each error class names its code, so a
command never picks a number itself.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """What ``clusterlod`` exits with; scripts may rely on these numbers. Each says what it means."""

    def __new__(cls, value: int, meaning: str) -> ExitCode:
        member = int.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    OK = 0, "success"
    ERROR = 1, ("a failure the user can act on that is none of the below: an unknown query name, "
                "no built `dist/` where one is needed, an output folder that cannot be written")
    USAGE = 2, "the command line is wrong: an unknown option, a missing argument, a value of the wrong kind"
    BAD_DATA = 3, "an input file is malformed or inconsistent; the message names the file, line and record"
    NOT_CONFORMING = 4, ("the data does not conform to the SHACL shapes or fails a quality check; "
                         "nothing is published")
    UNSUPPORTED_SHAPE = 5, "a shape uses a SHACL feature the validation engine cannot check; nothing is published"
    REMOTE = 6, "a remote SPARQL endpoint could not be reached, refused the request or gave no usable answer"
    LOAD_FAILED = 7, "a load did not complete; the target graphs are as they were before it"
    LOAD_NOT_VERIFIED = 8, "a load completed but the store does not hold what was sent; the message says what differs"
    LINKS_CHANGED = 9, "`links check` found links whose target changed or disappeared"
    INTERNAL = 70, "a bug in clusterlod: run again with `clusterlod --debug ...` for the traceback and report it"
    ABORTED = 130, "interrupted (Ctrl-C)"


class ClusterlodError(Exception):
    """A failure the user can act on; its message is the whole story."""

    exit_code: ExitCode = ExitCode.ERROR


class UsageError(ClusterlodError):
    """A value on the command line of the wrong kind, found after click parsed it (a query parameter)."""

    exit_code = ExitCode.USAGE


class DataError(ClusterlodError):
    """Bad input: names the file, the line and the record."""

    exit_code = ExitCode.BAD_DATA

    def __init__(self, path: Path | str, line: int | None, record: str | None, message: str):
        self.path = str(path)
        self.line = line
        self.record = record
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        rec = f" record '{record}':" if record else ""
        super().__init__(f"{where}:{rec} {message}")

    def __reduce__(self) -> tuple:
        """Picklable with its fields, so it can cross from the build's gate process."""
        return type(self), (self.path, self.line, self.record, self.message)


class QuerySyntaxError(ClusterlodError):
    """A SPARQL query that does not parse: a malformed input file; the message names its line and column."""

    exit_code = ExitCode.BAD_DATA


class ValidationFailed(ClusterlodError):
    """The graph does not conform to the shapes (or a quality check); nothing is published."""

    exit_code = ExitCode.NOT_CONFORMING


class UnsupportedShape(ClusterlodError):
    """The shapes use a feature the validation engine cannot check; nothing is published."""

    exit_code = ExitCode.UNSUPPORTED_SHAPE


class RemoteError(ClusterlodError):
    """A remote SPARQL endpoint could not be reached or gave no usable answer."""

    exit_code = ExitCode.REMOTE


class LoadError(ClusterlodError):
    """A load that did not complete; the target graphs are as they were before it."""

    exit_code = ExitCode.LOAD_FAILED


class LoadNotVerified(ClusterlodError):
    """The load completed but the store does not hold the content that was sent."""

    exit_code = ExitCode.LOAD_NOT_VERIFIED


class LinksChanged(ClusterlodError):
    """``links check`` found changed or missing links (the report is already printed)."""

    exit_code = ExitCode.LINKS_CHANGED
