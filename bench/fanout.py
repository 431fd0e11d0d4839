"""Page-flip fan-out: clerk command → the last of N tablets has the event.

Starts 2 Daphne workers on Redis (PostgreSQL when it answers, else SQLite), opens N
real WebSocket clients spread over both workers from separate client processes, and
has a clerk socket raise ``--flips`` sequenced events. For each event it takes
send → last receive. The same clients then measure a minimal broadcast server written
with the ``websockets`` library (one process, no database, no channel layer) in the
same run, broadcasting the same event body the tablets got from Yiting (so both sides'
clients parse the same bytes), and the script prints both and their ratio.

    python bench/fanout.py --clients 100 500 3000 --flips 200 [--layer pubsub|core|both] [--json]

With ``--json`` one object ``{"flips", "results": [...], "skipped"}``, a row per N with
``p50_ms``, ``p99_ms``, ``lost``, ``baseline_p50_ms``, ``baseline_p99_ms``,
``ratio_p50``, ``ratio_p99`` (target, issue 27: ≤ 1.5 at every N, 0 lost) and the memory
per socket: the resident memory of the server processes (both Daphne workers; the
minimal server's one process) after the N sockets connected minus before, over N, in KiB
(``mem_per_socket_kb``, ``baseline_mem_per_socket_kb``, ``mem_ratio``; target at
N = 3,000: ≤ 1.2). "Before" is taken after a few sockets connected and left, on both
sides, so the one-time costs of a first connect (imports, caches) are not counted as
the N sockets'.

The event used is ``agenda.open`` toggling between two items: a database write, a
sequenced event and a broadcast, the same path a presenter page flip takes.
Figures only: this never fails on a slow result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.servers import (  # noqa: E402
    Stack,
    create_pg_database,
    free_port,
    login_cookie,
)
from meeting.demo_login import DEMO_PASSWORD  # noqa: E402

CLIENT_PROCS = 2
OPEN_DEADLINE_S = 120.0  # one client: connect, welcome and sync
REPLY_DEADLINE_S = 30.0  # the clerk's answer to one flip


def _rss_kib(pid: int) -> int:
    """Resident memory of one process and its children (Linux), for memory per socket."""
    total = 0
    for one in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out + [g for c in out for g in _children(c)]


SETTLE_S = 1.0  # after the sockets connect, before the memory is read


async def _warm_up(urls: list[str], cookies: list[str], yiting: bool, per_url: int = 3) -> None:
    """A few sockets connect (and sync, on Yiting) and leave: the first connect's one-time
    costs (imports, caches, the pool's threads) are then in "before", not per socket."""
    import websockets

    for url in urls:
        for i in range(per_url):
            headers = {"Cookie": cookies[i % len(cookies)]} if yiting else {}
            origin = url.replace("ws://", "http://").split("/ws/")[0]
            async with websockets.connect(url, additional_headers=headers, origin=origin) as ws:
                if yiting:
                    await ws.recv()  # welcome
                    await ws.send(json.dumps({"type": "sync", "id": "w", "data": {"last_seq": 0}}))
                    while json.loads(await ws.recv()).get("type") != "reply":
                        pass
    await asyncio.sleep(SETTLE_S)


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


async def _client_main(urls: list[str], cookies: list[str], n: int, flips: int, conn, yiting: bool):
    import websockets

    received: list[dict[int, float]] = [dict() for _ in range(n)]
    socks = []
    failures: dict[str, int] = {}

    async def open_one(i: int):
        try:
            async with asyncio.timeout(OPEN_DEADLINE_S):
                return await _open_one(i)
        except Exception as exc:  # counted: its events are reported lost, never a hang
            failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
            return None

    async def _open_one(i: int):
        url = urls[i % len(urls)]
        headers = {"Cookie": cookies[i % len(cookies)]} if yiting else {}
        origin = url.replace("ws://", "http://").split("/ws/")[0]
        last: Exception | None = None
        for attempt in range(60):
            try:
                ws = await websockets.connect(
                    url, additional_headers=headers, origin=origin, open_timeout=60, max_size=2**22
                )
                break
            except Exception as exc:  # a loaded server refuses some connects: retry
                last = exc
                await asyncio.sleep(min(2.0, 0.2 * (attempt + 1)))
        else:
            raise RuntimeError(f"could not connect to {url}: {last!r}")
        if yiting:
            await ws.recv()  # welcome
            await ws.send(json.dumps({"type": "sync", "id": "s", "data": {"last_seq": 0}}))
            while (reply := json.loads(await ws.recv())).get("type") != "reply":
                pass
            if not reply.get("ok"):
                raise RuntimeError(f"sync refused: {reply.get('error')}")
        socks.append(ws)
        return ws

    sem = asyncio.Semaphore(50)

    async def guarded(i):
        async with sem:
            return await open_one(i)

    opened = await asyncio.gather(*(guarded(i) for i in range(n)))

    async def reader(i: int, ws):
        try:
            async for text in ws:
                t = time.time()
                msg = json.loads(text)
                key = msg.get("seq") if yiting else msg.get("n")
                if key is not None and msg.get("type") != "reply":
                    received[i][key] = t
        except Exception:
            pass

    tasks = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(opened) if ws]
    conn.send({"ready": n - sum(failures.values()), "failures": failures})
    # wait for "done" without blocking the loop that timestamps the events (bounded:
    # the parent died → the process ends)
    await asyncio.get_running_loop().run_in_executor(None, conn.poll, 3600)
    await asyncio.sleep(1.0)
    for ws in opened:
        if ws is not None:
            ws.transport.abort()
    for t in tasks:
        t.cancel()
    conn.send(received)


def _client_proc(urls, cookies, n, flips, conn, yiting):
    _raise_fd_limit()
    asyncio.run(_client_main(urls, cookies, n, flips, conn, yiting))


def _start_clients(urls, cookies, n, flips, yiting):
    procs, pipes = [], []
    per = [n // CLIENT_PROCS + (1 if i < n % CLIENT_PROCS else 0) for i in range(CLIENT_PROCS)]
    ctx = mp.get_context("spawn")
    for i in range(CLIENT_PROCS):
        parent, child = ctx.Pipe()
        rotated = urls[i:] + urls[:i]
        p = ctx.Process(target=_client_proc, args=(rotated, cookies, per[i], flips, child, yiting))
        p.start()
        procs.append(p)
        pipes.append(parent)
    ready, failures = 0, {}
    for pipe in pipes:
        if not pipe.poll(900):
            raise TimeoutError("clients did not connect in 900 s")
        got = pipe.recv()
        ready += got["ready"]
        for k, v in got["failures"].items():
            failures[k] = failures.get(k, 0) + v
    return procs, pipes, {"connected": ready, "connect_failures": failures}


def _collect(procs, pipes) -> list[dict]:
    out = []
    for pipe in pipes:
        pipe.send("done")
    for pipe in pipes:
        if pipe.poll(300):
            out.extend(pipe.recv())
    for p in procs:
        p.join(30)
        if p.is_alive():
            p.kill()
    return out


def _stats(sent: dict[int, float], received: list[dict], n: int) -> dict:
    lat, lost = [], 0
    for key, t0 in sent.items():
        times = [r[key] for r in received if key in r]
        lost += n - len(times)
        if times:
            lat.append((max(times) - t0) * 1000)
    lat.sort()
    if not lat:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "lost": lost}
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    return {
        "p50_ms": round(statistics.median(lat), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(lat[-1], 1),
        "lost": lost,
    }


# -- Yiting run ---------------------------------------------------------------------------


async def _clerk_flips(
    base: str, sitting: int, cookie: str, items: list[int], flips: int, gap: float
):
    import websockets

    url = base.replace("http://", "ws://") + f"/ws/sittings/{sitting}/"
    sent: dict[int, float] = {}
    errors: dict[str, int] = {}
    replies: list[float] = []  # the clerk's own answer, ms: the server's share of a flip
    event: dict | None = None
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, origin=base) as ws:
        async with asyncio.timeout(60):
            seq = json.loads(await ws.recv())["data"]["seq"]
        for n in range(flips):
            item = items[n % 2]  # alternating items: every flip emits exactly one event
            seq += 1
            sent[seq] = time.time()
            await ws.send(
                json.dumps({"type": "agenda.open", "id": f"f{n}", "data": {"item": item}})
            )
            try:
                async with asyncio.timeout(REPLY_DEADLINE_S):
                    while True:
                        msg = json.loads(await ws.recv())
                        if msg.get("type") == "agenda.current" and event is None:
                            event = msg["data"]  # the baseline broadcasts the same body
                        if msg.get("type") == "reply" and msg.get("id") == f"f{n}":
                            break
                replies.append((time.time() - sent[seq]) * 1000)
            except TimeoutError:
                errors["timeout"] = errors.get("timeout", 0) + 1
                continue
            if not msg.get("ok"):  # refused: no event was raised, so expect none
                del sent[seq]
                seq -= 1
                code = msg.get("error", {}).get("code", "?")
                errors[code] = errors.get(code, 0) + 1
            await asyncio.sleep(gap)
    return sent, errors, replies, event


def run_yiting(n: int, flips: int, layer: str, redis_url: str, gap: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="yiting-fanout-"))
    db_url, drop = (None, None)
    if _answers(5432):
        db_url, drop = create_pg_database("postgres://postgres@127.0.0.1:5432/test")
    stack = Stack(
        tmp,
        workers=2,
        redis_url=redis_url,
        database_url=db_url,
        extra_env={"YITING_CHANNEL_LAYER": layer, "YITING_WS_RATE": "1000", "LOG_LEVEL": "WARNING"},
    )
    try:
        stack.start(demo_members=60)
        base = stack.urls[0]
        info = stack.python(
            "from core.models import Sitting\n"
            "s = Sitting.objects.get(kind='plenary')\n"
            "result = [s.pk, list(s.agenda_items.order_by('order').values_list('pk', flat=True)[:2])]"
        )
        sitting, items = info
        users = [f"m{k:03d}" for k in range(6, 66)]
        cookies = [login_cookie(base, u, DEMO_PASSWORD) for u in users[:30]]
        ws_urls = [u.replace("http://", "ws://") + f"/ws/sittings/{sitting}/" for u in stack.urls]
        asyncio.run(_warm_up(ws_urls, cookies, yiting=True))
        rss0 = sum(_rss_kib(p.pid) for p in stack.procs)
        procs, pipes, opened = _start_clients(ws_urls, cookies, n, flips, yiting=True)
        time.sleep(SETTLE_S)
        rss1 = sum(_rss_kib(p.pid) for p in stack.procs)
        clerk = login_cookie(base, "clerk", DEMO_PASSWORD)
        sent, errors, replies, event = asyncio.run(
            _clerk_flips(base, sitting, clerk, items, flips, gap)
        )
        received = _collect(procs, pipes)
        return {
            **_stats(sent, received, n),
            **opened,
            "flip_errors": errors,
            "reply_p50_ms": round(statistics.median(replies), 1) if replies else None,
            "event_data": event,
            "rss_mib": round(rss1 / 1024, 1),
            "kib_per_socket": round((rss1 - rss0) / max(n, 1), 1),
            "db": "postgresql" if db_url else "sqlite",
        }
    finally:
        stack.stop()
        if drop:
            drop()


# -- baseline: minimal websockets broadcast server -----------------------------------------


def _baseline_server(port: int, ready) -> None:
    _raise_fd_limit()

    async def main():
        import logging

        import websockets

        # the clients drop without a close frame when a run ends: not worth a traceback each
        logging.getLogger("websockets").setLevel(logging.CRITICAL)
        clients = set()

        async def handler(ws):
            clients.add(ws)
            try:
                async for text in ws:
                    websockets.broadcast(clients, text)  # serialised once, sent to all
                    await ws.send(json.dumps({"type": "reply", "id": json.loads(text)["n"]}))
            finally:
                clients.discard(ws)

        async with websockets.serve(handler, "127.0.0.1", port, max_size=2**22):
            ready.set()
            await asyncio.Future()

    asyncio.run(main())


async def _baseline_flips(url: str, flips: int, gap: float, body: dict) -> dict[int, float]:
    import websockets

    sent = {}
    async with websockets.connect(url) as ws:
        for n in range(flips):
            sent[n] = time.time()
            event = {"type": "agenda.current", "n": n, "sitting": 1, "data": body}
            await ws.send(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
            async with asyncio.timeout(REPLY_DEADLINE_S):
                while True:
                    msg = json.loads(await ws.recv())
                    if msg.get("type") == "reply" and msg.get("id") == n:
                        break
            await asyncio.sleep(gap)
    return sent


def run_baseline(n: int, flips: int, gap: float, body: dict) -> dict:
    """The same N clients on a minimal broadcast server, sent the same event body."""
    port = free_port()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=_baseline_server, args=(port, ready), daemon=True)
    server.start()
    if not ready.wait(30):
        raise TimeoutError("baseline server did not start in 30 s")
    url = f"ws://127.0.0.1:{port}/"
    try:
        asyncio.run(_warm_up([url], [""], yiting=False))
        rss0 = _rss_kib(server.pid)
        procs, pipes, opened = _start_clients([url], [""], n, flips, yiting=False)
        time.sleep(SETTLE_S)
        rss1 = _rss_kib(server.pid)
        sent = asyncio.run(_baseline_flips(url, flips, gap, body))
        received = _collect(procs, pipes)
        return {
            **_stats(sent, received, n),
            **opened,
            "event_bytes": len(json.dumps(body, ensure_ascii=False).encode()),
            "rss_mib": round(rss1 / 1024, 1),
            "kib_per_socket": round((rss1 - rss0) / max(n, 1), 1),
        }
    finally:
        server.terminate()
        server.join(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[100, 500, 3000])
    ap.add_argument("--flips", type=int, default=50)
    ap.add_argument("--gap", type=float, default=0.2, help="seconds between flips")
    ap.add_argument("--layer", choices=["pubsub", "core", "both"], default="pubsub")
    ap.add_argument(
        "--redis", default=os.environ.get("YITING_BENCH_REDIS", "redis://127.0.0.1:6379/8")
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--deadline",
        type=float,
        default=840.0,
        help="seconds for the whole run (bench wrapper: 900); an N not begun by then is skipped",
    )
    args = ap.parse_args()
    _raise_fd_limit()
    layers = ["pubsub", "core"] if args.layer == "both" else [args.layer]
    results = []
    t_start = time.monotonic()
    skipped: list[int] = []
    for n in args.clients:
        # a run of N costs about its flips' time twice (Yiting, baseline) plus the connects
        need = 2 * args.flips * (args.gap + 0.05) + n * 0.03 + 30
        if time.monotonic() - t_start + need > args.deadline:
            skipped.append(n)
            print(f"N={n}: skipped, would pass the {args.deadline:.0f} s deadline", file=sys.stderr)
            continue
        runs = {layer: run_yiting(n, args.flips, layer, args.redis, args.gap) for layer in layers}
        # the baseline broadcasts the very event body Yiting's tablets got (the agenda
        # slice, ~1 KB), so both sides' clients parse the same bytes
        body = next(iter(runs.values()))["event_data"] or {}
        base = run_baseline(n, args.flips, args.gap, body)
        for layer, y in runs.items():

            def ratio(key: str, y: dict = y, base: dict = base) -> float | None:
                a, b = y[key], base[key]
                return round(a / b, 2) if a and b else None

            results.append(
                {
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "clients": n,
                    "layer": layer,
                    "db": y["db"],
                    "p50_ms": y["p50_ms"],
                    "p99_ms": y["p99_ms"],
                    "max_ms": y["max_ms"],
                    "lost": y["lost"],
                    "connected": y["connected"],
                    "connect_failures": y["connect_failures"],
                    "flip_errors": y["flip_errors"],
                    "reply_p50_ms": y["reply_p50_ms"],
                    "rss_mib": y["rss_mib"],
                    "kib_per_socket": y["kib_per_socket"],
                    "baseline_rss_mib": base["rss_mib"],
                    "baseline_kib_per_socket": base["kib_per_socket"],
                    "baseline_p50_ms": base["p50_ms"],
                    "baseline_p99_ms": base["p99_ms"],
                    "baseline_max_ms": base["max_ms"],
                    "baseline_lost": base["lost"],
                    "event_body_bytes": base["event_bytes"],
                    "ratio_p50": ratio("p50_ms"),
                    "ratio_p99": ratio("p99_ms"),
                    "mem_per_socket_kb": y["kib_per_socket"],
                    "baseline_mem_per_socket_kb": base["kib_per_socket"],
                    "mem_ratio": ratio("kib_per_socket"),
                }
            )
            # one line per N as it ends (on stderr with --json)
            r = results[-1]
            print(
                f"N={n:5d} {layer:6} yiting p50 {r['p50_ms']:>7} p99 {r['p99_ms']:>7} max {r['max_ms']:>7} "
                f"lost {r['lost']:>3} clerk's reply p50 {r['reply_p50_ms']} | baseline p50 {r['baseline_p50_ms']:>7} p99 {r['baseline_p99_ms']:>7} "
                f"| ratio p50 {r['ratio_p50']} p99 {r['ratio_p99']} "
                f"| KiB/socket {r['kib_per_socket']} vs {r['baseline_kib_per_socket']} ({r['mem_ratio']}×) "
                f"| event body {r['event_body_bytes']} B "
                f"| load {r['load_average']} | {time.monotonic() - t_start:.0f} s into the run",
                file=sys.stderr if args.json else sys.stdout,
                flush=True,
            )
    if args.json:
        print(json.dumps({"flips": args.flips, "results": results, "skipped": skipped}))


if __name__ == "__main__":
    main()
