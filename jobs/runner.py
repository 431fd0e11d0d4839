"""Claiming and running jobs with a lease, so a crashed worker's job is taken over.

Claim: a job is claimable when it is ``queued`` and due, or ``running`` with an expired
lease (its worker died). On PostgreSQL the candidate row is locked with
``SELECT … FOR UPDATE SKIP LOCKED`` so workers never wait on each other; on SQLite
(one writer at a time) an atomic conditional ``UPDATE`` decides who won. Every later
write of the worker is conditional on still holding the lease, so a worker that lost
its lease cannot overwrite the new owner's outcome, and a ``done`` job is never
claimed again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs import registry
from jobs.models import Job
from jobs.services import WAKE, prune_finished

log = logging.getLogger(__name__)

LEASE_S = 30.0  # a dead worker's job is retaken after this long
POLL_S = 0.5  # how often an idle worker looks for work without being woken
BACKOFF_S = (2.0, 10.0, 60.0)
PRUNE_EVERY_S = 3600.0  # done jobs past YITING_JOB_RETENTION_DAYS go (jobs/services.py)


def prune() -> int:
    """The worker's housekeeping pass over the job table itself (bounded per pass)."""
    deleted = prune_finished()
    if deleted:
        log.info("pruned %s finished job(s) past the retention window", deleted)
    return deleted


# Here rather than in an AppConfig: every process that runs jobs imports this module,
# and the table it prunes is the one this module works on.
registry.periodic("jobs.prune", PRUNE_EVERY_S, prune)


def worker_name() -> str:
    """A lease owner unique to this process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claimable(now) -> Q:
    due = Q(state=Job.State.QUEUED, run_after__lte=now)
    orphaned = Q(state=Job.State.RUNNING, lease_until__lt=now)
    return due | orphaned


def _fail_exhausted(now) -> None:
    """Orphaned jobs that used all their attempts fail instead of running again."""
    exhausted = Job.objects.filter(
        state=Job.State.RUNNING, lease_until__lt=now, attempts__gte=F("max_attempts")
    )
    if not exhausted.exists():  # a read: an idle worker takes no write lock every poll
        return
    exhausted.update(
        state=Job.State.FAILED,
        finished_at=now,
        lease_owner="",
        error="The worker running this job stopped on every attempt.",
    )


def claim(owner: str, *, lease_s: float = LEASE_S, kinds: list[str] | None = None) -> Job | None:
    """Take the next due job under a lease for ``owner``; None if there is none."""
    now = timezone.now()
    _fail_exhausted(now)
    lease = {
        "state": Job.State.RUNNING,
        "lease_owner": owner,
        "lease_until": now + timedelta(seconds=lease_s),
        "attempts": F("attempts") + 1,
        "started_at": now,
    }
    qs = Job.objects.filter(_claimable(now))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            job = qs.select_for_update(skip_locked=True).order_by("priority", "id").first()
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(**lease)
    else:
        for job_id in qs.order_by("priority", "id").values_list("pk", flat=True)[:5]:
            if Job.objects.filter(_claimable(now), pk=job_id).update(**lease):
                break
        else:
            return None
        job = Job(pk=job_id)
    job.refresh_from_db()
    return job


class _Heartbeat(threading.Thread):
    """Renews the lease while a long job runs, so only a dead worker loses it."""

    def __init__(self, job_id: int, owner: str, lease_s: float) -> None:
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id, self.owner, self.lease_s = job_id, owner, lease_s
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(self.lease_s / 3):
                until = timezone.now() + timedelta(seconds=self.lease_s)
                Job.objects.filter(
                    pk=self.job_id, lease_owner=self.owner, state=Job.State.RUNNING
                ).update(lease_until=until)
        except Exception:
            log.exception("lease heartbeat of job %s failed", self.job_id)
        finally:
            connection.close()


def _mine(job: Job, owner: str):
    return Job.objects.filter(pk=job.pk, lease_owner=owner, state=Job.State.RUNNING)


def execute(job: Job, owner: str, *, lease_s: float = LEASE_S) -> str:
    """Run a claimed job to its outcome; returns the state it ended in."""
    fn = registry.runner_for(job.kind)
    now = timezone.now
    if fn is None:
        _mine(job, owner).update(
            state=Job.State.FAILED,
            finished_at=now(),
            error=f"No job function is registered for kind {job.kind!r}.",
        )
        return Job.State.FAILED

    def report(done: int, total: int) -> None:
        until = now() + timedelta(seconds=lease_s)
        _mine(job, owner).update(progress_done=done, progress_total=total, lease_until=until)

    beat = _Heartbeat(job.pk, owner, lease_s)
    beat.start()
    try:
        result = fn(job, report)
    except Exception:
        error = traceback.format_exc()
        log.warning("job %s failed (attempt %s): %s", job, job.attempts, error.splitlines()[-1])
        if job.attempts >= job.max_attempts:
            _mine(job, owner).update(state=Job.State.FAILED, finished_at=now(), error=error)
            return Job.State.FAILED
        delay = BACKOFF_S[min(job.attempts, len(BACKOFF_S)) - 1]
        _mine(job, owner).update(
            state=Job.State.QUEUED,
            lease_owner="",
            lease_until=None,
            run_after=now() + timedelta(seconds=delay),
            error=error,
        )
        return Job.State.QUEUED
    finally:
        beat.stop.set()
        beat.join()
    _mine(job, owner).update(
        state=Job.State.DONE, finished_at=now(), result=result, lease_until=None, error=""
    )
    return Job.State.DONE


def run_once(owner: str | None = None, *, lease_s: float = LEASE_S) -> Job | None:
    """Claim and run one job; returns it (refreshed) or None when nothing was due."""
    owner = owner or worker_name()
    job = claim(owner, lease_s=lease_s)
    if job is None:
        return None
    execute(job, owner, lease_s=lease_s)
    job.refresh_from_db()
    return job


def run_until_idle(limit: int = 1000, *, lease_s: float = LEASE_S) -> int:
    """Run due jobs until none is left (tests, the demo); returns how many ran."""
    owner = worker_name()
    count = 0
    while count < limit and run_once(owner, lease_s=lease_s) is not None:
        count += 1
    return count


def run_forever(
    stop_event: threading.Event, *, poll_s: float = POLL_S, lease_s: float = LEASE_S
) -> None:
    """The worker loop: run jobs while there are any, otherwise wait to be woken."""
    owner = worker_name()
    log.info("job worker %s started", owner)
    while not stop_event.is_set():
        try:
            close_old_connections()
            registry.run_due_periodic(time.monotonic())  # jobs.prune, realtime.prune
            ran = run_once(owner, lease_s=lease_s)
        except Exception:  # the database went away: wait and try again, never die
            log.exception("job worker %s: claim failed", owner)
            ran = None
            stop_event.wait(poll_s * 4)
        if ran is None:
            WAKE.wait(poll_s)
            WAKE.clear()
    connection.close()
    log.info("job worker %s stopped", owner)


_thread: threading.Thread | None = None
_stop = threading.Event()


def start_in_process(*, force: bool = False) -> threading.Thread | None:
    """Start one daemon worker thread in this process (embedded mode); idempotent.

    Not when ``settings.START_BACKGROUND`` is false (unless ``force``): the test settings,
    where the ASGI app is imported only to drive test sockets, tests run jobs explicitly
    (``run_until_idle``) so they are deterministic, and a stray thread would race each
    test's own transaction. Server processes that tests start run workers as usual.
    """
    global _thread
    if not settings.START_BACKGROUND and not force:
        log.info("job worker thread not started (START_BACKGROUND is false)")
        return None
    if _thread is not None and _thread.is_alive():
        return _thread
    _stop.clear()
    _thread = threading.Thread(target=run_forever, args=(_stop,), daemon=True, name="jobs-worker")
    _thread.start()
    return _thread


def stop_in_process(timeout: float = 10.0) -> None:
    """Stop the in-process worker after its current job (tests, shutdown)."""
    global _thread
    _stop.set()
    WAKE.set()
    if _thread is not None:
        _thread.join(timeout)
    _thread = None
