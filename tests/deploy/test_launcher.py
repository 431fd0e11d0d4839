"""The launcher on real processes: nginx in front of 2 Daphne workers, Redis, workers.

One stack per module (starting it costs seconds): served through nginx, WebSockets
through nginx, operators-only endpoints, a killed worker replaced, a clean stop.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from harness.servers import WsClient, login_cookie
from tests.deploy.support import DEMO_PASSWORD, Launcher, http_get, pid_alive, wait_port

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    launcher = Launcher(
        tmp_path_factory.mktemp("launcher"), workers=2, args=["--ops-allow", "10.9.9.9"]
    )
    launcher.start()
    launcher.manage("demo", "--members", "12", "--no-documents")
    yield launcher
    launcher.stop()


def test_pages_and_static_come_through_nginx(stack):
    status, headers, body = http_get(f"{stack.url}/healthz")
    assert status == 200 and headers["Server"] == "nginx" and b'"db": "ok"' in body
    # static files are nginx's own, with range requests
    status, headers, body = http_get(f"{stack.url}/static/yiting/client.js", {"Range": "bytes=0-9"})
    assert status == 206 and len(body) == 10 and headers["Content-Range"].startswith("bytes 0-9/")
    # the protected file area is internal: only an X-Accel-Redirect from Django reaches it
    assert http_get(f"{stack.url}/_protected/anything.mp4")[0] == 404


def test_operator_endpoints_are_kept_off_the_public_side(stack):
    for path in ("/metrics", "/healthz/details"):
        assert http_get(f"{stack.url}{path}")[0] == 403  # nginx allow list (10.9.9.9 only)
    port = stack.daphne_ports()[0]
    status, _, body = http_get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200 and b"yiting_channel_layer_up 1" in body


async def test_sockets_through_nginx_reach_each_other_across_workers(stack):
    sitting = stack.python(
        "from core.models import Sitting\nresult = Sitting.objects.get(kind='plenary').pk"
    )
    clerk = WsClient(stack.url, sitting, login_cookie(stack.url, "clerk", DEMO_PASSWORD))
    tablets = [
        WsClient(stack.url, sitting, login_cookie(stack.url, f"m{n:03d}", DEMO_PASSWORD))
        for n in range(2, 10)
    ]
    await clerk.connect()
    for t in tablets:
        await t.connect()
    servers = {t.welcome["data"]["server"] for t in tablets} | {clerk.welcome["data"]["server"]}
    assert len(servers) == 2, "sticky hashing of 9 logins should use both workers"
    r = await clerk.request("agenda.step", {"direction": "next"})
    assert r["ok"], r
    for t in tablets:
        ev = await t.next_event("agenda.current")
        assert ev["data"]["item"]["id"] == r["data"]["item"]["id"]
    for c in [clerk, *tablets]:
        await c.close()


def test_killed_worker_is_replaced_on_its_port(stack):
    before = stack.pids()
    name = f"daphne-{stack.daphne_ports()[0]}"
    os.kill(before[name], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while stack.pids()[name] == before[name]:
        assert time.monotonic() < deadline, stack.text()[-3000:]
        time.sleep(0.2)
    port = int(name.split("-")[1])
    deadline = time.monotonic() + 60
    while http_get(f"http://127.0.0.1:{port}/healthz")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert "exited (code -9); restarting" in stack.text()
    assert http_get(f"{stack.url}/healthz")[0] == 200


def test_stop_ends_every_child(tmp_path):
    launcher = Launcher(tmp_path, workers=1).start()
    pids = launcher.pids()
    assert {"redis", "nginx", "jobs-1", "floor-sweeper"} <= set(pids)
    assert launcher.stop(timeout=60) == 0
    assert [n for n, pid in pids.items() if pid_alive(pid)] == []
    wait_port(launcher.port, up=False, timeout=5)
    assert "stack stopped" in launcher.text()
