"""Where document files live: originals and page images, addressed by content hash.

Layout under ``settings.DATA_DIR/docs``::

    originals/<sha256>.pdf
    pages/<sha256>/<width>/<page>.jpg

Writes go to a temporary name and are renamed into place, so a crash never leaves a
half-written file under a final name (a reader sees the old state or the new one).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings

WIDTHS = (800, 1600)  # tablet reading width; zoomed 200% on a tablet


def root() -> Path:
    return Path(settings.DATA_DIR) / "docs"


def original_path(sha256: str) -> Path:
    return root() / "originals" / f"{sha256}.pdf"


def page_path(sha256: str, page: int, width: int) -> Path:
    return root() / "pages" / sha256 / str(width) / f"{page}.jpg"


def page_accel_uri(sha256: str, page: int, width: int) -> str:
    """Where nginx finds a page image after the view checked access (``X-Accel-Redirect``).

    nginx's internal ``/_protected/pages/`` is the folder ``page_path`` writes under
    (deploy/nginx/yiting.conf.in); clips go through ``/_protected/`` = MEDIA_ROOT.
    """
    return f"{settings.X_ACCEL_PREFIX}pages/{sha256}/{width}/{page}.jpg"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so it appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
