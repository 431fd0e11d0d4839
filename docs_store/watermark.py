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
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

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


# Actions that run something, reach out or carry files: none survives in a served copy.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR", "/Rendition",
     "/Sound", "/Movie", "/RichMediaExecute", "/SetOCGState", "/Hide", "/ResetForm"}
)  # fmt: skip
ACTIVE_ANNOTS = frozenset({"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"})
ACTIVE_KEYS = ("/AA", "/OpenAction", "/JS")


def stamp_pdf(pdf: Path, text: str) -> bytes:
    """The PDF with ``text`` in the bottom margin of every page (for download).

    The mark is appended to each page as its own content stream, the page's own
    content wrapped in ``q … Q``: no existing stream is decoded, so a document whose
    streams inflate to hundreds of MB, or that holds one very large image, is stamped
    in the time it takes to copy it. Active content is removed (``strip_active``).
    Read with the store's pypdf limits (``validation.pypdf_limits``): a scan's one large
    image stream is no reason to fail.
    """
    from docs_store.validation import pypdf_limits

    with pypdf_limits():
        return _stamp(pdf, text)


def _stamp(pdf: Path, text: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(pdf), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # validation refused every file this does not open
    writer = PdfWriter(clone_from=reader)
    strip_active(writer)
    fonts, overlay = _overlay_parts(text)
    font_refs = {name: writer._add_object(font.clone(writer)) for name, font in fonts.items()}
    open_ref = _stream(writer, b"q\n")
    marks: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        left, bottom = float(page.mediabox.left), float(page.mediabox.bottom)
        if (left, bottom) not in marks:
            body = b"Q\nq 1 0 0 1 %.3f %.3f cm\n%s\nQ\n" % (left, bottom, overlay)
            marks[(left, bottom)] = _stream(writer, body)
        _add_fonts(page, font_refs)
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else None
        parts = ArrayObject([open_ref])
        if isinstance(existing, ArrayObject):
            parts.extend(existing)
        elif contents is not None:
            parts.append(contents)
        parts.append(marks[(left, bottom)])
        page[NameObject("/Contents")] = parts
    writer.add_metadata({"/Subject": f"Copy for {text}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


MARK_FONT = "/YitingMark"


@lru_cache(maxsize=64)
def _overlay_cached(text: str) -> bytes:
    """A one-page PDF (reportlab) drawing ``text`` with the CJK font, as bytes.

    The font is the embedded subset of ``core.pdffont`` like every PDF made here: a
    reader without an Asian font pack still shows the name (a non-embedded CID font
    would show boxes there).
    """
    from reportlab.pdfgen import canvas

    from core.pdffont import cjk_font

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), pageCompression=0)
    c.setFont(cjk_font(), 9)
    c.setFillColorRGB(0.8, 0.1, 0.1)
    c.drawString(24, 14, text)
    c.save()
    return buf.getvalue()


def _overlay_parts(text: str):
    """({font name: font dictionary}, content bytes) of the mark, names made unique."""
    import re

    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(_overlay_cached(text))).pages[0]
    content = page.get_contents().get_data()
    fonts = {}
    for n, (name, font) in enumerate(page["/Resources"]["/Font"].items()):
        new = f"{MARK_FONT}{n}"
        content = re.sub(re.escape(name.encode()) + rb"(?=[\s/])", new.encode(), content)
        fonts[new] = font.get_object()
    return fonts, content


def _stream(writer, data: bytes):
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _add_fonts(page, font_refs: dict) -> None:
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        resources = DictionaryObject()
        page[NameObject("/Resources")] = resources
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else None
    if not isinstance(fonts, DictionaryObject):
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    for name, ref in font_refs.items():
        fonts[NameObject(name)] = ref


def strip_active(writer) -> int:
    """Remove JavaScript, automatic actions, launch/submit actions, embedded files and
    multimedia annotations from every object of ``writer``; returns how many went."""
    removed = 0
    root = writer._root_object
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
                removed += 1
    acro = root.get("/AcroForm")
    acro = acro.get_object() if acro is not None else None
    if isinstance(acro, DictionaryObject) and "/XFA" in acro:
        del acro["/XFA"]
        removed += 1
    for obj in list(writer._objects):
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, DictionaryObject):
                removed += _clean_dict(item)
                stack.extend(v for v in item.values() if not isinstance(v, IndirectObject))
            elif isinstance(item, ArrayObject):
                stack.extend(v for v in item if not isinstance(v, IndirectObject))
    return removed


def _clean_dict(d: DictionaryObject) -> int:
    removed = 0
    for key in ACTIVE_KEYS:
        if key in d:
            del d[key]
            removed += 1
    action = d.get("/A")
    action = action.get_object() if action is not None else None
    if isinstance(action, DictionaryObject) and action.get("/S") in ACTIVE_ACTIONS:
        del d["/A"]
        removed += 1
    if d.get("/S") in ACTIVE_ACTIONS:  # an action object itself (e.g. in /Next chains)
        for key in list(d.keys()):
            if key not in ("/Type",):
                del d[key]
        d[NameObject("/S")] = NameObject("/Named")
        d[NameObject("/N")] = NameObject("/NoOp")
        removed += 1
    annots = d.get("/Annots")
    annots = annots.get_object() if annots is not None else None
    if isinstance(annots, ArrayObject):
        keep = [a for a in annots if _resolved(a).get("/Subtype") not in ACTIVE_ANNOTS]
        if len(keep) != len(annots):
            removed += len(annots) - len(keep)
            annots[:] = keep
    return removed


def _resolved(obj):
    obj = obj.get_object() if isinstance(obj, IndirectObject) else obj
    return obj if isinstance(obj, DictionaryObject) else DictionaryObject()
