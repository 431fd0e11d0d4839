"""A Daphne worker is killed (SIGKILL) while a vote is open and ballots are arriving
through nginx: tablets reconnect to another worker, resync, and every ballot is stored
exactly once.

The whole production stack runs: the launcher with nginx, two Daphne workers, its own
Redis, PostgreSQL (a fresh database on the machine's server).
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import websockets

from harness.servers import WsClient, create_pg_database, login_cookie
from tests.deploy.support import DEMO_PASSWORD, Launcher

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


class Tablet(WsClient):
    """Resends its ballot with the same key until it has an answer, reconnecting as needed."""

    gap = False

    def _apply(self, ev: dict) -> None:
        if ev.get("seq") is not None and ev["seq"] > self.seq + 1:
            self.gap = True
            return
        super()._apply(ev)

    async def reconnect(self) -> None:
        for _ in range(100):
            try:
                await self.connect()  # connect + sync (replay or snapshot)
                return
            except Exception:  # nginx has not yet noticed the dead worker, or it restarts
                await asyncio.sleep(0.2)
        raise RuntimeError("could not reconnect through nginx")

    async def cast(self, vote: int, choice: str, sent: asyncio.Event | None = None) -> dict:
        key = f"ballot-{self.cookie[-12:]}-{vote}"
        first = True
        while True:
            try:
                if first and sent is not None:
                    await self._send_cast(vote, choice, key)
                    sent.set()
                    reply = await self._reply_for(f"t{self._n}")
                else:
                    reply = await self.request(
                        "vote.cast", {"vote": vote, "choice": choice}, key=key
                    )
                return reply
            except (websockets.ConnectionClosed, OSError):
                first = False
                await self.reconnect()

    async def _send_cast(self, vote: int, choice: str, key: str) -> None:
        import json

        self._n += 1
        frame = {"v": 1, "type": "vote.cast", "id": f"t{self._n}", "key": key}
        frame["data"] = {"vote": vote, "choice": choice}
        await self.ws.send(json.dumps(frame))

    async def _reply_for(self, rid: str) -> dict:
        import json

        async with asyncio.timeout(30):
            while True:
                msg = json.loads(await self.ws.recv())
                if msg.get("type") == "reply" and msg.get("id") == rid:
                    return msg
                self._apply(msg)


@pytest.fixture
def stack(tmp_path, pg_url):
    url, drop = create_pg_database(pg_url)
    launcher = Launcher(tmp_path, workers=2, env={"DATABASE_URL": url})
    try:
        launcher.start()
        launcher.manage("demo", "--members", "24", "--no-documents")
        yield launcher
    finally:
        launcher.stop()
        drop()


def roster(stack) -> tuple[int, list[tuple[str, int]]]:
    return stack.python(
        "from core.models import Sitting\n"
        "from core.roster import sitting_roster\n"
        "s = Sitting.objects.get(kind='plenary')\n"
        "result = [s.pk, [(m.user.username, m.pk) for m in sitting_roster(s) if m.user_id]]"
    )


def ballots(stack, vote: int) -> list[int]:
    return stack.python(
        "from meeting.voting.models import Ballot\n"
        f"result = sorted(Ballot.objects.filter(vote_id={vote}).values_list('member_id', flat=True))"
    )


async def test_worker_killed_mid_vote_loses_and_doubles_nothing(stack):
    base = stack.url
    sitting, members = roster(stack)
    clerk = Tablet(base, sitting, login_cookie(base, "clerk", DEMO_PASSWORD))
    await clerk.connect()
    for _, mid in members:
        r = await clerk.request(
            "attendance.record", {"member": mid, "present": True}, key=f"in-{mid}"
        )
        assert r["ok"], r
    snap = await clerk.request("sync", {"last_seq": 0})
    item = snap["data"]["snapshot"]["agenda"]["items"][0]["id"]
    r = await clerk.request(
        "vote.prepare", {"item": item, "question": "关于草案的表决", "kind": "named"}, key="prep"
    )
    assert r["ok"], r
    vote = r["data"]["vote"]["id"]
    assert (await clerk.request("vote.open", {"vote": vote}))["ok"]

    tablets = [
        Tablet(base, sitting, login_cookie(base, username, DEMO_PASSWORD))
        for username, _ in members
    ]
    for t in tablets:
        await t.connect()
    by_server: dict[str, list[Tablet]] = {}
    for t in tablets:
        by_server.setdefault(t.welcome["data"]["server"], []).append(t)
    assert len(by_server) == 2, "nginx should spread the tablets over both workers"
    victim = max(by_server, key=lambda s: len(by_server[s]))
    on_victim = by_server[victim]

    # half the room has voted; then the rest press the button and the worker dies
    half = len(tablets) // 2
    early, late = tablets[:half], tablets[half:]
    for t in early:
        assert (await t.cast(vote, "yes"))["ok"]
    sent = [asyncio.Event() for _ in late]
    casting = [asyncio.create_task(t.cast(vote, "no", e)) for t, e in zip(late, sent, strict=True)]
    await asyncio.gather(*(e.wait() for e in sent))
    os.kill(int(victim.rsplit(":", 1)[1]), signal.SIGKILL)
    replies = await asyncio.wait_for(asyncio.gather(*casting), 120)
    assert all(r["ok"] for r in replies), [r for r in replies if not r["ok"]]

    # every tablet that was on the dead worker is back, on another process, resynced
    for t in on_victim:
        if t.ws.close_code is not None or t.welcome["data"]["server"] == victim:
            try:
                await t.request("ping", {}, timeout=5)
            except (websockets.ConnectionClosed, OSError):
                await t.reconnect()
        assert t.welcome["data"]["server"] != victim
    for t in tablets:
        mine = (await t.request("sync", {"last_seq": 0}))["data"]["snapshot"]["votes"]["open"][
            "mine"
        ]
        assert mine["cast"] is True

    # exactly once: one ballot per member, none lost, none doubled
    assert ballots(stack, vote) == sorted(mid for _, mid in members)
    if clerk.ws.close_code is not None or clerk.welcome["data"]["server"] == victim:
        await clerk.reconnect()
    closed = await clerk.request("vote.close", {"vote": vote})
    assert closed["ok"], closed
    result = closed["data"]["result"]
    assert result["cast"] == len(tablets)
    assert result["questions"][0]["counts"] == {"yes": half, "no": len(late), "abstain": 0}
    for t in tablets:
        await t.next_event("vote.closed", timeout=15)
    seq = stack.python(
        f"from core.models import Sitting\nresult = Sitting.objects.get(pk={sitting}).event_seq"
    )
    for t in tablets:
        if t.gap:
            await t.sync()
        assert t.seq == seq
    for c in [clerk, *tablets]:
        await c.close()
