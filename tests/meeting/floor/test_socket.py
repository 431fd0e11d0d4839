"""The floor over the sitting socket: roles, broadcasts, snapshot, a speaker dropping off."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from harness.actors import CLERK
from meeting.floor.models import Speech
from meeting.services import agenda
from tests.meeting.floor.conftest import floor_tables
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

pytestmark = pytest.mark.django_db(transaction=True)
atables = sync_to_async(floor_tables)


@pytest.fixture
def live(committee):
    s = committee.group_a_sitting
    item = s.agenda_items.order_by("order").first()
    agenda.open_item(s.pk, item.pk, actor=CLERK)
    return s


async def test_a_member_granting_the_floor_is_forbidden(committee, live, connect):  # noqa: F811
    m1 = await connect(committee.members[0].user, live.pk)
    await m1.request("floor.request", {"kind": "speech"}, key="q1")
    before = await atables(live.pk)
    r = await m1.request("floor.grant", {}, key="g1")
    assert r["ok"] is False and r["error"]["code"] == "forbidden"
    assert r["error"]["details"]["allowed"] == ["chair", "clerk"]
    assert await atables(live.pk) == before


async def test_request_grant_and_end_reach_every_screen(committee, live, connect):  # noqa: F811
    m1 = await connect(committee.members[0].user, live.pk)
    m3 = await connect(committee.members[2].user, live.pk)
    chair = await connect(committee.chair.user, live.pk)
    wall = await connect(committee.display.user, live.pk)
    r = await m1.request("floor.request", {"kind": "speech"}, key="a")
    assert r["ok"] and r["data"]["position"] == 1
    r = await m3.request("floor.request", {"kind": "point_of_order"}, key="b")
    assert r["ok"] and r["data"]["position"] == 1  # a point of order goes to the head
    for sock in (m1, wall):
        await sock.event("floor.queue")
        ev = await sock.event("floor.queue")
        assert [q["member"] for q in ev["data"]["state"]["queue"]] == [
            committee.members[2].pk,
            committee.members[0].pk,
        ]
    r = await chair.request("floor.grant", {}, key="g")
    assert r["ok"] and r["data"]["speech"]["member"] == committee.members[2].pk
    ev = await wall.event("floor.granted")
    assert ev["seq"] is not None and ev["data"]["speech"]["deadline"]
    assert ev["data"]["speech"]["limit_s"] == 120  # point of order
    r = await chair.request("floor.end", {"speech": r["data"]["speech"]["id"]}, key="e")
    assert r["ok"] and r["data"]["speech"]["ended_how"] == "finished"
    ev = await m1.event("floor.released")
    assert ev["data"]["state"]["floors"] == []


async def test_a_resent_request_counts_once_and_a_second_one_is_refused(
    committee,
    live,
    connect,  # noqa: F811
):
    m1 = await connect(committee.members[0].user, live.pk)
    first = await m1.request("floor.request", {"kind": "speech"}, key="same")
    again = await m1.request("floor.request", {"kind": "speech"}, key="same")
    assert again["repeat"] is True and again["data"] == first["data"]
    before = await atables(live.pk)
    other = await m1.request("floor.request", {"kind": "reply"}, key="other")
    assert other["ok"] is False and other["error"]["code"] == "already_queued"
    assert await atables(live.pk) == before


@pytest.mark.parametrize(
    ("type_", "data"),
    [
        ("floor.request", {"kind": "shout"}),
        ("floor.request", {"kind": "speech", "urgent": True}),
        ("floor.extend", {"speech": 1, "seconds": 0}),
        ("floor.extend", {"speech": "1", "seconds": 60}),
        ("floor.grant", {"request": 1, "member": 2}),
        ("floor.rules", {"max_floors": 0}),
        ("floor.rules", {"mode": "free-for-all"}),
    ],
)
async def test_bad_floor_commands_get_invalid_and_change_nothing(
    committee,
    live,
    connect,  # noqa: F811
    type_,
    data,
):
    who = committee.clerk.user if type_ != "floor.request" else committee.members[0].user
    sock = await connect(who, live.pk)
    before = await atables(live.pk)
    r = await sock.request(type_, data, key="k")
    assert r["ok"] is False and r["error"]["code"] == "invalid", r
    assert await atables(live.pk) == before


async def test_snapshot_has_the_floor_queue_and_log(committee, live, connect):  # noqa: F811
    m1 = await connect(committee.members[0].user, live.pk)
    clerk = await connect(committee.clerk.user, live.pk)
    await m1.request("floor.request", {"kind": "reply"}, key="a")
    r = await clerk.request("floor.grant", {"member": committee.members[2].pk}, key="g")
    assert r["ok"], r
    late = await connect(committee.display.user, live.pk)
    snap = (await late.request("sync", {"last_seq": 0}))["data"]["snapshot"]["floor"]
    assert [f["member"] for f in snap["floors"]] == [committee.members[2].pk]
    assert [q["kind"] for q in snap["queue"]] == ["reply"]
    assert snap["rules"]["mode"] == "request" and snap["server_time"]
    assert snap["log"] == []


async def test_speaker_disconnecting_keeps_the_floor_and_the_console_is_told(
    committee,
    live,
    connect,  # noqa: F811
):
    speaker_member = committee.members[0]
    speaker = await connect(speaker_member.user, live.pk)
    console = await connect(committee.clerk.user, live.pk)
    await speaker.request("floor.request", {"kind": "speech"}, key="a")
    r = await console.request("floor.grant", {}, key="g")
    assert r["ok"]
    await speaker.close()
    ev = await console.event("presence.changed")
    assert ev["data"] == {
        "member": speaker_member.pk,
        "online": False,
        "sockets": 0,
        "insecure": 0,
    }
    still = await sync_to_async(
        lambda: list(Speech.objects.filter(ended_at__isnull=True).values_list("member_id"))
    )()
    assert still == [(speaker_member.pk,)]
    again = await connect(speaker_member.user, live.pk)
    snap = (await again.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert snap["floor"]["floors"][0]["member"] == speaker_member.pk


async def test_the_speaker_yields_from_the_tablet(committee, live, connect):  # noqa: F811
    m1 = await connect(committee.members[0].user, live.pk)
    chair = await connect(committee.chair.user, live.pk)
    await m1.request("floor.request", {}, key="a")
    await chair.request("floor.grant", {}, key="g")
    r = await m1.request("floor.yield", {}, key="y")
    assert r["ok"] and r["data"]["speech"]["ended_how"] == "finished"
    r = await m1.request("floor.yield", {}, key="y2")
    assert r["ok"] is False and r["error"]["code"] == "not_found"
    log = await chair.request("floor.log", {})
    assert [e["ended_how"] for e in log["data"]["log"]] == ["finished"]
