"""SIGHUP to ``./yiting stack`` while a vote is open: a rolling reload that loses nothing.

The whole production stack runs (the launcher, nginx, two Daphne workers, a job worker,
the floor sweeper, its own Redis, a fresh PostgreSQL database). A plenary with a named
vote open and 20 member tablets plus the clerk's console on sockets through nginx
(``harness/roomtablets.py``: heartbeat, reconnect with jitter, resync, resend of an
idempotent command with its key, as ``client.js``). A few members vote, then the
launcher gets SIGHUP, and the rest vote in waves timed by the reload's own log: while
the first Daphne worker is down, while the second is, while the job workers restart,
and after it is done.

Then: every process but Redis and the nginx master has a new pid (nginx's workers too),
on the same ports; every ballot is stored exactly once with the member's choice; the
vote is still open and counts 20; every tablet is on a new worker, synced at the
sitting's latest sequence number, and sees its own ballot.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import pytest

from deploy.launcher import Stack, healthy, nginx_workers, parse_args
from harness.roomtablets import (
    NEW_SITTING,
    SEED,
    TRUTH,
    Tablet,
    all_at,
    choice_for,
    close_all,
    connect_all,
)
from harness.servers import create_pg_database, free_port
from tests.deploy.support import Launcher, pid_alive

# a minimal Daphne stand-in for the launcher's own logic: answers /healthz on its port
HEALTHZ = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
"""

TABLETS = 20
SEQ = "from core.models import Sitting\nresult = Sitting.objects.get(pk={sitting}).event_seq"
VOTE = """
from meeting.voting.models import Vote
v = Vote.objects.get(pk={vote})
result = {{'state': v.state, 'cast_count': v.cast_count}}
"""


@pytest.fixture
def stack(tmp_path, pg_url):
    url, drop = create_pg_database(pg_url)
    # deploy.settings for the seeding too: its session hashes use the stack's SECRET_KEY
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "deploy.settings"}
    launcher = Launcher(tmp_path, workers=2, env=env)
    try:
        launcher.start()
        yield launcher
    finally:
        launcher.stop()
        drop()


async def logged(stack: Launcher, line: str, timeout: float = 150) -> None:
    """Wait until the launcher's output has ``line`` (bounded)."""
    deadline = time.monotonic() + timeout
    while line not in stack.text():
        assert stack.proc.poll() is None, stack.text()[-4000:]
        assert time.monotonic() < deadline, f"no {line!r} in:\n{stack.text()[-4000:]}"
        await asyncio.sleep(0.05)


async def settled(stack: Launcher, sitting: int, tablets: list[Tablet]) -> int:
    """The sitting's latest seq once every tablet is synced at it and it stayed so (a
    job finishing meanwhile may add an event: then wait for that one too; bounded)."""
    seq = -1
    for _ in range(5):
        latest = await asyncio.to_thread(stack.python, SEQ.format(sitting=sitting))
        if latest == seq:
            return seq
        seq = latest
        await all_at(tablets, seq, timeout=60)
    raise AssertionError(f"the sitting's seq kept moving ({seq})")


@pytest.mark.e2e
@pytest.mark.postgres
@pytest.mark.timeout(600)
async def test_sighup_reloads_every_process_and_the_vote_loses_nothing(stack):
    seeded = stack.python(SEED.format(n=TABLETS, speakers=0))
    ids = stack.python(NEW_SITTING.format(term=seeded["term"], group=seeded["group"]))
    sitting, base = ids["sitting"], stack.url
    clerk = Tablet(base, sitting, seeded["clerk"])
    tablets = [Tablet(base, sitting, cookie, member) for member, cookie in seeded["members"]]
    try:
        await connect_all([clerk, *tablets])
        assert len({t.server for t in tablets}) == 2, "nginx should use both workers"
        prep = await clerk.command(
            "vote.prepare",
            {"item": ids["item"], "question": "关于条例草案的表决", "kind": "named"},
            key="prep",
        )
        assert prep["ok"], prep
        vote = prep["data"]["vote"]["id"]
        opened = await clerk.command("vote.open", {"vote": vote}, key="open-vote")
        assert opened["ok"], opened

        before = stack.pids()
        ports = stack.daphne_ports()
        daphnes = [f"daphne-{p}" for p in ports]
        reloaded = [*daphnes, *(n for n in before if n.startswith("jobs-")), "floor-sweeper"]
        nginx_master = before["nginx"]
        nginx_old = nginx_workers(nginx_master)
        assert nginx_old

        async def wave(group: list[Tablet]) -> list[dict]:
            return await asyncio.gather(*(t.cast(vote) for t in group))

        waves = [tablets[k::5] for k in range(5)]
        answers = await wave(waves[0])  # before the reload
        os.kill(stack.proc.pid, signal.SIGHUP)
        cues = [
            f"reload: stopping {daphnes[0]}",  # the first worker going down
            f"reload: stopping {daphnes[1]}",  # the second
            "reload: stopping jobs-1",  # Daphne done, the job workers restarting
            "reload: done",
        ]
        during = []
        for cue, group in zip(cues, waves[1:], strict=True):
            await logged(stack, cue)
            during.append(asyncio.create_task(wave(group)))
        for task in during:
            answers += await asyncio.wait_for(task, 150)
        assert [a for a in answers if not a["ok"]] == []

        # every process runs anew, on the same ports; the launcher itself stays
        after = stack.pids()
        assert stack.proc.poll() is None
        assert stack.daphne_ports() == ports
        assert {n: after[n] != before[n] for n in reloaded} == dict.fromkeys(reloaded, True)
        assert after["nginx"] == nginx_master and after["redis"] == before["redis"]
        assert not any(pid_alive(before[n]) for n in reloaded)
        # nginx's old workers exit once the sockets they held are gone (every one ended
        # with the Daphne worker behind it); its new workers serve everything
        deadline = time.monotonic() + 30
        while nginx_workers(nginx_master) & nginx_old:
            assert time.monotonic() < deadline, (nginx_old, nginx_workers(nginx_master))
            await asyncio.sleep(0.1)
        assert nginx_workers(nginx_master)
        assert "reload: nginx re-read its config" in stack.text()

        # every ballot stored exactly once, with its member's choice; the vote still open
        # (in a thread: the tablets' heartbeats go on meanwhile)
        truth = await asyncio.to_thread(stack.python, TRUTH.format(sitting=sitting, vote=vote))
        members = [t.member for t in tablets]
        assert truth["ballots"] == truth["audit_ballots"] == TABLETS and truth["doubled"] == 0
        assert truth["choices"] == {str(m): choice_for(m) for m in members}
        state = await asyncio.to_thread(stack.python, VOTE.format(vote=vote))
        assert state == {"state": "open", "cast_count": TABLETS}

        # every socket came back to a new worker and is synced at the latest seq
        new_daphnes = {after[n] for n in daphnes}
        seq = await settled(stack, sitting, [clerk, *tablets])
        for t in [clerk, *tablets]:
            assert t.reconnects >= 1 and int(t.server.rsplit(":", 1)[1]) in new_daphnes
            assert t.seq == seq and t.synced.is_set()
        view = await clerk.request("sync", {"last_seq": 0})
        progress = view["data"]["snapshot"]["votes"]["open"]["progress"]
        assert progress["cast"] == TABLETS and progress["not_voted"] == []
        for t in tablets:
            snap = (await t.request("sync", {"last_seq": 0}))["data"]["snapshot"]
            assert snap["votes"]["open"]["mine"]["cast"] is True
    finally:
        await close_all([clerk, *tablets])


# -- the launcher's reload when the new code does not come up (stand-in processes) -------


@pytest.fixture
def small_stack(tmp_path, monkeypatch):
    """A Stack with two stand-in Daphne workers and nothing else (no nginx, no jobs)."""
    stack = Stack(parse_args(["--data-dir", str(tmp_path), "--workers", "2"]))
    monkeypatch.setattr(stack, "recover_media", lambda: None)
    for _ in range(2):
        port = free_port()
        argv = [sys.executable, "-c", HEALTHZ, str(port)]
        stack.daphnes.append(stack.child(f"daphne-{port}", argv, port=port))
    for d in stack.daphnes:
        d.start()
    deadline = time.monotonic() + 30
    while not all(healthy(d.port) for d in stack.daphnes):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield stack
    stack.stop()


def test_reload_replaces_each_worker_on_its_port(small_stack, monkeypatch):
    monkeypatch.setattr(small_stack, "_reload_prepare", lambda: True)
    before = [d.proc.pid for d in small_stack.daphnes]
    assert small_stack.reload() is True
    assert [d.proc.pid for d in small_stack.daphnes] != before
    assert not set(before) & {d.proc.pid for d in small_stack.daphnes}
    assert all(d.alive() and healthy(d.port) for d in small_stack.daphnes)


def test_reload_stops_at_a_worker_whose_new_code_does_not_come_up(small_stack, monkeypatch):
    monkeypatch.setattr(small_stack, "_reload_prepare", lambda: True)
    first, second = small_stack.daphnes
    kept = second.proc.pid
    first.argv = [sys.executable, "-c", "raise SystemExit(3)"]  # the new code is broken
    assert small_stack.reload() is False
    assert not first.alive()  # supervision goes on restarting it, with back-off
    assert second.proc.pid == kept and second.alive() and healthy(second.port)


def test_reload_abandoned_before_any_restart_when_migrate_fails(small_stack, monkeypatch):
    monkeypatch.setattr(
        small_stack, "manage", lambda *args: [sys.executable, "-c", "raise SystemExit(2)"]
    )
    before = [d.proc.pid for d in small_stack.daphnes]
    assert small_stack.reload() is False
    assert [d.proc.pid for d in small_stack.daphnes] == before
    assert all(d.alive() for d in small_stack.daphnes)
