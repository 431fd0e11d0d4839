"""What a reader sees of a sitting's documents: the list by agenda item, as JSON."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from core import policy
from core.errors import DomainError
from core.models import Sitting
from docs_store.models import Access, Document, Rendition
from docs_store.services.access import Reader, reader_for


def sitting_documents(sitting: Sitting) -> list[Document]:
    """Session-wide documents, those of this sitting's agenda items and those placed on
    them from another sitting (同时列入), in reading order; one statement.

    A placed document carries where it sits here: ``placed_in`` (this sitting, whose
    role it is read in) and ``placed_item_id``/``placed_item_title`` (``item_here``).
    """
    docs = list(
        Document.objects.filter(session_id=sitting.session_id)
        .annotate(here=FilteredRelation("placements", condition=Q(placements__sitting=sitting)))
        .filter(Q(item__isnull=True) | Q(item__sitting=sitting) | Q(here__isnull=False))
        .annotate(
            placed_item_id=F("here__item_id"),
            placed_item_title=F("here__item__title"),
            placed_item_order=F("here__item__order"),
        )
        .select_related("current", "item__sitting__session", "session__term")
        .order_by(Coalesce("placed_item_order", "item__order"), "order", "id")
    )
    for doc in docs:
        if doc.placed_item_id is not None:
            doc.placed_in = sitting
    return docs


def item_here(doc: Document) -> tuple[int | None, str | None]:
    """The agenda item (id, title) a document is listed under in the sitting it was
    listed for: the item it is placed on there, else its own (None: session-wide)."""
    placed = getattr(doc, "placed_item_id", None)
    if placed is not None:
        return placed, doc.placed_item_title
    return doc.item_id, (doc.item.title if doc.item_id else None)


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
    fresh = not_yet_opened(docs)
    return {"documents": [{**payload(d, r, ready), "new": d.pk in fresh} for d, r in docs]}


def with_new_marks(listing: dict, member_id: int | None, role: str | None) -> dict:
    """``listing_on``'s listing with each paper's 新 mark for one reader, as ``listing`` has it.

    Only a seated member's reading is recorded (``documents.read_receipt``); for them one
    query over their read receipts, for anyone else none (every mark false).
    """
    docs = listing["documents"]
    ids = {d["id"] for d in docs if d["state"] == Document.State.DISTRIBUTED}
    fresh: set[int] = set()
    if ids and member_id is not None and policy.may(role, "documents.read_receipt"):
        from docs_store.models import ReadReceipt

        opened = ReadReceipt.objects.filter(member_id=member_id, document_id__in=ids)
        fresh = ids - set(opened.values_list("document_id", flat=True))
    return {"documents": [{**d, "new": d["id"] in fresh} for d in docs]}


def not_yet_opened(docs: list[tuple[Document, Reader]]) -> set[int]:
    """Distributed papers the reader's member has never opened: the tablet marks them 新.

    Only for a reader whose reading is recorded (``documents.read_receipt``: a seated
    member); one query, over the read receipts (``docs_store.services.receipts``).
    """
    from docs_store.models import ReadReceipt

    seated = [
        (d, r)
        for d, r in docs
        if d.state == Document.State.DISTRIBUTED
        and r.member is not None
        and policy.may(r, "documents.read_receipt")
    ]
    if not seated:
        return set()
    ids = {d.pk for d, _ in seated}
    opened = ReadReceipt.objects.filter(member=seated[0][1].member, document_id__in=ids)
    return ids - set(opened.values_list("document_id", flat=True))


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
    """What ``reader_for`` asks of a login that is not looked up again."""

    is_superuser: bool = False
    is_authenticated: bool = True


def listing_on(found: Shelf, *, sitting_role: str | None) -> dict:
    """``listing`` of a shelf for a reader known by their role in the shelf's sitting.

    The same rules (``reader_for``) as for a looked-up login: a paper of this sitting's
    items is read in the sitting's role; a session-wide paper in the role for the session,
    which a login with a role in one of its sittings plays the same way (the clerk of a
    sitting is a clerk of its session; the others' member row is the same). Queries nothing.
    """
    memo: dict = {("sitting", found.sitting_id): sitting_role}
    out = []
    for doc in found.docs:
        # sitting_documents: the term's session, and items of this sitting only (or
        # placed on them: read in this sitting's role), so the memo answers every
        # question reader_for asks
        assert doc.session.term_id == found.term_id
        assert (
            doc.item_id is None
            or doc.item.sitting_id == found.sitting_id
            or doc.placed_in.pk == found.sitting_id
        )
        memo.setdefault(("member", found.term_id), None)
        memo.setdefault(("session", doc.session_id), sitting_role)
        try:
            reader = reader_for(_Login(), doc, memo)
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
    item, item_title = item_here(doc)
    out = {
        "id": doc.pk,
        "title": doc.title,
        "item": item,
        "item_title": item_title,
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
