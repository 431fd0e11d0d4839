"""The floor: grant, refuse, end, extend, modes, the maximum, the chair's priority, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from harness.actors import CLERK
from meeting.floor import services as floor
from meeting.floor.models import SpeakingRequest, Speech
from meeting.services import agenda
from realtime.models import SittingEvent
from tests.meeting.floor.conftest import floor_tables

pytestmark = pytest.mark.django_db(transaction=True)


def events(sitting, type_: str) -> list[dict]:
    rows = SittingEvent.objects.filter(sitting=sitting, type=type_).order_by("seq")
    return [e.payload for e in rows]


def test_grant_next_in_line_starts_a_stored_floor_with_the_item_limit(
    committee, sitting, group_a, fake_clock, signals_seen
):
    m1, m3 = group_a[1], group_a[2]
    r1 = floor.request(sitting.pk, m1)
    floor.request(sitting.pk, m3)
    fake_clock.advance(5)
    sp = floor.grant(sitting.pk, role="chair", by_user_id=committee.chair.user_id)
    assert (sp.member, sp.kind, sp.number, sp.limit_s) == (m1, "speech", 1, 600)
    assert sp.started_at == fake_clock.now() and sp.ended_at is None
    assert sp.deadline == fake_clock.now() + dt.timedelta(minutes=10)
    assert sp.request == r1 and SpeakingRequest.objects.get(pk=r1.pk).state == "granted"
    assert sp.agenda_item == sitting.agenda_items.get(state="current")
    [granted] = events(sitting, "floor.granted")
    assert granted["speech"]["member"] == m1.pk
    assert [f["member"] for f in granted["state"]["floors"]] == [m1.pk]
    assert [q["member"] for q in granted["state"]["queue"]] == [m3.pk]
    assert signals_seen == [
        (
            "granted",
            {
                "signal": signals_seen[0][1]["signal"],
                "entry_id": sp.pk,
                "sitting_id": sitting.pk,
                "member_id": m1.pk,
                "agenda_item_id": sp.agenda_item_id,
                "started_at": sp.started_at,
            },
        )
    ]


def test_end_stores_the_end_and_sends_released_with_stored_times(
    sitting, group_a, fake_clock, signals_seen
):
    floor.request(sitting.pk, group_a[1])
    sp = floor.grant(sitting.pk, role="clerk", by_user_id=None)
    fake_clock.advance(seconds=321.5)
    floor.end(sitting.pk, role="chair", speech_id=sp.pk)
    sp.refresh_from_db()
    assert sp.ended_at == fake_clock.now() and sp.ended_how == "finished"
    assert sp.duration_s == 321.5
    kind, kw = signals_seen[-1]
    assert kind == "released"
    assert (kw["entry_id"], kw["started_at"], kw["ended_at"], kw["ended_how"]) == (
        sp.pk,
        sp.started_at,
        sp.ended_at,
        "finished",
    )
    with pytest.raises(DomainError) as err:
        floor.end(sitting.pk, role="chair", speech_id=sp.pk)
    assert err.value.code == "floor_closed"


def test_revoke_is_logged_as_revoked(sitting, group_a):
    sp = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[1].pk)
    floor.end(sitting.pk, role="chair", speech_id=sp.pk, how="revoked")
    assert Speech.objects.get(pk=sp.pk).ended_how == "revoked"


def test_grant_to_a_named_member_uses_their_waiting_request(sitting, group_a):
    m1, m3 = group_a[1], group_a[2]
    floor.request(sitting.pk, m1)
    r3 = floor.request(sitting.pk, m3, "reply")
    sp = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m3.pk)
    assert sp.member == m3 and sp.request == r3 and sp.kind == "reply" and sp.limit_s == 180
    assert list(floor.queue(sitting.pk).values_list("member_id", flat=True)) == [m1.pk]


def test_a_member_granting_the_floor_is_refused(sitting, group_a):
    floor.request(sitting.pk, group_a[1])
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="member", by_user_id=None)
    assert err.value.code == "forbidden"
    assert floor_tables(sitting.pk) == before


def test_a_grant_to_someone_off_the_roster_is_refused(committee, sitting):
    before = floor_tables(sitting.pk)
    for member_id in (committee.members[1].pk, committee.clerk.pk, 987654):
        with pytest.raises(DomainError) as err:
            floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=member_id)
        assert err.value.code == "not_on_roster"
        assert err.value.details == {"member": member_id}
    assert floor_tables(sitting.pk) == before


def test_grant_next_with_an_empty_queue(sitting):
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="chair", by_user_id=None)
    assert err.value.code == "queue_empty"


def test_a_second_grant_while_the_floor_is_held_is_refused(sitting, group_a):
    m1, m3 = group_a[1], group_a[2]
    floor.request(sitting.pk, m1)
    floor.request(sitting.pk, m3)
    floor.grant(sitting.pk, role="chair", by_user_id=None)
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="clerk", by_user_id=None)
    assert err.value.code == "floor_full"
    assert err.value.details == {"holders": [m1.pk]}
    assert floor_tables(sitting.pk) == before


def test_granting_a_request_twice_is_request_closed(sitting, group_a):
    r1 = floor.request(sitting.pk, group_a[1])
    floor.set_rules(sitting.pk, role="chair", max_floors=3)
    floor.grant(sitting.pk, role="chair", by_user_id=None, request_id=r1.pk)
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="clerk", by_user_id=None, request_id=r1.pk)
    assert err.value.code == "request_closed"
    assert Speech.objects.count() == 1


def test_maximum_floors_and_the_chairs_floor_never_counts(committee, sitting, group_a):
    chair, m1, m3, m5, _ = group_a
    floor.set_rules(sitting.pk, role="clerk", max_floors=2)
    for m in (m1, m3, m5):
        floor.request(sitting.pk, m)
    own = floor.take(sitting.pk, chair, role="chair", by_user_id=chair.user_id)
    assert own.by_chair and own.limit_s is None
    floor.grant(sitting.pk, role="clerk", by_user_id=None)
    floor.grant(sitting.pk, role="clerk", by_user_id=None)
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="clerk", by_user_id=None)
    assert err.value.code == "floor_full"
    assert sorted(err.value.details["holders"]) == sorted([m1.pk, m3.pk])
    held = Speech.objects.filter(ended_at__isnull=True).count()
    assert held == 3


def test_a_member_holding_the_floor_cannot_request_or_be_granted_again(sitting, group_a):
    m1 = group_a[1]
    floor.set_rules(sitting.pk, role="clerk", max_floors=2)
    floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m1.pk)
    with pytest.raises(DomainError) as err:
        floor.request(sitting.pk, m1)
    assert err.value.code == "already_speaking"
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m1.pk)
    assert err.value.code == "already_speaking"


def test_request_mode_does_not_let_a_member_take_the_floor(sitting, group_a):
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.take(sitting.pk, group_a[1], role="member", by_user_id=None)
    assert err.value.code == "wrong_mode"
    assert floor_tables(sitting.pk) == before


def test_direct_mode_takes_the_floor_while_there_is_room(sitting, group_a):
    _, m1, m3, m5, _ = group_a
    floor.set_rules(sitting.pk, role="clerk", mode="direct", max_floors=2)
    req = floor.request(sitting.pk, m3, "reply")
    floor.take(sitting.pk, m1, role="member", by_user_id=None)
    sp3 = floor.take(sitting.pk, m3, role="member", by_user_id=None)
    assert sp3.request == req and sp3.kind == "reply"
    with pytest.raises(DomainError) as err:
        floor.take(sitting.pk, m5, role="member", by_user_id=None)
    assert err.value.code == "floor_full"


def test_override_mode_ends_the_longest_running_floor(sitting, group_a, fake_clock, signals_seen):
    _, m1, m3, m5, _ = group_a
    floor.set_rules(sitting.pk, role="clerk", mode="override", max_floors=2)
    first = floor.take(sitting.pk, m1, role="member", by_user_id=None)
    fake_clock.advance(10)
    second = floor.take(sitting.pk, m3, role="member", by_user_id=None)
    fake_clock.advance(10)
    third = floor.take(sitting.pk, m5, role="member", by_user_id=None)
    first.refresh_from_db()
    assert first.ended_how == "override" and first.ended_at == fake_clock.now()
    open_ids = set(Speech.objects.filter(ended_at__isnull=True).values_list("pk", flat=True))
    assert open_ids == {second.pk, third.pk}
    assert [k for k, _ in signals_seen] == ["granted", "granted", "released", "granted"]


def test_chair_priority_ends_every_member_floor_and_may_clear_the_queue(
    sitting, group_a, signals_seen
):
    chair, m1, m3, m5, m7 = group_a
    floor.set_rules(sitting.pk, role="clerk", max_floors=2)
    floor.take(sitting.pk, chair, role="chair", by_user_id=None)
    for m in (m1, m3):
        floor.grant(sitting.pk, role="clerk", by_user_id=None, member_id=m.pk)
    floor.request(sitting.pk, m5)
    floor.request(sitting.pk, m7)
    with pytest.raises(DomainError) as err:
        floor.priority(sitting.pk, role="clerk")
    assert err.value.code == "forbidden"
    result = floor.priority(sitting.pk, role="chair", clear_queue=True)
    assert len(result["ended"]) == 2 and result["cleared"] == 2
    ended = Speech.objects.filter(pk__in=result["ended"])
    assert set(ended.values_list("ended_how", flat=True)) == {"priority"}
    assert Speech.objects.get(ended_at__isnull=True).by_chair  # the chair keeps their floor
    assert not floor.queue(sitting.pk).exists()
    assert SpeakingRequest.objects.filter(state="cleared").count() == 2
    assert [k for k, _ in signals_seen].count("released") == 2


def test_priority_without_clearing_keeps_the_queue(sitting, group_a):
    floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[1].pk)
    floor.request(sitting.pk, group_a[2])
    result = floor.priority(sitting.pk, role="chair")
    assert result["cleared"] == 0 and floor.queue(sitting.pk).count() == 1


def test_second_speech_on_the_same_item_gets_the_shorter_limit(committee, sitting, group_a):
    m1 = group_a[1]
    first = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m1.pk)
    floor.end(sitting.pk, role="chair", speech_id=first.pk)
    second = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m1.pk)
    assert (first.number, first.limit_s) == (1, 600)
    assert (second.number, second.limit_s) == (2, 480)
    floor.end(sitting.pk, role="chair", speech_id=second.pk)
    agenda.step(sitting.pk, 1, actor=CLERK)  # the next item: a first speech again
    third = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m1.pk)
    assert (third.number, third.limit_s) == (1, 600)


def test_plenary_limit_comes_from_its_item(committee, group_a):
    plenary = committee.plenary
    item = plenary.agenda_items.order_by("order").first()
    item.first_speech_limit_s = 900
    item.save()
    agenda.open_item(plenary.pk, item.pk, actor=CLERK)
    sp = floor.grant(plenary.pk, role="chair", by_user_id=None, member_id=committee.members[1].pk)
    assert sp.limit_s == 900


def test_extend_adds_time_only_from_the_chairs_side(sitting, group_a, fake_clock):
    sp = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[1].pk)
    before = floor_tables(sitting.pk)
    with pytest.raises(DomainError) as err:
        floor.extend(sitting.pk, sp.pk, 120, role="member")
    assert err.value.code == "forbidden"
    for bad in (0, -5, 3601):
        with pytest.raises(DomainError) as err:
            floor.extend(sitting.pk, sp.pk, bad, role="chair")
        assert err.value.code == "invalid"
    assert floor_tables(sitting.pk) == before
    sp = floor.extend(sitting.pk, sp.pk, 120, role="chair")
    assert (sp.limit_s, sp.extended_s) == (720, 120)
    [ev] = events(sitting, "floor.extended")
    assert ev["by_s"] == 120 and ev["speech"]["limit_s"] == 720


def test_the_chairs_floor_has_no_limit_to_extend(sitting, group_a):
    own = floor.take(sitting.pk, group_a[0], role="chair", by_user_id=None)
    with pytest.raises(DomainError) as err:
        floor.extend(sitting.pk, own.pk, 60, role="chair")
    assert err.value.code == "no_limit"


def test_a_speaker_yields_only_their_own_floor(sitting, group_a):
    m1, m3 = group_a[1], group_a[2]
    floor.set_rules(sitting.pk, role="clerk", max_floors=2)
    sp1 = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m1.pk)
    floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m3.pk)
    with pytest.raises(DomainError) as err:
        floor.end(sitting.pk, role="member", member=m3, speech_id=sp1.pk)
    assert err.value.code == "forbidden"
    with pytest.raises(DomainError) as err:
        floor.end(sitting.pk, role="member", member=group_a[3])
    assert err.value.code == "not_found"
    done = floor.end(sitting.pk, role="member", member=m1)
    assert done.pk == sp1.pk and Speech.objects.get(pk=sp1.pk).ended_how == "finished"


def test_a_failing_signal_listener_does_not_undo_the_grant(sitting, group_a):
    from core.signals import floor_granted

    def broken(sender, **kw):
        raise RuntimeError("recorder down")

    floor_granted.connect(broken, weak=False)
    try:
        sp = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[1].pk)
    finally:
        floor_granted.disconnect(broken)
    assert Speech.objects.filter(pk=sp.pk, ended_at__isnull=True).exists()


def test_an_ended_sitting_grants_nothing_but_its_open_floor_can_still_end(sitting, group_a):
    from core.models import Sitting

    sp = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[1].pk)
    Sitting.objects.filter(pk=sitting.pk).update(state="ended")
    with pytest.raises(DomainError) as err:
        floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[2].pk)
    assert err.value.code == "sitting_ended"
    floor.end(sitting.pk, role="clerk", speech_id=sp.pk)
    assert Speech.objects.get(pk=sp.pk).ended_how == "finished"
