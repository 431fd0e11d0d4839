"""会务通知 and 呼叫服务 over the sitting socket: who receives what, the snapshot after a
reconnect, refusals in Chinese with nothing changed, and the call rate limit."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from meeting.notices.models import Notice, ServiceCall
from realtime.ratelimit import SERVICE_CALLS
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def _rows() -> tuple[list, list]:
    return (
        list(Notice.objects.values_list("id", "text", "to_member_id")),
        list(ServiceCall.objects.values_list("id", "kind", "state")),
    )


@pytest.fixture(autouse=True)
def _fresh_limits():
    SERVICE_CALLS.clear()
    yield
    SERVICE_CALLS.clear()


def _chinese(reply: dict, code: str) -> None:
    assert reply["ok"] is False, reply
    assert reply["error"]["code"] == code, reply["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply["error"]["message"]), reply["error"]


async def test_a_notice_to_all_reaches_every_tablet_and_survives_a_reconnect(committee, connect):  # noqa: F811
    sid = committee.plenary.pk
    clerk = await connect(committee.clerk.user, sid)
    m1 = await connect(committee.members[0].user, sid)
    m2 = await connect(committee.members[1].user, sid)
    r = await clerk.request("notice.send", {"text": "请各位委员回到座位", "member": None}, key="n1")
    assert r["ok"] and r["data"]["notice"]["to"] is None
    for sock in (m1, m2, clerk):
        ev = await sock.event("notice.sent")
        assert ev["seq"] is None and ev["data"]["notice"]["text"] == "请各位委员回到座位"
    notice_id = r["data"]["notice"]["id"]
    await m1.close()
    again = await connect(committee.members[0].user, sid)  # the server kept it: in the snapshot
    snap = (await again.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert [n["id"] for n in snap["notices"]["notices"]] == [notice_id]
    r = await again.request("notice.dismiss", {"notice": notice_id}, key="d1")
    assert r["ok"] and r["data"]["reads"] == 1
    assert (await clerk.event("notice.read"))["data"]["member"] == committee.members[0].pk
    assert (await again.request("notice.inbox", {}))["data"]["notices"] == []
    third = await connect(committee.members[0].user, sid)  # a new socket reads afresh
    snap = (await third.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert snap["notices"]["notices"] == []
    inbox = await m2.request("notice.inbox", {})  # what a tablet asks after a replay resync
    assert [n["id"] for n in inbox["data"]["notices"]] == [notice_id]


async def test_a_notice_to_one_member_is_private(committee, connect):  # noqa: F811
    sid = committee.plenary.pk
    chair = await connect(committee.chair.user, sid)
    m1 = await connect(committee.members[0].user, sid)
    m2 = await connect(committee.members[1].user, sid)
    r = await chair.request(
        "notice.send", {"text": "您的车已到", "member": committee.members[1].pk}, key="n2"
    )
    assert r["ok"]
    assert (await m2.event("notice.sent"))["data"]["notice"]["to"] == committee.members[1].pk
    await m1.request("ping", {})  # anything sent to m1 before this reply would be queued now
    assert not [e for e in m1.events if e["type"] == "notice.sent"]


async def test_bad_notices_are_refused_in_chinese_and_change_nothing(committee, connect):  # noqa: F811
    sid = committee.plenary.pk
    clerk = await connect(committee.clerk.user, sid)
    m1 = await connect(committee.members[0].user, sid)
    before = await _rows()
    r = await m1.request("notice.send", {"text": "请回座", "member": None}, key="x1")
    _chinese(r, "forbidden")
    r = await clerk.request("notice.send", {"text": "请" * 201, "member": None}, key="x2")
    _chinese(r, "notice_too_long")
    assert "200" in r["error"]["message"] or r["error"]["details"]["limit"] == 200
    r = await clerk.request("notice.send", {"text": "请回座", "member": 999999}, key="x3")
    _chinese(r, "not_on_roster")
    assert await _rows() == before


async def test_a_call_is_seen_live_taken_and_the_member_sees_when(committee, connect):  # noqa: F811
    sid = committee.plenary.pk
    clerk = await connect(committee.clerk.user, sid)
    m1 = await connect(committee.members[0].user, sid)
    wall = await connect(committee.display.user, sid)
    r = await m1.request("service.call", {"kind": "tea", "note": ""}, key="c1")
    assert r["ok"] and r["data"]["call"]["state"] == "waiting"
    ev = await clerk.event("service.changed")
    call = ev["data"]["call"]
    assert (call["name"], call["seat"], call["kind"]) == ("委员1", "002", "tea")
    assert call["called_at"]
    r = await clerk.request("service.take", {"call": call["id"]}, key="t1")
    assert r["ok"]
    ev = await m1.event("service.changed")
    while ev["data"]["reason"] != "taken":
        ev = await m1.event("service.changed")
    assert ev["data"]["call"]["state"] == "taken" and ev["data"]["call"]["taken_at"]
    await wall.request("ping", {})
    assert not [e for e in wall.events if e["type"] == "service.changed"]  # not the wall's
    snap = (await m1.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert [c["state"] for c in snap["notices"]["calls"]] == ["taken"]


async def test_bad_calls_are_refused_in_chinese_and_change_nothing(committee, connect):  # noqa: F811
    sid = committee.plenary.pk
    clerk = await connect(committee.clerk.user, sid)
    m1 = await connect(committee.members[0].user, sid)
    _chinese(await m1.request("service.call", {"kind": "coffee"}, key="b1"), "unknown_service_kind")
    _chinese(await clerk.request("service.call", {"kind": "tea"}, key="b2"), "forbidden")
    assert (await m1.request("service.call", {"kind": "tea"}, key="b3"))["ok"]
    before = await _rows()
    _chinese(await m1.request("service.call", {"kind": "tea"}, key="b4"), "call_already_open")
    _chinese(await m1.request("service.take", {"call": before[1][0][0]}, key="b5"), "forbidden")
    assert await _rows() == before


async def test_a_member_cannot_spam_calls(committee, connect):  # noqa: F811
    sid = committee.plenary.pk
    m1 = await connect(committee.members[0].user, sid)
    for n, kind in enumerate(["tea", "tech", "other"]):
        r = await m1.request("service.call", {"kind": kind}, key=f"s{n}")
        assert r["ok"]
        call = r["data"]["call"]
        assert (await m1.request("service.withdraw", {"call": call["id"]}, key=f"w{n}"))["ok"]
    before = await _rows()
    _chinese(await m1.request("service.call", {"kind": "tea"}, key="s9"), "calls_too_often")
    assert await _rows() == before
