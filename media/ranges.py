"""Serving a file with HTTP range requests, so a video seeks without downloading it all.

Behind nginx (``settings.X_ACCEL``) the file is handed to nginx with
``X-Accel-Redirect`` instead, and nginx answers the ranges.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _slice(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        f.seek(start)
        left = length
        while left > 0:
            block = f.read(min(CHUNK, left))
            if not block:
                return
            left -= len(block)
            yield block


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(start, end inclusive), None for no/ignored header, "bad" for unsatisfiable."""
    m = RANGE.match(header.strip()) if header else None
    if m is None:
        return None  # absent, multi-range or malformed: answer the whole file (RFC 9110)
    first, last = m.groups()
    if first == "" and last == "":
        return None
    if first == "":
        n = int(last)
        if n == 0:
            return "bad"
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return "bad"
    return start, end


def serve(
    request: HttpRequest, path: Path, rel: str, content_type: str, filename: str | None = None
) -> HttpResponse:
    """The file at ``path`` (``rel`` under MEDIA_ROOT), honouring ``Range``."""
    if getattr(settings, "X_ACCEL", False):
        resp = HttpResponse(content_type=content_type)
        resp["X-Accel-Redirect"] = settings.X_ACCEL_PREFIX + rel
    else:
        size = os.path.getsize(path)
        rng = parse_range(request.headers.get("Range", ""), size)
        if rng == "bad":
            resp = HttpResponse(status=416)
            resp["Content-Range"] = f"bytes */{size}"
            return resp
        start, end = rng if rng else (0, size - 1)
        length = end - start + 1
        resp = StreamingHttpResponse(
            _slice(path, start, length), content_type=content_type, status=206 if rng else 200
        )
        resp["Content-Length"] = str(length)
        if rng:
            resp["Content-Range"] = f"bytes {start}-{end}/{size}"
    resp["Accept-Ranges"] = "bytes"
    resp["Cache-Control"] = "private, max-age=3600"
    if filename:
        resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
