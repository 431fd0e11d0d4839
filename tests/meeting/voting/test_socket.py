"""Voting over the sitting socket: who may do what, resends, snapshots, events."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from harness.actors import CLERK
from meeting.voting import services
from meeting.voting.models import AuditEntry, Ballot, NamedChoice, Vote
from realtime.models import CommandReceipt
from tests.meeting.voting.conftest import check_in
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def tables(vote_id: int) -> tuple:
    """Everything a ballot command could change, to prove a refused one changed nothing."""
    vote = Vote.objects.get(pk=vote_id)
    return (
        vote.state,
        vote.audit_seq,
        sorted(Ballot.objects.filter(vote=vote).values_list("member_id", flat=True)),
        sorted(NamedChoice.objects.filter(ballot__vote=vote).values_list("option", flat=True)),
        AuditEntry.objects.filter(vote=vote).count(),
    )


atables = sync_to_async(tables)


@pytest.fixture
def seated(committee):
    """The plenary with the chair and m1..m6 checked in."""
    committee.voters = [committee.chair, *committee.members[:6]]
    check_in(committee.plenary, committee.voters)
    committee.item = committee.plenary.agenda_items.order_by("order").first()
    return committee


async def prepare_and_open(clerk, item_id: int, **fields) -> dict:
    data = {"item": item_id, "question": "关于《数据条例（草案）》的表决", **fields}
    r = await clerk.request("vote.prepare", data, key=f"prep-{id(data)}")
    assert r["ok"], r
    vote = r["data"]["vote"]
    r = await clerk.request("vote.open", {"vote": vote["id"]})
    assert r["ok"], r
    return r["data"]["vote"]


async def test_named_vote_end_to_end_on_sockets(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    wall = await connect(seated.display.user, s)
    tablets = [await connect(m.user, s) for m in seated.voters[:3]]
    vote = await prepare_and_open(clerk, seated.item.pk)
    for t in tablets + [wall]:
        ev = await t.event("vote.opened")
        assert ev["data"]["vote"]["id"] == vote["id"] and ev["seq"] is not None
    for n, (t, choice) in enumerate(zip(tablets, ["yes", "no", "abstain"], strict=True)):
        r = await t.request("vote.cast", {"vote": vote["id"], "choice": choice}, key=f"c{n}")
        assert r["ok"], r
        assert r["data"]["choices"] == {str(vote["questions"][0]["id"]): choice}
        prog = await clerk.event("vote.progress")
        if n == 0:  # the round's opening progress: nobody has cast, everyone present is listed
            assert prog["data"]["cast"] == 0 and "member" not in prog["data"]
            assert len(prog["data"]["not_voted"]) == len(seated.voters)
            prog = await clerk.event("vote.progress")
        # two notices, in either order: the count and whose ballot it was (constant size,
        # whatever the roster; on PostgreSQL coalesced over a burst, so it may follow the
        # slice), and the slice, read after the commit by the process's progress thread
        both = [prog, await clerk.event("vote.progress")]
        count = next(p for p in both if "not_voted" not in p["data"])
        assert count["data"]["cast"] == n + 1 and count["data"]["member"] == seated.voters[n].pk
        assert count["seq"] is None
        prog = next(p for p in both if "not_voted" in p["data"])
        assert prog["data"]["cast"] == n + 1 and "member" not in prog["data"]
        left = [m["id"] for m in prog["data"]["not_voted"]]
        assert sorted(left) == sorted(m.pk for m in seated.voters[n + 1 :])
    r = await clerk.request("vote.close", {"vote": vote["id"]})
    assert r["ok"] and r["data"]["result"]["cast"] == 3
    for t in tablets + [wall, clerk]:
        ev = await t.event("vote.closed")
        res = ev["data"]["result"]
        assert res["questions"][0]["counts"] == {"yes": 1, "no": 1, "abstain": 1}
        assert res["did_not_vote"] == 4 and res["passed"] is False
        # the per-member list is not broadcast: consoles get it, tablets fetch it
        assert "named" not in res and res["named_available"] is True
    named = await clerk.event("vote.named_result")
    assert [n["member"] for n in named["data"]["named"]] == [m.pk for m in seated.voters[:3]]


async def test_clerk_cannot_cast(seated, connect):  # noqa: F811
    clerk = await connect(seated.clerk.user, seated.plenary.pk)
    vote = await prepare_and_open(clerk, seated.item.pk)
    before = await atables(vote["id"])
    r = await clerk.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="x")
    assert r["ok"] is False and r["error"]["code"] == "forbidden"
    assert r["error"]["details"]["allowed"] == ["chair", "member"]
    assert await atables(vote["id"]) == before


async def test_member_cannot_open_or_close(seated, connect):  # noqa: F811
    clerk = await connect(seated.clerk.user, seated.plenary.pk)
    m1 = await connect(seated.voters[1].user, seated.plenary.pk)
    vote = await prepare_and_open(clerk, seated.item.pk)
    before = await atables(vote["id"])
    r = await m1.request("vote.close", {"vote": vote["id"]})
    assert r["error"]["code"] == "forbidden"
    assert await atables(vote["id"]) == before


async def test_cast_without_key_is_invalid(seated, connect):  # noqa: F811
    clerk = await connect(seated.clerk.user, seated.plenary.pk)
    m1 = await connect(seated.voters[1].user, seated.plenary.pk)
    vote = await prepare_and_open(clerk, seated.item.pk)
    before = await atables(vote["id"])
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"})
    assert r["error"]["code"] == "invalid" and "幂等键" in r["error"]["message"]
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": 1}, key="k")
    assert r["error"]["code"] == "invalid"
    assert await atables(vote["id"]) == before


async def test_resend_after_reconnect_is_counted_once(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk)
    m1 = await connect(seated.voters[1].user, s)
    first = await m1.request("vote.cast", {"vote": vote["id"], "choice": "no"}, key="ballot-1")
    assert first["ok"]
    await m1.close()  # Wi-Fi drops before the tablet saw the answer; it comes back
    again = await connect(seated.voters[1].user, s)
    snap = (await again.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    line = str(vote["questions"][0]["id"])
    assert snap["open"]["mine"]["cast"] is True
    assert snap["open"]["mine"]["choices"] == {line: "no"}
    repeat = await again.request("vote.cast", {"vote": vote["id"], "choice": "no"}, key="ballot-1")
    assert repeat["ok"] and repeat["repeat"] is True and repeat["data"] == first["data"]
    # a new key (tablet restarted and forgot it) is refused, and shows the ballot cast
    other = await again.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="ballot-2")
    assert other["ok"] is False and other["error"]["code"] == "already_voted"
    assert other["error"]["details"]["choices"] == {line: "no"}
    assert (await atables(vote["id"]))[2:4] == ([seated.voters[1].pk], ["no"])


async def test_ballot_for_another_sittings_vote_is_not_found(seated, connect):  # noqa: F811
    clerk = await connect(seated.clerk.user, seated.plenary.pk)
    vote = await prepare_and_open(clerk, seated.item.pk)
    # m1 sits in group A too; a socket of group A cannot reach the plenary's vote
    m1 = await connect(seated.members[0].user, seated.group_a_sitting.pk)
    before = await atables(vote["id"])
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="k")
    assert r["ok"] is False and r["error"]["code"] == "not_found"
    assert await atables(vote["id"]) == before


async def test_unknown_option_and_closed_vote_over_socket(seated, connect):  # noqa: F811
    clerk = await connect(seated.clerk.user, seated.plenary.pk)
    vote = await prepare_and_open(clerk, seated.item.pk)
    m1 = await connect(seated.voters[1].user, seated.plenary.pk)
    before = await atables(vote["id"])
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": "maybe"}, key="a")
    assert r["error"]["code"] == "unknown_option" and r["error"]["details"]["options"] == ["maybe"]
    assert await atables(vote["id"]) == before
    assert (await clerk.request("vote.close", {"vote": vote["id"]}))["ok"]
    before = await atables(vote["id"])
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="b")
    assert r["error"]["code"] == "vote_closed"
    assert await atables(vote["id"]) == before


async def test_two_clerks_closing_at_once_close_once(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    chair = await connect(seated.chair.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk)
    m1 = await connect(seated.voters[1].user, s)
    await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="a")
    a, b = await asyncio.gather(
        clerk.request("vote.close", {"vote": vote["id"]}),
        chair.request("vote.close", {"vote": vote["id"]}),
    )
    oks = sorted([a["ok"], b["ok"]])
    assert oks == [False, True], (a, b)
    loser = a if not a["ok"] else b
    assert loser["error"]["code"] in ("vote_closed", "conflict", "try_again")
    assert (await atables(vote["id"]))[0] == "closed"

    @sync_to_async
    def closes() -> int:
        return AuditEntry.objects.filter(vote_id=vote["id"], kind="close").count()

    assert await closes() == 1


async def test_snapshot_parts_by_role(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk)
    m1 = await connect(seated.voters[1].user, s)
    await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="a")
    m2 = await connect(seated.voters[2].user, s)
    clerk_snap = (await clerk.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    prog = clerk_snap["open"]["progress"]
    assert prog["cast"] == 1
    not_voted = [m["id"] for m in prog["not_voted"]]
    assert seated.voters[1].pk not in not_voted
    assert sorted(not_voted) == sorted(m.pk for m in seated.voters if m != seated.voters[1])
    m2_snap = (await m2.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    assert m2_snap["open"]["mine"] == {"cast": False}
    assert "progress" not in m2_snap["open"] and "history" not in m2_snap


async def test_secret_vote_tells_nobody_the_choice(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk, kind="secret")
    m1 = await connect(seated.voters[1].user, s)
    r = await m1.request("vote.cast", {"vote": vote["id"], "choice": "no"}, key="a")
    assert r["ok"] and "choices" not in r["data"]
    prog = await clerk.event("vote.progress")
    while (
        prog["data"]["cast"] == 0 or "not_voted" not in prog["data"]
    ):  # the opening's, the count's
        prog = await clerk.event("vote.progress")
    # who has cast (participation), never what: no choice, no member per ballot, no counts
    assert set(prog["data"]) == {"vote", "cast", "not_voted"} and prog["data"]["cast"] == 1
    assert seated.voters[1].pk not in [m["id"] for m in prog["data"]["not_voted"]]
    snap = (await m1.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    assert snap["open"]["mine"]["cast"] is True and "choices" not in snap["open"]["mine"]
    clerk_snap = (await clerk.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    assert clerk_snap["open"]["progress"]["cast"] == 1
    assert set(clerk_snap["open"]["progress"]) == {"cast", "not_voted"}
    again = await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="b")
    assert again["error"]["code"] == "already_voted" and "choices" not in again["error"]["details"]
    r = await clerk.request("vote.close", {"vote": vote["id"]})
    assert r["ok"] and "named" not in r["data"]["result"]
    ev = await m1.event("vote.closed")
    assert ev["data"]["result"]["questions"][0]["counts"] == {"yes": 0, "no": 1, "abstain": 0}
    assert "named" not in ev["data"]["result"]


async def test_clerk_only_choices_reach_clerks_not_tablets(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk, choices_visible="clerk")
    m1 = await connect(seated.voters[1].user, s)
    await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="a")
    await clerk.request("vote.close", {"vote": vote["id"]})
    ev = await m1.event("vote.closed")
    assert "named" not in ev["data"]["result"]
    named = await clerk.event("vote.named_result")
    assert named["data"]["named"][0]["member"] == seated.voters[1].pk
    tablet_snap = (await m1.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    assert "named" not in tablet_snap["latest"]["result"]
    clerk_snap = (await clerk.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]
    assert clerk_snap["latest"]["result"]["named"][0]["member"] == seated.voters[1].pk


async def test_no_quorum_over_socket_says_why(committee, connect):  # noqa: F811
    clerk = await connect(committee.clerk.user, committee.plenary.pk)
    item = await sync_to_async(lambda: committee.plenary.agenda_items.first().pk)()
    r = await clerk.request("vote.prepare", {"item": item, "question": "q"}, key="p")
    r = await clerk.request("vote.open", {"vote": r["data"]["vote"]["id"]})
    assert r["ok"] is False and r["error"]["code"] == "no_quorum"
    assert r["error"]["details"] == {
        "roster_size": 9,
        "present": 0,
        "required": 5,
        "reached": False,
    }


async def test_member_checks_their_named_ballot_in_the_audit(seated, connect):  # noqa: F811
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    vote = await prepare_and_open(clerk, seated.item.pk)
    m1 = await connect(seated.voters[1].user, s)
    cast = await m1.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key="a")
    r = await m1.request("vote.audit", {"vote": vote["id"]})
    assert r["data"]["chain"]["intact"] is True
    mine = r["data"]["mine"]
    assert [e["kind"] for e in mine] == ["ballot"]
    assert mine[0]["hash"] == cast["data"]["receipt"]
    assert mine[0]["body"]["choices"] == {str(vote["questions"][0]["id"]): "yes"}


def test_services_refuse_before_receipt_is_written(seated):
    """A refused ballot leaves no receipt, so a corrected resend is not answered from one."""
    vote = services.prepare(
        seated.plenary.pk, services.VoteSpec(item_id=seated.item.pk, question="q"), actor=CLERK
    )
    assert CommandReceipt.objects.count() == 0
    assert vote.state == "prepared"


async def test_after_a_burst_of_ballots_the_last_slice_is_exact(seated, connect):  # noqa: F811
    """Slices are coalesced (one read for many ballots), and the last comes after the last."""
    s = seated.plenary.pk
    clerk = await connect(seated.clerk.user, s)
    tablets = [await connect(m.user, s) for m in seated.voters]
    vote = await prepare_and_open(clerk, seated.item.pk)
    replies = await asyncio.gather(
        *(
            t.request("vote.cast", {"vote": vote["id"], "choice": "yes"}, key=f"b{n}")
            for n, t in enumerate(tablets)
        )
    )
    assert all(r["ok"] for r in replies), replies
    slices = []
    while not slices or slices[-1]["cast"] < len(tablets):
        prog = (await clerk.event("vote.progress"))["data"]
        if "not_voted" in prog:
            slices.append(prog)
    assert slices[-1]["not_voted"] == []
    assert all(len(x["not_voted"]) == len(tablets) - x["cast"] for x in slices)
