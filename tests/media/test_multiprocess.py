"""Two Daphne workers on Redis: the peer lives where the tablet's socket is, the floor is
granted on the other worker, and the start/stop reach the owning process over the layer."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.media]
PW = DEMO_PASSWORD
SETUP = """
from core.models import Sitting
from core.roster import sitting_roster
s = Sitting.objects.filter(kind='group').order_by('pk').first()
m = sitting_roster(s).filter(role='member').order_by('seat').first()
result = {'sitting': s.pk, 'member': m.pk, 'username': m.user.username}
"""
STATE = """
from media.models import Clip, Publisher
p = Publisher.objects.get()
c = Clip.objects.filter(floor_entry_id={entry}).first()
result = {{'server': p.server, 'clip': c and c.duration_s, 'source': c and c.source}}
"""


async def test_floor_granted_on_another_worker_reaches_the_peer(tmp_path, redis_url):
    from recording import _publisher  # the bench's aiortc publisher over a real socket

    env = {"YITING_INPROCESS_WORKERS": "1"}
    with Stack(tmp_path, workers=2, redis_url=redis_url, extra_env=env).start(
        demo_members=12
    ) as stack:
        a, b = stack.urls
        ids = stack.python(SETUP)
        ws, pc = await _publisher(a, ids["sitting"], ids["username"])
        clerk = WsClient(b, ids["sitting"], login_cookie(b, "clerk", PW))
        try:
            await clerk.connect()
            await asyncio.sleep(2.0)
            r = await clerk.request("floor.grant", {"member": ids["member"]}, key="g")
            assert r["ok"], r
            entry = r["data"]["speech"]["id"]
            await asyncio.sleep(3.0)
            r = await clerk.request("floor.end", {"speech": entry, "how": "finished"}, key="e")
            assert r["ok"], r
            ev = await clerk.next_event("media.clip_ready", timeout=40)
            assert ev["data"]["member"] == ids["member"]
            state = stack.python(STATE.format(entry=entry))
            assert state["source"] == "member" and 2.5 <= state["clip"] <= 4.5, state
            worker_a_pid = stack.procs[0].pid
            assert state["server"].endswith(f":{worker_a_pid}")  # held by the tablet's worker
        finally:
            await pc.close()
            await ws.close()
            await clerk.close()
