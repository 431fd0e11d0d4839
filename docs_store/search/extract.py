"""Text extraction at ingest (pypdfium2's text page API), one row per page.

Pages already extracted are skipped, so a job taken over after a crash goes on where
it stopped. A page with no text layer (a scan) is stored empty: it is counted as
indexed and simply never matches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

from docs_store.models import PageText
from docs_store.search.tokens import index_columns, normalise

BATCH = 50


def page_text(doc: pdfium.PdfDocument, page_no: int) -> str:
    """The text of page ``page_no`` (1-based) in reading order, as pdfium extracts it."""
    page = doc[page_no - 1]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()


def extract_all(
    pdf: Path, sha256: str, *, on_batch: Callable[[int, int], None] | None = None
) -> int:
    """Extract and index every page of ``pdf`` not yet stored; returns the page count."""
    done = set(PageText.objects.filter(sha256=sha256).values_list("page", flat=True))
    doc = pdfium.PdfDocument(str(pdf))
    try:
        total = len(doc)
        batch: list[PageText] = []
        for page_no in range(1, total + 1):
            if page_no in done:
                continue
            text = normalise(page_text(doc, page_no))
            uni, bi = index_columns(text)
            batch.append(PageText(sha256=sha256, page=page_no, text=text, uni=uni, bi=bi))
            if len(batch) >= BATCH or page_no == total:
                PageText.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
                if on_batch is not None:
                    on_batch(page_no, total)
        if batch:
            PageText.objects.bulk_create(batch, ignore_conflicts=True)
        return total
    finally:
        doc.close()
