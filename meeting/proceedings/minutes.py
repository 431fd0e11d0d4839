"""The minutes (会议纪要) of a session: collected from the record, exported as JSON, PDF, DOCX.

``collect`` reads only what the database holds after the session: attendance per
sitting, the agenda with presenters, each speech of the speaking log (with a link to
its clip when the recorder filed one), each vote round with its rule, counts and
outcome (and, for named votes, who chose what), and the documents distributed. The
JSON export is that dict; the PDF and the DOCX (for clerks who edit the minutes in Word
or WPS) are renderings of it with the same words (``minutes_text``), so all agree.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from core import clock
from core.models import AgendaItem, Attendance, Session, Sitting
from core.roster import sitting_roster
from meeting.services.quorum import quorum

Progress = Callable[[str, int, int], None]


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _attendance(sitting: Sitting) -> dict:
    rows = {a.member_id: a for a in Attendance.objects.filter(sitting=sitting)}
    present, absent = [], []
    for m in sitting_roster(sitting).order_by("seat", "id"):
        a = rows.get(m.pk)
        entry = {"member": m.pk, "name": m.full_name, "seat": m.seat}
        if a is None:
            absent.append(entry)
            continue
        entry.update(
            checked_in_at=_iso(a.checked_in_at),
            checked_out_at=_iso(a.checked_out_at),
            method=a.method,
        )
        present.append(entry)
    return {"present": present, "absent": absent, "quorum": quorum(sitting).as_dict()}


def _clip_links(sitting: Sitting) -> dict[int, str]:
    """Speech id → link of its clip in the speech archive, for clips not deleted."""
    from media.models import Clip

    clips = Clip.objects.filter(sitting=sitting, deleted_at__isnull=True)
    return {
        c.floor_entry_id: reverse("media:clip", args=[c.public_id])
        for c in clips.exclude(floor_entry_id=None)
    }


def _speeches(sitting: Sitting) -> dict[int | None, list[dict]]:
    from meeting.floor.models import Speech

    links = _clip_links(sitting)
    out: dict[int | None, list[dict]] = {}
    rows = Speech.objects.filter(sitting=sitting, ended_at__isnull=False).select_related("member")
    for sp in rows.order_by("started_at", "id"):
        out.setdefault(sp.agenda_item_id, []).append(
            {
                "id": sp.pk,
                "member": sp.member_id,
                "name": sp.member.full_name,
                "seat": sp.member.seat,
                "kind": sp.kind,
                "number": sp.number,
                "by_chair": sp.by_chair,
                "started_at": _iso(sp.started_at),
                "ended_at": _iso(sp.ended_at),
                "duration_s": round(sp.duration_s or 0, 1),
                "ended_how": sp.ended_how,
                "clip": links.get(sp.pk),
            }
        )
    return out


def _vote(v, result) -> dict:
    rule = v.rule
    out = {
        "id": v.pk,
        "question": v.question,
        "kind": v.kind,
        "round": v.round,
        "state": v.state,
        "options": v.options,
        "rule": {
            **rule.as_dict(),
            "words": f"{rule.threshold_words} of {rule.base}",
            "words_zh": _rule_zh(rule),
        },
        "opened_at": _iso(v.opened_at),
        "closed_at": _iso(v.closed_at),
        "announced_at": _iso(v.announced_at),
        "result": None,
    }
    if result is not None:
        out["result"] = {
            "passed": result.passed,
            "roster_size": result.roster_size,
            "present": result.present,
            "cast": result.cast,
            "did_not_vote": result.did_not_vote,
            "absent": result.absent,
            "questions": result.questions,
            "named": result.named if v.kind == "named" else None,
        }
    return out


def _rule_zh(rule) -> str:
    return rule.label_zh


def _votes(sitting: Sitting) -> dict[int, list[dict]]:
    from meeting.voting.models import Result, Vote

    out: dict[int, list[dict]] = {}
    rows = Vote.objects.filter(sitting=sitting).exclude(state=Vote.State.PREPARED)
    results = {r.vote_id: r for r in Result.objects.filter(vote__in=rows)}
    for v in rows.order_by("opened_at", "id"):
        # a round cancelled while open has no result but stays on record
        out.setdefault(v.item_id, []).append(_vote(v, results.get(v.pk)))
    return out


def _documents(session: Session) -> list[dict]:
    """Documents distributed in the session, with when and which version."""
    from docs_store.models import Document, DocumentAction

    out = []
    docs = Document.objects.filter(session=session).select_related("item__sitting", "current")
    for d in docs.exclude(state=Document.State.DRAFT):
        sent = d.actions.filter(kind=DocumentAction.Kind.DISTRIBUTED).order_by("at").first()
        out.append(
            {
                "id": d.pk,
                "title": d.title,
                "item": d.item.title if d.item else None,
                "sitting": d.item.sitting.title if d.item else None,
                "version": d.current.number if d.current else None,
                "pages": d.current.pages if d.current else None,
                "access": d.access,
                "state": d.state,
                "distributed_at": _iso(sent.at) if sent else None,
            }
        )
    return out


def _item(item: AgendaItem, speeches: dict, votes: dict) -> dict:
    return {
        "id": item.pk,
        "order": item.order,
        "title": item.title,
        "state": item.state,
        "presenter": item.presenter.full_name if item.presenter else None,
        "speeches": speeches.get(item.pk, []),
        "votes": votes.get(item.pk, []),
    }


def collect_sitting(sitting: Sitting) -> dict:
    speeches, votes = _speeches(sitting), _votes(sitting)
    items = sitting.agenda_items.select_related("presenter").order_by("order")
    return {
        "id": sitting.pk,
        "title": sitting.title,
        "kind": sitting.kind,
        "group": sitting.group.name if sitting.group else None,
        "room": sitting.room,
        "starts_at": _iso(sitting.starts_at),
        "state": sitting.state,
        "chair": sitting.chair.full_name if sitting.chair else None,
        "attendance": _attendance(sitting),
        "agenda": [_item(i, speeches, votes) for i in items],
        "other_speeches": speeches.get(None, []),
    }


def collect(session: Session, progress: Progress | None = None) -> dict:
    """Everything the minutes say, as plain JSON-able data."""
    term = session.term
    sittings = list(session.sittings.select_related("group", "chair").order_by("starts_at", "id"))
    record = {
        "format": "yiting.minutes/1",
        "generated_at": _iso(clock.now()),
        "committee": term.committee.name,
        "term": term.name,
        "session": {
            "id": session.pk,
            "number": session.number,
            "title": session.title,
            "starts_on": _iso(session.starts_on),
            "ends_on": _iso(session.ends_on),
            "state": session.state,
        },
        "sittings": [],
        "documents": _documents(session),
    }
    for n, sitting in enumerate(sittings, start=1):
        if progress:
            progress(f"sitting {sitting.title}", n, len(sittings))
        record["sittings"].append(collect_sitting(sitting))
    return record


def _write_atomic(path: Path, data: bytes) -> None:
    """Write whole or not at all: a rerun after a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def minutes_dir(session: Session) -> Path:
    return Path(settings.DATA_DIR) / "minutes" / f"session-{session.pk}"


def write_json(record: dict, path: Path) -> None:
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False)
    _write_atomic(path, text.encode("utf-8"))


def write_pdf(record: dict, path: Path) -> None:
    from meeting.proceedings.minutes_pdf import render

    _write_atomic(path, render(record))


def write_docx(record: dict, path: Path) -> None:
    from meeting.proceedings.minutes_docx import render

    _write_atomic(path, render(record))


def docx_path(json_path: Path) -> Path:
    """The DOCX of a run sits beside its JSON (no column of its own: runs made before
    the DOCX existed get theirs written from the JSON on their first download)."""
    return json_path.with_suffix(".docx")


def ensure_docx(json_path: Path) -> Path:
    """The run's DOCX, written from its JSON record if it is not there yet."""
    path = docx_path(json_path)
    if not path.exists():
        write_docx(json.loads(json_path.read_text(encoding="utf-8")), path)
    return path
