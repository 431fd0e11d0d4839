"""A real Daphne process on the embedded default: pages, login over HTTP, a socket."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.servers import Stack, WsClient, login_cookie

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
        cookie = login_cookie(base, "clerk", "yiting-demo")
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
            "from meeting.models import Sitting\nresult = Sitting.objects.get(kind='plenary').pk"
        )
        tablet = WsClient(base, plenary, login_cookie(base, "m010", "yiting-demo"))
        snap = await tablet.connect()
        assert snap["mode"] == "snapshot" and snap["snapshot"]["sitting"]["you"]["role"] == "member"
        r = await tablet.request("attendance.check_in", key="tab-1")
        assert r["ok"], r
        ev = await tablet.next_event("attendance.changed")
        assert ev["data"]["quorum"]["roster_size"] == 20
        await tablet.close()
