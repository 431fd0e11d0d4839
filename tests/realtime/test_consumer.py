"""The sitting socket: auth, roles, resync, idempotency and every kind of bad input."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from core import policy
from core.models import Attendance, Sitting
from meeting.services import attendance
from realtime.models import CommandReceipt, Connection, SittingEvent

pytestmark = pytest.mark.django_db(transaction=True)


def state(sitting_id: int) -> tuple:
    """Everything a command could have changed, to prove a refused one changed nothing."""
    return (
        Sitting.objects.get(pk=sitting_id).event_seq,
        list(Attendance.objects.order_by("pk").values_list("member_id", "checked_out_at")),
        list(Sitting.objects.get(pk=sitting_id).agenda_items.values_list("state", flat=True)),
        CommandReceipt.objects.count(),
    )


astate = sync_to_async(state)


async def test_welcome_says_who_you_are(committee, connect):
    s = await connect(committee.members[0].user, committee.plenary.pk)
    assert s.welcome["type"] == "welcome"
    assert s.welcome["data"]["role"] == "member"
    assert s.welcome["data"]["member"] == committee.members[0].pk
    assert s.welcome["data"]["seq"] == 0


async def test_unauthenticated_socket_is_closed_with_4401(committee, connect):
    await connect(None, committee.plenary.pk, expect_close=4401)


async def test_login_without_role_in_sitting_gets_4403(committee, connect):
    await connect(committee.outsider, committee.plenary.pk, expect_close=4403)
    # a group-B member has no place in group A's sitting
    await connect(committee.members[1].user, committee.group_a_sitting.pk, expect_close=4403)


async def test_unknown_sitting_gets_4404(committee, connect):
    await connect(committee.members[0].user, 999999, expect_close=4404)


async def test_foreign_origin_is_refused_at_handshake(committee, connect):
    connected, code = await connect(
        committee.members[0].user,
        committee.plenary.pk,
        origin=(b"origin", b"http://evil.example"),
        expect_close=403,
    )
    assert connected is False


async def test_first_sync_is_a_snapshot_with_every_part(committee, connect):
    s = await connect(committee.clerk.user, committee.plenary.pk)
    r = await s.request("sync", {"last_seq": 0})
    assert r["ok"] and r["data"]["mode"] == "snapshot"
    snap = r["data"]["snapshot"]
    assert {"sitting", "agenda", "attendance", "roster", "presence"} <= set(snap)
    you = snap["sitting"]["you"]
    assert (you["role"], you["member"]) == ("clerk", committee.clerk.pk)
    # what this login may do, answered by the rulebook, so the console re-derives nothing
    assert you["may"] == policy.answers("clerk") and you["may"]["vote.close"] is True
    assert snap["attendance"]["quorum"]["roster_size"] == 9
    assert len(snap["agenda"]["items"]) == 3


async def test_check_in_is_broadcast_to_every_socket(committee, connect):
    member = await connect(committee.members[0].user, committee.plenary.pk)
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    r = await member.request("attendance.check_in", key="k-1")
    assert r["ok"] and r["data"]["present"] is True
    for sock in (member, clerk):
        ev = await sock.event("attendance.changed")
        assert ev["seq"] == 1 and ev["data"]["member"] == committee.members[0].pk
        assert ev["data"]["quorum"]["present"] == 1


async def test_repeat_with_same_key_is_answered_once(committee, connect):
    s = await connect(committee.members[0].user, committee.plenary.pk)
    first = await s.request("attendance.check_in", key="same-key")
    await s.request("attendance.check_out", key="out-1")
    again = await s.request("attendance.check_in", key="same-key")  # a resend after a drop
    assert first["ok"] and again["ok"] and again["repeat"] is True
    assert again["data"] == first["data"]
    present = await sync_to_async(lambda: Attendance.objects.get().present)()
    assert present is False  # the resend did not check the member in again
    wrong = await s.request("attendance.check_out", key="same-key")
    assert wrong["ok"] is False and wrong["error"]["code"] == "key_reused"


async def test_member_may_not_run_the_agenda(committee, connect):
    s = await connect(committee.members[0].user, committee.plenary.pk)
    before = await astate(committee.plenary.pk)
    r = await s.request("agenda.step", {"direction": "next"})
    assert r["ok"] is False and r["error"]["code"] == "forbidden"
    assert await astate(committee.plenary.pk) == before


async def test_clerk_runs_the_agenda_and_everyone_sees_it(committee, connect):
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    display = await connect(committee.display.user, committee.plenary.pk)
    r = await clerk.request("agenda.step", {"direction": "next"})
    assert r["ok"] and r["data"]["item"]["order"] == 1
    ev = await display.event("agenda.current")
    assert ev["data"]["item"]["order"] == 1
    r = await display.request("agenda.step", {"direction": "next"})
    assert r["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{oops", "bad_json"),
        ('{"type": "nuke", "id": "a"}', "unknown_type"),
        ('{"type": "agenda.open", "id": "a", "data": {}}', "invalid"),
        ('{"type": "agenda.open", "id": "a", "data": {"item": "1"}}', "invalid"),
        ('{"type": "attendance.check_in", "id": "a", "data": {}}', "invalid"),
    ],
)
async def test_bad_frames_answer_precisely_and_change_nothing(committee, connect, frame, code):
    s = await connect(committee.clerk.user, committee.plenary.pk)
    before = await astate(committee.plenary.pk)
    r = await s.send_raw(frame)
    assert r["ok"] is False and r["error"]["code"] == code
    assert await astate(committee.plenary.pk) == before
    assert (await s.request("ping"))["ok"]  # the socket is still usable


async def test_oversized_frame_is_refused_and_socket_stays(committee, connect):
    s = await connect(committee.clerk.user, committee.plenary.pk)
    before = await astate(committee.plenary.pk)
    big = json.dumps({"type": "ping", "id": "big", "data": {"pad": "x" * 70000}})
    r = await s.send_raw(big)
    assert r["error"]["code"] == "frame_too_large" and r["id"] is None
    assert await astate(committee.plenary.pk) == before
    assert (await s.request("ping"))["ok"]


async def test_binary_frames_are_refused(committee, connect):
    s = await connect(committee.clerk.user, committee.plenary.pk)
    await s.comm.send_to(bytes_data=b"\x00\x01\x02")
    r = await s._reply()
    assert r["error"]["code"] == "binary_not_supported"


async def test_flood_is_rate_limited_and_state_unchanged(committee, connect, settings):
    settings.YITING_WS_RATE = 1
    settings.YITING_WS_BURST = 3
    s = await connect(committee.clerk.user, committee.plenary.pk)
    codes = []
    for _ in range(8):
        r = await s.request("agenda.open", {"item": 999999})
        codes.append(r["error"]["code"])
    assert codes[:3] == ["not_found"] * 3
    assert "rate_limited" in codes[3:]
    assert (
        await sync_to_async(lambda: Sitting.objects.get(pk=committee.plenary.pk).event_seq)() == 0
    )


async def test_reconnect_replays_exactly_the_missed_events(committee, connect):
    s = await connect(committee.members[0].user, committee.plenary.pk)
    await s.request("sync", {"last_seq": 0})
    await s.request("attendance.check_in", key="a")
    seen = (await s.event("attendance.changed"))["seq"]
    await s.close()
    for m in committee.members[1:6]:  # the room goes on while the tablet is away
        await sync_to_async(attendance.check_in)(committee.plenary.pk, m, method="tablet")
    s2 = await connect(committee.members[0].user, committee.plenary.pk)
    r = await s2.request("sync", {"last_seq": seen})
    assert r["data"]["mode"] == "replay"
    seqs = [e["seq"] for e in r["data"]["events"]]
    assert seqs == list(range(seen + 1, seen + 6))
    assert r["data"]["seq"] == seen + 5
    members = [e["data"]["member"] for e in r["data"]["events"]]
    assert members == [m.pk for m in committee.members[1:6]]


async def test_long_absence_gets_a_snapshot(committee, connect, settings):
    settings.YITING_EVENT_RETENTION = 2
    for m in committee.members[:5]:
        await sync_to_async(attendance.check_in)(committee.plenary.pk, m, method="tablet")
    s = await connect(committee.chair.user, committee.plenary.pk)
    r = await s.request("sync", {"last_seq": 1})
    assert r["data"]["mode"] == "snapshot" and r["data"]["seq"] == 5
    assert r["data"]["snapshot"]["attendance"]["present"] == sorted(
        m.pk for m in committee.members[:5]
    )


async def test_client_ahead_of_server_gets_a_snapshot(committee, connect):
    s = await connect(committee.chair.user, committee.plenary.pk)
    r = await s.request("sync", {"last_seq": 50})
    assert r["data"]["mode"] == "snapshot" and r["data"]["seq"] == 0


async def test_presence_is_shown_to_the_clerk(committee, connect):
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    m = await connect(committee.members[0].user, committee.plenary.pk)
    ev = await clerk.event("presence.changed")
    assert ev["seq"] is None
    assert ev["data"] == {
        "member": committee.members[0].pk,
        "online": True,
        "sockets": 1,
        "insecure": 0,
    }
    r = await clerk.request("presence.list")
    assert {"member": committee.members[0].pk, "sockets": 1, "insecure": 0} in r["data"]["online"]
    r = await m.request("presence.list")
    assert r["error"]["code"] == "forbidden"
    await m.close()
    ev = await clerk.event("presence.changed")
    assert ev["data"]["online"] is False
    n = await sync_to_async(Connection.objects.filter(member=committee.members[0]).count)()
    assert n == 0


async def test_the_console_counts_tablets_not_in_a_secure_context(committee, connect):
    """A tablet page on plain HTTP at a LAN address connects with ``?secure=0``."""
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    member = committee.members[1]
    await connect(member.user, committee.plenary.pk, query="?secure=0")
    ev = await clerk.event("presence.changed")
    assert ev["data"] == {"member": member.pk, "online": True, "sockets": 1, "insecure": 1}
    await connect(member.user, committee.plenary.pk)  # the same member, a secure page too
    ev = await clerk.event("presence.changed")
    assert ev["data"]["sockets"] == 2 and ev["data"]["insecure"] == 1
    r = await clerk.request("sync", {"last_seq": 0})
    online = r["data"]["snapshot"]["presence"]["online"]
    assert {"member": member.pk, "sockets": 2, "insecure": 1} in online
    row = await sync_to_async(Connection.objects.filter(member=member, secure=False).count)()
    assert row == 1


async def test_clerk_records_attendance_for_a_member(committee, connect):
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    r = await clerk.request(
        "attendance.record", {"member": committee.members[2].pk, "present": True}, key="c1"
    )
    assert r["ok"]
    att = await sync_to_async(Attendance.objects.get)(member=committee.members[2])
    assert att.method == "clerk" and att.recorded_by_id == committee.clerk.user.pk
    r = await clerk.request(
        "attendance.record", {"member": committee.members[1].pk, "present": True}, key="c2"
    )
    assert r["ok"]  # plenary: everyone is on the roster
    r = await clerk.request("attendance.record", {"member": 424242, "present": True}, key="c3")
    assert r["error"]["code"] == "not_found"


async def test_events_are_stored_once_each(committee, connect):
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    for _ in range(3):
        await clerk.request("agenda.step", {"direction": "next"})
    rows = await sync_to_async(lambda: list(SittingEvent.objects.values_list("seq", "type")))()
    assert rows == [(1, "agenda.current"), (2, "agenda.current"), (3, "agenda.current")]
