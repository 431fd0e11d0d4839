"""Handlers of the documents commands: presenter mode, distribution, recall; snapshot parts."""

from __future__ import annotations

from core.models import Sitting
from core.roster import Standing, standing_of
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
    return presenter.may_present_given(ctx.role, ctx.member_id, data[1])


def _presenter_view(data: tuple[dict, int | None], ctx: Context) -> dict:
    return {**data[0], "may_present": _may_present(data, ctx)}


presenter_part = Split(_presenter_shared, _presenter_view, key=_may_present)


def _documents_shared(sitting: Sitting, ctx: Context) -> catalog.Shelf:
    return catalog.shelf(sitting)


def _reader(ctx: Context) -> Standing:
    if ctx.standing is not None:
        return ctx.standing  # the runner's authority check of this very command
    return standing_of(ctx.user_id, ctx.sitting_id)


def _documents_key(shelf: catalog.Shelf, ctx: Context) -> tuple:
    """Everything the access rules ask of a reader (docs_store.services.access)."""
    st = _reader(ctx)
    return (ctx.role, st.superuser, st.member_role, st.member_active)


def _documents_view(shelf: catalog.Shelf, ctx: Context) -> dict:
    st = _reader(ctx)
    return catalog.listing_on(
        shelf,
        superuser=st.superuser,
        member_role=st.member_role,
        member_active=st.member_active,
        sitting_role=ctx.role,
    )


# the sitting's documents read once; each reader sees those its access level may read
documents_part = Split(_documents_shared, _documents_view, key=_documents_key)
