"""Upload: check every file first, then store all of them in one transaction or none.

A new version of an existing document keeps the old versions as history; tablets are
told the document changed (if it was already distributed). Rendering is queued as
background jobs: page one of every file first (priority), then the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from core.errors import DomainError
from core.models import AgendaItem, Session
from docs_store import storage
from docs_store.models import Access, Document, DocumentAction, DocumentVersion, Rendition
from docs_store.validation import CheckedPdf, check_pdf
from jobs.services import enqueue

FIRST_PAGE_PRIORITY = 10
REST_PRIORITY = 50
INDEX_PRIORITY = 60  # after the page images: reading comes before searching


@dataclass(frozen=True)
class Upload:
    """One file as the clerk sent it, with the title and order they chose (optional)."""

    filename: str
    data: bytes
    title: str = ""


def check_all(uploads: list[Upload]) -> list[CheckedPdf]:
    """Check every file; one refusal lists every bad file, so the clerk fixes all at once."""
    if not uploads:
        raise DomainError("invalid", "Choose at least one PDF file to upload.")
    checked, problems = [], []
    for up in uploads:
        try:
            checked.append(check_pdf(up.filename, up.data))
        except DomainError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise DomainError(
            problems[0].code,
            "; ".join(p.message for p in problems),
            files=[
                {"file": p.details["file"], "code": p.code, "message": p.message} for p in problems
            ],
        )
    return checked


def upload_documents(
    session: Session,
    uploads: list[Upload],
    *,
    by,
    item: AgendaItem | None = None,
    access: str = Access.COMMITTEE,
) -> list[Document]:
    """Add one new document per file to the session (or to one of its agenda items)."""
    if access not in Access.values:
        raise DomainError("invalid", f"Unknown access level {access!r}.")
    if item is not None and item.sitting.session_id != session.pk:
        raise DomainError("not_found", f"Agenda item {item.pk} is not part of this session.")
    checked = check_all(uploads)
    with _cleanup_on_failure() as written, transaction.atomic():
        last = Document.objects.filter(session=session, item=item).aggregate(m=Max("order"))["m"]
        order = (last or 0) + 1
        docs = []
        for up, pdf in zip(uploads, checked, strict=True):
            title = up.title.strip() or _meaningful(pdf.title) or _stem(pdf.filename)
            doc = Document.objects.create(
                session=session, item=item, title=title[:300], order=order, access=access
            )
            order += 1
            _add_version(doc, pdf, by=by, kind=DocumentAction.Kind.UPLOADED, written=written)
            docs.append(doc)
    return docs


def replace_version(document: Document, upload: Upload, *, by) -> DocumentVersion:
    """Upload a new file for ``document``; the old versions stay as its history."""
    [pdf] = check_all([upload])
    with _cleanup_on_failure() as written, transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=document.pk)
        if doc.state == Document.State.RECALLED:
            raise DomainError("recalled", f"“{doc.title}” was recalled; it takes no new version.")
        version = _add_version(
            doc, pdf, by=by, kind=DocumentAction.Kind.NEW_VERSION, written=written
        )
        if doc.state == Document.State.DISTRIBUTED:
            from docs_store.services.distribution import announce

            announce(doc.session, changed=[doc.pk])
    return version


@contextmanager
def _cleanup_on_failure() -> Iterator[list[Path]]:
    """Files written for a transaction that then fails are removed: nothing half-stored."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _add_version(
    doc: Document, pdf: CheckedPdf, *, by, kind: str, written: list[Path]
) -> DocumentVersion:
    number = (doc.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    path = storage.original_path(pdf.sha256)
    if not path.exists():
        storage.write_atomic(path, pdf.data)
        written.append(path)
    version = DocumentVersion.objects.create(
        document=doc,
        number=number,
        filename=pdf.filename[:255],
        sha256=pdf.sha256,
        size=len(pdf.data),
        pages=pdf.pages,
        uploaded_by=by,
    )
    doc.current = version
    doc.save(update_fields=["current"])
    DocumentAction.objects.create(document=doc, kind=kind, by=by, version=number)
    queue_rendering(pdf.sha256, pdf.pages)
    return version


def queue_rendering(sha256: str, pages: int) -> Rendition:
    """Queue the page images of a PDF content, once per content (the hash is the key)."""
    rendition, _ = Rendition.objects.get_or_create(sha256=sha256, defaults={"pages": pages})
    enqueue(
        "docs_store.index",
        {"sha256": sha256},
        key=f"docs_store.index:{sha256}",
        priority=INDEX_PRIORITY,
    )
    if rendition.ready:
        return rendition
    enqueue(
        "docs_store.render",
        {"sha256": sha256, "first_only": True},
        key=f"docs_store.render:{sha256}:first",
        priority=FIRST_PAGE_PRIORITY,
    )
    job = enqueue(
        "docs_store.render",
        {"sha256": sha256, "first_only": False},
        key=f"docs_store.render:{sha256}:all",
        priority=REST_PRIORITY,
    )
    if rendition.job_id != job.pk:
        Rendition.objects.filter(pk=rendition.pk).update(job_id=job.pk)
        rendition.job_id = job.pk
    return rendition


# Titles that PDF producers write when nobody gave one (reportlab's "untitled", Word's
# "Microsoft Word - file.docx"): the file's own name says more to the committee.
_PLACEHOLDER = re.compile(r"^\s*(untitled|无标题|microsoft (word|powerpoint|excel) - .*)\s*$", re.I)


def _meaningful(title: str | None) -> str:
    return "" if not title or _PLACEHOLDER.match(title) else title


def _stem(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".pdf") else name
