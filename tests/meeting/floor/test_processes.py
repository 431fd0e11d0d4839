"""Real Daphne processes: the floor across processes and restarts (SQLite file, PostgreSQL).

- Two grants at once, on two processes: one wins, the other gets a clear error.
- Two web processes each run a sweeper thread, plus one ``manage.py floor_sweeper``
  worker: exactly one warning and one cut happen at zero.
- A process killed with a floor open: the new process shows the same floor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from harness.servers import ROOT, Stack, WsClient, create_pg_database, login_cookie, wait_http
from meeting.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
PW = DEMO_PASSWORD
OPEN_ITEM = """
from meeting.floor.services import set_rules
from core.models import Member, Sitting
from meeting.services import agenda
from core.policy import Acting
s = Sitting.objects.get(kind='plenary')
item = s.agenda_items.order_by('order').first()
item.first_speech_limit_s = {limit}
item.on_time_up = 'end'
item.save()
agenda.open_item(s.pk, item.pk, actor=Acting(role='clerk'))
set_rules(s.pk, role='clerk', warn_before_s={warn})
result = s.pk
"""
JOURNAL = """
from realtime.models import SittingEvent
from meeting.floor.models import Speech
result = {
    'types': list(SittingEvent.objects.filter(type__startswith='floor.')
                  .order_by('seq').values_list('type', flat=True)),
    'speeches': [[s.member_id, s.started_at.isoformat(), s.ended_at and s.ended_at.isoformat(),
                  s.ended_how, s.limit_s] for s in Speech.objects.order_by('pk')],
}
"""


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield None  # the Stack's own SQLite file
        return
    pg_url = request.getfixturevalue("pg_url")
    url, drop = create_pg_database(pg_url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def floor_redis(redis_url) -> str:
    """Several processes need the shared layer; a database number of our own keeps other
    suites' sittings (same ids, same group names) out of these sockets."""
    return redis_url.rsplit("/", 1)[0] + "/14"


def two_process_stack(tmp_path, database_url, redis: str, **env) -> Stack:
    return Stack(tmp_path, workers=2, database_url=database_url, redis_url=redis, extra_env=env)


async def client(stack: Stack, n: int, sitting: int, user: str) -> WsClient:
    base = stack.urls[n]
    ws = WsClient(base, sitting, login_cookie(base, user, PW))
    await ws.connect()
    return ws


@pytest.mark.redis
async def test_two_grants_at_once_one_wins_the_other_is_told(tmp_path, database_url, floor_redis):
    with two_process_stack(tmp_path, database_url, floor_redis).start(demo_members=12) as stack:
        sitting = stack.python(OPEN_ITEM.format(limit=600, warn=60))
        chair = await client(stack, 0, sitting, "chair")
        clerk = await client(stack, 1, sitting, "clerk")
        m2 = await client(stack, 0, sitting, "m002")
        m3 = await client(stack, 1, sitting, "m003")
        assert (await m2.request("floor.request", {"kind": "speech"}, key="r2"))["ok"]
        r3 = await m3.request("floor.request", {"kind": "speech"}, key="r3")
        answers = await asyncio.gather(
            chair.request("floor.grant", {}, key="g-chair"),
            clerk.request("floor.grant", {}, key="g-clerk"),
        )
        assert sorted(a["ok"] for a in answers) == [False, True], answers
        [lost] = [a for a in answers if not a["ok"]]
        assert lost["error"]["code"] == "floor_full", lost
        # both name the same request while there is room for two: one wins again
        assert (await clerk.request("floor.rules", {"max_floors": 2}))["ok"]
        rid = r3["data"]["request"]["id"]
        answers = await asyncio.gather(
            chair.request("floor.grant", {"request": rid}, key="h-chair"),
            clerk.request("floor.grant", {"request": rid}, key="h-clerk"),
        )
        assert sorted(a["ok"] for a in answers) == [False, True], answers
        [lost] = [a for a in answers if not a["ok"]]
        assert lost["error"]["code"] == "request_closed", lost
        for ws in (chair, clerk, m2, m3):
            await ws.close()
        journal = stack.python(JOURNAL)
    assert journal["types"].count("floor.granted") == 2
    assert sorted(s[0] for s in journal["speeches"]) == sorted(
        [m2.welcome["data"]["member"], m3.welcome["data"]["member"]]
    )


def start_sweeper_worker(stack: Stack) -> subprocess.Popen:
    log = open(stack.tmp / "floor-sweeper.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "floor_sweeper", "--poll", "0.2"],
        env=stack.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(stack: Stack, done, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        journal = stack.python(JOURNAL)
        if done(journal) or time.monotonic() > deadline:
            return journal
        time.sleep(0.5)


@pytest.mark.redis
async def test_three_sweepers_act_exactly_once_at_zero(tmp_path, database_url, floor_redis):
    stack = two_process_stack(tmp_path, database_url, floor_redis, YITING_INPROCESS_WORKERS="true")
    with stack.start(demo_members=12):
        sitting = stack.python(OPEN_ITEM.format(limit=3, warn=2))
        worker = start_sweeper_worker(stack)
        try:
            chair = await client(stack, 0, sitting, "chair")
            r = await chair.request(
                "floor.grant", {"member": chair.welcome["data"]["member"] + 1}, key="g"
            )
            assert r["ok"], r
            journal = wait_for(stack, lambda j: "floor.released" in j["types"])
            time.sleep(1.5)  # give a duplicate every chance to appear
            journal = stack.python(JOURNAL)
            await chair.close()
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(10)
    assert journal["types"] == ["floor.rules", "floor.granted", "floor.warning", "floor.released"]
    [(_, started, ended, how, limit)] = journal["speeches"]
    assert how == "time_limit" and limit == 3
    assert dt.datetime.fromisoformat(ended) - dt.datetime.fromisoformat(started) == dt.timedelta(
        seconds=3
    )


async def test_a_restart_with_a_floor_open_loses_nothing(tmp_path):
    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        sitting = stack.python(OPEN_ITEM.format(limit=600, warn=60))
        chair = await client(stack, 0, sitting, "chair")
        m2 = await client(stack, 0, sitting, "m002")
        await m2.request("floor.request", {"kind": "speech"}, key="r")
        granted = await chair.request("floor.grant", {}, key="g")
        assert granted["ok"], granted
        await chair.close()
        await m2.close()
        stack.kill_worker(0)  # SIGKILL: no chance to tidy up
        port = stack.spawn_worker()
        wait_http(f"http://127.0.0.1:{port}/healthz")
        back = WsClient(stack.urls[-1], sitting, login_cookie(stack.urls[-1], "chair", PW))
        snap = (await back.connect())["snapshot"]["floor"]
        [floor] = snap["floors"]
        assert floor["id"] == granted["data"]["speech"]["id"]
        assert floor["started_at"] == granted["data"]["speech"]["started_at"]
        assert floor["deadline"] == granted["data"]["speech"]["deadline"]
        r = await back.request("floor.end", {"speech": floor["id"]}, key="e")
        assert r["ok"] and r["data"]["speech"]["ended_how"] == "finished", r
        await back.close()
