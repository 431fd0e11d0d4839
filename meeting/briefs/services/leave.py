"""Leave of absence (请假): the clerk enters, changes and withdraws a member's leave from
one sitting; the console's seat plan shows it (假) at once.

One ``Leave`` row per member and sitting, with the reason given. Withdrawing deletes the
row: every reader (the seat plan, the books, the deputy record) takes a row to mean
leave, and the audit trail keeps who entered, changed and withdrew it, when, and why.

The rules, each a refusal in words:

- the clerk of the sitting (or the session clerk) only (rule ``leave.record``);
- a member on the sitting's roster (``not_on_roster``);
- not while checked in (``checked_in``): a member in the room is not on leave. A
  mistaken check-in is undone on the console first (tap the seat). A member who has
  checked out (left) may be given leave for the rest of the sitting; the books still
  count the sitting as attended, as they count every check-in;
- once per member and sitting (``already_on_leave``; change the reason instead), and
  only what exists is changed or withdrawn (``not_on_leave``);
- a reason of 1–200 characters (``reason_required``, ``invalid``);
- not in a closed session (``session_closed``): its record is final. A sitting that
  has ended still takes leave, since a leave note often arrives afterwards.

Leave never changes the quorum: only who is checked in counts (a member on leave is
not, by the rule above). After the commit the sitting's consoles get the seat plan
(``seating.plan``, the event a saved layout sends), so the 假 appears live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, clock, events, policy
from core.errors import DomainError
from core.inputs import valid_text
from core.models import Attendance, Member, Session, Sitting
from core.roster import sitting_roster
from meeting.briefs.models import Leave
from meeting.services import seating

MAX_REASON = 200  # Leave.reason
COMMON_REASONS = ("因公出差", "因病", "因事", "出国（境）访问")

# The codes this feature answers (docs/console.md lists them with their meaning).
ERROR_CODES: dict[str, str] = {
    "forbidden": "Only the clerk of the sitting (or the session clerk) records leave.",
    "not_on_roster": "The member is not on the sitting's roster.",
    "checked_in": "The member is checked in; undo the check-in on the console first.",
    "already_on_leave": "The member is already on leave from this sitting; change the reason.",
    "not_on_leave": "The member is not on leave from this sitting.",
    "reason_required": "The reason for the leave is missing.",
    "invalid": "The reason is over 200 characters or not valid text.",
    "session_closed": "The session is closed; its leave record no longer changes.",
}


@dataclass(frozen=True)
class RosterLine:
    """One member of the sitting's roster as the leave page lists them."""

    member: Member
    status: str  # "present", "left" (checked out), "leave", "absent"
    leave: Leave | None
    checked_in_at: datetime | None
    recorded_by: str = ""  # who entered or last changed the leave, by name


def roster(sitting: Sitting) -> list[RosterLine]:
    """The sitting's roster in seat order, with each member's attendance and leave."""
    members = list(sitting_roster(sitting).select_related("group").order_by("seat", "pk"))
    attendance = {a.member_id: a for a in Attendance.objects.filter(sitting=sitting)}
    leaves = {lv.member_id: lv for lv in Leave.objects.filter(sitting=sitting)}
    names = _names(sitting, {lv.recorded_by_id for lv in leaves.values()} - {None})
    lines = []
    for m in members:
        att, lv = attendance.get(m.pk), leaves.get(m.pk)
        if att is not None and att.checked_out_at is None:
            status = "present"
        elif lv is not None:
            status = "leave"
        elif att is not None:
            status = "left"
        else:
            status = "absent"
        by = names.get(lv.recorded_by_id, "") if lv else ""
        lines.append(RosterLine(m, status, lv, att.checked_in_at if att else None, by))
    return lines


def _names(sitting: Sitting, user_ids: set[int]) -> dict[int, str]:
    """Logins by the name people know them by: their member row in the term, else the
    login's own full name or user name."""
    names = dict(
        Member.objects.filter(term=sitting.session.term, user_id__in=user_ids).values_list(
            "user_id", "full_name"
        )
    )
    for user in get_user_model().objects.filter(pk__in=user_ids - set(names)):
        names[user.pk] = user.get_full_name() or user.get_username()
    return names


def _sitting(sitting_id: int) -> Sitting:
    """The sitting, locked: one change of its leave at a time (a check-in waits too)."""
    sitting = Sitting.objects.select_for_update().select_related("session__term").get(pk=sitting_id)
    if sitting.session.state == Session.State.CLOSED:
        raise DomainError(
            "session_closed",
            _("%(session)s is closed; its leave record can no longer change.")
            % {"session": sitting.session.title},
        )
    return sitting


def _member(sitting: Sitting, member_id: int) -> Member:
    member = sitting_roster(sitting).filter(pk=member_id).first()
    if member is None:
        raise DomainError(
            "not_on_roster",
            _("This member is not on the roster of %(sitting)s.") % {"sitting": sitting.title},
            member=member_id,
        )
    return member


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required",
            _("Give the reason for the leave; nothing was saved."),
            field="reason",
        )
    if len(reason) > MAX_REASON or "\x00" in reason or not valid_text(reason):
        raise DomainError(
            "invalid",
            _("The reason is too long (at most %(limit)s characters); nothing was saved.")
            % {"limit": MAX_REASON},
            field="reason",
        )
    return reason


def _told(sitting: Sitting) -> None:
    """The sitting's consoles redraw the seat plan (after the commit)."""
    events.notify(events.live(sitting.pk), "seating.plan", seating.plan(sitting), sitting.pk)


@transaction.atomic
def enter(sitting_id: int, member_id: int, reason: str, *, actor: policy.Actor, by) -> Leave:
    """Put a member of the sitting's roster on leave, with the reason given."""
    policy.require(actor, "leave.record")
    sitting = _sitting(sitting_id)
    member = _member(sitting, member_id)
    reason = _reason(reason)
    present = Attendance.objects.filter(
        sitting=sitting, member=member, checked_out_at__isnull=True
    ).exists()
    if present:
        raise DomainError(
            "checked_in",
            _(
                "%(member)s is checked in: a member in the room is not on leave. If the "
                "check-in was a mistake, undo it on the console first (tap the seat)."
            )
            % {"member": member.full_name},
            member=member.pk,
        )
    if Leave.objects.filter(sitting=sitting, member=member).exists():
        raise DomainError(
            "already_on_leave",
            _("%(member)s is already on leave from this sitting; change the reason instead.")
            % {"member": member.full_name},
            member=member.pk,
        )
    leave = Leave.objects.create(
        sitting=sitting, member=member, reason=reason, recorded_by=by, recorded_at=clock.now()
    )
    audit.record(
        by,
        "leave.enter",
        sitting=sitting,
        summary=_("%(member)s on leave: %(reason)s")
        % {"member": member.full_name, "reason": reason},
        data={"member": member.pk, "reason": reason},
    )
    _told(sitting)
    return leave


def _existing(sitting: Sitting, member: Member) -> Leave:
    leave = Leave.objects.select_for_update().filter(sitting=sitting, member=member).first()
    if leave is None:
        raise DomainError(
            "not_on_leave",
            _("%(member)s is not on leave from this sitting.") % {"member": member.full_name},
            member=member.pk,
        )
    return leave


@transaction.atomic
def change(sitting_id: int, member_id: int, reason: str, *, actor: policy.Actor, by) -> Leave:
    """Change the reason of a member's leave (the same reason again changes nothing)."""
    policy.require(actor, "leave.record")
    sitting = _sitting(sitting_id)
    member = _member(sitting, member_id)
    reason = _reason(reason)
    leave = _existing(sitting, member)
    if leave.reason == reason:
        return leave
    before = leave.reason
    leave.reason, leave.recorded_by, leave.recorded_at = reason, by, clock.now()
    leave.save(update_fields=["reason", "recorded_by", "recorded_at"])
    audit.record(
        by,
        "leave.change",
        sitting=sitting,
        summary=_("%(member)s: reason changed from %(before)s to %(reason)s")
        % {"member": member.full_name, "before": before, "reason": reason},
        data={"member": member.pk, "reason": reason, "before": before},
    )
    _told(sitting)
    return leave


@transaction.atomic
def withdraw(sitting_id: int, member_id: int, *, actor: policy.Actor, by) -> None:
    """Withdraw a member's leave: the row goes, the audit trail keeps what it said."""
    policy.require(actor, "leave.record")
    sitting = _sitting(sitting_id)
    member = _member(sitting, member_id)
    leave = _existing(sitting, member)
    reason = leave.reason
    leave.delete()
    audit.record(
        by,
        "leave.withdraw",
        sitting=sitting,
        summary=_("%(member)s: leave withdrawn (it said: %(reason)s)")
        % {"member": member.full_name, "reason": reason},
        data={"member": member.pk, "reason": reason},
    )
    _told(sitting)
