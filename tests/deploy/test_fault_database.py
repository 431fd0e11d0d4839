"""PostgreSQL goes away for a few seconds: commands get ``try_again``, nothing is
half-written, and service resumes by itself when it is back.

The machine's PostgreSQL keeps running; the Daphne worker reaches it through a proxy
this test cuts (tests/deploy/pgproxy.py). The truth is read around the proxy.
"""

from __future__ import annotations

import time
import urllib.parse

import psycopg
import pytest

from harness.servers import Stack, WsClient, create_pg_database, login_cookie
from tests.deploy.pgproxy import PgProxy
from tests.deploy.support import DEMO_PASSWORD, http_get

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

EVENT_INSERT = b'INSERT INTO "realtime_sittingevent"'


@pytest.fixture
def world(tmp_path, pg_url):
    direct, drop = create_pg_database(pg_url)
    proxy = PgProxy().start()
    via_proxy = urllib.parse.urlparse(direct)._replace(netloc=f"postgres@127.0.0.1:{proxy.port}")
    stack = Stack(tmp_path, workers=1, database_url=via_proxy.geturl())
    try:
        with stack.start(demo_members=12):
            yield stack, proxy, direct.replace("postgres://", "postgresql://", 1)
    finally:
        proxy.close()
        drop()


def truth(dsn: str, sitting: int) -> dict:
    """What the database holds, read directly (not through the proxy)."""
    with psycopg.connect(dsn) as conn:
        one = conn.execute
        return {
            "seq": one("SELECT event_seq FROM meeting_sitting WHERE id=%s", (sitting,)).fetchone()[
                0
            ],
            "events": [
                r[0]
                for r in one(
                    "SELECT seq FROM realtime_sittingevent WHERE sitting_id=%s ORDER BY seq",
                    (sitting,),
                )
            ],
            "present": sorted(
                r[0]
                for r in one(
                    "SELECT member_id FROM meeting_attendance WHERE sitting_id=%s", (sitting,)
                )
            ),
            "receipts": sorted(r[0] for r in one("SELECT key FROM realtime_commandreceipt")),
        }


def ids(stack) -> tuple[int, list[int]]:
    return stack.python(
        "from core.models import Sitting, Member\n"
        "s = Sitting.objects.get(kind='plenary')\n"
        "ms = list(Member.objects.filter(role='member').order_by('seat').values_list('pk', flat=True)[:3])\n"
        "result = [s.pk, ms]"
    )


def wait_healthy(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while http_get(f"{url}/healthz")[0] != 200:
        assert time.monotonic() < deadline, "service did not resume by itself"
        time.sleep(0.2)


async def test_database_outage_refuses_cleanly_and_resumes(world):
    stack, proxy, dsn = world
    url = stack.urls[0]
    sitting, (a, b, c) = ids(stack)
    clerk = WsClient(url, sitting, login_cookie(url, "clerk", DEMO_PASSWORD))
    tablet = WsClient(url, sitting, login_cookie(url, "m003", DEMO_PASSWORD))
    await clerk.connect()
    await tablet.connect()
    r = await clerk.request("attendance.record", {"member": a, "present": True}, key="before")
    assert r["ok"], r
    await tablet.next_event("attendance.changed")
    before = truth(dsn, sitting)
    assert before["present"] == [a] and before["events"] == list(range(1, before["seq"] + 1))

    # 1. the connection dies in the middle of the transaction (after the event INSERT)
    proxy.cut_on(EVENT_INSERT)
    r = await clerk.request("attendance.record", {"member": b, "present": True}, key="mid")
    assert proxy.triggered.is_set(), "the cut must have happened mid-transaction"
    assert r["ok"] is False and r["error"]["code"] == "try_again", r
    assert truth(dsn, sitting) == before  # nothing half-written
    proxy.restore()

    # 2. the database is away for a while
    proxy.cut()
    r = await clerk.request("attendance.record", {"member": c, "present": True}, key="down")
    assert r["ok"] is False and r["error"]["code"] == "try_again", r
    assert "未作任何更改" in r["error"]["message"]  # "nothing was changed", in Chinese
    status, _, body = http_get(f"{url}/healthz")
    assert status == 503 and b"degraded" in body
    status, _, body = http_get(f"{url}/healthz/details")
    assert status == 503 and b'"database": {"ok": false' in body
    assert truth(dsn, sitting) == before

    # 3. it comes back: no operator, the same commands (same keys) now go through once
    proxy.restore()
    wait_healthy(url)
    for key, member in (("mid", b), ("down", c)):
        r = await clerk.request("attendance.record", {"member": member, "present": True}, key=key)
        assert r["ok"] and not r.get("repeat"), r
        ev = await tablet.next_event("attendance.changed")
        assert ev["data"]["member"] == member and ev["seq"] == tablet.seq
    again = await clerk.request("attendance.record", {"member": c, "present": True}, key="down")
    assert again["ok"] and again["repeat"] is True
    after = truth(dsn, sitting)
    assert after["present"] == sorted([a, b, c])
    assert after["events"] == list(range(1, after["seq"] + 1))  # no gap, no double
    assert after["seq"] == before["seq"] + 2
    assert [k for k in after["receipts"] if k in ("before", "mid", "down")] == [
        "before",
        "down",
        "mid",
    ]
    # the tablet that never left is exactly where the server is
    assert (await tablet.sync())["seq"] == after["seq"]
    await clerk.close()
    await tablet.close()
