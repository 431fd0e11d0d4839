"""The seat plan (座位图): the default from the roster, a saved layout, who may save it."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.models import AuditEntry, Member, Role, SeatLayout
from harness.actors import CHAIR, CLERK, MEMBER
from meeting.briefs.models import Leave
from meeting.services import seating


def seats_of(committee, plan: dict) -> list[list[str | None]]:
    by_id = {m.pk: m.seat for m in Member.objects.filter(term=committee.term)}
    return [[by_id[m] if m else None for m in row] for row in plan["rows"]]


def test_default_rows_grow_toward_the_back_and_keep_every_seat():
    for n in (1, 2, 9, 12, 17, 65, 70, 100):
        rows = seating.default_rows([f"{i:03d}" for i in range(n, 0, -1)])
        assert sum(len(r) for r in rows) == n
        assert [s for r in rows for s in r] == [f"{i:03d}" for i in range(1, n + 1)]
        assert all(len(a) <= len(b) for a, b in zip(rows, rows[1:], strict=False)), rows
    assert [len(r) for r in seating.default_rows([f"{i:03d}" for i in range(1, 66)])] == [
        11,
        12,
        13,
        14,
        15,
    ]


def test_seats_sort_by_their_numbers_not_their_letters():
    assert sorted(["10", "9", "A12", "A3", "2"], key=seating.seat_key) == [
        "2",
        "9",
        "10",
        "A3",
        "A12",
    ]


def test_a_room_without_a_layout_gets_the_default_from_its_roster(committee):
    plan = seating.plan(committee.plenary)
    assert plan["saved"] is False and plan["unplaced"] == [] and plan["leave"] == []
    assert [s for row in seats_of(committee, plan) for s in row] == [
        f"{n:03d}" for n in range(1, 10)
    ]
    group = seating.plan(committee.group_b_sitting)  # its own four members only
    assert [s for row in seats_of(committee, group) for s in row] == ["003", "005", "007", "009"]


def test_a_saved_layout_places_members_and_lists_the_rest(committee):
    m1 = committee.members[0]
    m1.seat = ""
    m1.save()  # a member without a seat is still on the plan, unplaced
    seating.save_layout(
        committee.plenary.pk, [["001", "|", "003"], ["004", "005", "", ""], []], actor=CLERK
    )
    layout = SeatLayout.objects.get(term=committee.term, room=committee.plenary.room)
    assert layout.rows == [["001", "", "003"], ["004", "005"]]
    plan = seating.plan(committee.plenary)
    assert plan["saved"] is True
    assert seats_of(committee, plan) == [["001", None, "003"], ["004", "005"]]
    placed = {m for row in plan["rows"] for m in row if m}
    roster = {
        m.pk for m in Member.objects.filter(term=committee.term, role__in=["member", "chair"])
    }
    assert set(plan["unplaced"]) == roster - placed and m1.pk in plan["unplaced"]
    # the group sitting in the same (unnamed) room draws its own members from it
    assert seats_of(committee, seating.plan(committee.group_b_sitting)) == [["003"], ["005"]]
    assert AuditEntry.objects.filter(action="seating.save").count() == 0  # socket runner does


def test_no_rows_puts_the_room_back_to_the_default(committee):
    seating.save_layout(committee.plenary.pk, [["002", "001"]], actor=CLERK)
    assert seating.plan(committee.plenary)["saved"] is True
    seating.save_layout(committee.plenary.pk, [], actor=CLERK)
    assert not SeatLayout.objects.exists()
    assert seating.plan(committee.plenary)["saved"] is False


@pytest.mark.parametrize(
    "rows, seats",
    [([["001", "042"]], ["042"]), ([["001", "002"], ["002"]], ["002"])],
    ids=["no member holds it", "listed twice"],
)
def test_a_wrong_layout_is_refused_and_nothing_is_saved(committee, rows, seats):
    with pytest.raises(DomainError) as err:
        seating.save_layout(committee.plenary.pk, rows, actor=CLERK)
    assert err.value.code == "bad_layout" and err.value.details["seats"] == seats
    assert not SeatLayout.objects.exists()


def test_too_many_rows_are_refused(committee):
    with pytest.raises(DomainError) as err:
        seating.save_layout(committee.plenary.pk, [["001"]] * 41, actor=CLERK)
    assert err.value.code == "bad_layout"


@pytest.mark.parametrize("actor", [CHAIR, MEMBER], ids=["chair", "member"])
def test_only_the_clerk_saves_a_layout(committee, actor):
    with pytest.raises(DomainError) as err:
        seating.save_layout(committee.plenary.pk, [["001"]], actor=actor)
    assert err.value.code == "forbidden"
    assert not SeatLayout.objects.exists()


def test_members_on_leave_are_in_the_plan(committee):
    Leave.objects.create(sitting=committee.plenary, member=committee.members[3], reason="出差")
    assert seating.plan(committee.plenary)["leave"] == [committee.members[3].pk]
    assert seating.plan(committee.group_a_sitting)["leave"] == []


def test_only_component_members_are_drawn(committee):
    committee.members[7].role = Role.STAFF
    committee.members[7].save()
    plan = seating.plan(committee.plenary)
    drawn = {m for row in plan["rows"] for m in row if m} | set(plan["unplaced"])
    assert committee.members[7].pk not in drawn and len(drawn) == 8
