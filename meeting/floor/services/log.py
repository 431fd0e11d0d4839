"""The speaking log (发言记录) and per-member totals for the deputy record (履职档案).

Only ended floors count: an open floor has no duration yet. Durations are computed
from the stored start and end, so totals always agree with the log rows.
"""

from __future__ import annotations

from collections import defaultdict

from core.models import Member, Session
from meeting.floor.models import Speech
from meeting.floor.services.state import speech_payload


def sitting_log(sitting_id: int) -> list[dict]:
    """Every floor of a sitting in the order they started, open ones included."""
    rows = Speech.objects.filter(sitting_id=sitting_id).select_related("member")
    return [speech_payload(s) for s in rows.order_by("started_at", "id")]


def _ended(member: Member, session: Session | None):
    rows = Speech.objects.filter(member=member, ended_at__isnull=False).select_related(
        "agenda_item", "sitting__session"
    )
    if session is not None:
        rows = rows.filter(sitting__session=session)
    return rows.order_by("started_at", "id")


def member_totals(member: Member, session: Session | None = None) -> dict:
    """A member's speeches and speaking time, in all, per agenda item and per session."""
    by_item: dict[int | None, dict] = {}
    by_session: dict[int, dict] = defaultdict(dict)
    count, total = 0, 0.0
    for sp in _ended(member, session):
        secs = sp.duration_s or 0.0
        count, total = count + 1, total + secs
        item = by_item.setdefault(
            sp.agenda_item_id,
            {
                "item": sp.agenda_item_id,
                "title": sp.agenda_item.title if sp.agenda_item else "",
                "sitting": sp.sitting_id,
                "speeches": 0,
                "total_s": 0.0,
            },
        )
        item["speeches"] += 1
        item["total_s"] += secs
        ses = by_session[sp.sitting.session_id] or {
            "session": sp.sitting.session_id,
            "title": sp.sitting.session.title,
            "speeches": 0,
            "total_s": 0.0,
        }
        ses["speeches"] += 1
        ses["total_s"] += secs
        by_session[sp.sitting.session_id] = ses
    return {
        "member": member.pk,
        "name": member.full_name,
        "speeches": count,
        "total_s": total,
        "by_item": list(by_item.values()),
        "by_session": list(by_session.values()),
    }
