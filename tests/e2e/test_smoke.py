"""A real Daphne process on the embedded default: pages, login over HTTP, a socket."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import time
import urllib.request

import pytest

from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_daphne_serves_login_and_the_demo(tmp_path):
    with Stack(tmp_path, workers=1).start(demo_members=20) as stack:
        base = stack.urls[0]
        with urllib.request.urlopen(f"{base}/login/", timeout=10) as r:
            html = r.read().decode()
        assert r.status == 200 and 'name="username"' in html
        assert "登录" in html or "Log in" in html
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as r:
            assert json.loads(r.read()) == {"status": "ok", "db": "ok"}
        with urllib.request.urlopen(f"{base}/healthz/details", timeout=10) as r:
            process = json.loads(r.read())["process"]
        assert process["gc_frozen_objects"] > 50_000  # the worker froze its startup heap
        cookie = login_cookie(base, "clerk", DEMO_PASSWORD)
        req = urllib.request.Request(f"{base}/console/", headers={"Cookie": cookie})
        with urllib.request.urlopen(req, timeout=10) as r:
            page = r.read().decode()
        assert "第一次全体会议" in page
        with urllib.request.urlopen(f"{base}/static/yiting/client.js", timeout=10) as r:
            assert b"class SittingClient" in r.read()


async def test_a_tablet_checks_in_over_a_real_socket(tmp_path):
    with Stack(tmp_path, workers=1).start(demo_members=20) as stack:
        base = stack.urls[0]
        plenary = stack.python(
            "from core.models import Sitting\nresult = Sitting.objects.get(kind='plenary').pk"
        )
        tablet = WsClient(base, plenary, login_cookie(base, "m010", DEMO_PASSWORD))
        snap = await tablet.connect()
        assert snap["mode"] == "snapshot" and snap["snapshot"]["sitting"]["you"]["role"] == "member"
        r = await tablet.request("attendance.check_in", key="tab-1")
        assert r["ok"], r
        ev = await tablet.next_event("attendance.changed")
        assert ev["data"]["quorum"]["roster_size"] == 20
        await tablet.close()


def _handshakes_completed(port: int, n: int, wait_s: float) -> int:
    """Open ``n`` TCP connections at once; how many did the kernel complete in ``wait_s``?

    The server process is stopped, so only its listen queue can hold them: the kernel
    completes a handshake while the queue has room and drops the SYN once it is full.
    """
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            socks.append(s)
        deadline = time.monotonic() + wait_s
        pending = set(socks)
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], list(pending), [], 0.05)
            pending -= {
                s for s in writable if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
            }
        return n - len(pending)
    finally:
        for s in socks:
            s.close()


def test_a_stopped_worker_queues_a_whole_room_of_connections(tmp_path):
    """A reconnect storm meets a full listen queue unless the backlog is the room's size.

    With Daphne's default (Twisted's 50) the kernel completes ~51 handshakes and drops the
    other SYNs (each tablet then waits ≥ 1 s for a retransmit); with
    ``YITING_LISTEN_BACKLOG`` all 400 wait in the queue.
    """
    with Stack(tmp_path, workers=1, extra_env={"YITING_LISTEN_BACKLOG": "1024"}).start() as stack:
        port, pid = stack.ports[0], stack.procs[0].pid
        os.killpg(pid, signal.SIGSTOP)
        try:
            completed = _handshakes_completed(port, 400, wait_s=0.5)
        finally:
            os.killpg(pid, signal.SIGCONT)
        assert completed == 400
        with urllib.request.urlopen(f"{stack.urls[0]}/healthz", timeout=10) as r:
            assert r.status == 200  # and the worker serves on after the queue drained
