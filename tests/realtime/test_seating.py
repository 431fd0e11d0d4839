"""The seat plan on the socket: the console's snapshot part, the clerk's save, the notice."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from core.models import AuditEntry, SeatLayout

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_console_gets_the_plan_and_a_tablet_does_not(committee, connect):
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    snap = (await clerk.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert snap["seating"]["saved"] is False
    assert sum(len(r) for r in snap["seating"]["rows"]) == 9
    member = await connect(committee.members[0].user, committee.plenary.pk)
    snap = (await member.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert snap["seating"] == {}


async def test_the_clerk_saves_and_every_console_of_the_room_is_told(committee, connect):
    chair = await connect(committee.chair.user, committee.plenary.pk)
    await chair.request("sync", {"last_seq": 0})
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    await clerk.request("sync", {"last_seq": 0})
    r = await clerk.request("seating.save", {"rows": [["002", "001"], ["003", "", "004"]]})
    assert r["ok"], r
    plan = r["data"]["seating"]
    assert plan["saved"] is True and plan["seats"] == [["002", "001"], ["003", "", "004"]]
    ev = await chair.event("seating.plan")
    assert ev["seq"] is None and ev["data"]["rows"] == plan["rows"]
    assert ev["data"]["rows"][1][1] is None  # the aisle
    row = await sync_to_async(AuditEntry.objects.get)(action="seating.save")
    assert row.actor == committee.clerk.full_name


async def test_the_chair_may_not_save_and_a_bad_layout_says_which_seats(committee, connect):
    chair = await connect(committee.chair.user, committee.plenary.pk)
    r = await chair.request("seating.save", {"rows": [["001"]]})
    assert r["error"]["code"] == "forbidden"
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    r = await clerk.request("seating.save", {"rows": [["001", "777"]]})
    assert r["error"]["code"] == "bad_layout"
    assert r["error"]["details"]["seats"] == ["777"]
    assert "座位" in r["error"]["message"]  # the Chinese sentence of the one map
    assert not await sync_to_async(SeatLayout.objects.exists)()
