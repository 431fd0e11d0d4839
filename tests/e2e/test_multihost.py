"""A sitting across machines, and the faults between them (harness/multihost.py).

Five hosts in network namespaces on one bridge: ``data`` (PostgreSQL made with initdb,
Redis), ``app1`` and ``app2`` (a Daphne worker and a job worker each), ``front``
(nginx) and ``room`` (200 tablets on WebSockets through nginx, an aiortc publisher
whose media goes over UDP straight to the app host holding its socket). One topology
for the module; each test seeds its own sitting. Every test checks what was *kept*: the
ballots in the database one by one, each tablet's sequence number and page against the
server's, the clip in the member's file.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time

import pytest

from harness.multihost import ADDR, Topology
from harness.roomtablets import (
    NEW_SITTING,
    SEED,
    TRUTH,
    Tablet,
    all_at,
    choice_for,
    close_all,
    connect_all,
    host_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.media]

TABLETS = 200
SPEAKERS = 16  # the group sitting's members: one of them surely lands on app1

PRESENTER = """
from docs_store.services import presenter
result = presenter.current({sitting})
"""
SPEECH = """
from media.models import Clip, Publisher, Recording
from media.services.paths import absolute
r = Recording.objects.filter(floor_entry_id={entry}).first()
clips = list(Clip.objects.filter(floor_entry_id={entry}))
result = {{
    'recordings': Recording.objects.filter(floor_entry_id={entry}).count(),
    'recording': r and {{'state': r.state, 'server': r.server, 'recovered': r.recovered,
                         'started_at': r.started_at.timestamp(),
                         'ended_at': r.ended_at and r.ended_at.timestamp(),
                         'error': r.error, 'received': (r.quality or {{}}).get('received')}},
    'clips': [{{'member': c.member_id, 'duration': c.duration_s, 'path': str(absolute(c.path)),
                'recording': c.recording_id}} for c in clips],
}}
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with Topology(tmp_path_factory.mktemp("multihost")) as topo:
        seeded = topo.python(SEED.format(n=TABLETS, speakers=SPEAKERS), host="app1")
        yield topo, seeded


def new_sitting(topo: Topology, seeded: dict) -> dict:
    return topo.python(NEW_SITTING.format(term=seeded["term"], group=seeded["group"]))


def truth(topo: Topology, sitting: int, vote: int | None = None) -> dict:
    out = topo.python(TRUTH.format(sitting=sitting, vote=vote or 0))
    out["presenter"] = topo.python(PRESENTER.format(sitting=sitting))
    return out


def journal(topo: Topology, sitting: int) -> list[int]:
    rows = topo.sql(
        "SELECT seq FROM realtime_sittingevent WHERE sitting_id = %s ORDER BY seq", (sitting,)
    )
    return [r[0] for r in rows]


def expected_choices(seeded: dict) -> dict[str, str]:
    return {str(m): choice_for(m) for m, _ in seeded["members"]}


class Room:
    """One sitting's tablets, clerk and (optionally) speaker, all in the room's loop."""

    def __init__(self, topo: Topology, seeded: dict, ids: dict) -> None:
        base = topo.front.url
        self.topo, self.ids, self.base = topo, ids, base
        self.tablets = [Tablet(base, ids["sitting"], c, m) for m, c in seeded["members"]]
        self.clerk = Tablet(base, ids["sitting"], seeded["clerk"])
        self.gclerk = Tablet(base, ids["group_sitting"], seeded["clerk"])
        self.speakers = {m: c for m, c in seeded["members"][:SPEAKERS]}
        self.publisher: Tablet | None = None
        self.sender = None
        self.flips = 0

    async def connect(self) -> None:
        await connect_all([self.clerk, self.gclerk, *self.tablets])

    def on(self, host: str) -> list[Tablet]:
        return [t for t in self.tablets if host_of(t.server) == host]

    async def flip(self, page: int) -> dict:
        self.flips += 1
        data = {"page": page}
        return await self.clerk.command("presenter.flip", data, key=f"flip-{page}-{self.flips}")

    async def open_document(self) -> None:
        ans = await self.clerk.command(
            "presenter.open", {"document": self.ids["doc"], "page": 1}, key="open-doc"
        )
        assert ans["ok"], ans

    async def open_vote(self) -> int:
        prep = await self.clerk.command(
            "vote.prepare",
            {"item": self.ids["item"], "question": "关于条例草案的表决", "kind": "named"},
            key="prep",
        )
        assert prep["ok"], prep
        vote = prep["data"]["vote"]["id"]
        opened = await self.clerk.command("vote.open", {"vote": vote}, key="open-vote")
        assert opened["ok"], opened
        return vote

    async def publish_from_app1(self) -> int:
        """A speaker whose socket nginx puts on app1 publishes; returns the member."""
        from harness.media_sources import Sender, flash_beep

        on_app1 = [t.member for t in self.on("app1") if t.member in self.speakers]
        assert on_app1, "no speaker's tablet landed on app1"
        member = on_app1[0]
        pub = Tablet(self.base, self.ids["group_sitting"], self.speakers[member], member)
        await pub.connect()
        assert host_of(pub.server) == "app1", pub.server
        self.publisher = pub
        self.sender = Sender(flash_beep(240, "320x180"))
        ans = await pub.command(
            "media.publish", {"sdp": await self.sender.offer(), "kind": "member"}, key="publish"
        )
        assert ans["ok"], ans
        await self.sender.answer(ans["data"]["sdp"])
        await self.sender.wait_connected(30)
        return member

    async def grant(self, member: int) -> int:
        ans = await self.gclerk.command("floor.grant", {"member": member}, key=f"grant-{member}")
        assert ans["ok"], ans
        return ans["data"]["speech"]["id"]

    async def end(self, speech: int) -> dict:
        ans = await self.gclerk.command(
            "floor.end", {"speech": speech, "how": "finished"}, key=f"end-{speech}"
        )
        assert ans["ok"], ans
        return ans

    async def close(self) -> None:
        if self.sender is not None:
            await self.sender.close()
        extra = [self.publisher] if self.publisher else []
        await close_all([self.clerk, self.gclerk, *self.tablets, *extra])


def media_path(sender) -> tuple[str, str]:
    """(local, remote) address of the ICE pair the publisher's media uses."""
    transport = sender.pc.getTransceivers()[0].sender.transport.transport
    pair = transport._connection._nominated[1]  # component 1 (RTP, bundled)
    return pair.local_candidate.host, pair.remote_candidate.host


async def wait_speech(topo: Topology, entry: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = await asyncio.to_thread(topo.python, SPEECH.format(entry=entry))
        if state["clips"] or time.monotonic() > deadline:
            return state
        await asyncio.sleep(1.0)


def clip_streams(path: str) -> dict[str, float]:
    """Each stream's length; a passed-through WebM clip states none, so from its packets."""
    from tests.media.helpers import stream_durations

    return stream_durations(path)


async def cast_all(tablets: list[Tablet], vote: int, spread: float = 1.0) -> list[dict]:
    async def one(t: Tablet) -> dict:
        await asyncio.sleep(random.random() * spread)
        return await t.cast(vote)

    return await asyncio.gather(*(one(t) for t in tablets))


def check_ballots(topo: Topology, seeded: dict, sitting: int, vote: int) -> dict:
    now = truth(topo, sitting, vote)
    assert now["doubled"] == 0
    assert now["ballots"] == len(seeded["members"])
    assert now["choices"] == expected_choices(seeded)  # each member's own choice, once
    assert now["audit_ballots"] == len(seeded["members"])  # one entry per ballot, none replayed
    return now


def check_resynced(topo: Topology, tablets: list[Tablet], sitting: int) -> dict:
    now = truth(topo, sitting)
    page = {"document": now["presenter"]["document"], "page": now["presenter"]["page"]}
    wrong = [t for t in tablets if t.seq != now["seq"] or t.presenter != page]
    assert not wrong, [(t.member, t.seq, t.presenter, now["seq"], page) for t in wrong[:5]]
    assert journal(topo, sitting) == list(range(1, now["seq"] + 1))  # no gap, no double
    return now


# -- the tests ------------------------------------------------------------------------------


def test_a_sitting_of_200_tablets_over_two_app_hosts(world):
    topo, seeded = world
    ids = new_sitting(topo, seeded)
    room = Room(topo, seeded, ids)

    async def scenario() -> dict:
        await room.connect()
        spread = collections.Counter(host_of(t.server) for t in room.tablets)
        assert set(spread) == {"app1", "app2"} and min(spread.values()) >= TABLETS // 5, spread

        # page flips reach every tablet, each flip as its own event
        await room.open_document()
        first = room.clerk.seq
        for page in range(2, 7):
            assert (await room.flip(page))["ok"]
        flips = list(range(first + 1, room.clerk.seq + 1))
        await all_at(room.tablets, room.clerk.seq)
        for t in room.tablets:
            assert set(flips) <= set(t.seen), (t.member, t.server)
            assert t.presenter == {"document": ids["doc"], "page": 6}

        # a named vote: every ballot counted once
        vote = await room.open_vote()
        answers = await cast_all(room.tablets, vote)
        assert all(a["ok"] for a in answers), [a for a in answers if not a["ok"]][:3]
        closed = await room.clerk.command("vote.close", {"vote": vote}, key="close")
        assert closed["ok"] and closed["data"]["result"]["cast"] == TABLETS, closed
        check_ballots(topo, seeded, ids["sitting"], vote)

        # a speech from a tablet on app1 becomes a clip in the member's file
        member = await room.publish_from_app1()
        assert media_path(room.sender) == (ADDR["room"], ADDR["app1"])  # UDP, not via nginx
        speech = await room.grant(member)
        await asyncio.sleep(3.0)
        await room.end(speech)
        state = await wait_speech(topo, speech)
        await room.close()
        return {"spread": spread, "member": member, "speech": state}

    out = topo.room.run(scenario(), timeout=900)
    speech = out["speech"]
    assert len(speech["clips"]) == 1, (speech, topo.logs())
    clip = speech["clips"][0]
    assert clip["member"] == out["member"]
    assert speech["recording"]["server"].startswith("app1:")  # recorded where the socket was
    assert 2.0 <= clip["duration"] <= 5.0, clip
    streams = clip_streams(clip["path"])
    assert set(streams) == {"video", "audio"} and min(streams.values()) >= 2.0, streams
    # the tablets came from the room's own address, through nginx
    assert f"{ADDR['room']} - " in topo.front.access_log()


def test_partition_app1_mid_vote_and_mid_speech(world):
    """app1's cable is pulled while a vote is open and its tablet is speaking.

    Its tablets notice (no heartbeat), reconnect through nginx to app2 and resync; the
    ballots they had in flight are resent with their keys. The clerk ends the floor
    during the partition. The recording stays with app1 (see docs/deploy.md): when its
    cable is back it receives the stop and finalises what it had received, once.
    """
    topo, seeded = world
    ids = new_sitting(topo, seeded)
    room = Room(topo, seeded, ids)

    async def scenario() -> dict:
        await room.connect()
        await room.open_document()
        vote = await room.open_vote()
        half = TABLETS // 2
        early = await cast_all(room.tablets[:half], vote)
        assert all(a["ok"] for a in early)
        member = await room.publish_from_app1()
        speech = await room.grant(member)
        await asyncio.sleep(3.0)
        on_app1 = room.on("app1")
        granted_to_cut = time.time() - room.grant_at if hasattr(room, "grant_at") else None

        t_cut = time.monotonic()
        cut_wall = time.time()
        topo.partition("app1")
        late = asyncio.create_task(cast_all(room.tablets[half:], vote, spread=2.0))
        for page in (2, 3):
            assert (await room.flip(page))["ok"]
        await asyncio.sleep(max(0.0, 4.0 - (time.monotonic() - t_cut)))
        ended = await room.end(speech)
        answers = await asyncio.wait_for(late, 150)
        assert all(a["ok"] for a in answers), [a for a in answers if not a["ok"]][:3]
        last = await room.flip(4)
        assert last["ok"]
        await all_at(room.tablets, room.clerk.seq, timeout=120)
        resynced_s = max(t.resynced_at for t in on_app1) - t_cut
        moved = [t for t in on_app1 if host_of(t.server) != "app2"]
        assert not moved, [(t.member, t.servers) for t in moved[:5]]
        assert all(t.reconnects >= 1 for t in on_app1)
        check_resynced(topo, room.tablets, ids["sitting"])
        check_ballots(topo, seeded, ids["sitting"], vote)
        during = await asyncio.to_thread(topo.python, SPEECH.format(entry=speech))
        # the partition lasts 15 s: shorter than the ICE consent timeout (about 30 s)
        await asyncio.sleep(max(0.0, 15.0 - (time.monotonic() - t_cut)))
        topo.heal("app1")
        state = await wait_speech(topo, speech, timeout=120)
        await asyncio.sleep(5.0)  # app1 is back: anything it would replay has arrived
        after = await asyncio.to_thread(topo.python, SPEECH.format(entry=speech))
        check_ballots(topo, seeded, ids["sitting"], vote)
        check_resynced(topo, [room.clerk], ids["sitting"])
        await room.close()
        return {
            "speech": state, "after": after, "during": during, "cut_wall": cut_wall,
            "resynced_s": resynced_s, "on_app1": len(on_app1), "ended": ended,
            "granted_to_cut": granted_to_cut,
        }  # fmt: skip

    out = topo.room.run(scenario(), timeout=900)
    speech, after = out["speech"], out["after"]
    assert out["on_app1"] > 0
    assert len(speech["clips"]) == 1, (out, topo.logs())
    assert after["clips"] == speech["clips"] and after["recordings"] == 1  # nothing doubled
    rec = speech["recording"]
    assert rec["server"].startswith("app1:")
    clip = speech["clips"][0]
    # nothing app1 received before its cable went is lost: the clip runs up to the cut
    received_s = out["cut_wall"] - rec["started_at"]
    assert clip["duration"] >= received_s - 1.0, (clip, received_s, rec)
    assert clip["duration"] <= rec["ended_at"] - rec["started_at"] + 0.5, (clip, rec)
    print(
        f"app1's {out['on_app1']} tablets resynced on app2 {out['resynced_s']:.1f} s after the cut"
    )


def test_redis_cut_from_app2_for_10_s(world):
    """app2 and Redis stop reaching each other for 10 s while ballots and flips go on.

    app2 still reaches PostgreSQL, so its commands are stored; only its share of the
    broadcasts is lost. Afterwards every tablet on app2 has every event: the next event
    shows it the gap and it resyncs (replay), and nothing was stored twice or lost.
    """
    topo, seeded = world
    ids = new_sitting(topo, seeded)
    room = Room(topo, seeded, ids)

    async def scenario() -> dict:
        await room.connect()
        await room.open_document()
        vote = await room.open_vote()
        on_app2 = room.on("app2")
        assert on_app2
        t_cut = time.monotonic()
        topo.cut_redis("app2")
        casting = asyncio.create_task(cast_all(room.tablets, vote, spread=6.0))
        for page in range(2, 7):
            assert (await room.flip(page))["ok"]
            await asyncio.sleep(1.5)
        # against the journal, not the clerk: after app1's partition (the test before)
        # nginx may put the clerk on app2 too, and then its seq stands still as well
        stored = (await asyncio.to_thread(journal, topo, ids["sitting"]))[-1]
        behind = sum(t.seq < stored for t in on_app2)
        await asyncio.sleep(max(0.0, 10.0 - (time.monotonic() - t_cut)))
        topo.mend_redis()
        answers = await asyncio.wait_for(casting, 150)
        assert all(a["ok"] for a in answers), [a for a in answers if not a["ok"]][:3]
        assert (await room.flip(7))["ok"]  # the sitting goes on: the next event
        await all_at(room.tablets, room.clerk.seq, timeout=90)
        check_resynced(topo, room.tablets, ids["sitting"])
        check_ballots(topo, seeded, ids["sitting"], vote)
        await room.close()
        return {
            "on_app2": len(on_app2), "behind_during_cut": behind,
            "clerk_on": host_of(room.clerk.server), "stored": stored,
        }  # fmt: skip

    out = topo.room.run(scenario(), timeout=600)
    assert out["behind_during_cut"] > 0, out  # the cut was real: app2's tablets missed events


def test_postgres_restart_under_load(world):
    """PostgreSQL restarts (fast shutdown) while ballots and flips arrive.

    Commands in the gap answer ``try_again`` (never anything else), nothing is half
    written (the journal has no gap, every ballot has its audit entry), the same keys
    go through once afterwards, and every tablet ends at the server's state.
    """
    topo, seeded = world
    ids = new_sitting(topo, seeded)
    room = Room(topo, seeded, ids)

    async def scenario() -> dict:
        await room.connect()
        await room.open_document()
        vote = await room.open_vote()
        casting = asyncio.create_task(cast_all(room.tablets, vote, spread=8.0))
        answers: collections.Counter = collections.Counter()
        restart = None
        page, t0 = 1, time.monotonic()
        while time.monotonic() - t0 < 12.0:
            if restart is None and time.monotonic() - t0 > 2.0:
                restart = asyncio.create_task(asyncio.to_thread(topo.restart_postgres))
            page = page % 12 + 1
            key = f"load-flip-{page}-{time.monotonic()}"
            try:
                ans = await room.clerk.request("presenter.flip", {"page": page}, key=key)
                answers["ok" if ans["ok"] else ans["error"]["code"]] += 1
                if not ans["ok"]:  # the same command, the same key, until it goes through
                    assert (await room.clerk.command("presenter.flip", {"page": page}, key))["ok"]
            except (ConnectionError, TimeoutError):
                answers["no_answer"] += 1
                await room.clerk.live(60)
            await asyncio.sleep(0.05)
        await asyncio.wait_for(restart, 120)
        cast = await asyncio.wait_for(casting, 150)
        assert all(a["ok"] for a in cast), [a for a in cast if not a["ok"]][:3]
        assert (await room.flip(page % 12 + 1))["ok"]
        await all_at(room.tablets, room.clerk.seq, timeout=90)
        check_resynced(topo, room.tablets, ids["sitting"])
        check_ballots(topo, seeded, ids["sitting"], vote)
        refusals = sum((t.refusals for t in room.tablets), collections.Counter())
        await room.close()
        return {"flips": answers, "ballot_refusals": refusals}

    out = topo.room.run(scenario(), timeout=600)
    seen = out["flips"] + out["ballot_refusals"]
    assert seen["try_again"] > 0, out  # the restart was felt, and answered as the protocol says
    assert set(seen) <= {"ok", "try_again"}, out  # nothing else: no internal_error, no silence
