"""Reconnect storm: all N tablets of a sitting drop at once and come back; how long until
every one has resynced to exactly the server's state?

Starts 2 Daphne workers on Redis (PostgreSQL when it answers, else SQLite), opens N real
WebSocket clients spread over both workers from separate client processes, each synced.
Then every socket is cut at the same moment, the clerk moves the agenda (so each tablet
has missed one event), and all N reconnect at once, each sending its last sequence
number and checking that what it ends with — sequence number and current agenda item —
equals the server's truth. The figure is cut → last tablet verified.

The same clients then storm a minimal ``websockets`` server (one process, no database,
no channel layer, the same welcome/sync exchange with the same bytes) in the same run:
the baseline printed beside it. Budget (DESIGN.md, issue 27): all resynced, 0 wrong, within
4 s at N = 3,000 and within 2x the Daphne + bare Channels floor (``--floor``) of the same run.

    python bench/reconnect_storm.py --clients 3000 [--json] [--floor]

Each row of ``--json`` carries ``seconds``, ``wrong``, ``failed``, the baseline's and the
floor's seconds, ``ratio_baseline`` and ``ratio_floor``, ``within_budget`` and the load
average before and after the storm (``load_before``, ``load_average``).

``--floor`` adds a second figure beside the baseline: the same storm against two Daphne
processes of a bare Channels consumer (bench/storm_floor.py), Yiting's stack without
Yiting: what the stack alone costs on this machine.

Figures only: this never fails on a slow result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import listen_overflows  # noqa: E402
from harness.servers import (  # noqa: E402
    Stack,
    WsClient,
    create_pg_database,
    free_port,
    login_cookie,
)
from meeting.demo_login import DEMO_PASSWORD  # noqa: E402

CLIENT_PROCS = 2  # 1,500 sockets each at N = 3,000 (the fd limit is raised to the hard one)
BUDGET_S = 4.0
FLOOR_RATIO = 2.0  # at most this many times the Daphne + bare Channels floor
LOGINS = 30
# Every server in the run listens with the backlog Yiting's workers use by default
# (YITING_LISTEN_BACKLOG), so no row of the table pays for dropped SYNs the others don't.
BACKLOG = 2048


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# -- client processes ---------------------------------------------------------------------


TABLET_DEADLINE_S = 60.0  # connect + welcome + sync of one tablet, retries included
SYNC_TRIES = 5  # as client.js: a refused sync is retried on the same socket


class Failed(Exception):
    """A tablet that did not end synced within its deadline (counted, never a hang)."""


class Tablet:
    """One socket: connect, welcome, sync from its last seq, check against the truth.

    Every wait is bounded by ``TABLET_DEADLINE_S``; an error reply to ``sync`` is
    retried with backoff like the real client, and a tablet still unsynced at the
    deadline raises ``Failed`` with the reason, which the storm counts.
    """

    def __init__(self, url: str, cookie: str, origin: str) -> None:
        self.url, self.cookie, self.origin = url, cookie, origin
        self.ws = None
        self.seq = 0
        self.current: int | None = None
        self.sync_errors = 0
        self.mode = ""  # how the last sync answered: replay or snapshot

    async def connect_and_sync(self) -> None:
        try:
            async with asyncio.timeout(TABLET_DEADLINE_S):
                await self._connect_and_sync()
        except TimeoutError:
            raise Failed("timeout") from None

    async def _connect_and_sync(self) -> None:
        import websockets

        for attempt in range(1000):
            try:
                self.ws = await websockets.connect(
                    self.url,
                    additional_headers={"Cookie": self.cookie},
                    origin=self.origin,
                    open_timeout=30,
                    max_size=2**24,
                )
                break
            except Exception:
                await asyncio.sleep(min(2.0, 0.05 * (attempt + 1)))
        json.loads(await self.ws.recv())  # welcome
        for tries in range(SYNC_TRIES):
            rid = f"s{tries}"
            await self.ws.send(
                json.dumps({"v": 1, "type": "sync", "id": rid, "data": {"last_seq": self.seq}})
            )
            while True:
                msg = json.loads(await self.ws.recv())
                if msg.get("type") == "reply" and msg.get("id") == rid:
                    break
            if msg.get("ok"):
                break
            self.sync_errors += 1
            await asyncio.sleep(min(4.0, 0.25 * 2**tries))
        else:
            raise Failed(f"sync refused: {msg.get('error', {}).get('code')}")
        data = msg["data"]
        self.mode = data["mode"]
        if data["mode"] == "snapshot":
            cur = data["snapshot"]["agenda"]["current"]
            self.current = cur["id"] if isinstance(cur, dict) else cur
        else:
            for ev in data["events"]:
                if ev["type"] == "agenda.current":
                    self.current = ev["data"]["item"]["id"]
        self.seq = data["seq"]

    def cut(self) -> None:
        """The Wi-Fi drops: the TCP connection goes away without a closing handshake."""
        if self.ws is not None:
            self.ws.transport.abort()


async def _client_main(
    urls: list[str], cookies: list[str], n: int, offset: int, conn, fresh: bool = False
) -> None:
    _raise_fd_limit()
    tablets = [
        Tablet(
            urls[(offset + i) % len(urls)],
            cookies[(offset + i) % len(cookies)],
            urls[(offset + i) % len(urls)].replace("ws://", "http://").split("/ws/")[0],
        )
        for i in range(n)
    ]
    sem = asyncio.Semaphore(200)
    failures: dict[str, int] = {}

    def failed(exc: BaseException) -> None:
        reason = str(exc) if isinstance(exc, Failed) else type(exc).__name__
        failures[reason] = failures.get(reason, 0) + 1

    async def first(t: Tablet) -> None:
        async with sem:
            try:
                await t.connect_and_sync()
            except Exception as exc:
                failed(exc)

    await asyncio.gather(*(first(t) for t in tablets))
    conn.send({"connected": n - sum(failures.values()), "failures": dict(failures)})
    if _recv(conn, 600) != "cut":
        return
    for t in tablets:
        t.cut()
    conn.send("cut")
    truth = _recv(conn, 600)  # {"seq":…, "current":…} after the clerk's move; then storm
    failures.clear()
    if fresh:  # tablets that lost what they had (a restart): a full snapshot each
        for t in tablets:
            t.seq = 0
    done: list[float] = []
    wrong = 0

    async def back(t: Tablet) -> None:
        nonlocal wrong
        try:
            await t.connect_and_sync()
        except Exception as exc:
            failed(exc)
            return
        if t.seq != truth["seq"] or t.current != truth["current"]:
            wrong += 1
        done.append(time.monotonic())

    await asyncio.gather(*(back(t) for t in tablets))
    conn.send(
        {
            "last": max(done) if done else time.monotonic(),
            "wrong": wrong,
            "n": len(done),
            "failed": dict(failures),
            "sync_errors": sum(t.sync_errors for t in tablets),
            "modes": {m: sum(t.mode == m for t in tablets) for m in ("replay", "snapshot")},
        }
    )
    for t in tablets:
        t.cut()


def _recv(conn, timeout: float):
    """A bounded wait on a pipe: the other side died or hung → TimeoutError, not a hang."""
    if not conn.poll(timeout):
        raise TimeoutError(f"no message within {timeout:.0f} s")
    return conn.recv()


def _client_proc(urls, cookies, n, offset, conn, fresh) -> None:
    asyncio.run(_client_main(urls, cookies, n, offset, conn, fresh))


def storm(
    urls: list[str], cookies: list[str], n: int, move, on_storm=None, fresh: bool = False
) -> dict:
    """Connect n, cut all, call ``move()`` (returns the truth), reconnect all; time it.

    ``on_storm()``, if given, is called just before the reconnect and returns a function
    called just after it (the profiler's start and stop). ``fresh``: the tablets come
    back with last_seq 0 (a full snapshot each) instead of the seq they had (a replay).
    """
    ctx = mp.get_context("spawn")
    per = [n // CLIENT_PROCS + (1 if i < n % CLIENT_PROCS else 0) for i in range(CLIENT_PROCS)]
    procs, pipes = [], []
    for i, k in enumerate(per):
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_client_proc, args=(urls, cookies, k, sum(per[:i]), child, fresh))
        p.start()
        procs.append(p)
        pipes.append(parent)
    try:
        connected = [_recv(p, 900) for p in pipes]
        for p in pipes:
            p.send("cut")
        for p in pipes:
            _recv(p, 120)
        truth = move()
        stop = on_storm() if on_storm else None
        overflows = listen_overflows()
        t0 = time.monotonic()
        for p in pipes:
            p.send(truth)
        try:
            results = [_recv(p, 300) for p in pipes]
            overflows = listen_overflows() - overflows
        finally:
            if stop:
                stop()
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    failed: dict[str, int] = {}
    for r in results:
        for k, v in r["failed"].items():
            failed[k] = failed.get(k, 0) + v
    return {
        "n": sum(r["n"] for r in results),
        "connected_first": sum(c["connected"] for c in connected),
        "seconds": max(r["last"] for r in results) - t0,
        "wrong": sum(r["wrong"] for r in results),
        "failed": failed,
        "sync_errors": sum(r["sync_errors"] for r in results),
        "listen_overflows": overflows,
        "modes": {m: sum(r["modes"][m] for r in results) for m in ("replay", "snapshot")},
    }


# -- the system under test -------------------------------------------------------------------


def _cpu_by_name() -> dict[str, float]:
    """CPU seconds used so far by every process of the machine, summed per command name."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if "daphne" in cmd or "manage.py serve" in cmd:
            name = "daphne"
        elif "reconnect_storm" in cmd or "multiprocessing" in cmd:
            name = "bench clients"
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def _cpu_meter():
    """Where the machine's CPU went during the storm (``--cpu``): seconds per process kind."""

    def start():
        before = _cpu_by_name()

        def stop():
            after = _cpu_by_name()
            used = {k: round(v - before.get(k, 0.0), 2) for k, v in after.items()}
            print(
                "cpu s:",
                {k: v for k, v in sorted(used.items(), key=lambda x: -x[1]) if v > 0.05},
                file=sys.stderr,
                flush=True,
            )

        return stop

    return start


def _profiler(pids: list[int], out: Path | None):
    """py-spy on each worker for the storm only (``--profile DIR``): raw folded stacks."""
    if out is None:
        return None
    exe = Path(sys.executable).with_name("py-spy")

    def start():
        out.mkdir(parents=True, exist_ok=True)
        procs = [
            subprocess.Popen(
                [str(exe), "record", "--pid", str(pid), "--rate", "100", "--nonblocking"]
                + ["--threads", "--format", "raw", "--output", str(out / f"storm-{pid}.txt")]
                + os.environ.get("PYSPY_FLAGS", "").split(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid in pids
        ]
        time.sleep(1.0)  # py-spy attached before the first reconnect

        def stop():
            for p in procs:
                p.send_signal(signal.SIGINT)
            for p in procs:
                p.wait(30)

        return stop

    return start


def yiting_storm(stack: Stack, n: int, resync: str, profile: Path | None = None) -> dict:
    """``resync`` "replay": the tablets come back with the seq they had (the sitting has
    events before they first connect); "snapshot": with last_seq 0, a full snapshot each."""
    base = stack.urls[0]
    sitting = stack.python(
        "from core.models import Sitting\nresult = Sitting.objects.get(kind='plenary').pk"
    )
    users = stack.python(
        "from core.models import Member\n"
        # members only, as bench/fanout.py: a vice-chair presides at a plenary (a live role,
        # told of every tablet's presence), and one login behind ~70 of the N sockets would
        # make ~70 presiding consoles, where a room has a handful
        "result = list(Member.objects.filter(role='member').order_by('seat')"
        f".values_list('user__username', flat=True)[:{LOGINS}])"
    )
    cookies = [login_cookie(base, u, DEMO_PASSWORD) for u in users]
    urls = [u.replace("http://", "ws://") + f"/ws/sittings/{sitting}/" for u in stack.urls]
    clerk = WsClient(base, sitting, login_cookie(base, "clerk", DEMO_PASSWORD))

    def move() -> dict:
        async def go() -> None:
            async with asyncio.timeout(60):
                await _clerk_step()

        async def _clerk_step() -> None:
            await clerk.connect()
            r = await clerk.request("agenda.step", {"direction": "next"})
            if not r["ok"]:
                await clerk.request("agenda.step", {"direction": "previous"})
            await clerk.close()

        asyncio.run(go())
        return stack.python(  # the truth, from the database
            "from core.models import Sitting\n"
            f"s = Sitting.objects.get(pk={sitting})\n"
            "cur = s.agenda_items.filter(state='current').first()\n"
            "result = {'seq': s.event_seq, 'current': cur.pk if cur else None}"
        )

    hook = _profiler([p.pid for p in stack.procs], profile)
    if os.environ.get("STORM_CPU"):
        hook = _cpu_meter()
    if resync == "replay":
        move()  # the sitting has events before the tablets first sync: they hold a seq > 0
    return storm(urls, cookies, n, move, hook, fresh=resync == "snapshot")


# -- the baseline --------------------------------------------------------------------------------


def _baseline_server(port: int, ready) -> None:
    import websockets
    from websockets.asyncio.server import serve

    state = {"seq": 1, "current": 1}
    welcome = json.dumps({"type": "welcome", "seq": None, "data": {"protocol": 1}})

    async def handler(ws):
        await ws.send(welcome)
        async for frame in ws:
            msg = json.loads(frame)
            if msg.get("type") == "sync":
                last = msg["data"]["last_seq"]
                events = []
                if last < state["seq"]:
                    events = [
                        {
                            "type": "agenda.current",
                            "seq": state["seq"],
                            "data": {"item": {"id": state["current"]}},
                        }
                    ]
                await ws.send(
                    json.dumps(
                        {
                            "type": "reply",
                            "id": msg["id"],
                            "ok": True,
                            "data": {"mode": "replay", "seq": state["seq"], "events": events},
                        }
                    )
                )
            elif msg.get("type") == "move":
                state["seq"] += 1
                state["current"] += 1

    async def main():
        import logging

        logging.getLogger("websockets").setLevel(logging.CRITICAL)  # aborted sockets are the point
        _raise_fd_limit()
        async with serve(
            handler, "127.0.0.1", port, max_size=2**24, compression=None, backlog=BACKLOG
        ):
            ready.set()
            await asyncio.Future()

    del websockets
    asyncio.run(main())


def baseline_storm(n: int) -> dict:
    port = free_port()
    ready = mp.get_context("spawn").Event()
    server = mp.get_context("spawn").Process(
        target=_baseline_server, args=(port, ready), daemon=True
    )
    server.start()
    if not ready.wait(30):
        raise TimeoutError("baseline server did not start in 30 s")
    url = f"ws://127.0.0.1:{port}/ws/"

    def move() -> dict:
        async def go():
            import websockets

            async with asyncio.timeout(30), websockets.connect(url) as ws:
                await ws.recv()
                await ws.send(json.dumps({"type": "move"}))
                await ws.send(
                    json.dumps({"v": 1, "type": "sync", "id": "s", "data": {"last_seq": 0}})
                )
                reply = json.loads(await ws.recv())
                return {
                    "seq": reply["data"]["seq"],
                    "current": reply["data"]["events"][0]["data"]["item"]["id"],
                }

        return asyncio.run(go())

    try:
        return storm([url], ["x=1"], n, move)
    finally:
        server.terminate()
        server.join(10)


def floor_storm(n: int, workers: int = 2) -> dict:
    """The same storm against Daphne + a bare Channels consumer (bench/storm_floor.py)."""
    ports = [free_port() for _ in range(workers)]
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "daphne", "-e"),
                f"tcp:port={p}:interface=127.0.0.1:backlog={BACKLOG}",
                "bench.storm_floor:application",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for p in ports
    ]
    try:
        deadline = time.monotonic() + 30
        while not all(_answers(p) for p in ports):
            if time.monotonic() > deadline:
                raise TimeoutError("floor servers did not listen within 30 s")
            time.sleep(0.1)
        urls = [f"ws://127.0.0.1:{p}/ws/" for p in ports]

        def move() -> dict:
            async def go():
                import websockets

                reply = None
                for url in urls:  # every process keeps its own state
                    async with asyncio.timeout(30), websockets.connect(url) as ws:
                        await ws.recv()
                        await ws.send(json.dumps({"type": "move"}))
                        sync = {"v": 1, "type": "sync", "id": "s", "data": {"last_seq": 0}}
                        await ws.send(json.dumps(sync))
                        reply = json.loads(await ws.recv())
                return {
                    "seq": reply["data"]["seq"],
                    "current": reply["data"]["events"][0]["data"]["item"]["id"],
                }

            return asyncio.run(go())

        return storm(urls, ["x=1"], n, move)
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(10)


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[3000])
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--conn-max-age", default="60", help="DB_CONN_MAX_AGE of the workers (launcher: 60)"
    )
    ap.add_argument("--profile", type=Path, help="py-spy the workers during the storm, into DIR")
    ap.add_argument(
        "--floor",
        action="store_true",
        help="also storm 2 Daphne processes of a bare Channels consumer (bench/storm_floor.py)",
    )
    ap.add_argument(
        "--resync",
        nargs="+",
        choices=["replay", "snapshot"],
        default=["replay", "snapshot"],
        help="how the tablets come back: with their seq (replay) or with none (snapshot)",
    )
    args = ap.parse_args()
    _raise_fd_limit()
    # a SIGTERM (e.g. from `timeout`) unwinds through the finally blocks: no Daphne
    # process or database is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="yt-storm-"))
    db_url, drop = (None, None)
    if _answers(5432):
        db_url, drop = create_pg_database("postgres://postgres@127.0.0.1:5432/test")
    rows = []
    try:
        stack = Stack(
            tmp,
            workers=2,
            redis_url=args.redis,
            database_url=db_url,
            extra_env={"DB_CONN_MAX_AGE": args.conn_max_age},
        )
        with stack.start(demo_members=max(LOGINS + 5, 40)):
            for n in args.clients:
                b = baseline_storm(n)
                f = floor_storm(n) if args.floor else None
                for mode in args.resync:
                    prof = args.profile / f"n{n}-{mode}" if args.profile else None
                    before = [round(x, 2) for x in os.getloadavg()]
                    y = yiting_storm(stack, n, mode, prof)
                    rows.append(_row(n, mode, y, b, f, before))
                    # one line per storm as it ends (with --json too, on stderr)
                    _print_row(n, mode, y, b, f, sys.stdout if not args.json else sys.stderr)
    finally:
        if drop:
            drop()
    db = "postgresql" if db_url else "sqlite"
    if args.json:
        print(
            json.dumps(
                {
                    "database": db,
                    "budget_s": BUDGET_S,
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "rows": rows,
                },
                indent=2,
            )
        )
    else:
        print(
            f"(2 Daphne workers, Redis pub/sub layer, {db}, DB_CONN_MAX_AGE={args.conn_max_age};"
            f" budget {BUDGET_S:.0f} s at N = 3,000 and {FLOOR_RATIO:.0f}x the floor;"
            f" load average {os.getloadavg()[0]:.1f})"
        )


def _row(n: int, mode: str, y: dict, b: dict, f: dict | None, before: list[float]) -> dict:
    """One storm's JSON row: the figures, the ratios, the verdict and the load around it."""
    ok = y["n"] == n and not y["wrong"] and not y["failed"]
    ratio_floor = round(y["seconds"] / max(f["seconds"], 1e-6), 2) if f else None
    return {
        "n": n,
        "resync": mode,
        "seconds": round(y["seconds"], 3),
        "resynced": y["n"],
        "wrong": y["wrong"],
        "failed": y["failed"],
        "baseline_seconds": round(b["seconds"], 3),
        "floor_seconds": round(f["seconds"], 3) if f else None,
        "ratio_baseline": round(y["seconds"] / max(b["seconds"], 1e-6), 2),
        "ratio_floor": ratio_floor,
        "within_budget": ok
        and y["seconds"] <= BUDGET_S
        and (ratio_floor is None or ratio_floor <= FLOOR_RATIO),
        "load_before": before,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "yiting": y,
        "baseline": b,
        "floor": f,
    }


def _print_row(n: int, mode: str, y: dict, b: dict, f: dict | None, out=sys.stdout) -> None:
    verdict = "within" if y["seconds"] <= BUDGET_S else "OVER"
    floor = ""
    if f is not None:
        ratio = y["seconds"] / max(f["seconds"], 1e-6)
        if ratio > FLOOR_RATIO:
            verdict = "OVER"
        floor = (
            f"  Daphne+Channels floor {f['seconds']:6.2f} s ({f['n']} ok, failed "
            f"{f['failed'] or 0}, listen overflows {f['listen_overflows']}; {ratio:.2f}x)"
        )
    print(
        f"N={n:5d} {mode:8}  yiting all resynced {y['seconds']:6.2f} s ({y['n']} ok, "
        f"{y['wrong']} wrong, failed {y['failed'] or 0}, sync errors retried "
        f"{y['sync_errors']}, modes {y['modes']}, listen overflows {y['listen_overflows']})  "
        f"baseline {b['seconds']:6.2f} s (listen overflows {b['listen_overflows']})  ratio "
        f"{y['seconds'] / max(b['seconds'], 1e-6):5.1f}x{floor}  {verdict} the {BUDGET_S:.0f} s "
        f"budget  load {os.getloadavg()[0]:.1f}",
        file=out,
        flush=True,
    )


if __name__ == "__main__":
    main()
