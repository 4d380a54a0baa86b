"""Downloads as HTTP caches and download managers expect: validators, 304 and byte ranges (RFC 9110).

A release's files never change while served, so the strong validator is the file's SHA-256
(the value its catalogue states) and ``Last-Modified`` is the file's time in ``dist/``.
One byte range is answered 206; several ranges in one request are ignored (the whole file,
200), as RFC 9110 section 14.2 allows; a range outside the file is 416.
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response


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


def byte_range(header: str, size: int) -> tuple[int, int] | None | str:
    """``bytes=a-b`` as (first, last); None to ignore the header; ``"unsatisfiable"`` for 416."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) \
            or (last and not last.isdigit()):
        return None
    if not first:  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - count), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # an invalid range is ignored
    if start >= size:
        return "unsatisfiable"
    return start, end


def file_response(request: Request, body: bytes, media_type: str, headers: dict[str, str],
                  digest: str | None = None, mtime: float | None = None) -> Response:
    """The whole file, 304, 206 or 416, with ETag, Last-Modified and Accept-Ranges."""
    etag = f'"{digest or hashlib.sha256(body).hexdigest()}"'
    last_modified = formatdate(mtime, usegmt=True) if mtime is not None else None
    common = {**headers, "ETag": etag, "Accept-Ranges": "bytes"}
    if last_modified:
        common["Last-Modified"] = last_modified
    if _not_modified(request, etag, mtime if mtime is not None else float("inf")):
        return Response(b"", 304, common)
    header = request.headers.get("range")
    if header and _range_applies(request, etag, last_modified or ""):
        chosen = byte_range(header, len(body))
        if chosen == "unsatisfiable":
            return Response(b"", 416, {**common, "Content-Range": f"bytes */{len(body)}"})
        if isinstance(chosen, tuple):
            first, last = chosen
            return Response(body[first:last + 1], 206, {**common, "Content-Range": f"bytes {first}-{last}/{len(body)}"},
                            media_type=media_type)
    return Response(body, 200, common, media_type=media_type)
