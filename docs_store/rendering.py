"""Page images with a real PDF renderer (pypdfium2), cached on disk by content hash.

Each page is rendered by pdfium at each width and written as JPEG: fast to encode and
to decode on tablets. Pages already on
disk are skipped, so a job taken over after a crash continues where it stopped.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from docs_store import storage

JPEG_QUALITY = 82
# The longest side of a page image. JPEG itself stops at 65,535 px and a tall page at
# 1600 px wide would pass it; capped, a page 50 times as tall as wide (the most
# validation accepts) still renders, narrower than asked, within ≈ 50 MB of bitmap.
MAX_SIDE_PX = 8192


def scale_for(page_width: float, page_height: float, width: int) -> float:
    """pdfium's scale for a page image ``width`` px wide, the long side capped."""
    scale = width / page_width
    return min(scale, MAX_SIDE_PX / page_height, MAX_SIDE_PX / page_width)


def render_page(doc: pdfium.PdfDocument, sha256: str, page_no: int) -> None:
    """Render page ``page_no`` (1-based) at every width in ``storage.WIDTHS``.

    Each width is rendered by pdfium itself: sharper text than scaling one image down,
    and several times faster than a Lanczos resize of the large one.
    """
    widths = sorted(storage.WIDTHS)
    if all(storage.page_path(sha256, page_no, w).exists() for w in widths):
        return
    page = doc[page_no - 1]
    try:
        for width in widths:
            scale = scale_for(page.get_width(), page.get_height(), width)
            bitmap = page.render(scale=scale, may_draw_forms=True, rev_byteorder=True)
            image = bitmap.to_pil()
            if image.mode != "RGB":
                image = image.convert("RGB")
            storage.write_atomic(storage.page_path(sha256, page_no, width), _jpeg(image))
    finally:
        page.close()


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def render_all(
    pdf: Path, sha256: str, *, start: int = 1, on_page: Callable[[int, int], None] | None = None
) -> int:
    """Render pages ``start``…last in order; calls ``on_page(done, total)`` after each."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        total = len(doc)
        for page_no in range(start, total + 1):
            render_page(doc, sha256, page_no)
            if on_page is not None:
                on_page(page_no, total)
        return total
    finally:
        doc.close()
