"""Attendance (签到): check-in and check-out, from a tablet or by the clerk."""

from __future__ import annotations

from django.db import transaction

from core import clock
from core.errors import DomainError
from core.events import emit
from core.models import Attendance, Member, Sitting
from core.roster import on_roster
from meeting.services.quorum import quorum


def _attendance_payload(sitting: Sitting, att: Attendance) -> dict:
    return {
        "member": att.member_id,
        "present": att.present,
        "method": att.method,
        "at": (att.checked_out_at or att.checked_in_at).isoformat(),
        "quorum": quorum(sitting).as_dict(),
    }


def _open_vote_progress(sitting: Sitting) -> None:
    """Who may still vote in an open round changed: the consoles get the server's list."""
    from meeting.voting.services.progress import after_attendance  # voting builds on this

    after_attendance(sitting)


def _locked_sitting(sitting_id: int) -> Sitting:
    return Sitting.objects.select_for_update().select_related("session__term").get(pk=sitting_id)


@transaction.atomic
def check_in(
    sitting_id: int, member: Member, *, method: str, by_user_id: int | None = None
) -> Attendance:
    """Check a roster member in. Checking in twice is harmless and changes nothing."""
    sitting = _locked_sitting(sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    if not on_roster(sitting, member):
        raise DomainError("not_on_roster", f"{member} is not on the roster of {sitting}.")
    now = clock.now()
    att, created = Attendance.objects.get_or_create(
        sitting=sitting,
        member=member,
        defaults={"checked_in_at": now, "method": method, "recorded_by_id": by_user_id},
    )
    if not created and att.present:
        return att
    if not created:
        att.checked_in_at, att.checked_out_at, att.method = now, None, method
        att.recorded_by_id = by_user_id
        att.save()
    emit(sitting.pk, "attendance.changed", _attendance_payload(sitting, att))
    _open_vote_progress(sitting)
    return att


@transaction.atomic
def check_out(sitting_id: int, member: Member, *, by_user_id: int | None = None) -> Attendance:
    """Check a member out (they left the room); their earlier check-in time is kept."""
    sitting = _locked_sitting(sitting_id)
    att = Attendance.objects.filter(sitting=sitting, member=member).first()
    if att is None or not att.present:
        raise DomainError("not_checked_in", f"{member} is not checked in.")
    att.checked_out_at = clock.now()
    att.recorded_by_id = by_user_id
    att.save(update_fields=["checked_out_at", "recorded_by"])
    emit(sitting.pk, "attendance.changed", _attendance_payload(sitting, att))
    _open_vote_progress(sitting)
    return att


def attendance_snapshot(sitting: Sitting) -> dict:
    present = list(
        Attendance.objects.filter(sitting=sitting, checked_out_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    return {"present": sorted(present), "quorum": quorum(sitting).as_dict()}
