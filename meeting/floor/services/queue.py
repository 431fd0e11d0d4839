"""The speaking queue (发言排队): requests, withdrawals, written requests, reorder, refusal.

Order: a point of order goes to the head (behind earlier points of order), a reply
goes before the speeches, a speech to the end; first come first served within a kind.
A clerk's reorder is kept: later arrivals are inserted into it by the same rule.
"""

from __future__ import annotations

from django.db import transaction

from core import clock, policy
from core.errors import DomainError
from core.events import emit
from core.models import Member
from core.roster import on_roster
from meeting.floor.models import FloorRules, Kind, Mode, SpeakingRequest, Speech
from meeting.floor.services.state import (
    KIND_RANK,
    current_item,
    ensure_rules,
    floor_state,
    lock_sitting,
    queue,
    request_payload,
    rules_payload,
)


def _emit_queue(sitting_id: int, reason: str, req: SpeakingRequest | None) -> None:
    payload = {
        "reason": reason,
        "request": request_payload(req) if req else None,
        "state": floor_state(sitting_id),
    }
    emit(sitting_id, "floor.queue", payload)


def _insert(sitting_id: int, new: SpeakingRequest) -> None:
    """Place ``new`` after every waiting request of its kind or a more urgent kind."""
    waiting = [r for r in queue(sitting_id) if r.pk != new.pk]
    rank = KIND_RANK[Kind(new.kind)]
    at = 0
    for n, r in enumerate(waiting):
        if KIND_RANK[Kind(r.kind)] <= rank:
            at = n + 1
    ordered = waiting[:at] + [new] + waiting[at:]
    _renumber(ordered)


def _renumber(ordered: list[SpeakingRequest]) -> None:
    for n, r in enumerate(ordered, start=1):
        if r.position != n:
            SpeakingRequest.objects.filter(pk=r.pk).update(position=n)
            r.position = n


def _add(
    sitting_id: int, member: Member, kind: str, *, by_user_id: int | None, written: bool, note: str
) -> SpeakingRequest:
    sitting = lock_sitting(sitting_id)
    if not on_roster(sitting, member):
        raise DomainError("not_on_roster", f"{member} is not on the roster of {sitting}.")
    waiting = SpeakingRequest.objects.filter(
        sitting=sitting, member=member, state=SpeakingRequest.State.WAITING
    ).first()
    if waiting is not None:
        raise DomainError(
            "already_queued", f"{member} is already in the queue.", request=waiting.pk
        )
    if Speech.objects.filter(sitting=sitting, member=member, ended_at__isnull=True).exists():
        raise DomainError("already_speaking", f"{member} holds the floor now.")
    item = current_item(sitting_id)
    req = SpeakingRequest.objects.create(
        sitting=sitting,
        member=member,
        agenda_item=item,
        kind=kind,
        requested_at=clock.now(),
        written=written,
        note=note,
        entered_by_id=by_user_id,
        position=10**6,
    )
    _insert(sitting_id, req)
    return req


@transaction.atomic
def request(
    sitting_id: int, member: Member, kind: str = Kind.SPEECH, *, by_user_id: int | None = None
) -> SpeakingRequest:
    """A member asks for the floor from their tablet."""
    req = _add(sitting_id, member, kind, by_user_id=by_user_id, written=False, note="")
    _emit_queue(sitting_id, "requested", req)
    return req


@transaction.atomic
def enter(
    sitting_id: int,
    member: Member,
    kind: str = Kind.SPEECH,
    *,
    role: str,
    by_user_id: int | None,
    note: str = "",
) -> SpeakingRequest:
    """The clerk enters a member's written request (书面申请) made before the sitting."""
    policy.require(role, "floor.enter")
    req = _add(sitting_id, member, kind, by_user_id=by_user_id, written=True, note=note)
    _emit_queue(sitting_id, "entered", req)
    return req


def _waiting_request(sitting_id: int, request_id: int) -> SpeakingRequest:
    req = SpeakingRequest.objects.filter(pk=request_id, sitting_id=sitting_id).first()
    if req is None:
        raise DomainError("not_found", f"No speaking request {request_id} in this sitting.")
    if req.state != SpeakingRequest.State.WAITING:
        raise DomainError(
            "request_closed",
            f"The request was already {req.state}.",
            request=req.pk,
            state=req.state,
        )
    return req


def _close(req: SpeakingRequest, state: str) -> None:
    req.state = state
    req.closed_at = clock.now()
    req.save(update_fields=["state", "closed_at"])


@transaction.atomic
def withdraw(sitting_id: int, member: Member) -> SpeakingRequest:
    """A member takes back their waiting request; a granted one must be ended instead."""
    lock_sitting(sitting_id)
    req = SpeakingRequest.objects.filter(sitting_id=sitting_id, member=member, state="waiting")
    req = req.first()
    if req is None:
        last = (
            SpeakingRequest.objects.filter(sitting_id=sitting_id, member=member)
            .order_by("-id")
            .first()
        )
        if last is not None and last.state == SpeakingRequest.State.GRANTED:
            raise DomainError(
                "request_closed",
                "Your request was already granted; end your floor instead.",
                request=last.pk,
                state=last.state,
            )
        raise DomainError("not_queued", f"{member} has no request in the queue.")
    _close(req, SpeakingRequest.State.WITHDRAWN)
    _renumber(list(queue(sitting_id)))
    _emit_queue(sitting_id, "withdrawn", req)
    return req


@transaction.atomic
def refuse(
    sitting_id: int, request_id: int, *, role: str, by_user_id: int | None, note: str = ""
) -> SpeakingRequest:
    """The chair or clerk refuses a request; it leaves the queue with the reason kept."""
    policy.require(role, "floor.refuse")
    lock_sitting(sitting_id)
    req = _waiting_request(sitting_id, request_id)
    if note:
        req.note = note[:200]
        req.save(update_fields=["note"])
    _close(req, SpeakingRequest.State.REFUSED)
    _renumber(list(queue(sitting_id)))
    _emit_queue(sitting_id, "refused", req)
    return req


@transaction.atomic
def reorder(sitting_id: int, request_ids: list[int], *, role: str) -> list[SpeakingRequest]:
    """The clerk puts the queue in a new order; it must name every waiting request once."""
    policy.require(role, "floor.reorder")
    lock_sitting(sitting_id)
    waiting = {r.pk: r for r in queue(sitting_id)}
    if len(request_ids) != len(set(request_ids)) or set(request_ids) != set(waiting):
        raise DomainError(
            "bad_order",
            "The new order must list every waiting request exactly once.",
            waiting=sorted(waiting),
        )
    _renumber([waiting[pk] for pk in request_ids])
    _emit_queue(sitting_id, "reordered", None)
    return list(queue(sitting_id))


@transaction.atomic
def set_rules(sitting_id: int, *, role: str, **changes: object) -> FloorRules:
    """Change the floor mode or limits; a smaller maximum ends nobody's floor."""
    policy.require(role, "floor.rules")
    lock_sitting(sitting_id)
    rules = ensure_rules(sitting_id)
    allowed = {"mode", "max_floors", "warn_before_s", "reply_limit_s", "point_of_order_limit_s"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("invalid", f"Unknown floor rules: {sorted(unknown)}.")
    if "mode" in changes and changes["mode"] not in Mode.values:
        raise DomainError("invalid", f"Unknown floor mode {changes['mode']!r}.")
    if "max_floors" in changes and not 1 <= int(changes["max_floors"]) <= 20:
        raise DomainError("invalid", "The number of floors at once must be 1–20.")
    for name, value in changes.items():
        setattr(rules, name, value)
    rules.save()
    emit(
        sitting_id,
        "floor.rules",
        {"rules": rules_payload(rules), "state": floor_state(sitting_id)},
    )
    return rules
