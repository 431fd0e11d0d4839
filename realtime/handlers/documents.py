"""Handlers of the documents commands: presenter mode, distribution, recall; snapshot parts."""

from __future__ import annotations

from docs_store.services import catalog, distribution, presenter
from meeting.models import Sitting
from realtime.context import Context
from realtime.handlers import handles


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


def presenter_part(sitting: Sitting, ctx: Context) -> dict:
    state = presenter.current(sitting.pk)
    state["may_present"] = presenter.may_present(sitting, ctx.role, ctx.member_id)
    return state


def documents_part(sitting: Sitting, ctx: Context) -> dict:
    return catalog.listing(sitting, ctx.user_id)
