"""Distribution (分发) and recall (收回) of a session's documents, with the record of both.

Distributing makes drafts readable on tablets (they are told and prefetch); recalling
after the session makes every tablet drop its copies and the server refuse further
reads with ``recalled``. Each change is written as a ``DocumentAction`` (who, what, when).
"""

from __future__ import annotations

from django.db import transaction

from core import clock, policy
from core.errors import DomainError
from core.events import emit
from core.models import Session
from docs_store.models import Document, DocumentAction, PresenterState

DOCUMENTS_CHANGED = "documents.changed"


def announce(session: Session, *, changed: list[int], reason: str = "new_version") -> None:
    """Tell every sitting of the session that these documents changed (inside atomic)."""
    for sitting_id in session.sittings.values_list("pk", flat=True):
        emit(sitting_id, DOCUMENTS_CHANGED, {"reason": reason, "documents": changed})


def _select(session: Session, ids: list[int] | None, state: str):
    qs = Document.objects.select_for_update().filter(session=session, state=state)
    if ids:
        unknown = set(ids) - set(
            Document.objects.filter(session=session, pk__in=ids).values_list("pk", flat=True)
        )
        if unknown:
            raise DomainError("not_found", f"No documents {sorted(unknown)} in this session.")
        qs = qs.filter(pk__in=ids)
    return list(qs.order_by("pk"))


@transaction.atomic
def distribute(
    session: Session, *, actor: policy.Actor, by, ids: list[int] | None = None
) -> list[int]:
    """Distribute the session's drafts (or the ones named); returns the ids distributed."""
    policy.require(actor, "documents.distribute")
    return _distribute(session, by=by, ids=ids)


@transaction.atomic
def distribute_brief(session: Session, *, actor: policy.Actor, by, document_id: int) -> list[int]:
    """A released brief (简报) is distributed by its release, not by a clerk."""
    policy.require(actor, "briefs.release")
    return _distribute(session, by=by, ids=[document_id])


def _distribute(session: Session, *, by, ids: list[int] | None) -> list[int]:
    docs = _select(session, ids, Document.State.DRAFT)
    docs = [d for d in docs if d.current_id is not None]
    if not docs:
        raise DomainError("nothing_to_distribute", "There are no draft documents to distribute.")
    now = clock.now()
    for doc in docs:
        doc.state = Document.State.DISTRIBUTED
        doc.save(update_fields=["state"])
        DocumentAction.objects.create(
            document=doc, kind=DocumentAction.Kind.DISTRIBUTED, by=by, at=now
        )
    changed = [d.pk for d in docs]
    announce(session, changed=changed, reason="distributed")
    return changed


@transaction.atomic
def recall(session: Session, *, actor: policy.Actor, by, ids: list[int] | None = None) -> list[int]:
    """Recall the session's distributed documents (or the ones named); returns their ids."""
    policy.require(actor, "documents.recall")
    docs = _select(session, ids, Document.State.DISTRIBUTED)
    if not docs:
        raise DomainError("nothing_to_recall", "There are no distributed documents to recall.")
    now = clock.now()
    for doc in docs:
        doc.state = Document.State.RECALLED
        doc.save(update_fields=["state"])
        DocumentAction.objects.create(
            document=doc, kind=DocumentAction.Kind.RECALLED, by=by, at=now
        )
    changed = [d.pk for d in docs]
    _close_presenters(changed)
    _remove_annotations(session, changed, by)
    announce(session, changed=changed, reason="recalled")
    return changed


def _remove_annotations(session: Session, doc_ids: list[int], by) -> None:
    """Members' ink and notes on a recalled paper go with it; the trail says how many."""
    from core.audit import record
    from docs_store.services.ink import purge_for_recall

    removed = purge_for_recall(doc_ids)
    if removed["strokes"] or removed["notes"]:
        record(
            by,
            "documents.annotations_removed",
            session=session,
            data={"documents": doc_ids, **removed},
        )


def _close_presenters(doc_ids: list[int]) -> None:
    from docs_store.services.presenter import PRESENTER_PAGE, state_payload

    for state in PresenterState.objects.select_for_update().filter(document_id__in=doc_ids):
        state.document, state.version, state.page = None, None, 1
        state.updated_at = clock.now()
        state.save()
        emit(state.sitting_id, PRESENTER_PAGE, state_payload(state))


def record(document: Document) -> list[dict]:
    """Who did what to the document and when, oldest first (for the clerk and the archive)."""
    return [
        {
            "kind": a.kind,
            "by": a.by.get_full_name() or a.by.get_username(),
            "at": a.at.isoformat(),
            "version": a.version,
        }
        for a in document.actions.select_related("by")
    ]
