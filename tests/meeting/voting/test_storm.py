"""Many real voters against two Daphne processes on Redis and PostgreSQL; and a restart.

None lost, none doubled: every member's stored choice is the one their tablet sent,
although a tenth of them lost the connection right after sending and resent the same
frame on the other process. A server killed while a vote is open loses nothing: the
vote and its ballots survive, tablets resync and see their own ballot.
"""

from __future__ import annotations

import asyncio

import pytest

from harness.servers import Stack, create_pg_database
from harness.storm import CHECK, SEED, Storm, Voter, choice_for

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.postgres]
N = 60


@pytest.fixture
def pg_stack(tmp_path, redis_url, pg_url):
    url, drop = create_pg_database(pg_url)
    stack = Stack(tmp_path, workers=2, redis_url=redis_url, database_url=url)
    try:
        with stack.start():
            yield stack
    finally:
        drop()


async def test_storm_over_two_workers_counts_each_ballot_once(pg_stack):
    seeded = pg_stack.python(SEED.format(n=N), timeout=300)
    storm = Storm(pg_stack.urls, seeded, procs=2, resend=0.1)
    try:
        await storm.start_clerk()
        out = await storm.vote(window=1.0)
    finally:
        storm.stop()
    assert out["refused"] == []
    assert out["acked"] == N and out["cast_in_result"] == N
    check = pg_stack.python(CHECK.format(vote=out["vote"]))
    assert check["stored"] == N and check["dup_rows"] == 0
    assert check["audit_ballots"] == N and check["counted"] == N and check["cast"] == N
    expected = {str(m): choice_for(m) for m, _ in seeded["members"]}
    assert check["choices"] == expected


RESTART_STATE = """
from meeting.voting.models import Ballot, Vote
v = Vote.objects.get(pk={vote})
result = {{'state': v.state, 'ballots': Ballot.objects.filter(vote=v).count()}}
"""


async def test_server_restart_while_open_loses_nothing(tmp_path):
    stack = Stack(tmp_path, workers=1)
    with stack.start():
        seeded = stack.python(SEED.format(n=8))
        members = seeded["members"]
        clerk = Voter(stack.urls, 0, seeded["sitting"], 0, seeded["clerk"])
        await clerk.connect(0)
        prep = await clerk.request(
            "vote.prepare", {"item": seeded["item"], "question": "重启表决"}, key="p"
        )
        vote = prep["data"]["vote"]["id"]
        assert (await clerk.request("vote.open", {"vote": vote}))["ok"]
        tablets = [Voter(stack.urls, 0, seeded["sitting"], m, c) for m, c in members]
        for t in tablets:
            await t.connect(0)
        for t in tablets[:4]:
            assert (await t.cast(vote, resend=False))["ok"]

        stack.kill_worker(0)  # SIGKILL: no goodbye, no flush
        port = stack.ports[0]
        stack.procs.pop(0), stack.ports.pop(0), stack.logs.pop(0)
        stack.spawn_worker(port)
        from harness.servers import wait_http

        wait_http(f"http://127.0.0.1:{port}/healthz")
        assert stack.python(RESTART_STATE.format(vote=vote)) == {"state": "open", "ballots": 4}

        for t in tablets:
            await t.connect(0)
        # a tablet that had voted resyncs and sees its own ballot; a resend counts once
        snap = await tablets[0].request("sync", {"last_seq": 0})
        mine = snap["data"]["snapshot"]["votes"]["open"]["mine"]
        assert mine["cast"] is True
        assert list(mine["choices"].values()) == [choice_for(members[0][0])]
        again = await tablets[0].cast(vote, resend=False)
        assert again["ok"] and again.get("repeat") is True
        for t in tablets[4:]:
            assert (await t.cast(vote, resend=False))["ok"]
        await clerk.connect(0)
        closed = await clerk.request("vote.close", {"vote": vote})
        assert closed["ok"] and closed["data"]["result"]["cast"] == 8
        await asyncio.gather(*(t.wait_for("vote.closed", timeout=30) for t in tablets))
        check = stack.python(CHECK.format(vote=vote))
        assert check["stored"] == 8 and check["audit_ballots"] == 8
        assert check["choices"] == {str(m): choice_for(m) for m, _ in members}
