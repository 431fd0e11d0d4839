"""Preparing a session (会前准备): from a template or a copy, its sittings and agendas.

A clerk prepares the session before the day: the sittings (the plenary and the
parallel group sittings, 分组会议) with their times, rooms, chairs and clerks; each
sitting's agenda with who presents what; the votes prepared per item with their
decision rules (``meeting.voting``). Copying the last session carries all of that
over, shifted to the new dates, so a clerk edits a known shape instead of starting
from nothing. Documents are not copied: each session distributes its own versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, policy
from core.errors import DomainError
from core.models import AgendaItem, DeliberationGroup, Member, Role, Session, Sitting, Term
from meeting.services import agenda

# Preparation is the session clerk's work: the pages admit only them
# (meeting/proceedings/access.py), and the services they call act as the clerk role.
SESSION_CLERK = policy.Acting(role=Role.CLERK)


FIELD_WORDS = {
    "title": gettext_lazy("title"),
    "starts_at": gettext_lazy("starts at"),
    "room": gettext_lazy("room"),
    "chair": gettext_lazy("chair"),
    "clerk": gettext_lazy("clerk"),
    "presenter": gettext_lazy("presenter"),
    "description": gettext_lazy("description"),
    "first_speech_limit_s": gettext_lazy("first speech limit (s)"),
    "second_speech_limit_s": gettext_lazy("second speech limit (s)"),
    "on_time_up": gettext_lazy("when the time is up"),
}


def _fields(model, fields) -> str:
    """The changed fields as people read them, for the audit trail."""
    return "、".join(str(FIELD_WORDS.get(f, f)) for f in sorted(fields))


ITEM_FIELDS = (
    "title",
    "description",
    "presenter",
    "first_speech_limit_s",
    "second_speech_limit_s",
    "on_time_up",
)


@dataclass(frozen=True)
class SittingPlan:
    """One sitting of a template: which day (0 = first), time, kind, title pattern."""

    day: int
    time: dt.time
    kind: str
    title: str  # may contain {group}


TEMPLATES: dict[str, tuple[str, list[SittingPlan]]] = {
    "standing": (
        "常委会会议：全体会议开幕，分组审议，全体会议表决",
        [
            SittingPlan(0, dt.time(9, 0), Sitting.Kind.PLENARY, "第一次全体会议"),
            SittingPlan(0, dt.time(14, 30), Sitting.Kind.GROUP, "{group}分组审议"),
            SittingPlan(1, dt.time(9, 0), Sitting.Kind.PLENARY, "第二次全体会议（表决）"),
        ],
    ),
    "plenary": ("只开一次全体会议", [SittingPlan(0, dt.time(9, 0), "plenary", "全体会议")]),
}


def _refuse_closed(session: Session) -> None:
    if session.state == Session.State.CLOSED:
        raise DomainError("session_closed", _("%(session)s is closed.") % {"session": session})


def next_number(term: Term) -> int:
    return (term.sessions.aggregate(m=Max("number"))["m"] or 0) + 1


def last_session(term: Term) -> Session | None:
    """The session a clerk most likely wants to copy: the latest by date and number."""
    return term.sessions.order_by("-starts_on", "-number").first()


def _new_session(term: Term, number: int, title: str, starts_on: dt.date) -> Session:
    if not title.strip():
        raise DomainError("bad_sitting", _("A session needs a title."))
    if term.sessions.filter(number=number).exists():
        raise DomainError(
            "number_taken", _("Session number %(number)s is already used.") % {"number": number}
        )
    return Session.objects.create(
        term=term, number=number, title=title.strip(), starts_on=starts_on
    )


def _at(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


@transaction.atomic
def create_from_template(
    term: Term,
    template: str,
    *,
    number: int,
    title: str,
    starts_on: dt.date,
    room: str = "",
    tz: dt.tzinfo = dt.UTC,
    by=None,
) -> Session:
    """A new session with the template's sittings (one group sitting per group)."""
    if template not in TEMPLATES:
        raise DomainError(
            "bad_template",
            _("No session template “%(name)s”.") % {"name": template},
            known=sorted(TEMPLATES),
        )
    session = _new_session(term, number, title, starts_on)
    groups = list(term.groups.order_by("order", "id"))
    for plan in TEMPLATES[template][1]:
        when = _at(starts_on + dt.timedelta(days=plan.day), plan.time, tz)
        targets = groups if plan.kind == Sitting.Kind.GROUP else [None]
        for g in targets:
            Sitting.objects.create(
                session=session,
                kind=plan.kind,
                group=g,
                title=plan.title.format(group=g.name if g else ""),
                starts_at=when,
                room=room,
            )
    audit.record(by, "session.create", session=session, summary=f"{title} ({template})")
    return session


def _copy_items(src: Sitting, dst: Sitting) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for item in src.agenda_items.order_by("order"):
        new = AgendaItem.objects.create(
            sitting=dst, order=item.order, **{f: getattr(item, f) for f in ITEM_FIELDS}
        )
        mapping[item.pk] = new.pk
    return mapping


def _copy_votes(src: Sitting, dst: Sitting, items: dict[int, int], by_user_id) -> int:
    """Prepared votes of the source, as prepared votes on the copied items (first rounds)."""
    from meeting.voting.models import Vote
    from meeting.voting.services.definition import VoteSpec, prepare

    n = 0
    votes = src.votes.filter(previous__isnull=True).exclude(state=Vote.State.CANCELLED)
    for v in votes.order_by("id"):
        lines = [q.text for q in v.questions.order_by("order")]
        spec = VoteSpec(
            item_id=items[v.item_id],
            question=v.question,
            kind=v.kind,
            questions=lines if len(lines) > 1 else [],
            options=v.options,
            rule=v.rule,
            duration_s=v.duration_s,
            allow_change=v.allow_change,
            show_running=v.show_running,
            choices_visible=v.choices_visible,
        )
        prepare(dst.pk, spec, actor=SESSION_CLERK, by_user_id=by_user_id)
        n += 1
    return n


def _copy_floor_rules(src: Sitting, dst: Sitting) -> None:
    from meeting.floor.models import FloorRules

    rules = FloorRules.objects.filter(sitting=src).first()
    if rules is not None:  # dst got its default row when it was created
        fields = ("mode", "max_floors", "warn_before_s", "reply_limit_s", "point_of_order_limit_s")
        FloorRules.objects.update_or_create(
            sitting=dst, defaults={f: getattr(rules, f) for f in fields}
        )


@transaction.atomic
def copy_session(
    source: Session, *, number: int, title: str, starts_on: dt.date, by=None
) -> Session:
    """A new session shaped like ``source``: sittings, agendas, presenters, prepared votes.

    Times move by the distance between the two first days; rooms, chairs and clerks
    stay. Nothing of what happened (attendance, speeches, ballots, documents) is copied.
    """
    session = _new_session(source.term, number, title, starts_on)
    shift = starts_on - source.starts_on
    votes = 0
    for src in source.sittings.order_by("starts_at", "id"):
        dst = Sitting.objects.create(
            session=session,
            kind=src.kind,
            group=src.group,
            title=src.title,
            room=src.room,
            starts_at=src.starts_at + shift,
            chair=src.chair,
            clerk=src.clerk,
        )
        items = _copy_items(src, dst)
        votes += _copy_votes(src, dst, items, by.pk if by else None)
        _copy_floor_rules(src, dst)
    audit.record(
        by,
        "session.copy",
        session=session,
        summary=f"{title} ← {source.title}",
        data={"source": source.pk, "votes": votes},
    )
    return session


def _check_sitting(session: Session, kind: str, group, chair, clerk) -> None:
    if kind not in Sitting.Kind.values:
        raise DomainError("bad_sitting", _("Unknown kind of sitting “%(kind)s”.") % {"kind": kind})
    if (kind == Sitting.Kind.GROUP) != (group is not None):
        raise DomainError("bad_sitting", _("A group sitting needs a group; a plenary has none."))
    if group is not None and group.term_id != session.term_id:
        raise DomainError("wrong_term", _("%(what)s belongs to another term.") % {"what": group})
    for who in (chair, clerk):
        if who is not None and who.term_id != session.term_id:
            raise DomainError("wrong_term", _("%(what)s belongs to another term.") % {"what": who})
    if clerk is not None and not policy.may(clerk.role, "sitting.be_clerk"):
        raise DomainError("bad_sitting", _("%(name)s is not a clerk.") % {"name": clerk})
    if chair is not None and not chair.is_component_member:
        raise DomainError("bad_sitting", _("%(name)s is not a component member.") % {"name": chair})


@transaction.atomic
def add_sitting(
    session: Session,
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    room: str = "",
    group: DeliberationGroup | None = None,
    chair: Member | None = None,
    clerk: Member | None = None,
    by=None,
) -> Sitting:
    """Add a plenary or a group sitting (one per group per session)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _refuse_closed(session)
    _check_sitting(session, kind, group, chair, clerk)
    if not title.strip():
        raise DomainError("bad_sitting", _("A sitting needs a title."))
    try:
        with transaction.atomic():
            sitting = Sitting.objects.create(
                session=session,
                kind=kind,
                group=group,
                title=title.strip(),
                starts_at=starts_at,
                room=room.strip(),
                chair=chair,
                clerk=clerk,
            )
    except IntegrityError:
        raise DomainError(
            "bad_sitting",
            _("%(group)s already has a sitting in this session.") % {"group": group},
        ) from None
    audit.record(
        by, "sitting.add", sitting=sitting, summary=f"{sitting.title} {starts_at:%m-%d %H:%M}"
    )
    return sitting


@transaction.atomic
def update_sitting(sitting: Sitting, *, by=None, **fields) -> Sitting:
    """Change a sitting's title, time, room, chair or clerk before it ends."""
    sitting = Sitting.objects.select_for_update().select_related("session").get(pk=sitting.pk)
    _refuse_closed(sitting.session)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    allowed = {"title", "starts_at", "room", "chair", "clerk"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(
            "bad_sitting", _("Cannot change %(fields)s.") % {"fields": "、".join(sorted(unknown))}
        )
    merged = {"chair": sitting.chair, "clerk": sitting.clerk, **fields}
    _check_sitting(sitting.session, sitting.kind, sitting.group, merged["chair"], merged["clerk"])
    for k, v in fields.items():
        setattr(sitting, k, v.strip() if isinstance(v, str) else v)
    sitting.save()
    audit.record(by, "sitting.update", sitting=sitting, summary=_fields(Sitting, fields))
    return sitting


def _item_sitting(sitting: Sitting) -> Sitting:
    sitting = Sitting.objects.select_related("session").get(pk=sitting.pk)
    _refuse_closed(sitting.session)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    return sitting


def _check_presenter(sitting: Sitting, presenter: Member | None) -> None:
    if presenter is not None and presenter.term_id != sitting.session.term_id:
        raise DomainError(
            "wrong_term", _("%(what)s belongs to another term.") % {"what": presenter}
        )


@transaction.atomic
def add_item(sitting: Sitting, title: str, *, by=None, **fields) -> AgendaItem:
    """Append an agenda item; ``presenter`` may flip pages for it."""
    sitting = _item_sitting(sitting)
    if not title.strip():
        raise DomainError("invalid", _("An agenda item needs a title."))
    _check_presenter(sitting, fields.get("presenter"))
    item = agenda.add_item(sitting, title.strip(), **fields)
    audit.record(by, "agenda.add", sitting=sitting, summary=str(item))
    return item


@transaction.atomic
def update_item(item: AgendaItem, *, by=None, **fields) -> AgendaItem:
    """Edit an item's title, description, presenter or speech limits."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    sitting = _item_sitting(item.sitting)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise DomainError(
            "invalid", _("Cannot change %(fields)s.") % {"fields": "、".join(sorted(unknown))}
        )
    if "title" in fields and not str(fields["title"]).strip():
        raise DomainError("invalid", _("An agenda item needs a title."))
    _check_presenter(sitting, fields.get("presenter"))
    for k, v in fields.items():
        setattr(item, k, v.strip() if isinstance(v, str) else v)
    item.save()
    audit.record(
        by, "agenda.update", sitting=sitting, summary=f"{item}：{_fields(AgendaItem, fields)}"
    )
    return item


def _has_records(item: AgendaItem) -> bool:
    from meeting.floor.models import Speech
    from meeting.voting.models import Vote

    return (
        Speech.objects.filter(agenda_item=item).exists()
        or Vote.objects.filter(item=item).exclude(state=Vote.State.PREPARED).exists()
    )


@transaction.atomic
def remove_item(item: AgendaItem, *, by=None) -> None:
    """Remove an item not yet opened, with its prepared votes; the rest move up."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    sitting = _item_sitting(item.sitting)
    if item.state != AgendaItem.State.PENDING:
        raise DomainError(
            "item_not_pending", _("%(item)s has already been opened.") % {"item": item}
        )
    if _has_records(item):
        raise DomainError(
            "item_has_records", _("%(item)s has speeches or votes on record.") % {"item": item}
        )
    from meeting.voting.models import Question, Vote

    prepared = Vote.objects.filter(item=item, state=Vote.State.PREPARED)
    Question.objects.filter(vote__in=prepared).delete()
    prepared.delete()
    title = str(item)
    item.delete()
    rest = list(sitting.agenda_items.order_by("order").values_list("pk", flat=True))
    if rest:
        agenda.reorder(sitting, rest)
    audit.record(by, "agenda.remove", sitting=sitting, summary=title)


RULES = {
    "roster_half": ("roster", 1, 2, True),
    "roster_two_thirds": ("roster", 2, 3, False),
    "present_half": ("present", 1, 2, True),
    "cast_half": ("cast", 1, 2, True),
}


@transaction.atomic
def prepare_vote(
    item: AgendaItem,
    *,
    question: str,
    kind: str,
    rule: str,
    duration_s: int | None = None,
    by=None,
):
    """Prepare a vote on an item before the sitting, with one of the usual decision rules."""
    from meeting.rules import DecisionRule
    from meeting.voting.services.definition import VoteSpec, prepare

    sitting = _item_sitting(item.sitting)
    if rule not in RULES:
        raise DomainError(
            "bad_vote",
            _("Unknown decision rule “%(rule)s”.") % {"rule": rule},
            known=sorted(RULES),
        )
    spec = VoteSpec(
        item_id=item.pk,
        question=question,
        kind=kind,
        rule=DecisionRule(*RULES[rule]),
        duration_s=duration_s,
    )
    vote = prepare(sitting.pk, spec, actor=SESSION_CLERK, by_user_id=by.pk if by else None)
    audit.record(by, "vote.prepare", sitting=sitting, summary=f"{item}: {vote.question}")
    return vote
