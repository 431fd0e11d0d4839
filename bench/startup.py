"""Start-up cost of a management command: wall time of ``manage.py check`` in fresh processes.

Every ``manage.py`` command (migrate, worker, check, the launcher's preflight) sets Django
up, and ``RealtimeConfig.ready()`` installs the protocol's handlers; this measures what
that costs and whether the WebRTC stack (aiortc, PyAV) is loaded by it.

    .venv/bin/python bench/startup.py [TREE ...] [--runs 15]

Each TREE (default: this checkout) is timed ``--runs`` times, interleaved so that a
change of machine load affects every tree alike; prints the median and quartiles, and
which heavy modules a plain ``django.setup()`` left in ``sys.modules``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("aiortc", "av", "media.peers", "media.runtime")
PROBE = (
    "import django, json, sys; django.setup(); "
    f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
)


def _env(data_dir: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="deploy.settings", YITING_DATA_DIR=data_dir)
    env.pop("PYTHONPATH", None)
    return env


def time_check(tree: Path, env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=tree, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - t0


def loaded(tree: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tree, env=env, check=True, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trees", nargs="*", type=Path, default=[Path(__file__).parents[1]])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = _env(data_dir)
        for tree in args.trees:  # a first run each: bytecode compiled, files in the page cache
            time_check(tree, env)
        times: dict[Path, list[float]] = {t: [] for t in args.trees}
        for _ in range(args.runs):
            for tree in args.trees:
                times[tree].append(time_check(tree, env))
        for tree in args.trees:
            q1, median, q3 = statistics.quantiles(times[tree], n=4)
            heavy = [m for m, present in loaded(tree, env).items() if present]
            print(
                f"{tree}: manage.py check median {median * 1000:.0f} ms "
                f"(quartiles {q1 * 1000:.0f}–{q3 * 1000:.0f} ms, {args.runs} runs); "
                f"after django.setup(): {', '.join(heavy) or 'no aiortc/av/media peers'}"
            )


if __name__ == "__main__":
    main()
