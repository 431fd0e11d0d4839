"""What a reader sees of a sitting's documents: the list by agenda item, as JSON."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from core.errors import DomainError
from core.models import Sitting
from docs_store.models import Access, Document, Rendition
from docs_store.services.access import Reader, reader_for


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


@dataclass(frozen=True)
class Shelf:
    """Every document of a sitting and its pages ready, read once for all its readers."""

    sitting_id: int
    term_id: int
    docs: tuple[Document, ...]
    ready: dict[str, int]


def shelf(sitting: Sitting) -> Shelf:
    docs = sitting_documents(sitting)
    return Shelf(
        sitting.pk,
        sitting.session.term_id,
        tuple(docs),
        _ready_pages([d.current.sha256 for d in docs if d.current]),
    )


@dataclass(frozen=True)
class _Login:
    """The two things ``reader_for`` asks of a login that is not looked up again."""

    is_superuser: bool
    is_authenticated: bool = True


@dataclass(frozen=True)
class _Seat:
    """The two things ``reader_for`` asks of the login's member row."""

    role: str
    active: bool


def listing_on(
    found: Shelf,
    *,
    superuser: bool,
    member_role: str | None,
    member_active: bool,
    sitting_role: str | None,
) -> dict:
    """``listing`` of a shelf for a reader known by what the access rules ask of them.

    The same rules (``reader_for``) as for a looked-up login: its superuser flag, its
    member row in the term (role, active) and its role in this sitting. Queries nothing.
    """
    seat = _Seat(member_role, member_active) if member_role is not None else None
    memo = {("member", found.term_id): seat, ("sitting", found.sitting_id): sitting_role}
    login = _Login(is_superuser=superuser)
    out = []
    for doc in found.docs:
        # sitting_documents: the term's session, and items of this sitting only, so the
        # memo answers every question reader_for asks
        assert doc.session.term_id == found.term_id
        assert doc.item_id is None or doc.item.sitting_id == found.sitting_id
        try:
            reader = reader_for(login, doc, memo)
        except DomainError:
            continue
        out.append(payload(doc, reader, found.ready))
    return {"documents": out}


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
