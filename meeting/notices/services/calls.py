"""呼叫服务: a member calls for tea, technical support or other service from their seat;
the clerk takes the call (受理) and marks it done; the member sees when it was taken.

One call of a kind per member is waiting or in hand at a time (a second is refused,
``call_already_open``; the database's constraint holds it under a race too). Every
change is stored first and announced after the commit to the consoles and to the
member's own tablets (``service.changed``).
"""

from __future__ import annotations

from django.db import transaction

from core import clock, events, policy
from core.errors import DomainError
from core.models import Member, Sitting
from core.roster import on_roster
from meeting.notices.models import (
    CALL_NOTE_MAX_CHARS,
    OPEN_STATES,
    CallState,
    ServiceCall,
    ServiceKind,
)
from meeting.notices.services.state import call_payload, sitting_of

SERVICE_CHANGED = "service.changed"


def _kind(kind: str) -> str:
    if kind not in ServiceKind.values:
        raise DomainError(
            "unknown_service_kind",
            f"No service {kind[:20]!r}; choose one of {', '.join(ServiceKind.values)}.",
            kinds=list(ServiceKind.values),
        )
    return kind


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > CALL_NOTE_MAX_CHARS:
        raise DomainError(
            "call_note_too_long",
            f"A call's note is at most {CALL_NOTE_MAX_CHARS} characters; this one has {len(note)}.",
            limit=CALL_NOTE_MAX_CHARS,
            length=len(note),
        )
    return note


def _announce(call: ServiceCall, reason: str) -> dict:
    payload = {"reason": reason, "call": call_payload(call)}
    events.notify(events.live(call.sitting_id), SERVICE_CHANGED, payload, call.sitting_id)
    if call.member.user_id is not None:
        events.notify(events.user(call.member.user_id), SERVICE_CHANGED, payload, call.sitting_id)
    return payload


@transaction.atomic
def call(
    sitting_id: int, member: Member, kind: str, *, actor: policy.Actor, note: str = ""
) -> ServiceCall:
    """A member's call from their seat; refused while one of that kind is still open."""
    policy.require(actor, "service.call")
    kind, note = _kind(kind), _note(note)
    sitting = sitting_of(sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    if not on_roster(sitting, member):
        raise DomainError("not_on_roster", f"{member} is not on the roster of {sitting}.")
    Member.objects.select_for_update().filter(pk=member.pk).first()  # one call at a time each
    open_one = ServiceCall.objects.filter(
        sitting=sitting, member=member, kind=kind, state__in=OPEN_STATES
    ).first()
    if open_one is not None:
        raise DomainError(
            "call_already_open",
            f"{member} already has a {kind} call {open_one.state}.",
            call=open_one.pk,
            kind=kind,
        )
    made = ServiceCall.objects.create(
        sitting=sitting, member=member, kind=kind, note=note, called_at=clock.now()
    )
    _announce(made, "called")
    return made


def _locked(sitting_id: int, call_id: int) -> ServiceCall:
    found = (
        ServiceCall.objects.select_for_update()
        .select_related("member")
        .filter(pk=call_id, sitting_id=sitting_id)
        .first()
    )
    if found is None:
        raise DomainError("not_found", f"No call {call_id} in this sitting.")
    return found


@transaction.atomic
def take(
    sitting_id: int, call_id: int, *, actor: policy.Actor, by_user_id: int | None
) -> ServiceCall:
    """The clerk takes a waiting call (受理): the member's tablet shows when."""
    policy.require(actor, "service.take")
    found = _locked(sitting_id, call_id)
    if found.state != CallState.WAITING:
        raise DomainError(
            "call_not_waiting", f"Call {call_id} is {found.state}, not waiting.", state=found.state
        )
    found.state, found.taken_at, found.taken_by_id = CallState.TAKEN, clock.now(), by_user_id
    found.save(update_fields=["state", "taken_at", "taken_by"])
    _announce(found, "taken")
    return found


@transaction.atomic
def done(
    sitting_id: int, call_id: int, *, actor: policy.Actor, by_user_id: int | None
) -> ServiceCall:
    """The clerk marks a call done (taken or not: the tea may arrive before anyone clicks)."""
    policy.require(actor, "service.done")
    found = _locked(sitting_id, call_id)
    if found.state not in OPEN_STATES:
        raise DomainError(
            "call_closed", f"Call {call_id} is already {found.state}.", state=found.state
        )
    now = clock.now()
    if found.taken_at is None:
        found.taken_at, found.taken_by_id = now, by_user_id
    found.state, found.ended_at = CallState.DONE, now
    found.save(update_fields=["state", "taken_at", "taken_by", "ended_at"])
    _announce(found, "done")
    return found


@transaction.atomic
def withdraw(sitting_id: int, call_id: int, *, actor: policy.Actor, member: Member) -> ServiceCall:
    """The member takes back their own call (no longer needed)."""
    policy.require(actor, "service.withdraw")
    found = _locked(sitting_id, call_id)
    if found.member_id != member.pk:
        raise DomainError("not_found", f"No call {call_id} of this member.")
    if found.state not in OPEN_STATES:
        raise DomainError(
            "call_closed", f"Call {call_id} is already {found.state}.", state=found.state
        )
    found.state, found.ended_at = CallState.WITHDRAWN, clock.now()
    found.save(update_fields=["state", "ended_at"])
    _announce(found, "withdrawn")
    return found
