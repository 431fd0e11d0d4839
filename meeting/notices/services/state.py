"""What the room sees of notices and calls: payloads, and the snapshot's shared read.

The snapshot reads a sitting's recent notices (with who dismissed them) and its calls
once for every socket of a role; each socket's view then picks what is its own
(``view``) and reads nothing more, so a reconnect storm costs these three statements
once per batch, not per tablet (tests/realtime/test_query_budget.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from core import clock, policy
from core.models import Member, Sitting
from meeting.notices.models import OPEN_STATES, Notice, ServiceCall

RECENT_NOTICES = 20  # a sitting's notices a snapshot carries (newest first)
ENDED_CALLS_SHOWN = timedelta(minutes=30)  # a call done or withdrawn stays listed this long


def notice_payload(notice: Notice, to: Member | None = None) -> dict:
    to = to if to is not None else notice.to_member
    return {
        "id": notice.pk,
        "text": notice.text,
        "to": notice.to_member_id,
        "to_name": to.full_name if to is not None else None,
        "sent_at": notice.sent_at.isoformat(),
    }


def call_payload(call: ServiceCall, member: Member | None = None) -> dict:
    member = member if member is not None else call.member
    return {
        "id": call.pk,
        "member": call.member_id,
        "name": member.full_name,
        "seat": member.seat,
        "kind": call.kind,
        "note": call.note,
        "state": call.state,
        "called_at": call.called_at.isoformat(),
        "taken_at": call.taken_at.isoformat() if call.taken_at else None,
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
    }


@dataclass(frozen=True)
class Desk:
    """A sitting's recent notices (each with the members who dismissed it) and its calls."""

    notices: tuple[tuple[dict, frozenset[int]], ...]
    calls: tuple[dict, ...]


def desk(sitting_id: int) -> Desk:
    """The shared read: three statements (notices, their reads, the calls)."""
    notices = list(
        Notice.objects.filter(sitting_id=sitting_id)
        .select_related("to_member")
        .prefetch_related("reads")
        .order_by("-sent_at", "-id")[:RECENT_NOTICES]
    )
    since = clock.now() - ENDED_CALLS_SHOWN
    calls = (
        ServiceCall.objects.filter(sitting_id=sitting_id)
        .filter(Q(state__in=OPEN_STATES) | Q(ended_at__gte=since))
        .select_related("member")
        .order_by("called_at", "id")
    )
    return Desk(
        tuple((notice_payload(n), frozenset(r.member_id for r in n.reads.all())) for n in notices),
        tuple(call_payload(c) for c in calls),
    )


def view(found: Desk, *, role: str, member_id: int | None) -> dict:
    """One socket's part, reading nothing: the consoles every notice and call; a seat its
    unread notices (oldest first) and its own calls. The chair is both: everything, each
    notice marked ``read`` for them, so their tablet filters what is theirs."""
    if policy.may(role, "notice.send"):
        return {
            "notices": [
                {**n, "reads": len(reads), "read": member_id in reads} for n, reads in found.notices
            ],
            "calls": list(found.calls),
        }
    if not policy.may(role, "service.call") or member_id is None:
        return {"notices": [], "calls": []}
    unread = [
        {**n, "read": False}
        for n, reads in reversed(found.notices)
        if n["to"] in (None, member_id) and member_id not in reads
    ]
    return {"notices": unread, "calls": [c for c in found.calls if c["member"] == member_id]}


def inbox(sitting_id: int, *, role: str, member_id: int | None) -> dict:
    """``view`` of a fresh read, for ``notice.inbox`` (a tablet back from a replay resync)."""
    return view(desk(sitting_id), role=role, member_id=member_id)


def sitting_of(sitting_id: int) -> Sitting:
    return Sitting.objects.select_related("session__term").get(pk=sitting_id)
