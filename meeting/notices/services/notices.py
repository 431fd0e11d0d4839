"""会务通知: the clerk (or the chair) sends a notice to every seat or to one member.

A notice is stored before it is announced (``core.events.notify`` after the commit),
so a restart loses nothing and a tablet that reconnects finds what it has not
dismissed in its snapshot (``meeting.notices.services.state``).
"""

from __future__ import annotations

from django.db import transaction

from core import clock, events, policy
from core.errors import DomainError
from core.models import Member, Sitting
from core.roster import sitting_roster
from meeting.notices.models import NOTICE_MAX_CHARS, Notice, NoticeRead
from meeting.notices.services.state import notice_payload, sitting_of

NOTICE_SENT = "notice.sent"
NOTICE_READ = "notice.read"


def _text(text: str) -> str:
    """The notice as it will be shown: trimmed; refused when empty or too long."""
    text = (text or "").strip()
    if not text:
        raise DomainError("notice_empty", "The notice has no text.")
    if len(text) > NOTICE_MAX_CHARS:
        raise DomainError(
            "notice_too_long",
            f"A notice is at most {NOTICE_MAX_CHARS} characters; this one has {len(text)}.",
            limit=NOTICE_MAX_CHARS,
            length=len(text),
        )
    return text


def _addressee(sitting: Sitting, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = sitting_roster(sitting).filter(pk=member_id).first()
    if member is None:
        raise DomainError(
            "not_on_roster", f"No member {member_id} on the roster of {sitting}.", member=member_id
        )
    return member


@transaction.atomic
def send_notice(
    sitting_id: int,
    text: str,
    *,
    actor: policy.Actor,
    by_user_id: int | None,
    to_member_id: int | None = None,
) -> Notice:
    """Store a notice and announce it to its seats (and to the consoles) after the commit."""
    policy.require(actor, "notice.send")
    text = _text(text)
    sitting = sitting_of(sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    member = _addressee(sitting, to_member_id)
    notice = Notice.objects.create(
        sitting=sitting, to_member=member, text=text, sent_by_id=by_user_id, sent_at=clock.now()
    )
    payload = {"notice": notice_payload(notice, member)}
    if member is None:
        seats_and_desks = policy.TABLET_ROLES | policy.LIVE_ROLES
        events.notify(events.roles(sitting_id, seats_and_desks), NOTICE_SENT, payload, sitting_id)
    else:
        if member.user_id is not None:
            events.notify(events.user(member.user_id), NOTICE_SENT, payload, sitting_id)
        events.notify(events.live(sitting_id), NOTICE_SENT, payload, sitting_id)
    return notice


@transaction.atomic
def dismiss_notice(sitting_id: int, notice_id: int, *, actor: policy.Actor, member: Member) -> dict:
    """The member has read the notice (知道了): their tablets stop showing it. Repeatable."""
    policy.require(actor, "notice.dismiss")
    notice = Notice.objects.filter(pk=notice_id, sitting_id=sitting_id).first()
    if notice is None or notice.to_member_id not in (None, member.pk):
        raise DomainError("not_found", f"No notice {notice_id} for this member here.")
    read, created = NoticeRead.objects.get_or_create(
        notice=notice, member=member, defaults={"read_at": clock.now()}
    )
    payload = {
        "notice": notice.pk,
        "member": member.pk,
        "read_at": read.read_at.isoformat(),
        "reads": NoticeRead.objects.filter(notice=notice).count(),
    }
    if created:
        if member.user_id is not None:  # the member's other tablets drop it too
            events.notify(events.user(member.user_id), NOTICE_READ, payload, sitting_id)
        events.notify(events.live(sitting_id), NOTICE_READ, payload, sitting_id)
    return payload
