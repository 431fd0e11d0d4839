"""Which function runs a job of each kind.

Any installed app may contribute job kinds by adding a ``jobs.py`` module with::

    from jobs.registry import job

    @job("media.finalise_clip")
    def finalise(job, report):   # job: jobs.models.Job; report(done, total) -> None
        ...
        return {"clip": 12}      # stored as job.result (JSON-able or None)

``discover()`` imports ``<app>.jobs`` of every installed app, so the runner knows every
kind without this module naming the features.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Report = Callable[[int, int], None]
JobFn = Callable[[Any, Report], Any]
JOBS: dict[str, JobFn] = {}
_discovered = False


def job(kind: str) -> Callable[[JobFn], JobFn]:
    """Register ``fn(job, report)`` as the runner of jobs of ``kind``."""

    def wrap(fn: JobFn) -> JobFn:
        existing = JOBS.get(kind)
        if existing is not None and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"job kind {kind!r} registered twice")
        JOBS[kind] = fn
        return fn

    return wrap


def discover() -> None:
    """Import ``<app>.jobs`` of every installed app (once)."""
    global _discovered
    if _discovered:
        return
    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.jobs"
        if config.name == "jobs":
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            importlib.import_module(name)
    _discovered = True


def runner_for(kind: str) -> JobFn | None:
    discover()
    return JOBS.get(kind)


# -- periodic housekeeping ----------------------------------------------------------------
@dataclass
class Periodic:
    name: str
    fn: Callable[[], Any]
    every_s: float
    last: float = float("-inf")


PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, every_s: float, fn: Callable[[], Any]) -> None:
    """Register ``fn()`` to run every ``every_s`` seconds in each job worker.

    Called from an ``AppConfig.ready()``; registering one name with two functions is a
    bug and raises. The functions must be safe to run in several workers at once.
    """
    existing = PERIODIC.get(name)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"periodic task {name!r} registered twice")
    PERIODIC[name] = Periodic(name, fn, every_s)


def run_due_periodic(now_s: float) -> list[str]:
    """Run the periodic tasks due at monotonic time ``now_s``; the names that ran."""
    ran = []
    for task in PERIODIC.values():
        if now_s - task.last < task.every_s:
            continue
        task.last = now_s
        try:
            task.fn()
        except Exception:  # housekeeping must never stop the worker
            log.exception("periodic task %s failed", task.name)
        ran.append(task.name)
    return ran
