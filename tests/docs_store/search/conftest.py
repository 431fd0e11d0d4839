"""Chinese PDFs with known text, uploaded and indexed as the worker would."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from meeting.pdffont import cjk_font


def chinese_pdf(pages: list[list[str]]) -> bytes:
    """One page per list of lines, drawn at known places (line n at y = 750 − 30n)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for lines in pages:
        c.setFont(cjk_font(), 14)
        for n, line in enumerate(lines):
            c.drawString(72, 750 - 30 * n, line)
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture
def indexed(committee, upload, rendered):
    """Upload (and distribute) Chinese PDFs, then run rendering and indexing jobs."""

    def _indexed(pages: list[list[str]], **kwargs):
        [doc] = upload(("文件.pdf", chinese_pdf(pages)), distribute=True, **kwargs)
        rendered()
        doc.refresh_from_db()
        return doc

    return _indexed
