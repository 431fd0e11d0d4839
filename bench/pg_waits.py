"""What PostgreSQL's backends wait on while another bench runs beside it.

Samples ``pg_stat_activity`` every ``--every`` seconds for ``--seconds`` (a bound: it
always stops) and prints, per (wait event type, wait event, state), the average number
of client backends in it, and how many backends were active per sample. Run it beside a
storm to tell a lock queue (``Lock``/``tuple``: waiting for a row another transaction
holds) from a holder waiting for its own client (``idle in transaction``) or the disk
(``IO``/``WALSync``):

    python bench/pg_waits.py --seconds 62 & python bench/vote_storm.py --members 2000

Figures only; it reads the catalogue and writes nothing.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import time

QUERY = """
select coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-'), state
from pg_stat_activity
where backend_type = 'client backend' and pid <> pg_backend_pid() and state <> 'idle'
"""


def sample(url: str, seconds: float, every: float) -> dict:
    import psycopg

    seen: collections.Counter = collections.Counter()
    active: collections.Counter = collections.Counter()
    samples = 0
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            rows = conn.execute(QUERY).fetchall()
            samples += 1
            active[len(rows)] += 1
            seen.update(tuple(r) for r in rows)
            time.sleep(every)
    return {
        "samples": samples,
        "load_average": os.getloadavg(),
        "average_backends": [
            {"wait_type": t, "wait_event": e, "state": s, "average": round(n / samples, 3)}
            for (t, e, s), n in seen.most_common()
        ],
        "active_per_sample": sorted(active.items()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--url",
        default=os.environ.get(
            "YITING_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--every", type=float, default=0.02)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = sample(args.url, args.seconds, args.every)
    if args.json:
        print(json.dumps(out))
        return
    print(f"samples {out['samples']}, load average {out['load_average']}")
    for row in out["average_backends"][:15]:
        print(f"{row['average']:7.2f}  {row['wait_type']:8} {row['wait_event']:22} {row['state']}")
    print("active backends per sample:", out["active_per_sample"])


if __name__ == "__main__":
    main()
