"""Floor figures: grant/end cost, the sweeper's polling cost, and how late it acts.

Runs in one process on a fresh database (a temporary SQLite file, or ``--database-url``)
with the demo committee, and prints each figure beside a baseline taken in the same run:

1. grant + end of a floor (two transactions, two sequenced events) against the cheapest
   sequenced change there is: ``emit`` of a trivial event in a transaction;
2. one ``sweep_once`` with 0 / 1 / 20 open floors (nothing due) against ``SELECT 1``:
   what every process pays each poll;
3. lateness of the real sweeper thread (poll 0.5 s): from a floor's deadline to the
   ``floor_released`` signal, against the poll period a naive fixed poll would cost.

    python bench/floor.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                          [--rounds 50] [--json]

With a PostgreSQL URL a fresh database is created on that server and dropped afterwards.

Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None, tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "deploy.settings"
    os.environ["YITING_DATA_DIR"] = str(tmp)
    os.environ["YITING_INPROCESS_WORKERS"] = "false"
    os.environ.pop("REDIS_URL", None)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from meeting.demo import load_demo

    load_demo(members=65, with_documents=False)


def ms(samples: list[float]) -> dict:
    s = sorted(samples)
    return {
        "p50_ms": round(statistics.median(s) * 1000, 2),
        "p99_ms": round(s[min(len(s) - 1, int(len(s) * 0.99))] * 1000, 2),
        "n": len(s),
    }


def timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def plenary():
    from core.models import Sitting
    from harness.actors import CLERK  # models: only once setup() has run
    from meeting.services import agenda

    s = Sitting.objects.get(kind="plenary")
    item = s.agenda_items.order_by("order").first()
    agenda.open_item(s.pk, item.pk, actor=CLERK)
    return s, item


def grant_end_vs_emit(rounds: int) -> dict:
    from django.db import transaction

    from core.models import Sitting
    from core.roster import sitting_roster
    from meeting.floor import services as floor
    from realtime.events import emit

    s, _ = plenary()
    member = sitting_roster(s).exclude(pk=s.chair_id).first()

    def baseline():
        with transaction.atomic():
            Sitting.objects.select_for_update().get(pk=s.pk)
            emit(s.pk, "bench.noop", {"n": 1})

    def grant_end():
        sp = floor.grant(s.pk, role="clerk", by_user_id=None, member_id=member.pk)
        floor.end(s.pk, role="clerk", speech_id=sp.pk)

    base = timed(baseline, rounds)
    pair = timed(grant_end, rounds)
    return {
        "baseline_emit": ms(base),
        "grant_plus_end": ms(pair),
        "ratio_p50": round(statistics.median(pair) / statistics.median(base), 2),
    }


def sweep_cost(rounds: int) -> dict:
    from django.db import connection

    from core.roster import sitting_roster
    from meeting.floor import services as floor
    from meeting.floor.models import Speech

    s, _ = plenary()
    Speech.objects.filter(ended_at__isnull=True).update(ended_at=time_now(), ended_how="finished")
    floor.set_rules(s.pk, role="clerk", max_floors=20)

    def select_one():
        with connection.cursor() as cur:
            cur.execute("SELECT 1")

    out = {"baseline_select_1": ms(timed(select_one, rounds))}
    members = list(sitting_roster(s).exclude(pk=s.chair_id)[:20])
    opened = 0
    for k in (0, 1, 20):
        while opened < k:
            floor.grant(s.pk, role="clerk", by_user_id=None, member_id=members[opened].pk)
            opened += 1
        out[f"sweep_{k}_open"] = ms(timed(floor.sweep_once, rounds))
    floor.priority(s.pk, role="chair")
    return out


def time_now():
    from core import clock

    return clock.now()


def lateness(floors: int = 12, limit_s: int = 3) -> dict:
    from core import clock
    from core.roster import sitting_roster
    from core.signals import floor_released
    from meeting.floor import services as floor
    from meeting.floor import sweeper

    s, item = plenary()
    item.first_speech_limit_s, item.second_speech_limit_s, item.on_time_up = limit_s, limit_s, "end"
    item.save()
    floor.set_rules(s.pk, role="clerk", max_floors=20, warn_before_s=1)
    late: list[float] = []
    done = threading.Event()

    def on_released(sender, ended_how, ended_at, **kw):
        if ended_how == "time_limit":
            late.append((clock.now() - ended_at).total_seconds())
            if len(late) >= floors:
                done.set()

    floor_released.connect(on_released, weak=False)
    stop = threading.Event()
    thread = threading.Thread(target=sweeper.run_forever, args=(stop, sweeper.POLL_S), daemon=True)
    thread.start()
    members = list(sitting_roster(s).exclude(pk=s.chair_id)[20 : 20 + floors])
    for m in members:  # staggered starts, so deadlines fall between polls
        floor.grant(s.pk, role="clerk", by_user_id=None, member_id=m.pk)
        time.sleep(0.13)
    done.wait(limit_s + 30)
    stop.set()
    thread.join(5)
    floor_released.disconnect(on_released)
    return {"baseline_fixed_poll_worst_ms": sweeper.POLL_S * 1000, "cut_after_deadline": ms(late)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    drop = None
    url = args.database_url
    if url and url.startswith("postgres"):
        from harness.servers import create_pg_database

        url, drop = create_pg_database(url)  # a fresh database, dropped at the end
    try:
        return run(args, url)
    finally:
        if drop is not None:
            drop()


def run(args, url: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="yt-floor-bench-") as tmp:
        setup(url, Path(tmp))
        from django.db import connection

        result = {
            "database": connection.vendor,
            "grant_end": grant_end_vs_emit(args.rounds),
            "sweep": sweep_cost(args.rounds),
            "lateness": lateness(),
        }
        connection.close()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"database: {result['database']}")
    g = result["grant_end"]
    print(
        f"grant+end pair     p50 {g['grant_plus_end']['p50_ms']:8.2f} ms  p99 "
        f"{g['grant_plus_end']['p99_ms']:8.2f} ms   baseline emit p50 "
        f"{g['baseline_emit']['p50_ms']:.2f} ms  (×{g['ratio_p50']})"
    )
    sw = result["sweep"]
    for k, v in sw.items():
        print(f"{k:<18} p50 {v['p50_ms']:8.2f} ms  p99 {v['p99_ms']:8.2f} ms")
    la = result["lateness"]
    c = la["cut_after_deadline"]
    print(
        f"cut after deadline p50 {c['p50_ms']:8.2f} ms  p99 {c['p99_ms']:8.2f} ms  (n={c['n']}) "
        f"  baseline fixed poll worst {la['baseline_fixed_poll_worst_ms']:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
