"""Generated bill-like PDFs for the demo and for tests (reportlab, embedded CJK font)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from core.pdffont import cjk_font


def _font() -> str:
    """The embedded CJK font every generated PDF uses (core/pdffont.py)."""
    return cjk_font()


def write_bill(path: Path, title: str, subtitle: str, pages: int) -> Path:
    """A numbered multi-page document; each page says its number in large type."""
    font = _font()
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(title)
    width, height = A4
    for page in range(1, pages + 1):
        c.setFont(font, 20)
        c.drawCentredString(width / 2, height - 90, title[:30])
        c.setFont(font, 13)
        c.drawCentredString(width / 2, height - 120, subtitle)
        c.setFont(font, 11)
        y = height - 170
        for line in range(28):
            c.drawString(
                70,
                y,
                f"第{page}页 第{line + 1}行  本条例所称数据，是指任何以电子或者其他方式对信息的记录。",
            )
            y -= 20
        c.setFont(font, 48)  # embedded like the rest: no font left to the reader
        c.drawCentredString(width / 2, 60, f"- {page} -")
        c.showPage()
    c.save()
    return path
