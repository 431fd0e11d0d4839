"""Presenter mode (主讲翻页): which page of which document everyone following sees.

The clerk or the chair may present; so may the member named presenter of the
sitting's current agenda item. The state is one row per sitting (the truth after a
restart); each change is a sequenced ``presenter.page`` event carrying the whole state,
so a tablet needs no earlier event to show the right page.
"""

from __future__ import annotations

import functools

from django.db import transaction

from core import clock, policy
from core.errors import DomainError
from core.events import emit
from core.models import AgendaItem, Sitting
from docs_store.models import Document, PresenterState

PRESENTER_PAGE = "presenter.page"


def may_present(sitting: Sitting, role: str, member_id: int | None) -> bool:
    """``core.policy.may_present``; the current item's presenter is read only for a member."""
    if policy.may_present(role, member_id=member_id, presenter_id=None):
        return True  # the chair and the clerk: nothing to read
    if member_id is None:
        return False
    return policy.may_present(role, member_id=member_id, presenter_id=item_presenter(sitting))


def item_presenter(sitting: Sitting) -> int | None:
    """The member named presenter of the sitting's current agenda item, if any."""
    current = AgendaItem.objects.filter(sitting=sitting, state=AgendaItem.State.CURRENT)
    return current.values_list("presenter_id", flat=True).first()


def state_payload(state: PresenterState | None) -> dict:
    if state is None or state.document_id is None or state.version_id is None:
        return {"document": None, "version": None, "page": None, "pages": 0, "title": ""}
    return {
        "document": state.document_id,
        "version": state.version.number,
        "page": state.page,
        "pages": state.version.pages,
        "title": state.document.title,
        "at": state.updated_at.isoformat(),
    }


def current(sitting_id: int) -> dict:
    state = (
        PresenterState.objects.select_related("document", "version")
        .filter(sitting_id=sitting_id)
        .first()
    )
    return state_payload(state)


def _locked_state(sitting_id: int) -> tuple[Sitting, PresenterState]:
    # The sitting's lock first: two first presenter commands of a sitting then create
    # its state row one after the other (a command's transaction takes no savepoint, so
    # get_or_create could not recover from a race here; realtime/runner.py).
    sitting = (
        Sitting.objects.select_related("session").select_for_update(of=("self",)).get(pk=sitting_id)
    )
    # The state row locked and read in one statement (a recall or a placement locks it
    # without the sitting's lock); made, locked by its INSERT, on the sitting's first use.
    state = (
        PresenterState.objects.select_for_update(of=("self",))
        .select_related("document", "version")
        .filter(sitting=sitting)
        .first()
    )
    if state is None:
        state = PresenterState.objects.create(sitting=sitting)
    return sitting, state


def _check(sitting: Sitting, role: str, member_id: int | None) -> None:
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", "The sitting has ended.")
    if not may_present(sitting, role, member_id):
        raise DomainError(
            "forbidden", "Only the clerk, the chair or the item's presenter may flip pages."
        )


def _presentable(sitting: Sitting, document_id: int) -> Document:
    doc = Document.objects.select_related("current").filter(pk=document_id).first()
    belongs = doc is not None and doc.session_id == sitting.session_id
    if belongs and doc.item_id is not None and doc.item.sitting_id != sitting.pk:
        # a paper of another sitting's item, placed on one of this sitting's (同时列入)
        belongs = doc.placements.filter(sitting=sitting).exists()
    if not belongs:
        raise DomainError("not_found", f"No document {document_id} in this sitting.")
    if doc.state == Document.State.RECALLED:
        raise DomainError("recalled", f"“{doc.title}” was recalled.")
    if doc.state != Document.State.DISTRIBUTED:
        raise DomainError(
            "not_distributed", f"“{doc.title}” is not distributed yet; tablets cannot show it."
        )
    return doc


def _page_in_range(page: int, pages: int) -> None:
    if not 1 <= page <= pages:
        raise DomainError(
            "no_such_page", f"Page {page} does not exist; the document has {pages}.", pages=pages
        )


@transaction.atomic
def open_document(
    sitting_id: int, *, user_id: int, role: str, member_id: int | None, document: int, page: int = 1
) -> dict:
    """Show ``document`` at ``page`` to everyone following."""
    sitting, state = _locked_state(sitting_id)
    _check(sitting, role, member_id)
    doc = _presentable(sitting, document)
    _page_in_range(page, doc.current.pages)
    state.document, state.version, state.page = doc, doc.current, page
    return _save(state, user_id)


@transaction.atomic
def flip(sitting_id: int, *, user_id: int, role: str, member_id: int | None, page: int) -> dict:
    """Turn the presented document to ``page``; the same page again changes nothing."""
    sitting, state = _locked_state(sitting_id)
    _check(sitting, role, member_id)
    if state.document_id is None:
        raise DomainError("no_document_open", "Open a document before turning its pages.")
    _page_in_range(page, state.version.pages)
    if page == state.page:
        return state_payload(state)
    state.page = page
    return _save(state, user_id)


@transaction.atomic
def close(sitting_id: int, *, user_id: int, role: str, member_id: int | None) -> dict:
    """Stop presenting; tablets keep the page they are on and read freely."""
    sitting, state = _locked_state(sitting_id)
    _check(sitting, role, member_id)
    if state.document_id is None:
        return state_payload(state)
    state.document, state.version, state.page = None, None, 1
    return _save(state, user_id)


def _save(state: PresenterState, user_id: int) -> dict:
    """The state's row written in the event's own statement (``emit``'s ``writes``)."""
    state.by_id = user_id
    state.updated_at = clock.now()
    data = state_payload(state)
    emit(state.sitting_id, PRESENTER_PAGE, data, writes=[_update(state)])
    return data


def _update(state: PresenterState) -> tuple[str, list]:
    conn = transaction.get_connection()
    fields = [PresenterState._meta.get_field(f) for f in _WRITTEN]
    values = [f.get_db_prep_save(getattr(state, f.attname), conn) for f in fields]
    return _update_sql(), [*values, state.pk]


_WRITTEN = ("document", "version", "page", "by", "updated_at")


@functools.cache
def _update_sql() -> str:
    q = transaction.get_connection().ops.quote_name
    cols = ", ".join(f"{q(PresenterState._meta.get_field(f).column)} = %s" for f in _WRITTEN)
    return f"UPDATE {q(PresenterState._meta.db_table)} SET {cols} WHERE id = %s"
