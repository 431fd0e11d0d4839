"""What a brief says: the speeches of a group sitting (or of one item across the groups)
in speaking order under their agenda item, each with its summary and clip.

``compile_content`` reads the live summaries (the draft); the check freezes its result
in ``Brief.content``. ``clip_states`` is read at every rendering, so a clip deleted after
the release is printed as removed, with the reason, while the text stays.
"""

from __future__ import annotations

from django.utils import timezone

from core.models import Member, Sitting
from media.models import Clip
from meeting.briefs.models import Brief, Summary
from meeting.briefs.services.speakers import speaker_name, speaker_title
from meeting.floor.models import Speech


def display_name(user, term_id: int) -> str:
    if user is None or user.pk is None:
        return "—"
    name = (
        Member.objects.filter(user=user, term_id=term_id)
        .values_list("full_name", flat=True)
        .first()
    )
    return name or user.get_full_name() or user.get_username()


def brief_speeches(brief: Brief):
    """The finished speeches the brief covers, in the order it prints them."""
    qs = Speech.objects.exclude(ended_at=None).select_related(
        "member", "agenda_item", "sitting__group"
    )
    if brief.sitting_id:
        qs = qs.filter(sitting_id=brief.sitting_id)
        return list(qs.order_by("agenda_item__order", "started_at", "id"))
    qs = qs.filter(
        sitting__session_id=brief.session_id,
        sitting__kind=Sitting.Kind.GROUP,
        agenda_item__order=brief.item_order,
    )
    return list(qs.order_by("sitting__group__order", "started_at", "id"))


def compile_content(brief: Brief) -> dict:
    """The brief as it would print now (from the current summaries)."""
    speeches = brief_speeches(brief)
    summaries = {s.speech_id: s for s in Summary.objects.filter(speech__in=speeches)}
    clips = {
        c.floor_entry_id: c
        for c in Clip.objects.filter(floor_entry_id__in=[s.pk for s in speeches]).order_by(
            "created_at"
        )
    }
    sections: list[dict] = []
    for sp in speeches:
        heading = (
            (sp.agenda_item.title if sp.agenda_item else "其他发言")
            if brief.sitting_id
            else sp.sitting.group.name
        )
        if not sections or sections[-1]["heading"] != heading:
            sections.append({"heading": heading, "speeches": []})
        summary = summaries.get(sp.pk)
        clip = clips.get(sp.pk)
        sections[-1]["speeches"].append(
            {
                "speech": sp.pk,
                "member": speaker_name(sp.member),
                "title": speaker_title(sp.member),
                "group": sp.sitting.group.name if sp.sitting.group_id else "",
                "started_at": sp.started_at.isoformat(),
                "text": summary.text if summary else "",
                "quotes": list(summary.quotes) if summary else [],
                "summary_version": summary.version if summary else 0,
                "clip": str(clip.public_id) if clip else None,
            }
        )
    from meeting.briefs.services.by_article import arrange  # 按条文编排, when the brief has it

    sections = arrange(brief, sections)
    sitting = brief.sitting
    day = sitting.starts_at if sitting else None
    if day is None:
        first = Sitting.objects.filter(session_id=brief.session_id, kind="group").first()
        day = first.starts_at if first else None
    return {
        "number": brief.number,
        "revision": brief.revision,
        "title": brief.title,
        "committee": brief.session.term.committee.name,
        "session": brief.session.title,
        "sitting": sitting.title if sitting else "",
        "group": (
            sitting.group.name
            if sitting and sitting.group_id and sitting.group.name not in sitting.title
            else ""
        ),
        "date": chinese_date(timezone.localtime(day)) if day else "",
        "compiled_by": display_name(brief.compiled_by, brief.session.term_id),
        "sections": sections,
    }


def clip_states(content: dict) -> dict[str, dict]:
    """Per clip id of the content: playable, or removed with when and why."""
    ids = [
        sp["clip"] for sec in content.get("sections", []) for sp in sec["speeches"] if sp["clip"]
    ]
    out = {}
    for c in Clip.objects.filter(public_id__in=ids):
        out[str(c.public_id)] = {
            "deleted": c.deleted_at is not None,
            "reason": c.delete_reason,
            "deleted_at": timezone.localtime(c.deleted_at).strftime("%Y-%m-%d %H:%M")
            if c.deleted_at
            else "",
            "duration_s": c.duration_s,
        }
    return out


def chinese_date(day) -> str:
    """A Chinese date without leading zeros: "2026年12月6日", not "12月06日"."""
    return f"{day.year}年{day.month}月{day.day}日"
