"""Handlers of 会务通知 and 呼叫服务: each names who asks and calls one notices service."""

from __future__ import annotations

from core.errors import DomainError
from core.models import Member, Sitting
from meeting.notices import services as desk
from meeting.notices.services.state import Desk, call_payload, notice_payload
from realtime.context import Context
from realtime.handlers import handles
from realtime.ratelimit import SERVICE_CALLS
from realtime.snapshot import Split


def _own_member(ctx: Context) -> Member:
    if ctx.member_id is None:
        raise DomainError("not_component_member", "This login has no seat in the committee.")
    return Member.objects.get(pk=ctx.member_id)


@handles("notice.send")
def handle_send(ctx: Context, cmd) -> dict:
    notice = desk.send_notice(
        ctx.sitting_id, cmd.text, actor=ctx, by_user_id=ctx.user_id, to_member_id=cmd.member
    )
    return {"notice": notice_payload(notice)}


@handles("notice.dismiss")
def handle_dismiss(ctx: Context, cmd) -> dict:
    return desk.dismiss_notice(ctx.sitting_id, cmd.notice, actor=ctx, member=_own_member(ctx))


@handles("notice.inbox")
def handle_inbox(ctx: Context, cmd) -> dict:
    return desk.inbox(ctx.sitting_id, role=ctx.role, member_id=ctx.member_id)


@handles("service.call")
def handle_call(ctx: Context, cmd) -> dict:
    if not SERVICE_CALLS.take((ctx.user_id, "service.call")):
        raise DomainError("calls_too_often", "Too many service calls; wait a minute.")
    made = desk.call(ctx.sitting_id, _own_member(ctx), cmd.kind, actor=ctx, note=cmd.note)
    return {"call": call_payload(made)}


@handles("service.withdraw")
def handle_withdraw(ctx: Context, cmd) -> dict:
    found = desk.withdraw(ctx.sitting_id, cmd.call, actor=ctx, member=_own_member(ctx))
    return {"call": call_payload(found)}


@handles("service.take")
def handle_take(ctx: Context, cmd) -> dict:
    return {
        "call": call_payload(desk.take(ctx.sitting_id, cmd.call, actor=ctx, by_user_id=ctx.user_id))
    }


@handles("service.done")
def handle_done(ctx: Context, cmd) -> dict:
    return {
        "call": call_payload(desk.done(ctx.sitting_id, cmd.call, actor=ctx, by_user_id=ctx.user_id))
    }


def _shared(sitting: Sitting, ctx: Context) -> Desk:
    return desk.desk(sitting.pk)


def _view(found, ctx: Context) -> dict:
    return desk.view(found, role=ctx.role, member_id=ctx.member_id)


# read once per batch of sockets; each socket picks its own notices and calls (no read)
notices_part = Split(_shared, _view)
