"""Quorum on the roster, attendance, agenda order, group assignment, roles."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError
from core.models import AgendaItem, Attendance, Member, Role, Sitting
from core.roster import assign_group, component_members, sitting_role, sitting_roster
from harness.actors import CLERK
from meeting.services import agenda, attendance
from meeting.services.quorum import more_than_half, quorum
from realtime.models import SittingEvent


def test_more_than_half_is_exact():
    assert [more_than_half(n) for n in (1, 2, 3, 9, 10, 65, 66)] == [1, 2, 2, 5, 6, 33, 34]


def test_roster_counts_component_members_only(committee):
    # chair + 8 members; clerk, staff, display have no seat
    assert component_members(committee.term).count() == 9
    assert sitting_roster(committee.group_a_sitting).count() == 5  # chair + m1, m3, m5, m7
    assert sitting_roster(committee.group_b_sitting).count() == 4


def test_quorum_comes_from_the_roster_not_from_logins(committee):
    p = committee.plenary
    q = quorum(p)
    assert (q.roster_size, q.present, q.required, q.reached) == (9, 0, 5, False)
    for m in committee.members[:4]:
        attendance.check_in(p.pk, m, method="tablet")
    assert quorum(p).reached is False  # 4 of 9 is not more than half
    attendance.check_in(p.pk, committee.members[4], method="clerk")
    q = quorum(p)
    assert (q.present, q.reached) == (5, True)
    assert "5 of 9 component members present" in q.explanation


def test_deactivated_member_leaves_the_roster_and_the_count(committee):
    p = committee.plenary
    for m in committee.members[:5]:
        attendance.check_in(p.pk, m, method="tablet")
    m = committee.members[0]
    Member.objects.filter(pk=m.pk).update(active=False)
    q = quorum(p)
    assert (q.roster_size, q.present, q.reached) == (8, 4, False)


def test_check_in_is_idempotent_and_check_out_keeps_the_record(committee):
    p, m = committee.plenary, committee.members[0]
    a1 = attendance.check_in(p.pk, m, method="tablet")
    seq = Sitting.objects.get(pk=p.pk).event_seq
    a2 = attendance.check_in(p.pk, m, method="tablet")
    assert a1.pk == a2.pk and a1.checked_in_at == a2.checked_in_at
    assert Sitting.objects.get(pk=p.pk).event_seq == seq  # nothing new to announce
    attendance.check_out(p.pk, m)
    att = Attendance.objects.get(pk=a1.pk)
    assert att.checked_out_at is not None and not att.present
    with pytest.raises(DomainError) as e:
        attendance.check_out(p.pk, m)
    assert e.value.code == "not_checked_in"
    attendance.check_in(p.pk, m, method="clerk")
    assert Attendance.objects.get(pk=a1.pk).present
    types = list(SittingEvent.objects.filter(sitting=p).values_list("type", flat=True))
    assert types == ["attendance.changed"] * 3


def test_check_in_refuses_a_member_of_another_group(committee):
    b_member = committee.members[1]  # even → group B
    with pytest.raises(DomainError) as e:
        attendance.check_in(committee.group_a_sitting.pk, b_member, method="tablet")
    assert e.value.code == "not_on_roster"
    assert not Attendance.objects.exists()
    assert not SittingEvent.objects.exists()


def test_events_are_numbered_without_gaps_and_rolled_back_with_the_change(committee):
    p = committee.plenary
    for m in committee.members[:3]:
        attendance.check_in(p.pk, m, method="tablet")
    with pytest.raises(RuntimeError), transaction.atomic():
        attendance.check_in(p.pk, committee.members[3], method="tablet")
        raise RuntimeError("the clerk's laptop died mid-change")
    attendance.check_in(p.pk, committee.members[4], method="tablet")
    seqs = list(SittingEvent.objects.filter(sitting=p).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4]
    assert not Attendance.objects.filter(member=committee.members[3]).exists()


def test_agenda_one_current_item_and_stepping(committee):
    s = committee.plenary
    first = agenda.step(s.pk, +1, actor=CLERK)
    assert first.order == 1 and first.state == "current"
    second = agenda.step(s.pk, +1, actor=CLERK)
    assert second.order == 2
    states = dict(s.agenda_items.values_list("order", "state"))
    assert states == {1: "done", 2: "current", 3: "pending"}
    assert Sitting.objects.get(pk=s.pk).state == "live"
    agenda.step(s.pk, +1, actor=CLERK)
    with pytest.raises(DomainError) as e:
        agenda.step(s.pk, +1, actor=CLERK)
    assert e.value.code == "no_such_item"
    assert s.agenda_items.get(state="current").order == 3


def test_database_allows_only_one_current_item(committee):
    s = committee.plenary
    s.agenda_items.filter(order=1).update(state="current")
    with pytest.raises(IntegrityError), transaction.atomic():
        s.agenda_items.filter(order=2).update(state="current")


def test_open_item_of_another_sitting_is_refused(committee):
    other = committee.group_a_sitting.agenda_items.first()
    with pytest.raises(DomainError) as e:
        agenda.open_item(committee.plenary.pk, other.pk, actor=CLERK)
    assert e.value.code == "not_found"
    assert other.__class__.objects.get(pk=other.pk).state == "pending"


def test_reorder_and_add(committee):
    s = committee.plenary
    ids = list(s.agenda_items.order_by("order").values_list("pk", flat=True))
    agenda.reorder(s, [ids[2], ids[0], ids[1]])
    assert list(s.agenda_items.order_by("order").values_list("pk", flat=True)) == [
        ids[2],
        ids[0],
        ids[1],
    ]
    with pytest.raises(DomainError) as e:
        agenda.reorder(s, [ids[0], ids[1]])
    assert e.value.code == "bad_order"
    item = agenda.add_item(s, "临时动议")
    assert item.order == 4
    assert AgendaItem.objects.filter(sitting=s).count() == 4


def test_a_member_in_two_groups_is_refused(committee):
    m = committee.members[0]  # in group A
    with pytest.raises(DomainError) as e:
        assign_group(m, committee.group_b)
    assert e.value.code == "already_in_group"
    assert Member.objects.get(pk=m.pk).group == committee.group_a
    assign_group(m, committee.group_b, move=True)
    assert Member.objects.get(pk=m.pk).group == committee.group_b


def test_clerks_have_no_group(committee):
    with pytest.raises(DomainError) as e:
        assign_group(committee.clerk, committee.group_a)
    assert e.value.code == "not_component_member"


def test_sitting_roles_come_from_the_database(committee):
    c = committee
    assert sitting_role(c.chair.user, c.plenary) == "chair"
    assert sitting_role(c.members[0].user, c.plenary) == "member"
    assert sitting_role(c.members[0].user, c.group_a_sitting) == "member"
    assert sitting_role(c.members[0].user, c.group_b_sitting) is None
    assert sitting_role(c.clerk.user, c.group_b_sitting) == "clerk"
    assert sitting_role(c.staff.user, c.plenary) == "staff"
    assert sitting_role(c.display.user, c.plenary) == "display"
    assert sitting_role(c.outsider, c.plenary) is None
    # a vice-chair presides at plenary sittings
    Member.objects.filter(pk=c.members[2].pk).update(role=Role.VICE_CHAIR)
    assert sitting_role(c.members[2].user, c.plenary) == "chair"


def test_a_group_clerk_runs_only_their_sitting(committee):
    c = committee
    Sitting.objects.filter(pk=c.group_a_sitting.pk).update(clerk=c.clerk)
    a = Sitting.objects.get(pk=c.group_a_sitting.pk)
    b = Sitting.objects.get(pk=c.group_b_sitting.pk)
    assert sitting_role(c.clerk.user, a) == "clerk"
    assert sitting_role(c.clerk.user, b) is None


@pytest.mark.django_db(transaction=True)
def test_a_flip_queued_behind_another_broadcasts_the_agenda_as_it_now_is(committee):
    """Two clerks' flips at once: the second waits for the sitting's lock, then reads.

    Its event must carry the first flip's outcome (item 2 done), not the agenda as it was
    before it waited (PostgreSQL: a statement that waits for a row lock keeps its snapshot
    of every other table it reads).
    """
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: the flips cannot overlap; CI's PostgreSQL pass")
    s = committee.plenary
    one, two, three = list(s.agenda_items.order_by("order"))
    agenda.open_item(s.pk, one.pk, actor=CLERK)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                agenda.open_item(s.pk, two.pk, actor=CLERK)
                holding.set()
                release.wait(10)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            agenda.open_item(s.pk, three.pk, actor=CLERK)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.5)
    assert b.is_alive()  # waiting for the sitting's lock
    release.set()
    a.join(10)
    b.join(10)
    assert not errors, errors
    last = SittingEvent.objects.filter(sitting=s).order_by("-seq").first()
    states = {i["id"]: i["state"] for i in last.payload["agenda"]["items"]}
    assert states == {one.pk: "done", two.pk: "done", three.pk: "current"}
