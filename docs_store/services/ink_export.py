"""A member's annotated pages as one PDF: page image, their strokes over it, their note.

Only pages the member drew on or wrote a note for are included, in page order. The
page image is the one the member reads (watermarked for a confidential paper), the
strokes are drawn as vector paths in page fractions, so they sit where they were
drawn. Text uses the embedded CJK font; the time printed is local (``TIME_ZONE``).
"""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from core.pdffont import cjk_font
from docs_store import storage, watermark
from docs_store.models import Access, Document, InkStroke, PageNote
from docs_store.services.access import Reader
from docs_store.services.ink import _member

WIDTH = 1600
MARGIN = 36
HIGHLIGHTER_ALPHA = 0.35


def _annotated_pages(member, document: Document) -> tuple[dict, dict]:
    version = document.current.number
    strokes: dict[int, list[InkStroke]] = {}
    for s in InkStroke.objects.filter(
        member=member, document=document, version=version, erased_at__isnull=True
    ):
        strokes.setdefault(s.page, []).append(s)
    notes = dict(
        PageNote.objects.filter(member=member, document=document).values_list("page", "text")
    )
    return strokes, notes


def _image(document: Document, page: int, mark: str | None) -> ImageReader | None:
    path = storage.page_path(document.current.sha256, page, WIDTH)
    if not path.exists():
        return None
    data = path.read_bytes()
    if mark is not None:
        data = watermark.watermark_image(data, mark)
    return ImageReader(io.BytesIO(data))


def _draw_strokes(c: canvas.Canvas, strokes: list[InkStroke], x0, y0, w, h) -> None:
    for s in strokes:
        c.saveState()
        c.setStrokeColor(HexColor(s.color))
        if s.tool == InkStroke.Tool.HIGHLIGHTER:
            c.setStrokeAlpha(HIGHLIGHTER_ALPHA)
        pressure = sum(p[2] for p in s.points) / len(s.points)
        c.setLineWidth(max(0.3, s.width * w * (0.5 + pressure)))
        c.setLineCap(1)
        c.setLineJoin(1)
        path = c.beginPath()
        (fx, fy, _), *rest = s.points
        path.moveTo(x0 + fx * w, y0 + h - fy * h)
        for px, py, _ in rest:
            path.lineTo(x0 + px * w, y0 + h - py * h)
        c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


def _page(c, document, page, image, strokes, note, header: str) -> None:
    font = cjk_font()
    pw, ph = A4
    c.setFont(font, 9)
    c.drawString(MARGIN, ph - MARGIN + 12, f"{header} · 第{page}页")
    note_h = 90 if note else 0
    box_w, box_h = pw - 2 * MARGIN, ph - 2 * MARGIN - note_h - 8
    ratio = image.getSize()[1] / image.getSize()[0] if image else ph / pw
    w = min(box_w, box_h / ratio)
    h = w * ratio
    x0, y0 = MARGIN + (box_w - w) / 2, MARGIN + note_h + 8 + (box_h - h)
    if image is not None:
        c.drawImage(image, x0, y0, w, h)
    else:
        c.rect(x0, y0, w, h)
        c.drawCentredString(x0 + w / 2, y0 + h / 2, "页面图像尚未生成")
    _draw_strokes(c, strokes, x0, y0, w, h)
    if note:
        text = c.beginText(MARGIN, MARGIN + note_h - 12)
        text.setFont(font, 10)
        text.textLine("批注：")
        for line in _wrap(note, 46)[:6]:
            text.textLine(line)
        c.drawText(text)
    c.showPage()


def _wrap(text: str, width: int) -> list[str]:
    lines = []
    for para in text.splitlines() or [""]:
        lines.extend(para[i : i + width] for i in range(0, max(len(para), 1), width))
    return lines


def annotated_pdf(reader: Reader, document: Document, mark: str) -> bytes:
    """The PDF of the reader's annotated pages of ``document`` (may have no pages)."""
    member = _member(reader)
    strokes, notes = _annotated_pages(member, document)
    confidential = document.access == Access.CONFIDENTIAL
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    header = f"{document.title} · {member.full_name}的批注 · 导出于 {now}"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"{document.title}（批注）")
    pages = sorted(set(strokes) | set(notes))
    if not pages:
        c.setFont(cjk_font(), 14)
        c.drawString(MARGIN, A4[1] - 2 * MARGIN, f"{document.title}：您尚未在此文件上作批注。")
        c.showPage()
    for page in pages:
        image = _image(document, page, mark if confidential else None)
        _page(c, document, page, image, strokes.get(page, []), notes.get(page, ""), header)
    c.save()
    return buf.getvalue()
