"""What the staff review page offers to filter by, as names people read (never ids).

The options are built here from the current term (members with the pinyin initials of
their names, sessions, sittings, agenda items) and rendered into the page; the clip list
API still takes ids, which the page's selects carry as values.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from core.models import COMPONENT_ROLES, AgendaItem, Member, Session, Sitting


def initials(name: str) -> str:
    """'李玉兰' → 'lyl'; letters and digits of a Latin name are kept as they are."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()


def options(term) -> dict:
    if term is None:
        return {"members": [], "sessions": [], "sittings": [], "items": []}
    members = Member.objects.filter(term=term, role__in=COMPONENT_ROLES).order_by("seat", "pk")
    sessions = Session.objects.filter(term=term).order_by("-starts_on", "-number")
    sittings = Sitting.objects.filter(session__term=term).select_related("session")
    items = AgendaItem.objects.filter(sitting__session__term=term).select_related("sitting")
    return {
        "members": [
            {"id": m.pk, "name": m.full_name, "seat": m.seat, "initials": initials(m.full_name)}
            for m in members
        ],
        "sessions": [{"id": s.pk, "title": s.title} for s in sessions],
        "sittings": [
            {"id": s.pk, "title": s.title, "session": s.session_id}
            for s in sittings.order_by("session_id", "starts_at", "pk")
        ],
        "items": [
            {"id": i.pk, "title": i.title, "sitting": i.sitting_id, "order": i.order}
            for i in items.order_by("sitting_id", "order")
        ],
    }
