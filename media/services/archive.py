"""The member's file and the deputy record (代表履职档案): one volume per member per term.

Lists, per term, attendance, speeches with their clips, named votes and documents read.
Other features' tables are read through the app registry so the record still renders
while a feature is absent (a newcomer's partial install), listing nothing for it.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction

from core import clock, policy
from core.errors import DomainError
from core.events import emit
from core.inputs import parse_id
from core.models import Attendance, Member
from media.models import Clip, Recording
from media.services import paths


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def clip_links(clip: Clip) -> dict:
    base = f"/media/clips/{clip.public_id}/"
    # no poster link for a clip without one (the history's, a failed frame grab): a
    # player asking for it would get a 404
    poster = base + "poster" if clip.poster_path else None
    return {"page": base, "file": base + "file", "poster": poster}


def clip_row(clip: Clip) -> dict:
    """A clip as the archive lists it (JSON for the deputy-records system and the UI)."""
    return {
        "clip": str(clip.public_id),
        "member": {"id": clip.member_id, "name": clip.member.full_name},
        "term": clip.term_id,
        "session": {"id": clip.session_id, "title": clip.session.title},
        "sitting": {"id": clip.sitting_id, "title": clip.sitting.title},
        "item": (
            {"id": clip.agenda_item_id, "title": clip.agenda_item.title}
            if clip.agenda_item_id
            else None
        ),
        "floor_entry": clip.floor_entry_id,
        "source": clip.source,
        "started_at": clip.started_at.isoformat(),
        "ended_at": clip.ended_at.isoformat(),
        "duration_s": round(clip.duration_s, 2),
        "size": clip.size,
        "sha256": clip.sha256,
        "stream_lost": clip.stream_lost,
        "recovered": clip.recovered,
        "gaps": (clip.quality or {}).get("gaps", []),
        "downloadable": clip.downloadable,
        "links": clip_links(clip),
    }


def with_related(qs):
    return qs.select_related("member", "session", "sitting", "agenda_item")


def filter_clips(qs, params) -> tuple:
    """Apply the review filters (member, session, sitting, item, date from/to); bad → error."""
    fields = {
        "member": "member_id",
        "session": "session_id",
        "sitting": "sitting_id",
        "item": "agenda_item_id",
        "term": "term_id",
    }
    for name, field in fields.items():
        raw = params.get(name)
        if name == "member" and raw and "," in str(raw):
            # several members: the review page's name search may match more than one
            ids = [parse_id(name, part) for part in str(raw).split(",")]
            qs = qs.filter(**{f"{field}__in": [i for i in ids if i is not None]})
            continue
        value = parse_id(name, raw)
        if value is not None:
            qs = qs.filter(**{field: value})
    for name, op in (("from", "gte"), ("to", "lte")):
        raw = params.get(name)
        if raw:
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                raise DomainError(
                    "invalid", f"'{name}' must be a date (YYYY-MM-DD).", field=name
                ) from None
            qs = qs.filter(**{f"started_at__date__{op}": day})
    return with_related(qs)


def deputy_record(member: Member) -> dict:
    """The member's record for the member's term."""
    clips = with_related(Clip.objects.filter(member=member, deleted_at=None)).order_by("started_at")
    return {
        "member": {"id": member.pk, "name": member.full_name, "seat": member.seat},
        "term": {"id": member.term_id, "name": member.term.name},
        "attendance": _attendance(member),
        "speeches": _speeches(member, list(clips)),
        "named_votes": _named_votes(member),
        "documents_read": _documents_read(member),
    }


def _attendance(member: Member) -> list[dict]:
    rows = (
        Attendance.objects.filter(member=member, sitting__session__term_id=member.term_id)
        .select_related("sitting__session")
        .order_by("sitting__starts_at")
    )
    return [
        {
            "sitting": a.sitting.title,
            "session": a.sitting.session.title,
            "checked_in_at": a.checked_in_at.isoformat(),
            "checked_out_at": a.checked_out_at.isoformat() if a.checked_out_at else None,
        }
        for a in rows
    ]


def _speeches(member: Member, clips: list[Clip]) -> list[dict]:
    """Every speech of the speaking log with its clip; clips without a log row too."""
    by_entry = {c.floor_entry_id: c for c in clips if c.floor_entry_id is not None}
    out = []
    Speech = _model("floor.Speech")
    if Speech is not None:
        speeches = (
            Speech.objects.filter(member=member, sitting__session__term_id=member.term_id)
            .exclude(ended_at=None)
            .select_related("sitting", "agenda_item")
            .order_by("started_at")
        )
        for s in speeches:
            clip = by_entry.pop(s.pk, None)
            out.append(
                {
                    "entry": s.pk,
                    "sitting": s.sitting.title,
                    "item": s.agenda_item.title if s.agenda_item else None,
                    "started_at": s.started_at.isoformat(),
                    "duration_s": round((s.ended_at - s.started_at).total_seconds(), 1),
                    "clip": clip_row(clip) if clip else None,
                }
            )
    for clip in by_entry.values():
        out.append(
            {
                "entry": clip.floor_entry_id,
                "sitting": clip.sitting.title,
                "item": clip.agenda_item.title if clip.agenda_item else None,
                "started_at": clip.started_at.isoformat(),
                "duration_s": round(clip.duration_s, 1),
                "clip": clip_row(clip),
            }
        )
    out.sort(key=lambda r: r["started_at"])
    return out


def _named_votes(member: Member) -> list[dict]:
    NamedChoice = _model("voting.NamedChoice")
    if NamedChoice is None:
        return []
    rows = NamedChoice.objects.filter(
        ballot__member=member, ballot__vote__kind="named"
    ).select_related("ballot__vote", "question")
    return [
        {"vote": c.ballot.vote_id, "question": c.ballot.vote.question, "option": c.option}
        for c in rows.order_by("ballot__vote_id", "question_id")
    ]


def _documents_read(member: Member) -> list[dict]:
    ReadReceipt = _model("docs_store.ReadReceipt")
    if ReadReceipt is None:
        return []
    rows = ReadReceipt.objects.filter(member=member).select_related("document")
    return [
        {
            "document": r.document.title,
            "opens": r.opens,
            "seconds": r.seconds,
            "last_read_at": r.last_read_at.isoformat(),
        }
        for r in rows.order_by("first_opened_at")
    ]


@transaction.atomic
def delete_clip(clip: Clip, user, reason: str) -> Clip:
    """Delete a clip's file with a reason; the row stays as the record of the deletion."""
    if not policy.may_review_clips(user):  # clips.delete: the reviewer role (core/policy.py)
        raise DomainError("forbidden", "Only staff reviewers delete clips.")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError(
            "reason_required", "Deleting a clip needs a reason (at least 4 characters)."
        )
    clip = Clip.objects.select_for_update().get(pk=clip.pk)
    if clip.deleted_at is not None:
        raise DomainError("conflict", "The clip was already deleted.")
    clip.deleted_at, clip.deleted_by, clip.delete_reason = clock.now(), user, reason
    clip.save(update_fields=["deleted_at", "deleted_by", "delete_reason"])
    Recording.objects.filter(pk=clip.recording_id).update(error="deleted: " + reason[:200])
    emit(
        clip.sitting_id,
        "media.clip_deleted",
        {"clip": str(clip.public_id), "member": clip.member_id},
    )
    files = [paths.absolute(clip.path)] + (
        [paths.absolute(clip.poster_path)] if clip.poster_path else []
    )
    transaction.on_commit(lambda: [f.unlink(missing_ok=True) for f in files])
    return clip
