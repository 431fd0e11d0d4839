"""Preparing a session: template, copy of the last one, sittings, agenda; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from core.models import AgendaItem, AuditEntry, Session, Sitting
from harness.actors import CLERK
from meeting.proceedings import preparation as prep
from meeting.rules import TWO_THIRDS_OF_ROSTER
from meeting.voting.models import Vote
from meeting.voting.services.definition import VoteSpec, prepare

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 20)


def shape(session: Session) -> list:
    """Everything preparation can change in a session, to compare before and after."""
    return [
        (s.kind, s.group_id, s.title, s.room, s.starts_at, s.chair_id, s.clerk_id)
        for s in session.sittings.order_by("starts_at", "id")
    ] + list(
        AgendaItem.objects.filter(sitting__session=session)
        .order_by("sitting", "order")
        .values_list("sitting_id", "order", "title", "presenter_id", "state")
    )


def test_template_makes_plenaries_and_one_group_sitting_per_group(committee):
    s = prep.create_from_template(
        committee.term,
        "standing",
        number=2,
        title="第二次会议",
        starts_on=DAY,
        room="一号厅",
        by=committee.clerk.user,
    )
    kinds = list(s.sittings.order_by("starts_at", "id").values_list("kind", "group__name"))
    assert kinds == [("plenary", None), ("group", "第一组"), ("group", "第二组"), ("plenary", None)]
    assert s.sittings.filter(starts_at__date=DAY + dt.timedelta(days=1)).count() == 1
    assert set(s.sittings.values_list("room", flat=True)) == {"一号厅"}
    assert AuditEntry.objects.filter(action="session.create", session=s).count() == 1


def test_unknown_template_and_taken_number_are_refused(committee):
    before = Session.objects.count()
    with pytest.raises(DomainError) as e:
        prep.create_from_template(committee.term, "nope", number=2, title="x", starts_on=DAY)
    assert e.value.code == "bad_template" and e.value.details["known"] == ["plenary", "standing"]
    with pytest.raises(DomainError) as e:
        prep.create_from_template(committee.term, "plenary", number=1, title="x", starts_on=DAY)
    assert e.value.code == "number_taken"
    assert Session.objects.count() == before


def test_copy_carries_sittings_agenda_presenters_and_prepared_votes(committee):
    src = committee.session
    item = committee.plenary.agenda_items.get(order=1)
    item.presenter = committee.members[2]
    item.first_speech_limit_s = 300
    item.save()
    prepare(
        committee.plenary.pk,
        VoteSpec(item_id=item.pk, question="通过条例草案", rule=TWO_THIRDS_OF_ROSTER),
        actor=CLERK,
    )
    assert prep.last_session(committee.term) == src
    new = prep.copy_session(
        src,
        number=prep.next_number(committee.term),
        title="第二次会议",
        starts_on=DAY,
        by=committee.clerk.user,
    )
    assert new.number == 2 and new.state == Session.State.PLANNED
    old_s = list(src.sittings.order_by("starts_at", "id"))
    new_s = list(new.sittings.order_by("starts_at", "id"))
    assert [(s.kind, s.group_id, s.chair_id) for s in new_s] == [
        (s.kind, s.group_id, s.chair_id) for s in old_s
    ]
    shift = DAY - src.starts_on
    assert all(n.starts_at == o.starts_at + shift for n, o in zip(new_s, old_s, strict=True))
    copied = new_s[0].agenda_items.get(order=1)
    assert copied.title == item.title and copied.presenter == committee.members[2]
    assert copied.first_speech_limit_s == 300 and copied.state == "pending"
    vote = Vote.objects.get(sitting=new_s[0])
    assert vote.item == copied and vote.state == "prepared" and vote.rule == TWO_THIRDS_OF_ROSTER
    assert vote.question == "通过条例草案"


def test_copy_does_not_copy_what_happened(committee):
    from meeting.services import agenda, attendance

    agenda.open_item(committee.plenary.pk, committee.plenary.agenda_items.first().pk, actor=CLERK)
    attendance.check_in(committee.plenary.pk, committee.members[0], method="tablet")
    new = prep.copy_session(committee.session, number=2, title="二", starts_on=DAY)
    assert not AgendaItem.objects.filter(sitting__session=new).exclude(state="pending").exists()
    assert not Sitting.objects.filter(session=new).exclude(state="planned").exists()
    assert not new.sittings.filter(attendance__isnull=False).exists()


def test_add_sitting_with_time_room_chair_and_clerk(committee):
    at = dt.datetime(2026, 11, 25, 14, 30, tzinfo=dt.UTC)
    s = prep.add_sitting(
        committee.session,
        kind="plenary",
        title="第三次全体会议",
        starts_at=at,
        room="二号厅",
        chair=committee.chair,
        clerk=committee.clerk,
    )
    assert (s.room, s.starts_at, s.chair, s.clerk) == (
        "二号厅",
        at,
        committee.chair,
        committee.clerk,
    )


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"kind": "group"}, "bad_sitting"),  # group sitting without a group
        ({"kind": "plenary", "group": "a"}, "bad_sitting"),  # plenary with a group
        ({"kind": "group", "group": "a"}, "bad_sitting"),  # group A already sits
        ({"kind": "plenary", "clerk": "m1"}, "bad_sitting"),  # a member is not a clerk
        ({"kind": "plenary", "chair": "clerk"}, "bad_sitting"),  # a clerk cannot preside
        ({"kind": "plenary", "title": " "}, "bad_sitting"),
        ({"kind": "committee"}, "bad_sitting"),
    ],
)
def test_bad_sittings_are_refused_and_change_nothing(committee, kwargs, code):
    names = {"a": committee.group_a, "m1": committee.members[0], "clerk": committee.clerk}
    args = {"title": "新会议", "starts_at": dt.datetime(2026, 11, 25, tzinfo=dt.UTC)}
    args.update({k: names.get(v, v) if k != "title" else v for k, v in kwargs.items()})
    before = shape(committee.session)
    with pytest.raises(DomainError) as e:
        prep.add_sitting(committee.session, **args)
    assert e.value.code == code
    assert shape(committee.session) == before


def test_closed_session_refuses_every_change(committee):
    committee.session.state = Session.State.CLOSED
    committee.session.save()
    before = shape(committee.session)
    item = committee.plenary.agenda_items.first()
    attempts = [
        lambda: prep.add_sitting(
            committee.session, kind="plenary", title="x", starts_at=committee.plenary.starts_at
        ),
        lambda: prep.update_sitting(committee.plenary, room="x"),
        lambda: prep.add_item(committee.plenary, "x"),
        lambda: prep.update_item(item, title="x"),
        lambda: prep.remove_item(item),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as e:
            attempt()
        assert e.value.code == "session_closed"
    assert shape(committee.session) == before


def test_agenda_add_edit_remove(committee):
    s = committee.plenary
    item = prep.add_item(s, "审议预算调整方案", presenter=committee.members[3])
    assert item.order == 4 and item.presenter == committee.members[3]
    prep.update_item(item, title="审议预算调整方案（草案）", second_speech_limit_s=120)
    item.refresh_from_db()
    assert item.title.endswith("（草案）") and item.second_speech_limit_s == 120
    prep.remove_item(s.agenda_items.get(order=2))
    assert list(s.agenda_items.order_by("order").values_list("order", "title")) == [
        (1, "议题1"),
        (2, "议题3"),
        (3, "审议预算调整方案（草案）"),
    ]


def test_agenda_refusals_change_nothing(committee):
    from meeting.services import agenda

    s = committee.plenary
    first = s.agenda_items.get(order=1)
    agenda.open_item(s.pk, first.pk, actor=CLERK)
    before = shape(committee.session)
    cases = [
        (lambda: prep.add_item(s, "  "), "invalid"),
        (lambda: prep.update_item(first, title=""), "invalid"),
        (lambda: prep.update_item(first, state="done"), "invalid"),
        (lambda: prep.remove_item(first), "item_not_pending"),
    ]
    for attempt, code in cases:
        with pytest.raises(DomainError) as e:
            attempt()
        assert e.value.code == code
    assert shape(committee.session) == before


def test_item_with_a_vote_on_record_cannot_be_removed(committee):
    from meeting.services import attendance
    from meeting.voting.services.lifecycle import open_vote

    s = committee.plenary
    item = s.agenda_items.get(order=3)
    v = prepare(s.pk, VoteSpec(item_id=item.pk, question="q"), actor=CLERK)
    for m in [committee.chair, *committee.members]:
        attendance.check_in(s.pk, m, method="clerk")
    open_vote(s.pk, v.pk, actor=CLERK)
    before = shape(committee.session)
    with pytest.raises(DomainError) as e:
        prep.remove_item(item)
    assert e.value.code == "item_has_records"
    assert shape(committee.session) == before


def test_prepared_votes_go_with_a_removed_item(committee):
    s = committee.plenary
    item = s.agenda_items.get(order=3)
    prepare(s.pk, VoteSpec(item_id=item.pk, question="q"), actor=CLERK)
    prep.remove_item(item)
    assert not Vote.objects.filter(sitting=s).exists()
