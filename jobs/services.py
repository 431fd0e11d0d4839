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
"""

from __future__ import annotations

import threading

from django.db import IntegrityError, transaction
from django.utils import timezone

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
