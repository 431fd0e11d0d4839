"""What the deputy record page (代表履职档案) adds to the archive's record: attendance as
a duty, not only a list of check-ins.

A member is expected at every sitting of their term that has begun (live or ended) and
whose roster holds them (everyone at a plenary, the group at a group sitting); a sitting
without their check-in is an absence, on leave (请假, with its reason) when leave was
recorded. The rate is sittings attended over sittings expected. Read only.
"""

from __future__ import annotations

from django.apps import apps

from core.models import Attendance, Member, Sitting
from core.roster import sitting_roster


def _leaves(member: Member) -> dict[int, str]:
    """{sitting id: reason} of the member's recorded leave (the briefs app keeps it)."""
    try:
        Leave = apps.get_model("briefs", "Leave")
    except LookupError:
        return {}
    return dict(Leave.objects.filter(member=member).values_list("sitting_id", "reason"))


def attendance_summary(member: Member) -> dict:
    """Sittings expected, attended, the absences (oldest first) and the rate in percent."""
    held = (
        Sitting.objects.filter(session__term_id=member.term_id)
        .exclude(state=Sitting.State.PLANNED)
        .select_related("session", "group")
        .order_by("starts_at", "pk")
    )
    expected = [s for s in held if sitting_roster(s).filter(pk=member.pk).exists()]
    attended = set(
        Attendance.objects.filter(member=member, sitting__in=expected).values_list(
            "sitting_id", flat=True
        )
    )
    leaves = _leaves(member)
    absences = [
        {
            "session": s.session.title,
            "sitting": s.title,
            "starts_at": s.starts_at,
            "leave": leaves.get(s.pk),
        }
        for s in expected
        if s.pk not in attended
    ]
    rate = round(100 * len(attended) / len(expected)) if expected else None
    return {
        "expected": len(expected),
        "attended": len(attended),
        "absences": absences,
        "rate": rate,
    }


def speech_sessions(speeches: list[dict]) -> list[dict]:
    """The record's speeches with the session each was made in (the speaking log and the
    clips name the sitting; two sessions both have a "第一审议组会议")."""
    Speech = apps.get_model("floor", "Speech")
    ids = [s["entry"] for s in speeches if s.get("entry")]
    titles = dict(Speech.objects.filter(pk__in=ids).values_list("pk", "sitting__session__title"))
    return [{**s, "session": titles.get(s.get("entry")) or _clip_session(s)} for s in speeches]


def _clip_session(speech: dict) -> str:
    clip = speech.get("clip") or {}
    return (clip.get("session") or {}).get("title", "")
