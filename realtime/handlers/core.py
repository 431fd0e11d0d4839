"""Handlers of the core commands: resync, ping, attendance, agenda, presence."""

from __future__ import annotations

from core import clock, policy
from core.errors import DomainError
from core.models import Member, Sitting
from meeting.services import agenda, attendance, seating
from meeting.services.agenda import agenda_snapshot, item_payload
from meeting.services.attendance import attendance_snapshot
from realtime import presence
from realtime.context import Context
from realtime.handlers import handles
from realtime.journal import resync
from realtime.snapshot import Split


def _own_member(ctx: Context) -> Member:
    if ctx.member_id is None:
        raise DomainError("not_component_member", "This login has no seat in the committee.")
    return Member.objects.get(pk=ctx.member_id)


def _sitting_member(ctx: Context, member_id: int) -> Member:
    sitting = Sitting.objects.select_related("session").get(pk=ctx.sitting_id)
    try:
        return Member.objects.get(pk=member_id, term_id=sitting.session.term_id)
    except Member.DoesNotExist:
        raise DomainError("not_found", f"No member {member_id} in this committee.") from None


@handles("sync", own_transaction=True)
def handle_sync(ctx: Context, cmd) -> dict:
    return resync(ctx, cmd.last_seq)


@handles("ping")
def handle_ping(ctx: Context, cmd) -> dict:
    presence.seen(ctx)
    return {"server_time": clock.now().isoformat()}


@handles("attendance.check_in")
def handle_check_in(ctx: Context, cmd) -> dict:
    att = attendance.check_in(
        ctx.sitting_id, _own_member(ctx), method="tablet", by_user_id=ctx.user_id
    )
    return {"present": att.present, "checked_in_at": att.checked_in_at.isoformat()}


@handles("attendance.check_out")
def handle_check_out(ctx: Context, cmd) -> dict:
    att = attendance.check_out(ctx.sitting_id, _own_member(ctx), by_user_id=ctx.user_id)
    return {"present": att.present}


@handles("attendance.record")
def handle_record(ctx: Context, cmd) -> dict:
    member = _sitting_member(ctx, cmd.member)
    if cmd.present:
        att = attendance.check_in(ctx.sitting_id, member, method="clerk", by_user_id=ctx.user_id)
    else:
        att = attendance.check_out(ctx.sitting_id, member, by_user_id=ctx.user_id)
    return {"member": member.pk, "present": att.present}


@handles("seating.save")
def handle_seating(ctx: Context, cmd) -> dict:
    return {
        "seating": seating.save_layout(ctx.sitting_id, cmd.rows, actor=ctx, by_user_id=ctx.user_id)
    }


@handles("agenda.open")
def handle_open(ctx: Context, cmd) -> dict:
    return {"item": item_payload(agenda.open_item(ctx.sitting_id, cmd.item, actor=ctx))}


@handles("agenda.step")
def handle_step(ctx: Context, cmd) -> dict:
    item = agenda.step(ctx.sitting_id, 1 if cmd.direction == "next" else -1, actor=ctx)
    return {"item": item_payload(item)}


@handles("presence.list")
def handle_presence(ctx: Context, cmd) -> dict:
    return {"online": presence.online(ctx.sitting_id)}


def _sitting_shared(sitting: Sitting, ctx: Context) -> dict:
    return {
        "id": sitting.pk,
        "title": sitting.title,
        "kind": sitting.kind,
        "state": sitting.state,
        "room": sitting.room,
        "group": sitting.group.name if sitting.group else None,
        "session": sitting.session.title,
    }


def _sitting_view(data: dict, ctx: Context) -> dict:
    """``you``: who the socket is, and what its role may do (``policy.answers``: the
    actions allowed, each ``true``); pages show their controls by it, deriving no rule."""
    you = {"role": ctx.role, "member": ctx.member_id, "may": policy.answers(ctx.role)}
    return {**data, "you": you}


sitting_part = Split(_sitting_shared, _sitting_view)


def agenda_part(sitting: Sitting, ctx: Context) -> dict:
    return agenda_snapshot(sitting)


def attendance_part(sitting: Sitting, ctx: Context) -> dict:
    return attendance_snapshot(sitting)


def _presence_view(data: None, ctx: Context) -> dict:
    if not ctx.is_live_role:
        return {}
    return {"online": presence.online(ctx.sitting_id)}  # read per console, never shared


# consoles only (a read per console); every tablet sees the same empty part
presence_part = Split(
    lambda sitting, ctx: None,
    _presence_view,
    key=lambda data, ctx: None if ctx.is_live_role else "tablet",
)


def roster_part(sitting: Sitting, ctx: Context) -> list[dict]:
    from core.roster import sitting_roster

    rows = [
        {"id": m.pk, "name": m.full_name, "seat": m.seat, "role": m.role, "card": m.card_number}
        for m in sitting_roster(sitting).order_by("seat", "id")
    ]
    if not ctx.is_live_role:  # card numbers are for the console's check-in, not for tablets
        for row in rows:
            del row["card"]
    return rows


def seating_part(sitting: Sitting, ctx: Context) -> dict:
    """The seat plan, for the console (clerks and chairs); tablets do not draw it."""
    return seating.plan(sitting) if ctx.is_live_role else {}
