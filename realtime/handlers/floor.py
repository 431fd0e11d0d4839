"""Handlers of the floor commands: each names who asks and calls one floor service."""

from __future__ import annotations

from core.errors import DomainError
from core.models import Member, Sitting
from meeting.floor import services as floor
from meeting.floor.services.log import sitting_log
from meeting.floor.services.state import floor_state, recent_log, request_payload, speech_payload
from realtime.context import Context
from realtime.handlers import handles


def _own_member(ctx: Context) -> Member:
    if ctx.member_id is None:
        raise DomainError("not_component_member", "This login has no seat in the committee.")
    return Member.objects.get(pk=ctx.member_id)


def _named_member(ctx: Context, member_id: int) -> Member:
    term_id = Sitting.objects.values_list("session__term_id", flat=True).get(pk=ctx.sitting_id)
    member = Member.objects.filter(pk=member_id, term_id=term_id).first()
    if member is None:
        raise DomainError("not_on_roster", f"No member {member_id} on this sitting's roster.")
    return member


def _position(ctx: Context, request_id: int) -> int | None:
    ids = list(floor.queue(ctx.sitting_id).values_list("pk", flat=True))
    return ids.index(request_id) + 1 if request_id in ids else None


@handles("floor.request")
def handle_request(ctx: Context, cmd) -> dict:
    req = floor.request(ctx.sitting_id, _own_member(ctx), cmd.kind, by_user_id=ctx.user_id)
    return {"request": request_payload(req), "position": _position(ctx, req.pk)}


@handles("floor.withdraw")
def handle_withdraw(ctx: Context, cmd) -> dict:
    return {"request": request_payload(floor.withdraw(ctx.sitting_id, _own_member(ctx)))}


@handles("floor.take")
def handle_take(ctx: Context, cmd) -> dict:
    sp = floor.take(ctx.sitting_id, _own_member(ctx), role=ctx.role, by_user_id=ctx.user_id)
    return {"speech": speech_payload(sp)}


@handles("floor.yield")
def handle_yield(ctx: Context, cmd) -> dict:
    sp = floor.end(ctx.sitting_id, role="member", member=_own_member(ctx))
    return {"speech": speech_payload(sp)}


@handles("floor.enter")
def handle_enter(ctx: Context, cmd) -> dict:
    member = _named_member(ctx, cmd.member)
    req = floor.enter(
        ctx.sitting_id, member, cmd.kind, role=ctx.role, by_user_id=ctx.user_id, note=cmd.note
    )
    return {"request": request_payload(req), "position": _position(ctx, req.pk)}


@handles("floor.reorder")
def handle_reorder(ctx: Context, cmd) -> dict:
    rows = floor.reorder(ctx.sitting_id, cmd.order, role=ctx.role)
    return {"queue": [request_payload(r) for r in rows]}


@handles("floor.grant")
def handle_grant(ctx: Context, cmd) -> dict:
    if cmd.request is not None and cmd.member is not None:
        raise DomainError("invalid", "Name a request or a member, not both.")
    sp = floor.grant(
        ctx.sitting_id,
        role=ctx.role,
        by_user_id=ctx.user_id,
        request_id=cmd.request,
        member_id=cmd.member,
    )
    return {"speech": speech_payload(sp)}


@handles("floor.refuse")
def handle_refuse(ctx: Context, cmd) -> dict:
    req = floor.refuse(
        ctx.sitting_id, cmd.request, role=ctx.role, by_user_id=ctx.user_id, note=cmd.note
    )
    return {"request": request_payload(req)}


@handles("floor.end")
def handle_end(ctx: Context, cmd) -> dict:
    sp = floor.end(ctx.sitting_id, role=ctx.role, speech_id=cmd.speech, how=cmd.how)
    return {"speech": speech_payload(sp)}


@handles("floor.extend")
def handle_extend(ctx: Context, cmd) -> dict:
    sp = floor.extend(ctx.sitting_id, cmd.speech, cmd.seconds, role=ctx.role)
    return {"speech": speech_payload(sp)}


@handles("floor.priority")
def handle_priority(ctx: Context, cmd) -> dict:
    return floor.priority(ctx.sitting_id, role=ctx.role, clear_queue=cmd.clear_queue)


@handles("floor.rules")
def handle_rules(ctx: Context, cmd) -> dict:
    changes = {k: v for k, v in cmd.model_dump().items() if v is not None}
    floor.set_rules(ctx.sitting_id, role=ctx.role, **changes)
    return {"state": floor_state(ctx.sitting_id)}


@handles("floor.log")
def handle_log(ctx: Context, cmd) -> dict:
    return {"log": sitting_log(ctx.sitting_id)}


def floor_part(sitting: Sitting, ctx: Context) -> dict:
    return {**floor_state(sitting.pk), "log": recent_log(sitting.pk)}
