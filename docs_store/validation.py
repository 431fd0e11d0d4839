"""Checking an uploaded file is a PDF we can serve, before anything is stored (pypdf).

Each refusal names the file and the reason with a stable code: ``not_pdf``,
``pdf_corrupt``, ``pdf_truncated``, ``pdf_encrypted``, ``pdf_empty``,
``pdf_too_large`` (states the size and the limit), ``pdf_too_many_pages`` (states the
count and the limit), ``pdf_page_size`` (a page too small, too large or too narrow to
render as an image), ``pdf_too_complex`` (streams that inflate beyond the limit: a
decompression bomb), ``pdf_image_too_large`` (one embedded image over the pixel limit).

What passes here can be served: every page renders within ``rendering.MAX_SIDE_PX``
and the stamped download never decodes a stream (``watermark.stamp_pdf``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from core.errors import DomainError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
MAX_FILENAME = 200  # characters; the name is kept with the version and shown to clerks
# Page boxes in points: the PDF specification's own range (ISO 32000 annex C), and an
# aspect ratio a page image can still show (a 1600 px wide strip 1/50 as tall is 32 px).
MIN_SIDE_PT, MAX_SIDE_PT, MAX_ASPECT = 3.0, 14400.0, 50.0
DEFAULT_MAX_INFLATED = 512 * 1024 * 1024  # bytes of decoded content and form streams
MAX_IMAGE_PIXELS = 200_000_000  # one embedded image (≈ 14,000 × 14,000)
_INFLATE_CHUNK = 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "YITING_DOCS_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pages() -> int:
    return int(getattr(settings, "YITING_DOCS_MAX_PAGES", DEFAULT_MAX_PAGES))


def max_inflated() -> int:
    return int(getattr(settings, "YITING_DOCS_MAX_INFLATED", DEFAULT_MAX_INFLATED))


@dataclass(frozen=True)
class CheckedPdf:
    """A file that passed every check, with what the store needs to know of it."""

    filename: str
    data: bytes
    sha256: str
    pages: int
    title: str


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _refuse(code: str, filename: str, reason: str, **details) -> DomainError:
    return DomainError(code, f"{filename}: {reason}", file=filename, **details)


def check_pdf(filename: str, data: bytes) -> CheckedPdf:
    """Return the checked file or raise ``DomainError`` naming the file and the reason."""
    limit = max_bytes()
    if len(data) > limit:
        raise _refuse(
            "pdf_too_large",
            filename,
            _("the file is %(size)s, over the limit of %(limit)s")
            % {"size": _mb(len(data)), "limit": _mb(limit)},
            size=len(data),
            limit=limit,
        )
    if not data.lstrip(b"\r\n\t \x00")[:1024].startswith(b"%PDF-"):
        raise _refuse("not_pdf", filename, _("this is not a PDF file"))
    if b"%%EOF" not in data[-2048:]:
        raise _refuse("pdf_truncated", filename, _("the file is cut short (no end-of-file mark)"))
    reader = _open(filename, data)
    pages = _count_pages(filename, reader)
    if pages == 0:
        raise _refuse("pdf_empty", filename, _("the PDF has no pages"))
    if pages > max_pages():
        raise _refuse(
            "pdf_too_many_pages",
            filename,
            _("the PDF has %(pages)s pages, over the limit of %(limit)s")
            % {"pages": pages, "limit": max_pages()},
            pages=pages,
            limit=max_pages(),
        )
    _check_page_sizes(filename, reader)
    _check_streams(filename, reader)
    _check_renderable(filename, data)
    return CheckedPdf(filename, data, hashlib.sha256(data).hexdigest(), pages, _title(reader))


def _open(filename: str, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse("pdf_encrypted", filename, _("the PDF is protected by a password"))
    except DomainError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken input
        log.info("refused %s: %r", filename, exc)
        raise _refuse("pdf_corrupt", filename, _("the PDF is damaged and cannot be read")) from exc
    return reader


def _check_renderable(filename: str, data: bytes) -> None:
    """The page renderer must open it too, or the tablets would never see a page."""
    import pypdfium2 as pdfium

    try:
        pdfium.PdfDocument(data).close()
    except pdfium.PdfiumError as exc:
        raise _refuse("pdf_corrupt", filename, _("the PDF is damaged and cannot be read")) from exc


def _count_pages(filename: str, reader: PdfReader) -> int:
    try:
        count = len(reader.pages)
        for page in reader.pages:
            page.mediabox.width  # noqa: B018  (every page must have a usable box)
    except Exception as exc:  # PdfReadError, KeyError, … on a broken page tree
        raise _refuse("pdf_corrupt", filename, _("the PDF's pages cannot be read")) from exc
    return count


def _check_page_sizes(filename: str, reader: PdfReader) -> None:
    """Every page must render to an image a tablet can show (see ``rendering``)."""
    for number, page in enumerate(reader.pages, start=1):
        try:
            unit = float(page.get("/UserUnit", 1) or 1)
            w = abs(float(page.mediabox.width)) * unit
            h = abs(float(page.mediabox.height)) * unit
        except Exception as exc:  # a box of non-numbers
            raise _refuse("pdf_corrupt", filename, _("the PDF's pages cannot be read")) from exc
        if (
            not (MIN_SIDE_PT <= w <= MAX_SIDE_PT and MIN_SIDE_PT <= h <= MAX_SIDE_PT)
            or max(w, h) / min(w, h) > MAX_ASPECT
        ):
            raise _refuse(
                "pdf_page_size",
                filename,
                _(
                    "page %(page)s measures %(w)s × %(h)s points; pages must be "
                    "%(min)s–%(max)s points a side and at most %(aspect)s times as long "
                    "as wide"
                )
                % {
                    "page": number,
                    "w": round(w),
                    "h": round(h),
                    "min": round(MIN_SIDE_PT),
                    "max": round(MAX_SIDE_PT),
                    "aspect": round(MAX_ASPECT),
                },
                page=number,
                width=w,
                height=h,
            )


def _check_streams(filename: str, reader: PdfReader) -> None:
    """Refuse decompression bombs and giant images before anything decodes them.

    Content and form streams are inflated in 1 MiB steps and only counted, so the
    check itself holds at most a chunk; images are judged by their declared size.
    """
    budget = [max_inflated()]
    seen: set[int] = set()
    try:
        for page in reader.pages:
            _walk(filename, page.get("/Contents"), page.get("/Resources"), budget, seen)
    except DomainError:
        raise
    except (Exception, RecursionError) as exc:
        raise _refuse("pdf_corrupt", filename, _("the PDF's pages cannot be read")) from exc


def _walk(filename: str, contents, resources, budget: list[int], seen: set[int]) -> None:
    for stream in _streams(contents, seen):
        _inflate_counted(filename, stream, budget)
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return
    xobjects = _resolve(resources.get("/XObject"))
    if not isinstance(xobjects, DictionaryObject):
        return
    for ref in xobjects.values():
        key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
        if key in seen:
            continue
        seen.add(key)
        xobj = _resolve(ref)
        if not isinstance(xobj, StreamObject):
            continue
        if xobj.get("/Subtype") == "/Image":
            pixels = int(xobj.get("/Width", 0)) * int(xobj.get("/Height", 0))
            if pixels > MAX_IMAGE_PIXELS:
                raise _refuse(
                    "pdf_image_too_large",
                    filename,
                    _("an image has %(pixels)s megapixels, over the limit of %(limit)s")
                    % {"pixels": pixels // 10**6, "limit": MAX_IMAGE_PIXELS // 10**6},
                    pixels=pixels,
                    limit=MAX_IMAGE_PIXELS,
                )
        elif xobj.get("/Subtype") == "/Form":
            _inflate_counted(filename, xobj, budget)
            _walk(filename, None, xobj.get("/Resources"), budget, seen)


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _streams(contents, seen: set[int]) -> list[StreamObject]:
    contents = _resolve(contents)
    if isinstance(contents, StreamObject):
        return [contents]
    if isinstance(contents, ArrayObject):
        return [s for s in (_resolve(c) for c in contents) if isinstance(s, StreamObject)]
    return []


def _inflate_counted(filename: str, stream: StreamObject, budget: list[int]) -> None:
    """Subtract the stream's decoded size from the budget, refusing when it runs out."""
    filters = stream.get("/Filter")
    filters = list(filters) if isinstance(filters, ArrayObject) else [filters]
    raw = getattr(stream, "_data", b"") or b""
    if not filters or filters[0] != "/FlateDecode":
        budget[0] -= len(raw)
    else:
        inflater = zlib.decompressobj()
        data = raw
        while data and budget[0] >= 0:
            try:
                out = inflater.decompress(data, _INFLATE_CHUNK)
            except zlib.error:
                break  # pdfium and pypdf recover what they can; size is what matters here
            budget[0] -= len(out)
            data = inflater.unconsumed_tail
            if not out and not data:
                break
    if budget[0] < 0:
        raise _refuse(
            "pdf_too_complex",
            filename,
            _("the PDF's content inflates to more than %(limit)s MB")
            % {"limit": max_inflated() // 2**20},
            limit=max_inflated(),
        )


def _title(reader: PdfReader) -> str:
    try:
        meta = reader.metadata
        return str(meta.title).strip() if meta and meta.title else ""
    except Exception:  # unreadable metadata is not a reason to refuse
        return ""
