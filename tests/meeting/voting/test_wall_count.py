"""What the wall and the clerk learn of an open round (issue 25, items 3 and 5).

The wall says "已表决 N / 应到 M" for every ballot, named or secret: it gets the server's
count after each ballot and in its snapshot, never a member beside a choice, and running
counts only when the vote shows them. The clerk watches a named vote's running tally
(in the slice and the snapshot); a secret ballot's tally never leaves the server.
"""

from __future__ import annotations

import pytest

from tests.meeting.voting.test_socket import prepare_and_open, seated  # noqa: F401
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

pytestmark = pytest.mark.django_db(transaction=True)


async def _next_with(client, predicate) -> dict:
    for _ in range(20):
        ev = await client.event("vote.progress")
        if predicate(ev["data"]):
            return ev["data"]
    raise AssertionError("no such vote.progress")


@pytest.mark.parametrize("kind", ["named", "secret"])
async def test_the_wall_counts_ballots_of_both_kinds(seated, connect, kind):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    wall = await connect(seated.display.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk, kind=kind)
    m1 = await connect(seated.voters[1].user, s)
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": "no"}, key="a")
    assert r["ok"], r
    prog = await _next_with(wall, lambda d: d["cast"] == 1)
    # the count alone: no member, no choice, no counts (this vote does not show them)
    assert set(prog) == {"vote", "cast"}
    snap = (await wall.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    assert snap["open"]["progress"] == {"cast": 1}


@pytest.mark.parametrize("kind", ["named", "secret"])
async def test_the_clerk_sees_a_named_tally_never_a_secret_one(seated, connect, kind):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk, kind=kind)
    qid = str(vote["questions"][0]["id"])
    m1 = await connect(seated.voters[1].user, s)
    await m1.request("vote.cast", {"vote": vote["id"], "choice": "no"}, key="a")
    prog = await _next_with(clerk, lambda d: d["cast"] == 1 and "not_voted" in d)
    snap = (await clerk.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    if kind == "named":
        assert prog["counts"][qid]["no"] == 1 and prog["counts"][qid]["yes"] == 0
        assert snap["open"]["progress"]["counts"][qid]["no"] == 1
    else:
        assert "counts" not in prog and "counts" not in snap["open"]["progress"]
