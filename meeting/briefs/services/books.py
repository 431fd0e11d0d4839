"""一人一册 and 一届一本: the term of one member, or of the whole committee, as a book.

``collect_term`` reads the whole term in a few bulk queries (sittings, attendance,
leave, speeches with summaries and clips, named votes, documents read) and hands each
member's part to the renderer; a member's book is the same collection narrowed to one
member, so the two books never disagree.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from core.models import COMPONENT_ROLES, Attendance, Member, Session, Sitting, Term
from docs_store.models import ReadReceipt
from media.models import Clip
from meeting.briefs.models import Leave, Summary
from meeting.briefs.services.speakers import speaker_name, speaker_title
from meeting.floor.models import Speech

OPTION_ZH = {"yes": "赞成", "no": "反对", "abstain": "弃权"}


def _sittings(term: Term) -> list[Sitting]:
    """The sittings held so far: ended or live, or of a closed session (planned ones are not)."""
    rows = list(
        Sitting.objects.filter(session__term=term)
        .filter(
            Q(state__in=[Sitting.State.ENDED, Sitting.State.LIVE])
            | Q(session__state=Session.State.CLOSED)
        )
        .select_related("session", "group")
        .order_by("starts_at", "id")
    )
    if not rows:
        raise DomainError("term_empty", f"{term} has no sittings held yet.", term=term.pk)
    return rows


def collect_term_check(term: Term) -> None:
    """Refuse a book for a term with no sittings before any work is queued."""
    _sittings(term)


def _expected(member: Member, sitting: Sitting) -> bool:
    return sitting.kind == Sitting.Kind.PLENARY or sitting.group_id == member.group_id


def collect_term(term: Term, members: list[Member] | None = None, progress=None) -> dict:
    """Everything the books print for ``members`` (default: every component member)."""
    sittings = _sittings(term)
    if members is None:
        members = list(
            Member.objects.filter(term=term, active=True, role__in=COMPONENT_ROLES)
            .select_related("group")
            .order_by("seat", "id")
        )
    ids = [m.pk for m in members]
    present = set(
        Attendance.objects.filter(sitting__in=sittings, member_id__in=ids).values_list(
            "member_id", "sitting_id"
        )
    )
    leaves = {
        (lv.member_id, lv.sitting_id): lv.reason
        for lv in Leave.objects.filter(sitting__in=sittings, member_id__in=ids)
    }
    speeches = defaultdict(list)
    spoken = Speech.objects.filter(sitting__in=sittings, member_id__in=ids).exclude(ended_at=None)
    sp_rows = list(
        spoken.select_related("sitting__session", "agenda_item").order_by("started_at", "id")
    )
    # a subquery, not a list of ids: a term's speeches may number more than PostgreSQL's
    # 65,535 parameters of one statement (server-side binding, deploy/settings.py)
    spoken_ids = spoken.values("pk")
    summaries = {s.speech_id: s for s in Summary.objects.filter(speech__in=spoken_ids)}
    clips = {c.floor_entry_id: c for c in Clip.objects.filter(floor_entry_id__in=spoken_ids)}
    for sp in sp_rows:
        summary, clip = summaries.get(sp.pk), clips.get(sp.pk)
        speeches[sp.member_id].append(
            {
                "date": timezone.localtime(sp.started_at).strftime("%Y-%m-%d %H:%M"),
                "session": sp.sitting.session.title,
                "session_id": sp.sitting.session_id,
                "sitting": sp.sitting.title,
                "item": sp.agenda_item.title if sp.agenda_item else "—",
                "text": summary.text if summary else "",
                "quotes": list(summary.quotes) if summary else [],
                "clip": str(clip.public_id) if clip and not clip.deleted_at else None,
                "clip_removed": clip.delete_reason if clip and clip.deleted_at else "",
            }
        )
    votes = _named_votes(term, ids)
    reads = defaultdict(list)
    for r in (
        ReadReceipt.objects.filter(member_id__in=ids, document__session__term=term)
        .select_related("document")
        .order_by("first_opened_at")
    ):
        reads[r.member_id].append(
            {"title": r.document.title, "opens": r.opens, "seconds": r.seconds}
        )
    sessions = []
    for s in sittings:
        if not sessions or sessions[-1]["id"] != s.session_id:
            sessions.append(
                {"id": s.session_id, "title": s.session.title, "number": s.session.number}
            )
    books = []
    for n, m in enumerate(members):
        attendance = []
        for s in sittings:
            if not _expected(m, s):
                continue
            if (m.pk, s.pk) in present:
                status, reason = "出席", ""
            elif (m.pk, s.pk) in leaves:
                status, reason = "请假", leaves[(m.pk, s.pk)]
            else:
                status, reason = "缺席", ""
            attendance.append(
                {
                    "session": s.session.title,
                    "session_id": s.session_id,
                    "sitting": s.title,
                    "date": timezone.localtime(s.starts_at).strftime("%Y-%m-%d"),
                    "status": status,
                    "reason": reason,
                }
            )
        per_session = []
        for sess in sessions:
            rows = [a for a in attendance if a["session_id"] == sess["id"]]
            per_session.append(
                {
                    "session": sess["number"],
                    "expected": len(rows),
                    "attended": sum(a["status"] == "出席" for a in rows),
                    "speeches": sum(x["session_id"] == sess["id"] for x in speeches[m.pk]),
                }
            )
        books.append(
            {
                "id": m.pk,
                "name": speaker_name(m),
                "title": speaker_title(m),
                "seat": m.seat,
                "group": m.group.name if m.group_id else "",
                "group_order": m.group.order if m.group_id else 1_000_000,
                "attendance": attendance,
                "speeches": speeches[m.pk],
                "votes": votes[m.pk],
                "documents": reads[m.pk],
                "per_session": per_session,
            }
        )
        if progress:
            progress(n + 1, len(members))
    medians = {
        sess["number"]: statistics.median([b["per_session"][i]["speeches"] for b in books] or [0])
        for i, sess in enumerate(sessions)
    }
    return {
        "term": {"id": term.pk, "name": str(term), "committee": term.committee.name},
        "sessions": sessions,
        "sittings": len(sittings),
        "median_speeches": medians,
        "members": books,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def _named_votes(term: Term, ids: list[int]) -> dict[int, list[dict]]:
    from meeting.voting.models import NamedChoice

    out = defaultdict(list)
    rows = (
        NamedChoice.objects.filter(
            ballot__member_id__in=ids,
            ballot__vote__kind="named",
            ballot__vote__sitting__session__term=term,
        )
        .select_related("ballot__vote__sitting", "question")
        .order_by("ballot__vote__closed_at", "ballot__vote_id", "question_id")
    )
    for c in rows:
        vote = c.ballot.vote
        out[c.ballot.member_id].append(
            {
                "question": c.question.text or vote.question,
                "sitting": vote.sitting.title,
                "option": OPTION_ZH.get(c.option, c.option),
            }
        )
    return out


def member_book_data(member: Member) -> dict:
    data = collect_term(member.term, [member])
    whole_medians = _term_medians(member.term)
    data["median_speeches"] = whole_medians
    return data


def _term_medians(term: Term) -> dict[int, float]:
    """Median speeches per session over every component member of the term (cheap counts)."""
    members = list(
        Member.objects.filter(term=term, active=True, role__in=COMPONENT_ROLES).values_list(
            "pk", flat=True
        )
    )
    counts = defaultdict(int)
    for member_id, number in (
        Speech.objects.filter(sitting__session__term=term, member_id__in=members)
        .exclude(ended_at=None)
        .values_list("member_id", "sitting__session__number")
    ):
        counts[(member_id, number)] += 1
    numbers = sorted(set(term.sessions.values_list("number", flat=True)))
    return {n: statistics.median([counts[(m, n)] for m in members] or [0]) for n in numbers}


def books_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "books"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_member_book_file(member_id: int, report=None) -> str:
    from meeting.briefs.exports.book_pdf import render_member_book

    member = Member.objects.select_related("term__committee", "group").get(pk=member_id)
    data = member_book_data(member)
    path = books_dir() / f"member-{member.pk}.pdf"
    _write(path, render_member_book(data))
    if report:
        report(1, 1)
    return str(path)


def write_term_book_file(term_id: int, report=None) -> str:
    from meeting.briefs.exports.book_pdf import render_term_book

    term = Term.objects.select_related("committee").get(pk=term_id)

    def collecting(n: int, total: int) -> None:
        if report and (n % 10 == 0 or n == total):
            report(n, total * 2)  # the first half of the work: collecting

    data = collect_term(term, progress=collecting)
    total = len(data["members"])

    def rendering(n: int) -> None:
        if report:
            report(total + min(n, total), total * 2)

    path = books_dir() / f"term-{term.pk}.pdf"
    _write(path, render_term_book(data, rendering))
    if report:
        report(total * 2, total * 2)
    return str(path)


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a rerun after a crash never leaves half a book."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # one per writer: no races
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    Path(tmp).replace(path)
