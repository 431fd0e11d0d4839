"""How long a host's tablets take to come back when that host's cable is pulled.

Builds the multi-host topology of harness/multihost.py (PostgreSQL and Redis on
``data``, a Daphne worker and a job worker on ``app1`` and on ``app2``, nginx on
``front``, the tablets on ``room``), seeds N members, connects N tablets through nginx
(nginx spreads them over both app hosts by their session cookie), and measures, for
the tablets nginx put on ``app1``:

- **reconnect, no partition** (the baseline, same run): those tablets drop their own
  sockets at once (a Wi-Fi blip), the clerk flips a page, and each reconnects through
  nginx (back to app1) and resyncs; the figure is drop → the last of them synced at the
  server's sequence number with the server's page.
- **partition**: app1's cable is pulled (its link down at the bridge); the clerk flips
  a page; each tablet notices on its own (heartbeat: a WebSocket ping through nginx
  every 2 s, dead after 3 s without a pong), reconnects through nginx, which finds app1
  unreachable (connect timeout 2 s) and hands it to app2, and resyncs. Figures: cut →
  the last of them noticed, cut → the last of them synced (on app2, at the server's
  sequence number and page).

Each tablet's end state is checked against the database (``wrong``). The load average
is printed beside the figures. Figures only: this never fails on a slow result.

    sudo .venv/bin/python bench/partition.py --tablets 200 1000 [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.multihost import ADDR, DAPHNE_PORT, Topology  # noqa: E402
from harness.roomtablets import (  # noqa: E402
    NEW_SITTING,
    SEED,
    Tablet,
    close_all,
    connect_all,
    host_of,
)

NGINX_FAIL_TIMEOUT_S = 3.0  # the upstreams' fail_timeout (deploy/launcher.py render_nginx)
PRESENTER = "from docs_store.services import presenter\nresult = presenter.current({sitting})"
SEQ = "from core.models import Sitting\nresult = Sitting.objects.get(pk={sitting}).event_seq"


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _truth(topo: Topology, sitting: int) -> tuple[int, dict]:
    seq = topo.python(SEQ.format(sitting=sitting))
    p = topo.python(PRESENTER.format(sitting=sitting))
    return seq, {"document": p["document"], "page": p["page"]}


async def _synced(tablets: list[Tablet], seq: int, since: float, timeout: float) -> float:
    """Seconds from ``since`` until every tablet is synced at ``seq`` or later."""
    deadline = time.monotonic() + timeout
    while not all(t.synced.is_set() and t.seq >= seq for t in tablets):
        if time.monotonic() > deadline:
            missing = sum(not (t.synced.is_set() and t.seq >= seq) for t in tablets)
            raise TimeoutError(f"{missing} tablets not resynced within {timeout}s")
        await asyncio.sleep(0.02)
    return max(t.resynced_at for t in tablets) - since


async def _flip(clerk: Tablet, page: int) -> None:
    ans = await clerk.command("presenter.flip", {"page": page}, key=f"bench-flip-{page}")
    assert ans["ok"], ans


def _wrong(topo: Topology, tablets: list[Tablet], sitting: int) -> int:
    seq, page = _truth(topo, sitting)
    return sum(t.seq != seq or t.presenter != page for t in tablets)


def run_one(topo: Topology, seeded: dict, n: int) -> dict:
    ids = topo.python(NEW_SITTING.format(term=seeded["term"], group=seeded["group"]))
    base = topo.front.url
    tablets = [Tablet(base, ids["sitting"], c, m) for m, c in seeded["members"][:n]]
    room = topo.room

    async def setup() -> Tablet:
        for cookie in seeded["clerks"]:  # a clerk on app2: the flips are not what is measured
            clerk = Tablet(base, ids["sitting"], cookie)
            await clerk.connect()
            if host_of(clerk.server) == "app2":
                break
            await clerk.close()
        await connect_all(tablets)
        ans = await clerk.command(
            "presenter.open", {"document": ids["doc"], "page": 1}, key="bench-open"
        )
        assert ans["ok"], ans
        return clerk

    clerk = room.run(setup(), timeout=900)
    on_app1 = [t for t in tablets if host_of(t.server) == "app1"]
    if len(on_app1) < n // 5:  # nginx's hash should put about half there
        err = (topo.front.run_dir / "logs" / "nginx-error.log").read_text(errors="replace")
        print(f"N={n}: only {len(on_app1)} tablets on app1; nginx said:", flush=True)
        print("\n".join(err.splitlines()[-8:]), flush=True)

    async def blip() -> float:
        t0 = time.monotonic()
        for t in on_app1:
            t.ws.transport.abort()  # the tablet's own socket drops (Wi-Fi), app1 stays up
        await _flip(clerk, 2)
        return await _synced(on_app1, clerk.seq, t0, timeout=600)

    baseline = room.run(blip(), timeout=700)
    wrong_baseline = _wrong(topo, tablets, ids["sitting"])
    back_on_app1 = sum(host_of(t.server) == "app1" for t in on_app1)

    async def partition() -> tuple[float, float]:
        t0 = time.monotonic()
        topo.partition("app1")
        await _flip(clerk, 3)
        synced = await _synced(on_app1, clerk.seq, t0, timeout=600)
        noticed = max(t.lost_at for t in on_app1) - t0
        return noticed, synced

    for t in on_app1:
        t.lost_at = 0.0
    _watch_losses(on_app1)
    noticed, synced = room.run(partition(), timeout=700)
    wrong = _wrong(topo, tablets, ids["sitting"])
    moved = sum(host_of(t.server) == "app2" for t in on_app1)
    load = [round(x, 2) for x in os.getloadavg()]
    topo.heal("app1")
    room.run(close_all([clerk, *tablets]), timeout=120)
    # Before the next N: app1 answers nginx's host again, and nginx's fail_timeout (3 s,
    # deploy/launcher.py) has passed. Even so, on 2026-12-06 the next N found nginx still
    # sending new sockets to app2 (6 of 1,000 on app1, no new upstream error logged): the
    # warning below says so; run each N on a fresh topology for its figure.
    topo.wait_tcp("front", ADDR["app1"], DAPHNE_PORT, timeout=60)
    time.sleep(NGINX_FAIL_TIMEOUT_S + 1.0)
    return {
        "tablets": n,
        "on_app1": len(on_app1),
        "reconnect_no_partition_s": round(baseline, 2),
        "baseline_back_on_app1": back_on_app1,
        "baseline_wrong": wrong_baseline,
        "partition_noticed_s": round(noticed, 2),
        "partition_resynced_s": round(synced, 2),
        "partition_moved_to_app2": moved,
        "partition_wrong": wrong,
        "snapshots": sum(t.snapshots for t in on_app1),
        "loadavg": load,
        "uptime": _uptime(),
    }


def _watch_losses(tablets: list[Tablet]) -> None:
    """Stamp when each tablet's socket died (its heartbeat went unanswered)."""
    for t in tablets:
        original = t._lost

        def lost(ws, t=t, original=original) -> None:
            if ws is t.ws and not t.lost_at:
                t.lost_at = time.monotonic()
            original(ws)

        t._lost = lost


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tablets", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    runs = []
    with (
        tempfile.TemporaryDirectory(prefix="yt-bench-partition-") as tmp,
        Topology(Path(tmp)) as topo,
    ):
        seeded = topo.python(SEED.format(n=max(opts.tablets), speakers=4), host="app1")
        for n in opts.tablets:
            row = run_one(topo, seeded, n)
            runs.append(row)
            print(
                f"N={n}: {row['on_app1']} tablets on app1; reconnect without partition "
                f"{row['reconnect_no_partition_s']} s; partition: noticed "
                f"{row['partition_noticed_s']} s, all resynced on app2 "
                f"{row['partition_resynced_s']} s ({row['partition_wrong']} wrong); "
                f"load {row['loadavg']}",
                file=sys.stderr if opts.json else sys.stdout,
                flush=True,
            )
    out = {"started": started, "uptime_end": _uptime(), "runs": runs}
    if opts.json:
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
