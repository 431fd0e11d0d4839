"""Two Daphne processes sharing Redis: events cross processes; a dropped tablet resyncs."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.redis]


@pytest.fixture(params=["pubsub", "core"])
def cluster(request, tmp_path, redis_url):
    stack = Stack(
        tmp_path, workers=2, redis_url=redis_url, extra_env={"YITING_CHANNEL_LAYER": request.param}
    )
    with stack.start(demo_members=20):
        yield stack


def plenary_id(stack) -> int:
    return stack.python(
        "from core.models import Sitting\nresult = Sitting.objects.get(kind='plenary').pk"
    )


def server_state(stack, sitting: int) -> dict:
    return stack.python(
        "from core.models import Sitting, Attendance\n"
        f"s = Sitting.objects.get(pk={sitting})\n"
        "cur = s.agenda_items.filter(state='current').first()\n"
        "result = {'seq': s.event_seq, 'current': cur.pk if cur else None,\n"
        " 'present': sorted(Attendance.objects.filter(sitting=s, checked_out_at=None)"
        ".values_list('member_id', flat=True))}"
    )


async def test_event_raised_on_a_reaches_sockets_on_b(cluster):
    a, b = cluster.urls
    sitting = plenary_id(cluster)
    clerk = WsClient(a, sitting, login_cookie(a, "clerk", DEMO_PASSWORD))
    tablet = WsClient(b, sitting, login_cookie(b, "m003", DEMO_PASSWORD))
    await clerk.connect()
    await tablet.connect()
    assert clerk.welcome["data"]["server"] != tablet.welcome["data"]["server"]
    r = await clerk.request("agenda.step", {"direction": "next"})
    assert r["ok"], r
    ev = await tablet.next_event("agenda.current")
    assert ev["data"]["item"]["id"] == r["data"]["item"]["id"]
    assert ev["seq"] == tablet.seq
    await clerk.close()
    await tablet.close()


async def test_tablet_that_misses_20_events_ends_exactly_current(cluster):
    a, b = cluster.urls
    sitting = plenary_id(cluster)
    clerk = WsClient(a, sitting, login_cookie(a, "clerk", DEMO_PASSWORD))
    tablet = WsClient(b, sitting, login_cookie(b, "m004", DEMO_PASSWORD))
    await clerk.connect()
    await tablet.connect()
    # the tablet follows a few events live
    await clerk.request("agenda.step", {"direction": "next"})
    await tablet.next_event("agenda.current")
    # Wi-Fi drops: the tablet is gone while the room produces 20 events
    await tablet.close()
    members = cluster.python(
        "from core.models import Member\n"
        "result = list(Member.objects.filter(role__in=['member', 'vice_chair']).order_by('seat')"
        ".values_list('pk', flat=True)[:18])"
    )
    for m in members:
        r = await clerk.request("attendance.record", {"member": m, "present": True}, key=f"k{m}")
        assert r["ok"], r
    await clerk.request("agenda.step", {"direction": "next"})
    await clerk.request("agenda.step", {"direction": "previous"})
    before = tablet.seq
    # it comes back on the other process
    tablet.url = a.replace("http://", "ws://") + f"/ws/sittings/{sitting}/"
    ans = await tablet.connect()
    assert ans["mode"] == "replay"
    assert len(ans["events"]) == 20 and tablet.seq == before + 20
    truth = server_state(cluster, sitting)
    assert tablet.seq == truth["seq"]
    present = set()
    current = None
    for ev in tablet.events:
        if ev["type"] == "attendance.changed":
            present.add(ev["data"]["member"])
        if ev["type"] == "agenda.current":
            current = ev["data"]["item"]["id"]
    assert sorted(present) == truth["present"] and current == truth["current"]
    await clerk.close()
    await tablet.close()


async def test_many_sockets_each_get_every_event_once(cluster):
    a, b = cluster.urls
    sitting = plenary_id(cluster)
    cookies = {u: login_cookie(a, u, DEMO_PASSWORD) for u in [f"m{n:03d}" for n in range(2, 12)]}
    tablets = [WsClient(a if n % 2 else b, sitting, c) for n, c in enumerate(cookies.values())]
    await asyncio.gather(*(t.connect() for t in tablets))
    clerk = WsClient(a, sitting, login_cookie(a, "clerk", DEMO_PASSWORD))
    await clerk.connect()
    for _ in range(3):
        await clerk.request("agenda.step", {"direction": "next"})
    for t in tablets:
        for _ in range(3):
            await t.next_event("agenda.current")
    seqs = [[e["seq"] for e in t.events if e["type"] == "agenda.current"] for t in tablets]
    assert all(s == seqs[0] and len(s) == 3 for s in seqs)
    # every worker wrote its tablets' events through the fast lane (realtime/transport.py):
    # framed once, written as is, and read above by a real client as the same events
    for url in cluster.urls:
        totals = _process_totals(url)
        assert totals["event_frames_fast"] >= 5 * 3, totals
    await asyncio.gather(*(t.close() for t in tablets), clerk.close())


def _process_totals(base: str) -> dict:
    try:
        with urllib.request.urlopen(f"{base}/healthz/details", timeout=10) as r:
            return json.load(r)["process"]
    except urllib.error.HTTPError as degraded:  # 503 with the same body: a check failed
        return json.load(degraded)["process"]
