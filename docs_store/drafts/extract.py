"""The text of a PDF's pages with their lines and indents, for reading a draft.

Search stores each page's text normalised (``docs_store.search.extract``), without the
line breaks and indents that tell a new paragraph from a wrapped line. Here pdfium's
text rectangles give each line of a page with its left edge: lines are ordered top to
bottom (a footer drawn first comes last), the pieces of one line joined left to right,
and a line starting well right of the page's text margin gets a leading full-width
indent, whether the PDF drew the indent as spaces (reportlab) or as a position (Word).
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

INDENT_CHARS = 1.5  # a line starting this many characters right of the margin is indented


def _lines(textpage) -> list[tuple[float, float, float, str]]:
    """(top, left, height, text) of each line: rectangles overlapping in height joined."""
    rects = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if text.strip():
            rects.append((top, bottom, left, text))
    rects.sort(key=lambda r: (-r[0], r[2]))
    lines: list[list] = []  # [top, bottom, [(left, text)]]
    for top, bottom, left, text in rects:
        for line in lines:
            mid = (top + bottom) / 2
            if line[1] <= mid <= line[0]:
                line[2].append((left, text))
                line[0], line[1] = max(line[0], top), min(line[1], bottom)
                break
        else:
            lines.append([top, bottom, [(left, text)]])
    out = []
    for top, bottom, pieces in sorted(lines, key=lambda ln: -ln[0]):
        pieces.sort()
        text = "".join(t.replace("\r", "").replace("\n", "") for _, t in pieces)
        out.append((top, pieces[0][0], top - bottom, text))
    return out


def page_lines(doc: pdfium.PdfDocument, page_no: int) -> str:
    """Page ``page_no`` (1-based) as lines; an indented line starts with two U+3000."""
    page = doc[page_no - 1]
    try:
        textpage = page.get_textpage()
        try:
            lines = _lines(textpage)
        finally:
            textpage.close()
    finally:
        page.close()
    if not lines:
        return ""
    margin = min(left for _, left, _, _ in lines)
    out = []
    for _, left, height, text in lines:
        already = text[:1] in (" ", "\u3000", "\t")
        if not already and left - margin >= INDENT_CHARS * max(height, 1.0):
            text = "\u3000\u3000" + text
        out.append(text)
    return "\n".join(out)


def pdf_pages(path: Path | str | bytes) -> list[str]:
    """Every page of the PDF at ``path`` (or its bytes) as ``page_lines`` gives it."""
    doc = pdfium.PdfDocument(path if isinstance(path, bytes) else str(path))
    try:
        return [page_lines(doc, n) for n in range(1, len(doc) + 1)]
    finally:
        doc.close()
