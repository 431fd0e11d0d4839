"""Placing one document on the agenda items of other sittings (同时列入).

A bill is deliberated at the plenary and again in each group sitting: the clerk uploads
its papers once, on the plenary item, and places them on the group sittings' items of
the same bill instead of uploading them again. A placement (``DocumentPlacement``) only
adds where the document is read: its members see it under that item, the presenter
there may open it, its search finds it, its readers' receipts and 新 marks work as for
the sitting's own papers (``catalog.sitting_documents``, ``access.reader_for``). State,
access level, versions and watermark stay the document's own: a confidential paper
stays confidential, a draft stays invisible until it is distributed, a recall recalls
it everywhere.

Who places: ``documents.place`` for the session (the clerk of the target sitting or of
the session: who may upload there). Placing within the document's own session only,
at most once per sitting, never on its own sitting; removing a placement keeps the
document. Each change is one transaction that tells the target sitting's tablets
(``documents.changed``, sent after the commit) and is written to the audit trail.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock, policy
from core.errors import DomainError
from core.events import emit
from core.models import AgendaItem, Session
from docs_store.models import Document, DocumentPlacement, PresenterState
from docs_store.services.distribution import DOCUMENTS_CHANGED

PLACED = "placed"
UNPLACED = "unplaced"


def _document(session: Session, document_id: int) -> Document:
    doc = (
        Document.objects.select_for_update(of=("self",))
        .select_related("item__sitting")
        .filter(pk=document_id, session=session)
        .first()
    )
    if doc is None:
        raise DomainError(
            "not_found", _("No document %(id)s in this session.") % {"id": document_id}
        )
    return doc


def _item(session: Session, item_id: int) -> AgendaItem:
    item = AgendaItem.objects.select_related("sitting").filter(pk=item_id).first()
    if item is None:
        raise DomainError("not_found", _("No agenda item %(id)s.") % {"id": item_id}, field="item")
    if item.sitting.session_id != session.pk:
        raise DomainError(
            "wrong_session",
            _(
                "The agenda item “%(item)s” belongs to another session: a document can be "
                "placed only on the agenda items of its own session."
            )
            % {"item": item.title},
            field="item",
        )
    return item


@transaction.atomic
def place(
    session: Session, *, document_id: int, item_id: int, actor: policy.Actor, by
) -> DocumentPlacement:
    """Place the session's document on ``item`` of another sitting of the session.

    Placing it again on the same item changes nothing (a resent request); on another
    item of a sitting that already has it (its own sitting, a placement there, or a
    session-wide paper) it is refused with ``already_in_sitting``.
    """
    policy.require(actor, "documents.place")
    doc = _document(session, document_id)
    item = _item(session, item_id)
    if doc.state == Document.State.RECALLED:
        raise DomainError(
            "recalled", _("“%(title)s” was recalled; it cannot be placed.") % {"title": doc.title}
        )
    if doc.item_id is None:
        raise DomainError(
            "already_in_sitting",
            _("“%(title)s” is a document of the whole session: every sitting already has it.")
            % {"title": doc.title},
        )
    if doc.item.sitting_id == item.sitting_id:
        raise DomainError(
            "already_in_sitting",
            _("“%(title)s” is already a document of %(sitting)s (under “%(item)s”).")
            % {"title": doc.title, "sitting": item.sitting.title, "item": doc.item.title},
        )
    there = DocumentPlacement.objects.select_related("item").filter(
        document=doc, sitting=item.sitting
    )
    found = there.first()
    if found is not None:
        if found.item_id == item.pk:
            return found  # placed already: a resent request
        raise DomainError(
            "already_in_sitting",
            _(
                "“%(title)s” is already placed on “%(item)s” of %(sitting)s; remove that "
                "placement first."
            )
            % {"title": doc.title, "item": found.item.title, "sitting": item.sitting.title},
        )
    placement = DocumentPlacement.objects.create(
        document=doc, item=item, sitting=item.sitting, by=by, at=clock.now()
    )
    emit(item.sitting_id, DOCUMENTS_CHANGED, {"reason": PLACED, "documents": [doc.pk]})
    _audit(by, "documents.placed", session, item, doc)
    return placement


@transaction.atomic
def unplace(session: Session, *, document_id: int, item_id: int, actor: policy.Actor, by) -> None:
    """Take the document off ``item`` of another sitting; the document itself stays.

    The sitting's presenter showing it stops (its tablets may no longer be able to read
    it); its tablets are told to refetch their list.
    """
    policy.require(actor, "documents.place")
    doc = _document(session, document_id)
    item = _item(session, item_id)
    placement = DocumentPlacement.objects.filter(document=doc, item=item).first()
    if placement is None:
        raise DomainError(
            "not_found",
            _("“%(title)s” is not placed on “%(item)s”.")
            % {"title": doc.title, "item": item.title},
        )
    placement.delete()
    _stop_presenting(item.sitting_id, doc.pk)
    emit(item.sitting_id, DOCUMENTS_CHANGED, {"reason": UNPLACED, "documents": [doc.pk]})
    _audit(by, "documents.unplaced", session, item, doc)


def _stop_presenting(sitting_id: int, document_id: int) -> None:
    from docs_store.services.presenter import PRESENTER_PAGE, state_payload

    for state in PresenterState.objects.select_for_update().filter(
        sitting_id=sitting_id, document_id=document_id
    ):
        state.document, state.version, state.page = None, None, 1
        state.updated_at = clock.now()
        state.save()
        emit(state.sitting_id, PRESENTER_PAGE, state_payload(state))


def _audit(by, action: str, session: Session, item: AgendaItem, doc: Document) -> None:
    from core.audit import record

    record(
        by,
        action,
        session=session,
        sitting=item.sitting,
        summary=f"{doc.title} → {item.sitting.title} · {item.title}",
        data={"document": doc.pk, "item": item.pk},
    )


def overview(session: Session, *, actor: policy.Actor) -> dict:
    """For the clerk's console: every sitting of the session with its agenda items (where
    a document may be placed), and every placement of the session's documents."""
    policy.require(actor, "documents.place")
    sittings: dict[int, dict] = {}
    items = AgendaItem.objects.filter(sitting__session=session).select_related("sitting")
    for item in items.order_by("sitting__starts_at", "sitting_id", "order", "id"):
        s = sittings.setdefault(
            item.sitting_id,
            {"id": item.sitting_id, "title": item.sitting.title, "items": []},
        )
        s["items"].append({"id": item.pk, "title": item.title, "order": item.order})
    placements = (
        DocumentPlacement.objects.filter(document__session=session)
        .select_related("item", "sitting", "document__item__sitting")
        .order_by("sitting__starts_at", "sitting_id", "item__order", "document_id")
    )
    return {
        "sittings": list(sittings.values()),
        "placements": [
            {
                "document": p.document_id,
                "title": p.document.title,
                "item": p.item_id,
                "item_title": p.item.title,
                "sitting": p.sitting_id,
                "sitting_title": p.sitting.title,
                "from_sitting": p.document.item.sitting_id,
                "from_sitting_title": p.document.item.sitting.title,
                "from_item_title": p.document.item.title,
            }
            for p in placements
        ],
    }
