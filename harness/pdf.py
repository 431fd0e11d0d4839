"""Generated PDFs for tests: Chinese pages with known text, and what a PDF carries
(its text and whether its fonts are embedded)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from core.pdffont import cjk_font


def embedded_fonts(data: bytes) -> list[str]:
    """Names of the fonts whose program is inside the file (FontFile/2/3), every page."""
    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            for f in [font, *(d.get_object() for d in descendants or [])]:
                desc = f.get("/FontDescriptor")
                if desc and any(
                    k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    names.append(str(f.get("/BaseFont")))
    return names


def not_embedded(data: bytes) -> list[str]:
    """Fonts used without their program (a reader substitutes them: "·" became "�")."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            base = str(font.get("/BaseFont"))
            if base.lstrip("/") in STANDARD_14:
                continue
            descendants = font.get("/DescendantFonts")
            chain = [font, *(d.get_object() for d in descendants or [])]
            descs = [f.get("/FontDescriptor") for f in chain if f.get("/FontDescriptor")]
            if not any(
                k in d.get_object()
                for d in descs
                for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                out.append(base)
    return out


STANDARD_14 = {
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Symbol",
    "ZapfDingbats",
}


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
