"""Authority per command: a demotion or a removal from the roster acts on an open socket."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from core.models import Member, Sitting
from core.roster import sitting_role, standing_of

pytestmark = pytest.mark.django_db(transaction=True)


async def _closed_with(sock) -> int:
    """The close code the server sent after the last reply (events before it skipped)."""
    while True:
        out = await sock.comm.receive_output(timeout=5)
        if out["type"] == "websocket.close":
            return out["code"]
        assert json.loads(out["text"])["type"] != "reply", out


async def test_a_chair_replaced_mid_sitting_loses_the_powers_at_the_next_command(
    committee, connect
):
    sitting = committee.group_a_sitting
    sock = await connect(committee.chair.user, sitting.pk)
    assert sock.welcome["data"]["role"] == "chair"
    assert (await sock.request("agenda.open", {"item": 1}))["ok"] is False  # unknown item id
    await sync_to_async(Sitting.objects.filter(pk=sitting.pk).update)(chair=None)  # demoted
    item = await sync_to_async(lambda: sitting.agenda_items.first().pk)()
    r = await sock.request("agenda.open", {"item": item})
    assert r["ok"] is False and r["error"]["code"] == "role_changed"
    assert r["error"]["details"] == {"was": "chair", "now": "member"}
    assert await _closed_with(sock) == 4409
    current = await sync_to_async(lambda: sitting.agenda_items.filter(state="current").count())()
    assert current == 0  # nothing was done
    # reconnecting gives the role the login has now, with its powers only
    again = await connect(committee.chair.user, sitting.pk)
    assert again.welcome["data"]["role"] == "member"
    r = await again.request("agenda.open", {"item": item})
    assert r["error"]["code"] == "forbidden" and r["error"]["details"]["allowed"] == [
        "chair",
        "clerk",
    ]


async def test_a_member_taken_off_the_roster_mid_socket_is_refused_and_cannot_return(
    committee, connect
):
    sitting = committee.group_a_sitting
    member = committee.members[0]  # m1, group A
    sock = await connect(member.user, sitting.pk)
    assert (await sock.request("ping"))["ok"] is True
    await sync_to_async(Member.objects.filter(pk=member.pk).update)(active=False)
    r = await sock.request("ping")
    assert r["error"]["code"] == "role_changed" and r["error"]["details"]["now"] is None
    assert await _closed_with(sock) == 4409
    await connect(member.user, sitting.pk, expect_close=4403)


def test_role_of_agrees_with_sitting_role_in_one_query(committee, django_assert_num_queries):
    people = [committee.chair, committee.clerk, committee.staff, committee.display]
    people += committee.members[:3]
    for sitting in (committee.plenary, committee.group_a_sitting, committee.group_b_sitting):
        for m in people:
            with django_assert_num_queries(1):  # sitting, member, flag, clerk's sittings: one
                fast = standing_of(m.user.pk, sitting.pk).role
            assert fast == sitting_role(m.user, sitting), (m, sitting)
    assert standing_of(committee.outsider.pk, committee.plenary.pk).role is None


def test_only_a_sync_right_after_connect_skips_the_lookup(committee, monkeypatch):
    """The connect's own lookup answers a sync sent within the window, nothing else."""
    from realtime import runner
    from realtime.consumers import arrive
    from realtime.protocol import decode

    def cmd(type_, data):
        return decode(json.dumps({"type": type_, "id": "x", "data": data}), 65536)

    sitting = committee.group_a_sitting
    _, ctx, _ = arrive(committee.chair.user, sitting.pk, "test.chair")
    Sitting.objects.filter(pk=sitting.pk).update(chair=None)  # demoted just after connect
    item = sitting.agenda_items.first().pk
    r = runner.run_command(ctx, cmd("agenda.open", {"item": item}))
    assert r["error"]["code"] == "role_changed"  # a command of power: looked up again
    monkeypatch.setattr(runner, "FRESH_FOR_SYNC_S", 3600.0)  # within the window (no clock)
    assert runner.run_command(ctx, cmd("sync", {"last_seq": 0}))["ok"] is True
    monkeypatch.setattr(runner, "FRESH_FOR_SYNC_S", 0.0)  # past it: looked up again
    r = runner.run_command(ctx, cmd("sync", {"last_seq": 0}))
    assert r["error"]["code"] == "role_changed"
