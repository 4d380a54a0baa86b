"""Downloads as HTTP caches and download managers expect: validators, 304 and byte ranges (RFC 9110).

A release's files never change while served, so the strong validator is the file's SHA-256
(the value its catalogue states) and ``Last-Modified`` is the file's time in ``dist/``.
One byte range is answered 206; several ranges in one request are ignored (the whole file,
200), as RFC 9110 section 14.2 allows; a range outside the file is 416.

Every number a client sends is read as ASCII digits (``str.isdigit`` also takes ``¹`` and
``٣``, which ``int`` then refuses: a 500 each) and at most :data:`MAX_DIGITS` of them (``int``
refuses over 4,300 digits); a longer position is past any file (416 as the first byte, the
end of the file as the last). Files are streamed from disk in chunks: a 10-byte range of a
big file reads 10 bytes, and the whole file is never held in memory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import BinaryIO

import anyio
from starlette.requests import Request
from starlette.responses import Response

#: Digits of a byte position: 10**18 bytes is past any file, and int() of 18 digits costs nothing.
MAX_DIGITS = 18
#: Bytes read from disk and sent at once.
CHUNK = 64 * 1024
_SPEC = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)
#: Past any file: a position with more digits than MAX_DIGITS.
_HUGE = 10 ** MAX_DIGITS


@dataclass(frozen=True)
class FileSource:
    """A file to send: how to open it (a fresh binary file object each time) and its size."""

    open: Callable[[], BinaryIO]
    size: int


def _etags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    """If-None-Match (weak comparison) wins; If-Modified-Since counts only without it."""
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = _etags(match)
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def _range_applies(request: Request, etag: str, last_modified: str) -> bool:
    """If-Range: the range counts only while the client's copy is this one (strong comparison)."""
    condition = request.headers.get("if-range")
    return condition is None or condition.strip() in (etag, last_modified)


def _position(digits: str) -> int:
    """ASCII digits (already matched) as a number; more than MAX_DIGITS of them is past any file."""
    return int(digits) if len(digits) <= MAX_DIGITS else _HUGE


def byte_range(header: str, size: int) -> tuple[int, int] | None | str:
    """``bytes=a-b`` as (first, last); None to ignore the header; ``"unsatisfiable"`` for 416.

    A header that is not one well-formed ``bytes`` range is ignored (RFC 9110 section 14.2: the
    whole file, 200), never an error.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _SPEC.fullmatch(spec.strip(" \t"))
    if match is None or not (match[1] or match[2]):
        return None
    first, last = match[1], match[2]
    if not first:  # the last N bytes
        count = _position(last)
        if count == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - count), size - 1
    start = _position(first)
    if last and _position(last) < start:
        return None  # an invalid range is ignored
    if start >= size:
        return "unsatisfiable"
    end = min(_position(last), size - 1) if last else size - 1
    return start, end


class FileBody(Response):
    """Bytes ``first``..``last`` of a file, read and sent in chunks of :data:`CHUNK` (none for HEAD)."""

    def __init__(self, source: FileSource, first: int, last: int, status: int, headers: dict[str, str],
                 media_type: str | None):
        super().__init__(None, status, headers, media_type)
        self.source, self.first, self.last = source, first, last
        self.headers["content-length"] = str(max(0, last - first + 1))

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if scope.get("method") == "HEAD" or self.last < self.first:
            await send({"type": "http.response.body", "body": b""})
            return
        handle = await anyio.to_thread.run_sync(self.source.open)
        try:
            if self.first:
                await anyio.to_thread.run_sync(handle.seek, self.first, os.SEEK_SET)
            left = self.last - self.first + 1
            while left > 0:
                chunk = await anyio.to_thread.run_sync(handle.read, min(CHUNK, left))
                if not chunk:  # the file is shorter than it was: end here (Content-Length tells the client)
                    break
                left -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
            if left > 0:
                await send({"type": "http.response.body", "body": b""})
        finally:
            await anyio.to_thread.run_sync(handle.close)


def file_response(request: Request, source: FileSource, media_type: str, headers: dict[str, str],
                  digest: str, mtime: float | None = None) -> Response:
    """The whole file, 304, 206 or 416, with ETag, Last-Modified and Accept-Ranges."""
    etag = f'"{digest}"'
    last_modified = formatdate(mtime, usegmt=True) if mtime is not None else None
    common = {**headers, "ETag": etag, "Accept-Ranges": "bytes"}
    if last_modified:
        common["Last-Modified"] = last_modified
    if _not_modified(request, etag, mtime if mtime is not None else float("inf")):
        return Response(b"", 304, common)
    size = source.size
    header = request.headers.get("range")
    if header and _range_applies(request, etag, last_modified or ""):
        chosen = byte_range(header, size)
        if chosen == "unsatisfiable":
            return Response(b"", 416, {**common, "Content-Range": f"bytes */{size}"})
        if isinstance(chosen, tuple):
            first, last = chosen
            return FileBody(source, first, last, 206, {**common, "Content-Range": f"bytes {first}-{last}/{size}"},
                            media_type)
    return FileBody(source, 0, size - 1, 200, common, media_type)
