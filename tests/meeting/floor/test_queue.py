"""The speaking queue: kinds and order, written requests, withdraw, reorder, refuse."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from meeting.floor import services as floor
from meeting.floor.models import SpeakingRequest
from realtime.models import SittingEvent
from tests.meeting.floor.conftest import floor_tables

pytestmark = pytest.mark.django_db


def order(sitting) -> list[int]:
    return list(floor.queue(sitting.pk).values_list("member_id", flat=True))


def test_first_come_first_served_within_a_kind_point_of_order_at_the_head(
    sitting, group_a, fake_clock
):
    chair, m1, m3, m5, m7 = group_a
    floor.request(sitting.pk, m1)
    fake_clock.advance(1)
    floor.request(sitting.pk, m3)
    fake_clock.advance(1)
    floor.request(sitting.pk, m5, "reply")
    fake_clock.advance(1)
    floor.request(sitting.pk, m7, "point_of_order")
    fake_clock.advance(1)
    floor.request(sitting.pk, chair, "point_of_order")
    assert order(sitting) == [m7.pk, chair.pk, m5.pk, m1.pk, m3.pk]
    positions = list(floor.queue(sitting.pk).values_list("position", flat=True))
    assert positions == [1, 2, 3, 4, 5]


def test_request_is_stored_with_server_time_item_and_a_sequenced_event(
    sitting, group_a, fake_clock
):
    m1 = group_a[1]
    req = floor.request(sitting.pk, m1, "speech")
    assert req.requested_at == fake_clock.now()
    assert req.agenda_item == sitting.agenda_items.get(state="current")
    ev = SittingEvent.objects.filter(sitting=sitting, type="floor.queue").get()
    assert ev.payload["reason"] == "requested"
    assert ev.payload["request"]["member"] == m1.pk
    assert [r["member"] for r in ev.payload["state"]["queue"]] == [m1.pk]


def test_a_member_already_in_the_queue_is_refused_and_nothing_changes(sitting, group_a):
    m1 = group_a[1]
    first = floor.request(sitting.pk, m1)
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.request(sitting.pk, m1, "point_of_order")
    assert err.value.code == "already_queued"
    assert err.value.details == {"request": first.pk}
    assert floor_tables(sitting.pk) == before


def test_a_member_off_the_roster_cannot_request(committee, sitting):
    m2 = committee.members[1]  # group B
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.request(sitting.pk, m2)
    assert err.value.code == "not_on_roster"
    assert floor_tables(sitting.pk) == before


def test_withdraw_leaves_the_queue_and_closes_the_gap(sitting, group_a):
    _, m1, m3, m5, _ = group_a
    for m in (m1, m3, m5):
        floor.request(sitting.pk, m)
    req = floor.withdraw(sitting.pk, m3)
    assert req.state == SpeakingRequest.State.WITHDRAWN and req.closed_at is not None
    assert order(sitting) == [m1.pk, m5.pk]
    assert list(floor.queue(sitting.pk).values_list("position", flat=True)) == [1, 2]
    floor.request(sitting.pk, m3)  # may ask again after withdrawing
    assert order(sitting) == [m1.pk, m5.pk, m3.pk]


def test_withdraw_after_being_granted_is_refused_with_request_closed(sitting, group_a):
    m1 = group_a[1]
    req = floor.request(sitting.pk, m1)
    floor.grant(sitting.pk, role="chair", by_user_id=None)
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.withdraw(sitting.pk, m1)
    assert err.value.code == "request_closed"
    assert err.value.details == {"request": req.pk, "state": "granted"}
    assert floor_tables(sitting.pk) == before


def test_withdraw_without_a_request_is_not_queued(sitting, group_a):
    with pytest.raises(DomainError) as err:
        floor.withdraw(sitting.pk, group_a[1])
    assert err.value.code == "not_queued"


def test_clerk_enters_a_written_request_on_a_members_behalf(committee, sitting, group_a):
    m1, m3 = group_a[1], group_a[2]
    floor.request(sitting.pk, m1)
    req = floor.enter(
        sitting.pk, m3, "speech", role="clerk", by_user_id=committee.clerk.user_id, note="书面"
    )
    assert req.written and req.entered_by_id == committee.clerk.user_id and req.note == "书面"
    assert order(sitting) == [m1.pk, m3.pk]
    with pytest.raises(DomainError) as err:
        floor.enter(sitting.pk, m3, role="clerk", by_user_id=None)
    assert err.value.code == "already_queued"


def test_a_member_may_not_enter_requests_for_others(sitting, group_a):
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.enter(sitting.pk, group_a[2], role="member", by_user_id=None)
    assert err.value.code == "forbidden"
    assert floor_tables(sitting.pk) == before


def test_clerk_reorders_and_later_arrivals_follow_the_rule(sitting, group_a):
    chair, m1, m3, m5, m7 = group_a
    r1, r3, r5 = (floor.request(sitting.pk, m) for m in (m1, m3, m5))
    floor.reorder(sitting.pk, [r5.pk, r1.pk, r3.pk], role="clerk")
    assert order(sitting) == [m5.pk, m1.pk, m3.pk]
    floor.request(sitting.pk, m7, "point_of_order")
    floor.request(sitting.pk, chair, "speech")
    assert order(sitting) == [m7.pk, m5.pk, m1.pk, m3.pk, chair.pk]


@pytest.mark.parametrize("bad", ["missing", "twice", "stranger"])
def test_a_reorder_must_name_every_waiting_request_once(sitting, group_a, bad):
    r1, r3 = (floor.request(sitting.pk, m) for m in group_a[1:3])
    ids = {"missing": [r1.pk], "twice": [r1.pk, r1.pk, r3.pk], "stranger": [r1.pk, r3.pk, 999]}
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.reorder(sitting.pk, ids[bad], role="clerk")
    assert err.value.code == "bad_order"
    assert err.value.details == {"waiting": sorted([r1.pk, r3.pk])}
    assert floor_tables(sitting.pk) == before


def test_refuse_removes_the_request_and_keeps_the_reason(sitting, group_a):
    r1, r3 = (floor.request(sitting.pk, m) for m in group_a[1:3])
    req = floor.refuse(sitting.pk, r1.pk, role="chair", by_user_id=None, note="与议题无关")
    assert req.state == "refused" and req.note == "与议题无关"
    assert order(sitting) == [group_a[2].pk]
    with pytest.raises(DomainError) as err:
        floor.refuse(sitting.pk, r1.pk, role="chair", by_user_id=None)
    assert err.value.code == "request_closed"
    with pytest.raises(DomainError) as err:
        floor.refuse(sitting.pk, 424242, role="chair", by_user_id=None)
    assert err.value.code == "not_found"
    assert r3.pk in floor.queue(sitting.pk).values_list("pk", flat=True)


def test_requests_of_another_sitting_are_not_found(committee, sitting, group_a):
    other = floor.request(committee.plenary.pk, group_a[1])
    with pytest.raises(DomainError) as err:
        floor.refuse(sitting.pk, other.pk, role="chair", by_user_id=None)
    assert err.value.code == "not_found"


def test_an_ended_sitting_takes_no_requests(sitting, group_a):
    sitting.state = "ended"
    sitting.save()
    with pytest.raises(DomainError) as err:
        floor.request(sitting.pk, group_a[1])
    assert err.value.code == "sitting_ended"
    assert not SpeakingRequest.objects.exists()


def test_rules_change_is_checked_and_announced(sitting):
    floor.set_rules(sitting.pk, role="clerk", mode="direct", max_floors=2)
    rules = floor.rules_for(sitting.pk)
    assert (rules.mode, rules.max_floors) == ("direct", 2)
    assert SittingEvent.objects.filter(sitting=sitting, type="floor.rules").count() == 1
    before = floor_tables(sitting.pk)
    for bad in ({"mode": "chaos"}, {"max_floors": 0}, {"colour": "red"}):
        with pytest.raises(DomainError) as err:
            floor.set_rules(sitting.pk, role="clerk", **bad)
        assert err.value.code == "invalid"
    with pytest.raises(DomainError) as err:
        floor.set_rules(sitting.pk, role="member", mode="request")
    assert err.value.code == "forbidden"
    assert floor_tables(sitting.pk) == before
