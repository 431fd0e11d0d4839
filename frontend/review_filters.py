"""What the staff review page offers to filter by, as names people read (never ids).

The options are built here from the current term (members with the pinyin initials of
their names, sessions, sittings, agenda items) and rendered into the page; the clip list
API still takes ids, which the page's selects carry as values.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
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
    sitting_rows = sitting_options(sittings.order_by("session_id", "starts_at", "pk"))
    return {
        "members": [
            {"id": m.pk, "name": m.full_name, "seat": m.seat, "initials": initials(m.full_name)}
            for m in members
        ],
        "sessions": [{"id": s.pk, "title": s.title} for s in sessions],
        "sittings": sitting_rows,
        "items": item_options(items.order_by("sitting_id", "order"), sitting_rows),
    }


def _when(sitting: Sitting) -> str:
    return (
        timezone.localtime(sitting.starts_at).strftime("%m-%d %H:%M") if sitting.starts_at else ""
    )


def sitting_options(sittings) -> list[dict]:
    """Each sitting with the words that tell it apart wherever it is listed: ``label`` (in
    its session: the title, with its start when two sittings share a title) and
    ``label_all`` (among every session's: the session named first), so "第一次全体会议"
    never appears twice with nothing to choose between them."""
    rows = [
        {
            "id": s.pk,
            "title": s.title,
            "session": s.session_id,
            "session_title": s.session.title,
            "when": _when(s),
        }
        for s in sittings
    ]
    seen = Counter((r["session"], r["title"]) for r in rows)
    for r in rows:
        twice = seen[(r["session"], r["title"])] > 1 and r["when"]
        r["label"] = f"{r['title']}（{r['when']}）" if twice else r["title"]
        r["label_all"] = f"{r['session_title']} · {r['label']}"
    return rows


def item_options(items, sitting_rows: list[dict]) -> list[dict]:
    """Each agenda item with ``label`` (within its sitting: "1. 题目"), ``label_session``
    (its sitting named first) and ``label_all`` (its session and sitting named first): the
    same bill on the agenda of five sittings is five distinct choices, each saying where."""
    by_id = {r["id"]: r for r in sitting_rows}
    out = []
    for i in items:
        sitting = by_id.get(i.sitting_id, {"label": "", "label_all": ""})
        label = f"{i.order}. {i.title}"
        out.append(
            {
                "id": i.pk,
                "title": i.title,
                "sitting": i.sitting_id,
                "order": i.order,
                "label": label,
                "label_session": f"{sitting['label']} · {label}",
                "label_all": f"{sitting['label_all']} · {label}",
            }
        )
    return out
