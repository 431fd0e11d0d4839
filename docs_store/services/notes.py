"""A member's private notes per page (个人批注): only the member ever reads them."""

from __future__ import annotations

from django.db import transaction

from core import clock, policy
from core.errors import DomainError
from docs_store.models import Document, PageNote
from docs_store.services.access import Reader

MAX_NOTE = 10_000


def _member(reader: Reader):
    if reader.member is None or not policy.may(reader, "documents.annotate"):
        raise DomainError("not_component_member", "Only members keep notes on documents.")
    return reader.member


def notes_of(reader: Reader, document: Document) -> dict[int, str]:
    """The reader's own notes on the document, by page."""
    member = _member(reader)
    rows = PageNote.objects.filter(member=member, document=document).order_by("page")
    return {n.page: n.text for n in rows}


@transaction.atomic
def save_note(reader: Reader, document: Document, page: int, text: str) -> dict:
    """Write (or, with empty text, delete) the reader's note on ``page``."""
    member = _member(reader)
    pages = document.current.pages if document.current else 0
    if not 1 <= page <= pages:
        raise DomainError("no_such_page", f"Page {page} does not exist; the document has {pages}.")
    if len(text) > MAX_NOTE:
        raise DomainError(
            "invalid", f"A note holds at most {MAX_NOTE} characters; this one has {len(text)}."
        )
    if not text.strip():
        PageNote.objects.filter(member=member, document=document, page=page).delete()
        return {"page": page, "text": ""}
    note, _ = PageNote.objects.update_or_create(
        member=member,
        document=document,
        page=page,
        defaults={"text": text, "updated_at": clock.now()},
    )
    return {"page": page, "text": note.text, "updated_at": note.updated_at.isoformat()}
