"""Checking an uploaded file is a PDF we can serve, before anything is stored (pypdf).

Each refusal names the file and the reason with a stable code: ``not_pdf``,
``pdf_corrupt``, ``pdf_truncated``, ``pdf_encrypted``, ``pdf_empty``,
``pdf_too_large`` (states the size and the limit), ``pdf_too_many_pages`` (states the
count and the limit), ``pdf_page_size`` (a page too small, too large or too narrow to
render as an image), ``pdf_too_complex`` (streams that inflate beyond the limit: a
decompression bomb), ``pdf_image_too_large`` (one embedded image over the pixel limit),
``pdf_restricted`` (its permissions forbid printing or copying).

What passes here can be served: every page renders within ``rendering.MAX_SIDE_PX``
and the stamped download never decodes a stream (``watermark.stamp_pdf``).

Bad input that real files carry, decided here (issue 28):

- pypdf (the 7.x in the lock) refuses any stream whose declared ``/Length`` is over
  75,000,000 bytes, so a scan of one page as one 80 MB image was "damaged". A stream is
  never longer than its file, and the file is bounded by ``YITING_DOCS_MAX_BYTES``:
  ``pypdf_limits`` lifts that one limit to the file limit while the store reads a PDF.
  Nothing here decodes an image; the pixel limit (``MAX_IMAGE_PIXELS``) is what bounds
  the renderer, which decodes an image whole.
- A page box of zero width or height is one PDFium replaces by a US Letter page
  (612 × 792 points) when it renders: the page is checked at that size.
- An encrypted file that PDFium opens without a password is not protected; when pypdf
  cannot derive its key (e.g. an ``/EncryptMetadata false`` that the writer did not
  apply), PDFium's copy without the encryption is what is stored. Any encrypted file
  whose permissions forbid printing or copying is refused (``pdf_restricted``): every
  member would receive a stamped copy without the encryption, and its text is indexed
  for search, so accepting it would quietly lift a restriction its issuer set.
- Bidirectional control characters (U+202E …) are dropped from file names
  (``strip_bidi``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
PYPDF_DECLARED_STREAM_LENGTH = 75_000_000  # pypdf's own default, never lowered here
# Permission bits of ISO 32000-1 table 22 (1-based bit 3: print, bit 5: copy or extract).
PERMIT_PRINT, PERMIT_COPY = 1 << 2, 1 << 4
# Bidirectional formatting characters: ALM, LRM, RLM, LRE…RLO, LRI…PDI. In a file name
# they only serve to disguise it ("报告\u202efdp.exe" reads "报告exe.pdf").
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters. A file name (or a PDF's title)
    loses them rather than being refused: the rest of it is what the clerk chose."""
    return BIDI_CONTROLS.sub("", text)


@contextmanager
def pypdf_limits() -> Iterator[None]:
    """pypdf's limits while the store reads one of its PDFs (validation, stamping).

    Only the declared stream length is lifted, to the upload limit: a stream cannot be
    longer than the file holding it, and pypdf reads it raw (nothing here decodes an
    image). pypdf before 7 has no ``apply_configuration``; this is then a no-op.
    """
    try:
        from pypdf import apply_configuration
    except ImportError:  # pragma: no cover - pypdf < 7
        context = nullcontext()
    else:
        context = apply_configuration(
            maximum_declared_stream_length=max(max_bytes(), PYPDF_DECLARED_STREAM_LENGTH)
        )
    with context:
        yield


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _refuse(code: str, filename: str, reason: str, **details) -> DomainError:
    return DomainError(code, f"{filename}: {reason}", file=filename, **details)


def check_pdf(filename: str, data: bytes) -> CheckedPdf:
    """Return the checked file or raise ``DomainError`` naming the file and the reason.

    ``filename`` loses its bidirectional controls first; ``data`` of the result is the
    file as stored (PDFium's copy without the encryption, for a file only PDFium opens).
    """
    filename = strip_bidi(filename)
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
    with pypdf_limits():
        reader, data = _open(filename, data)
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
        rendered = _renderer(filename, data)
        try:
            _check_page_sizes(filename, reader, rendered)
        finally:
            rendered.close()
        _check_streams(filename, reader)
        title = _title(reader)
    return CheckedPdf(filename, data, hashlib.sha256(data).hexdigest(), pages, title)


def _corrupt(filename: str, exc: BaseException) -> DomainError:
    log.info("refused %s: %r", filename, exc)
    return _refuse("pdf_corrupt", filename, _("the PDF is damaged and cannot be read"))


def _open(filename: str, data: bytes) -> tuple[PdfReader, bytes]:
    """pypdf's reader of the file, and the bytes to store (see ``_unlocked``)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many kinds on broken input
        raise _corrupt(filename, exc) from exc
    if not encrypted:
        return reader, data
    _check_permissions(filename, data)  # PDFium opened it without a password
    try:
        opened = bool(reader.decrypt(""))
    except Exception as exc:  # an encryption dictionary pypdf cannot use
        log.info("pypdf cannot decrypt %s: %r", filename, exc)
        opened = False
    if opened:
        return reader, data
    data = _unlocked(filename, data)
    try:
        return PdfReader(io.BytesIO(data), strict=False), data
    except Exception as exc:
        raise _corrupt(filename, exc) from exc


def _renderer(filename: str, data: bytes):
    """The page renderer's document: it must open the file too, or the tablets would
    never see a page. A file that needs a password is ``pdf_encrypted``."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise _refuse(
                "pdf_encrypted", filename, _("the PDF is protected by a password")
            ) from exc
        raise _corrupt(filename, exc) from exc


def _check_permissions(filename: str, data: bytes) -> None:
    """An encrypted file opens without a password, and allows printing and copying."""
    import pypdfium2.raw as pdfium_c

    doc = _renderer(filename, data)
    try:
        ask = getattr(pdfium_c, "FPDF_GetDocUserPermissions", pdfium_c.FPDF_GetDocPermissions)
        permits = ask(doc.raw) & 0xFFFFFFFF
    finally:
        doc.close()
    if not (permits & PERMIT_PRINT and permits & PERMIT_COPY):
        raise _refuse(
            "pdf_restricted",
            filename,
            _(
                "the PDF's permissions forbid printing or copying; ask its issuer for a "
                "copy without restrictions"
            ),
        )


def _unlocked(filename: str, data: bytes) -> bytes:
    """PDFium's copy of a file it opens without a password, written without the
    encryption (pypdf could not derive the key; the permissions were checked)."""
    import pypdfium2.raw as pdfium_c

    doc = _renderer(filename, data)
    out = io.BytesIO()
    try:
        doc.save(out, flags=pdfium_c.FPDF_REMOVE_SECURITY)
    except Exception as exc:
        raise _corrupt(filename, exc) from exc
    finally:
        doc.close()
    log.info("stored %s as PDFium's copy without the encryption", filename)
    return out.getvalue()


def _count_pages(filename: str, reader: PdfReader) -> int:
    try:
        count = len(reader.pages)
        for page in reader.pages:
            page.mediabox.width  # noqa: B018  (every page must have a usable box)
    except Exception as exc:  # PdfReadError, KeyError, … on a broken page tree
        raise _refuse("pdf_corrupt", filename, _("the PDF's pages cannot be read")) from exc
    return count


def _check_page_sizes(filename: str, reader: PdfReader, rendered) -> None:
    """Every page must render to an image a tablet can show (see ``rendering``).

    A box of zero width or height is measured as PDFium draws it (``rendered``, the
    renderer's document): PDFium puts a US Letter page in its place.
    """
    for number, page in enumerate(reader.pages, start=1):
        try:
            unit = float(page.get("/UserUnit", 1) or 1)
            w = abs(float(page.mediabox.width)) * unit
            h = abs(float(page.mediabox.height)) * unit
        except Exception as exc:  # a box of non-numbers
            raise _refuse("pdf_corrupt", filename, _("the PDF's pages cannot be read")) from exc
        if w == 0 or h == 0:
            w, h = _rendered_size(filename, rendered, number)
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


def _rendered_size(filename: str, rendered, number: int) -> tuple[float, float]:
    try:
        page = rendered[number - 1]
        try:
            w, h = page.get_size()
        finally:
            page.close()
    except Exception as exc:  # the renderer has no such page
        raise _refuse("pdf_corrupt", filename, _("the PDF's pages cannot be read")) from exc
    return abs(w), abs(h)


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
        return strip_bidi(str(meta.title)).strip() if meta and meta.title else ""
    except Exception:  # unreadable metadata is not a reason to refuse
        return ""
