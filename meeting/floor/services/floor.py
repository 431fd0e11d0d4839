"""The floor (发言权): grant, take, end, extend, and the chair's priority.

Only floors of members count against the sitting's maximum; the chair's own floor
never does and has no time limit. Every change of who holds the floor is a stored,
sequenced event, and the floor signals go out after the commit with the stored times.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from core import clock, policy
from core.errors import DomainError
from core.events import emit
from core.models import AgendaItem, Member, Sitting
from core.roster import on_roster
from meeting.floor.models import FloorRules, Kind, Mode, SpeakingRequest, Speech
from meeting.floor.services.signals_wiring import granted_on_commit, released_on_commit
from meeting.floor.services.state import (
    current_item,
    floor_state,
    lock_sitting,
    open_speeches,
    queue,
    rules_for,
    speech_payload,
)

MAX_EXTENSION_S = 3600


def _limit_for(kind: str, number: int, item: AgendaItem | None, rules: FloorRules) -> int:
    """Seconds allowed: first or second speech on the item, or the short limits."""
    if kind == Kind.POINT_OF_ORDER:
        return rules.point_of_order_limit_s
    if kind == Kind.REPLY:
        return rules.reply_limit_s
    if item is None:
        field = "first_speech_limit_s" if number == 1 else "second_speech_limit_s"
        return AgendaItem._meta.get_field(field).default
    return item.first_speech_limit_s if number == 1 else item.second_speech_limit_s


def _speech_number(sitting_id: int, member: Member, item: AgendaItem | None) -> int:
    """1 for the member's first speech on the item, 2 for the second, and so on."""
    earlier = Speech.objects.filter(
        sitting_id=sitting_id, member=member, agenda_item=item, kind=Kind.SPEECH, by_chair=False
    )
    return earlier.count() + 1


def _member_floors(sitting_id: int) -> list[Speech]:
    return [s for s in open_speeches(sitting_id) if not s.by_chair]


def _start(
    sitting: Sitting,
    member: Member,
    kind: str,
    *,
    req: SpeakingRequest | None,
    by_chair: bool,
    by_user_id: int | None,
) -> Speech:
    if Speech.objects.filter(sitting=sitting, member=member, ended_at__isnull=True).exists():
        raise DomainError("already_speaking", f"{member} holds the floor already.")
    item = current_item(sitting.pk)
    number = _speech_number(sitting.pk, member, item) if kind == Kind.SPEECH else 1
    limit = None if by_chair else _limit_for(kind, number, item, rules_for(sitting.pk))
    now = clock.now()
    if req is not None:
        req.state, req.closed_at = SpeakingRequest.State.GRANTED, now
        req.save(update_fields=["state", "closed_at"])
    sp = Speech.objects.create(
        sitting=sitting,
        member=member,
        agenda_item=item,
        request=req,
        kind=kind,
        by_chair=by_chair,
        number=number,
        started_at=now,
        limit_s=limit,
        granted_by_id=by_user_id,
    )
    emit(sitting.pk, "floor.granted", {"speech": speech_payload(sp), "state": _state(sitting)})
    granted_on_commit(sp)  # after the event's broadcast: listeners' own events come later
    return sp


def _state(sitting: Sitting) -> dict:
    return floor_state(sitting.pk)


def _room_or_refuse(sitting: Sitting) -> None:
    holders = _member_floors(sitting.pk)
    rules = rules_for(sitting.pk)
    if len(holders) >= rules.max_floors:
        raise DomainError(
            "floor_full",
            f"{len(holders)} of {rules.max_floors} floors are held; end one first.",
            holders=[s.member_id for s in holders],
        )


def close_speech(sp: Speech, how: str, at: datetime | None = None) -> bool:
    """End an open floor, exactly once even if two processes try (conditional update)."""
    how = Speech.Ended(how).value
    ended_at = max(at or clock.now(), sp.started_at)
    won = Speech.objects.filter(pk=sp.pk, ended_at__isnull=True).update(
        ended_at=ended_at, ended_how=how
    )
    if not won:
        return False
    sp.ended_at, sp.ended_how = ended_at, how
    state = floor_state(sp.sitting_id)
    emit(sp.sitting_id, "floor.released", {"speech": speech_payload(sp), "state": state})
    released_on_commit(sp)  # after the event's broadcast, as for granted
    return True


@transaction.atomic
def grant(
    sitting_id: int,
    *,
    role: str,
    by_user_id: int | None,
    request_id: int | None = None,
    member_id: int | None = None,
) -> Speech:
    """Give the floor to a named request, a named member, or the head of the queue."""
    policy.require(role, "floor.grant")
    sitting = lock_sitting(sitting_id)
    req: SpeakingRequest | None = None
    if request_id is not None:
        req = _waiting(sitting_id, request_id)
        member = req.member
    elif member_id is not None:
        member = _roster_member(sitting, member_id)
        req = queue(sitting_id).filter(member=member).first()
    else:
        req = queue(sitting_id).first()
        if req is None:
            raise DomainError("queue_empty", "Nobody is waiting for the floor.")
        member = req.member
    _room_or_refuse(sitting)
    kind = req.kind if req else Kind.SPEECH
    return _start(sitting, member, kind, req=req, by_chair=False, by_user_id=by_user_id)


def _waiting(sitting_id: int, request_id: int) -> SpeakingRequest:
    req = SpeakingRequest.objects.filter(pk=request_id, sitting_id=sitting_id).first()
    if req is None:
        raise DomainError("not_found", f"No speaking request {request_id} in this sitting.")
    if req.state != SpeakingRequest.State.WAITING:
        raise DomainError(
            "request_closed", f"The request was already {req.state}.", state=req.state
        )
    return req


def _roster_member(sitting: Sitting, member_id: int) -> Member:
    member = Member.objects.filter(pk=member_id, term_id=sitting.session.term_id).first()
    if member is None or not on_roster(sitting, member):
        raise DomainError(
            "not_on_roster",
            f"Member {member_id} is not on the roster of {sitting}.",
            member=member_id,
        )
    return member


@transaction.atomic
def take(sitting_id: int, member: Member, *, role: str, by_user_id: int | None) -> Speech:
    """A member takes the floor from the tablet (direct and override modes); the chair always may.

    In override mode, when the floor is full, the longest-running member floor ends.
    """
    sitting = lock_sitting(sitting_id)
    if not on_roster(sitting, member):
        raise DomainError("not_on_roster", f"{member} is not on the roster of {sitting}.")
    req = queue(sitting_id).filter(member=member).first()
    kind = req.kind if req else Kind.SPEECH
    if policy.may(role, "floor.take_any_mode"):
        return _start(sitting, member, kind, req=req, by_chair=True, by_user_id=by_user_id)
    rules = rules_for(sitting_id)
    if rules.mode == Mode.REQUEST:
        raise DomainError("wrong_mode", "Request the floor; the chair grants it in this sitting.")
    if Speech.objects.filter(sitting=sitting, member=member, ended_at__isnull=True).exists():
        raise DomainError("already_speaking", f"{member} holds the floor already.")
    if rules.mode == Mode.OVERRIDE:
        holders = _member_floors(sitting_id)
        while len(holders) >= rules.max_floors:
            close_speech(holders.pop(0), Speech.Ended.OVERRIDE)
    _room_or_refuse(sitting)
    return _start(sitting, member, kind, req=req, by_chair=False, by_user_id=by_user_id)


def _open_speech(sitting_id: int, speech_id: int | None, member: Member | None) -> Speech:
    rows = Speech.objects.filter(sitting_id=sitting_id).select_related("member")
    sp = rows.filter(pk=speech_id).first() if speech_id else None
    if speech_id is None and member is not None:
        sp = rows.filter(member=member, ended_at__isnull=True).first()
    if sp is None:
        raise DomainError("not_found", "No such floor in this sitting.")
    if sp.ended_at is not None:
        raise DomainError("floor_closed", "That floor has already ended.", ended_how=sp.ended_how)
    return sp


@transaction.atomic
def end(
    sitting_id: int,
    *,
    role: str,
    speech_id: int | None = None,
    member: Member | None = None,
    how: str = Speech.Ended.FINISHED,
) -> Speech:
    """End a floor: the chair or clerk ends any (finished or revoked); a speaker yields their own."""
    lock_sitting(sitting_id, allow_ended=True)
    if not policy.may(role, "floor.end"):
        if member is None:
            raise DomainError("forbidden", "Only the chair may end another member's floor.")
        sp = _open_speech(sitting_id, None, member)
        if speech_id is not None and sp.pk != speech_id:
            raise DomainError("forbidden", "You may only end your own floor.")
        how = Speech.Ended.FINISHED
    else:
        sp = _open_speech(sitting_id, speech_id, None if speech_id else member)
    if how not in (Speech.Ended.FINISHED, Speech.Ended.REVOKED):
        raise DomainError("invalid", f"A floor cannot be ended as {how!r} by hand.")
    if not close_speech(sp, how):  # the sweeper cut it a moment ago
        raise DomainError("floor_closed", "That floor has already ended.")
    return sp


@transaction.atomic
def extend(sitting_id: int, speech_id: int, seconds: int, *, role: str) -> Speech:
    """Give a speaker more time; only the chair's side may. The warning may come again."""
    policy.require(role, "floor.extend")
    lock_sitting(sitting_id)
    sp = _open_speech(sitting_id, speech_id, None)
    if sp.limit_s is None:
        raise DomainError("no_limit", "This floor has no time limit to extend.")
    if not 0 < seconds <= MAX_EXTENSION_S:
        raise DomainError("invalid", f"An extension must be 1–{MAX_EXTENSION_S} seconds.")
    sp.limit_s += seconds
    sp.extended_s += seconds
    remaining = (sp.deadline - clock.now()).total_seconds()
    if remaining > rules_for(sitting_id).warn_before_s:
        sp.warned_at = None
    if remaining > 0:
        sp.time_up_at = None
    sp.save(update_fields=["limit_s", "extended_s", "warned_at", "time_up_at"])
    payload = {"speech": speech_payload(sp), "by_s": seconds, "state": floor_state(sitting_id)}
    emit(sitting_id, "floor.extended", payload)
    return sp


@transaction.atomic
def priority(sitting_id: int, *, role: str, clear_queue: bool = False) -> dict:
    """The chair's priority (主席优先): every member's floor ends at once; optionally the queue clears."""
    if not policy.may(role, "floor.priority"):
        raise DomainError("forbidden", "Only the chair has the priority action.")
    lock_sitting(sitting_id, allow_ended=True)
    ended = [sp.pk for sp in _member_floors(sitting_id) if close_speech(sp, Speech.Ended.PRIORITY)]
    cleared = 0
    if clear_queue:
        cleared = queue(sitting_id).update(
            state=SpeakingRequest.State.CLEARED, closed_at=clock.now()
        )
    result = {"ended": ended, "cleared": cleared}
    emit(sitting_id, "floor.priority", {**result, "state": floor_state(sitting_id)})
    return result
