"""Background job queue: the API other features use.

API note (for media/, meeting/proceedings/ and the rest)::

    # myapp/jobs.py — discovered automatically for every installed app
    from jobs.registry import job

    @job("myapp.do_thing")
    def do_thing(job, report):            # job.payload is the dict you enqueued
        for i, part in enumerate(parts):
            ...; report(i + 1, len(parts))  # progress, also renews the lease
        return {"ok": True}               # JSON-able; stored as job.result

    # anywhere, usually inside the service's transaction.atomic
    from jobs.services import enqueue
    j = enqueue("myapp.do_thing", {"id": 12}, key="myapp.do_thing:12", priority=10)

- ``key`` dedupes: enqueueing an existing key returns that job (queued, running or
  finished) and never queues it twice. Without a key every call adds a job.
- Lower ``priority`` runs first (default 100). A raised exception retries the job with
  back-off until ``max_attempts`` (default 3), then it is ``failed`` with the traceback
  in ``error``. A worker that dies mid-job loses its lease; after ``lease_s`` the job is
  claimed again, so job functions must be safe to run again (idempotent on their
  output, e.g. skip pages already rendered).
- The job runs after the enqueueing transaction commits (the worker only sees
  committed rows); in-process workers are woken at commit.
- Workers: ``jobs.runner.start_in_process()`` (a thread, embedded mode) or
  ``python manage.py worker`` (production). Tests call ``jobs.runner.run_once()`` or
  ``run_until_idle()``.
- Finished jobs are pruned (``prune_finished``): ``done`` jobs once they are
  ``settings.JOB_RETENTION_DAYS`` old (``YITING_JOB_RETENTION_DAYS``, default 30; 0
  keeps them all), ``failed`` jobs only after they were retried and done. A kind whose
  finished row *is* the record of what it made (the term book's download is found by
  its job) calls ``keep_finished(kind)`` once at import, in its ``jobs.py``: its rows
  are never pruned. Once a job is pruned its ``key`` is free, so enqueueing that key
  again runs the job again (job functions are idempotent).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs import registry
from jobs.models import Job

WAKE = threading.Event()  # set when new work is committed; in-process workers wait on it


def _wake() -> None:
    WAKE.set()


def enqueue(
    kind: str,
    payload: dict | None = None,
    *,
    key: str | None = None,
    priority: int = 100,
    max_attempts: int = 3,
) -> Job:
    """Queue a job of ``kind``; with ``key``, return the existing job of that key instead."""
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                payload=payload or {},
                key=key,
                priority=priority,
                max_attempts=max_attempts,
            )
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)  # a concurrent enqueue of the same key won
    transaction.on_commit(_wake)
    return job


def progress(job_id: int, done: int, total: int, *, lease_s: float | None = None) -> None:
    """Record how far a running job is (and renew its lease when ``lease_s`` is given)."""
    fields: dict = {"progress_done": done, "progress_total": total}
    if lease_s is not None:
        fields["lease_until"] = timezone.now() + timezone.timedelta(seconds=lease_s)
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(**fields)


def retry(job_id: int) -> bool:
    """Put a failed job back in the queue (a clerk's "try again"); False if it was not failed."""
    changed = Job.objects.filter(pk=job_id, state=Job.State.FAILED).update(
        state=Job.State.QUEUED, attempts=0, error="", run_after=timezone.now()
    )
    if changed:
        transaction.on_commit(_wake)
    return bool(changed)


# -- pruning ------------------------------------------------------------------------------

PRUNE_BATCH = 500  # rows per DELETE: short transactions, never a table-long lock
PRUNE_MAX_BATCHES = 20  # per housekeeping pass; the next pass takes the rest
KEPT_KINDS: set[str] = set()


def keep_finished(kind: str) -> None:
    """Never prune finished jobs of ``kind``: their row is the record of what they made."""
    KEPT_KINDS.add(kind)


def prunable(now: datetime | None = None, *, days: float | None = None):
    """Done jobs finished more than ``days`` ago (``JOB_RETENTION_DAYS``), kept kinds aside.

    Failed jobs are never in it: a failed row is what the admin's "retry" acts on, and
    what tells the console that a minutes run gave up (proceedings' ``MinutesRun`` reads
    its job's state); they are few. Retried, a job is queued again and, once done,
    ages like any other.
    """
    registry.discover()  # the kinds' jobs.py modules declare which kinds are kept
    days = settings.JOB_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return Job.objects.filter(state=Job.State.DONE, finished_at__lt=cutoff).exclude(
        kind__in=KEPT_KINDS
    )


def prune_finished(
    now: datetime | None = None,
    *,
    days: float | None = None,
    batch: int = PRUNE_BATCH,
    max_batches: int | None = PRUNE_MAX_BATCHES,
) -> int:
    """Delete done jobs past the retention window, ``batch`` rows at a time; how many.

    Each batch is its own short statement (ids first, then ``DELETE … WHERE id IN``),
    so a worker pruning a large backlog never holds the table for long; ``max_batches``
    bounds one pass (None: until none is left). A retention of 0 days or less prunes
    nothing. Safe in several workers at once: they only delete the same rows.
    """
    days = settings.JOB_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    deleted, batches = 0, 0
    while max_batches is None or batches < max_batches:
        ids = list(prunable(now, days=days).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        deleted += Job.objects.filter(pk__in=ids, state=Job.State.DONE).delete()[0]
        batches += 1
    return deleted
