"""Job kinds used by the job-queue tests (imported by tests and by worker subprocesses)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jobs.registry import job

CALLS: list[dict] = []


@job("test.echo")
def echo(job, report):
    CALLS.append(job.payload)
    report(1, 1)
    return {"echo": job.payload}


@job("test.flaky")
def flaky(job, report):
    CALLS.append({"attempt": job.attempts})
    if job.attempts < job.payload.get("succeed_on", 99):
        raise RuntimeError(f"flaky failure on attempt {job.attempts}")
    return {"attempt": job.attempts}


@job("test.slow")
def slow(job, report):
    """Counts to ``steps`` slowly, then appends one line to ``out``: one line per completion."""
    steps = job.payload["steps"]
    for i in range(steps):
        time.sleep(job.payload.get("step_s", 0.2))
        report(i + 1, steps)
    with Path(job.payload["out"]).open("a") as f:
        f.write(f"done by pid {os.getpid()} attempt {job.attempts}\n")
    return {"pid": os.getpid()}
