"""The demo's history: a past, closed session whose group sittings were recorded.

Each group sitting of the past session has a few speeches with short real clips (made
now by the ffmpeg binary from a lavfi source showing the member's name and playing a
tone), most with summaries and quotes, and the first group's sitting has a released
brief; so a newcomer finds the archive, a brief and a member's book on the first run.
Its first agenda item is the second reading of the demo's draft law, with opinions and a
brief compiled by article (``meeting.demo_drafts``).
Idempotent: a second run finds the past session and does nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.models import (
    COMPONENT_ROLES,
    AgendaItem,
    Attendance,
    Member,
    Role,
    Session,
    Sitting,
    Term,
)
from meeting.briefs.history import file_speech, tone_clip
from meeting.briefs.models import Brief, Leave
from meeting.briefs.services.briefs import check_brief, create_brief, release_brief
from meeting.briefs.services.summaries import save_summary
from meeting.demo_drafts import load_second_reading

PAST_NUMBER = 19
CLIP_S = 4.0
SPEECHES_PER_GROUP = 3
POINTS = [
    ("建议进一步明确数据共享的边界和责任主体，增加对违规使用公共数据的罚则。", "罚则要写清楚"),
    ("赞成草案总体框架，建议对中小企业的数据合规给予过渡期。", "给中小企业一个过渡期"),
    ("关注基层落实，经费保障和人员培训应当写入条文。", "经费保障要落到实处"),
    ("建议增加公众参与和信息公开的条款，回应群众关切。", None),
    ("对执法检查发现的问题要建立整改台账，定期向常委会报告。", "定期向常委会报告"),
]
LEAVE_REASONS = ["因公出差", "因病请假", "参加其他重要会议"]


def _staff(term: Term, username: str, name: str):
    from meeting.demo import _member

    return _member(term, username, name, Role.STAFF).user


def _speakers(sitting: Sitting, term: Term) -> list[Member]:
    """Members of the group, leaving out the first plain member by seat (the live-recording
    tests record that one and look for their only clip)."""
    group = Member.objects.filter(term=term, group=sitting.group, active=True)
    rows = list(group.filter(role__in=COMPONENT_ROLES).order_by("seat", "id"))
    plain = group.filter(role=Role.MEMBER).order_by("seat", "id").first()
    if plain is not None:
        rows.remove(plain)
    return rows[:SPEECHES_PER_GROUP]


def load_history(term: Term | None = None) -> Session | None:
    """Create the past session with recorded group sittings and a released brief (once)."""
    term = term or Term.objects.filter(is_current=True).first()
    if term is None:
        return None
    existing = Session.objects.filter(term=term, number=PAST_NUMBER).first()
    if existing is not None:
        return existing
    staff, checker = _staff(term, "staff", "机关 审查员"), _staff(term, "staff2", "机关 核稿员")
    with transaction.atomic():
        session, plan = _past_session(term)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        files = list(
            pool.map(
                lambda p: tone_clip(Path(tmp) / f"{p[0]}.mp4", p[1], CLIP_S, 330 + 40 * (p[0] % 8)),
                [(n, member.full_name) for n, (_, member, _, _) in enumerate(plan)],
            )
        )
        with transaction.atomic():
            speeches = [
                file_speech(sitting, member, item, at, CLIP_S, clip_file=f)
                for (sitting, member, item, at), f in zip(plan, files, strict=True)
            ]
    with transaction.atomic():
        for n, sp in enumerate(speeches):
            if n % 4 == 3:
                continue  # most, not all: a newcomer sees what is left to write
            text, quote = POINTS[n % len(POINTS)]
            quotes = [{"at": 1.5 + (n % 2), "text": quote}] if quote else []
            save_summary(staff, sp, text, quotes)
        first = (
            session.sittings.filter(kind=Sitting.Kind.GROUP, speeches__isnull=False)
            .order_by("group__order")
            .first()
        )
        brief = create_brief(staff, sitting=first)
        release_brief(checker, check_brief(checker, brief), "committee")
        # item 1's second reading: the draft in two versions compared, opinions, a brief by article
        load_second_reading(session, staff, speeches)
        Session.objects.filter(pk=session.pk).update(state=Session.State.CLOSED)
    return session


def _past_session(term: Term):
    from meeting.demo import ITEMS

    day = timezone.localdate() - dt.timedelta(days=42)
    session = Session.objects.create(
        term=term,
        number=PAST_NUMBER,
        title="第十四届常务委员会第十九次会议",
        starts_on=day,
        ends_on=day + dt.timedelta(days=1),
        state=Session.State.OPEN,
    )
    morning = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    plenary = Sitting.objects.create(
        session=session,
        kind=Sitting.Kind.PLENARY,
        title="第一次全体会议",
        room="第一会议室",
        starts_at=morning,
        state=Sitting.State.ENDED,
    )
    sittings = [plenary]
    for i, group in enumerate(term.groups.order_by("order")):
        sittings.append(
            Sitting.objects.create(
                session=session,
                kind=Sitting.Kind.GROUP,
                group=group,
                title=f"分组会议 · {group.name}",
                room=f"第{i + 2}会议室",
                starts_at=morning + dt.timedelta(hours=5),
                state=Sitting.State.ENDED,
            )
        )
    for s in sittings:
        for order, (title, _doc) in enumerate(ITEMS[:2], start=1):
            AgendaItem.objects.create(sitting=s, order=order, title=title, state="done")
    members = list(Member.objects.filter(term=term, active=True, role__in=COMPONENT_ROLES))
    plan = []
    for n, m in enumerate(members):
        for s in sittings:
            if s.kind == Sitting.Kind.GROUP and s.group_id != m.group_id:
                continue
            if n % 11 == 5:
                Leave.objects.create(sitting=s, member=m, reason=LEAVE_REASONS[n % 3])
                continue
            Attendance.objects.create(
                sitting=s, member=m, checked_in_at=s.starts_at, method=Attendance.Method.TABLET
            )
    for s in sittings[1:]:
        items = list(s.agenda_items.order_by("order"))
        for k, member in enumerate(_speakers(s, term)):
            at = s.starts_at + dt.timedelta(minutes=10 * k + 5)
            plan.append((s, member, items[min(k // 2, len(items) - 1)], at))
    return session, plan


def released_brief(term: Term) -> Brief | None:
    return Brief.objects.filter(
        session__term=term, session__number=PAST_NUMBER, state=Brief.State.RELEASED
    ).first()
