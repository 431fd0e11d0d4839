"""Checking an uploaded file is a PDF we can serve, before anything is stored (pypdf).

Each refusal names the file and the reason with a stable code: ``not_pdf``,
``pdf_corrupt``, ``pdf_truncated``, ``pdf_encrypted``, ``pdf_empty``,
``pdf_too_large`` (states the size and the limit), ``pdf_too_many_pages`` (states the
count and the limit).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from pypdf import PdfReader

from meeting.services.errors import DomainError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
MAX_FILENAME = 200  # characters; the name is kept with the version and shown to clerks


def max_bytes() -> int:
    return int(getattr(settings, "YITING_DOCS_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pages() -> int:
    return int(getattr(settings, "YITING_DOCS_MAX_PAGES", DEFAULT_MAX_PAGES))


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
            f"the file is {_mb(len(data))}, over the limit of {_mb(limit)}",
            size=len(data),
            limit=limit,
        )
    if not data.lstrip(b"\r\n\t \x00")[:1024].startswith(b"%PDF-"):
        raise _refuse("not_pdf", filename, "this is not a PDF file")
    if b"%%EOF" not in data[-2048:]:
        raise _refuse("pdf_truncated", filename, "the file is cut short (no end-of-file mark)")
    reader = _open(filename, data)
    pages = _count_pages(filename, reader)
    if pages == 0:
        raise _refuse("pdf_empty", filename, "the PDF has no pages")
    if pages > max_pages():
        raise _refuse(
            "pdf_too_many_pages",
            filename,
            f"the PDF has {pages} pages, over the limit of {max_pages()}",
            pages=pages,
            limit=max_pages(),
        )
    _check_renderable(filename, data)
    return CheckedPdf(filename, data, hashlib.sha256(data).hexdigest(), pages, _title(reader))


def _open(filename: str, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse("pdf_encrypted", filename, "the PDF is protected by a password")
    except DomainError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken input
        log.info("refused %s: %r", filename, exc)
        raise _refuse("pdf_corrupt", filename, "the PDF is damaged and cannot be read") from exc
    return reader


def _check_renderable(filename: str, data: bytes) -> None:
    """The page renderer must open it too, or the tablets would never see a page."""
    import pypdfium2 as pdfium

    try:
        pdfium.PdfDocument(data).close()
    except pdfium.PdfiumError as exc:
        raise _refuse("pdf_corrupt", filename, "the PDF is damaged and cannot be read") from exc


def _count_pages(filename: str, reader: PdfReader) -> int:
    try:
        count = len(reader.pages)
        for page in reader.pages:
            _ = page.mediabox.width  # every page must have a usable box
    except Exception as exc:  # PdfReadError, KeyError, … on a broken page tree
        raise _refuse("pdf_corrupt", filename, "the PDF's pages cannot be read") from exc
    return count


def _title(reader: PdfReader) -> str:
    try:
        meta = reader.metadata
        return str(meta.title).strip() if meta and meta.title else ""
    except Exception:  # unreadable metadata is not a reason to refuse
        return ""
