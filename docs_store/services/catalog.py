"""What a reader sees of a sitting's documents: the list by agenda item, as JSON."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from docs_store.models import Access, Document, Rendition
from docs_store.services.access import Reader, reader_for
from meeting.models import Sitting
from meeting.services.errors import DomainError


def sitting_documents(sitting: Sitting) -> list[Document]:
    """Session-wide documents and those of this sitting's agenda items, in reading order."""
    return list(
        Document.objects.filter(session_id=sitting.session_id)
        .filter(Q(item__isnull=True) | Q(item__sitting=sitting))
        .select_related("current", "item__sitting__session", "session__term")
        .order_by("item__order", "order", "id")
    )


def readable(user, docs: list[Document]) -> list[tuple[Document, Reader]]:
    out, memo = [], {}
    for doc in docs:
        try:
            out.append((doc, reader_for(user, doc, memo)))
        except DomainError:
            continue
    return out


def listing(sitting: Sitting, user_id: int) -> dict:
    """The documents of the sitting this login may see, grouped by agenda item."""
    user = get_user_model().objects.get(pk=user_id)
    docs = readable(user, sitting_documents(sitting))
    ready = _ready_pages([d.current.sha256 for d, _ in docs if d.current])
    return {"documents": [payload(d, r, ready) for d, r in docs]}


def _ready_pages(shas: list[str]) -> dict[str, int]:
    """Pages ready per content; -1 marks a render that failed for good."""
    rows = Rendition.objects.filter(sha256__in=shas).values_list("sha256", "pages_ready", "failed")
    return {sha: (-1 if failed else ready) for sha, ready, failed in rows}


def payload(doc: Document, reader: Reader, ready: dict[str, int] | None = None) -> dict:
    """One document as a tablet or console needs it."""
    v = doc.current
    if ready is None and v is not None:
        ready = _ready_pages([v.sha256])
    pages_ready = (ready or {}).get(v.sha256, 0) if v else 0
    out = {
        "id": doc.pk,
        "title": doc.title,
        "item": doc.item_id,
        "item_title": doc.item.title if doc.item_id else None,
        "order": doc.order,
        "access": doc.access,
        "state": doc.state,
        "version": v.number if v else 0,
        "pages": v.pages if v else 0,
        "pages_ready": max(pages_ready, 0),
        "render_failed": pages_ready < 0,
        "updated_at": v.uploaded_at.isoformat() if v else None,
        "page_url": reverse("docs:page", args=[doc.pk, v.number if v else 0, 0, 0]).replace(
            "/0/0.jpg", "/{page}/{width}.jpg"
        ),
        "pdf_url": None,
    }
    if v and (doc.access != Access.CONFIDENTIAL or reader.is_clerk):
        out["pdf_url"] = reverse("docs:pdf", args=[doc.pk, v.number])
    return out
