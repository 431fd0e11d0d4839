"""Handlers of the documents commands: presenter mode, distribution, recall; snapshot parts."""

from __future__ import annotations

from core import policy
from core.models import Sitting
from docs_store.services import catalog, distribution, presenter
from realtime.context import Context
from realtime.handlers import handles
from realtime.snapshot import Split


def _who(ctx: Context) -> dict:
    return {"user_id": ctx.user_id, "role": ctx.role, "member_id": ctx.member_id}


@handles("presenter.open")
def handle_open(ctx: Context, cmd) -> dict:
    return presenter.open_document(
        ctx.sitting_id, document=cmd.document, page=cmd.page, **_who(ctx)
    )


@handles("presenter.flip")
def handle_flip(ctx: Context, cmd) -> dict:
    return presenter.flip(ctx.sitting_id, page=cmd.page, **_who(ctx))


@handles("presenter.close")
def handle_close(ctx: Context, cmd) -> dict:
    return presenter.close(ctx.sitting_id, **_who(ctx))


def _session(ctx: Context):
    return Sitting.objects.select_related("session").get(pk=ctx.sitting_id).session


def _user(ctx: Context):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=ctx.user_id)


@handles("documents.distribute")
def handle_distribute(ctx: Context, cmd) -> dict:
    ids = distribution.distribute(
        _session(ctx), actor=ctx, by=_user(ctx), ids=cmd.documents or None
    )
    return {"documents": ids}


@handles("documents.recall")
def handle_recall(ctx: Context, cmd) -> dict:
    ids = distribution.recall(_session(ctx), actor=ctx, by=_user(ctx), ids=cmd.documents or None)
    return {"documents": ids}


def _presenter_shared(sitting: Sitting, ctx: Context) -> tuple[dict, int | None]:
    return presenter.current(sitting.pk), presenter.item_presenter(sitting)


def _may_present(data: tuple[dict, int | None], ctx: Context) -> bool:
    return policy.may_present(ctx.role, member_id=ctx.member_id, presenter_id=data[1])


def _presenter_view(data: tuple[dict, int | None], ctx: Context) -> dict:
    return {**data[0], "may_present": _may_present(data, ctx)}


presenter_part = Split(_presenter_shared, _presenter_view, key=_may_present)


def _documents_shared(sitting: Sitting, ctx: Context) -> catalog.Shelf:
    return catalog.shelf(sitting)


def _records_reading(ctx: Context) -> bool:
    """A seated member: their list marks the papers they have not opened yet (新)."""
    return ctx.member_id is not None and policy.may(ctx.role, "documents.read_receipt")


def _documents_key(shelf: catalog.Shelf, ctx: Context) -> str | None:
    """Everything the access rules ask of a reader: its role in the sitting; a seated
    member's view is their own (its 新 marks), so it is not shared."""
    return None if _records_reading(ctx) else ctx.role


def _documents_view(shelf: catalog.Shelf, ctx: Context) -> dict:
    listing = catalog.listing_on(shelf, sitting_role=ctx.role)
    member = ctx.member_id if _records_reading(ctx) else None
    return catalog.with_new_marks(listing, member, ctx.role)


# the sitting's documents read once; each reader sees those its access level may read
documents_part = Split(_documents_shared, _documents_view, key=_documents_key)
