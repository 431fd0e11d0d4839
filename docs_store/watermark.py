"""Reader-specific copies: watermarked page images and name-stamped PDFs.

Confidential documents leave the server only as page images carrying the reader's
name, seat and the date, drawn here (Pillow) over the cached page, so a photographed
or forwarded page says whose it was. Other documents may be downloaded as PDFs
stamped with the reader's name on every page (pypdf + a reportlab overlay).
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Fonts with Chinese glyphs, best first; without one the name's Han characters cannot be
# drawn, so the mark also carries the seat and login, which any font can show.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


CID_FONT = "STSong-Light"  # a standard CJK PDF font: PDF readers supply the glyphs


def mark_text(name: str, seat: str, login: str, day: dt.date) -> str:
    seat_part = f" {seat}" if seat else ""
    return f"{name}{seat_part} {login} {day.isoformat()}"


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def watermark_image(jpeg: bytes, text: str) -> bytes:
    """The page with ``text`` tiled diagonally across it, semi-transparent."""
    page = Image.open(io.BytesIO(jpeg)).convert("RGBA")
    size = max(14, page.width // 36)
    font = _font(size)
    tile = Image.new("RGBA", (page.width * 2, page.height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    step_x = int(draw.textlength(text, font=font)) + size * 3
    step_y = size * 6
    for row, y in enumerate(range(0, tile.height, step_y)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x, tile.width, step_x):
            draw.text((x + offset, y), text, font=font, fill=(200, 30, 30, 70))
    tile = tile.rotate(30, resample=Image.Resampling.BICUBIC)
    left, top = (tile.width - page.width) // 2, (tile.height - page.height) // 2
    tile = tile.crop((left, top, left + page.width, top + page.height))
    ImageDraw.Draw(tile).text((size, size // 2), text, font=font, fill=(200, 30, 30, 160))
    out = io.BytesIO()
    Image.alpha_composite(page, tile).convert("RGB").save(out, "JPEG", quality=82)
    return out.getvalue()


def stamp_pdf(pdf: Path, text: str) -> bytes:
    """The PDF with ``text`` in the bottom margin of every page (for download)."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))

    writer = PdfWriter(clone_from=str(pdf))
    overlays: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        box = (float(page.mediabox.width), float(page.mediabox.height))
        if box not in overlays:
            buf = io.BytesIO()
            c = canvas.Canvas(buf, pagesize=box)
            c.setFont(CID_FONT, 9)
            c.setFillColorRGB(0.8, 0.1, 0.1)
            c.drawString(24, 14, text)
            c.save()
            overlays[box] = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
        left, bottom = float(page.mediabox.left), float(page.mediabox.bottom)
        page.merge_transformed_page(
            overlays[box], Transformation().translate(left, bottom), over=True
        )
    writer.add_metadata({"/Subject": f"Copy for {text}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
