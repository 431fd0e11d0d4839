"""Pruning finished jobs: done ones after the retention window, in bounded batches;
failed ones kept until retried; kinds whose row is their product kept for good."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs import registry, runner, services
from jobs.models import Job
from jobs.services import enqueue, prune_finished, retry

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def job(state: str, days_ago: float, kind: str = "test.echo", **fields) -> Job:
    j = enqueue(kind, {"days_ago": days_ago})
    Job.objects.filter(pk=j.pk).update(
        state=state, finished_at=NOW - timedelta(days=days_ago), **fields
    )
    return j


def alive(*jobs: Job) -> list[bool]:
    return [Job.objects.filter(pk=j.pk).exists() for j in jobs]


def test_done_jobs_past_the_window_go_the_rest_stay(settings):
    settings.JOB_RETENTION_DAYS = 30
    old, recent = job(Job.State.DONE, 31), job(Job.State.DONE, 29)
    failed_old = job(Job.State.FAILED, 400, error="boom")
    queued, running = enqueue("test.echo", {}), enqueue("test.echo", {})
    Job.objects.filter(pk=running.pk).update(state=Job.State.RUNNING)
    assert prune_finished(NOW) == 1
    assert alive(old, recent, failed_old, queued, running) == [False, True, True, True, True]


def test_a_failed_job_ages_like_any_other_once_retried_and_done(settings):
    settings.JOB_RETENTION_DAYS = 30
    failed = job(Job.State.FAILED, 100, error="boom")
    assert prune_finished(NOW) == 0
    assert retry(failed.pk)
    Job.objects.filter(pk=failed.pk).update(
        state=Job.State.DONE, finished_at=NOW - timedelta(days=31)
    )
    assert prune_finished(NOW) == 1 and alive(failed) == [False]


def test_deletes_go_in_bounded_batches(settings):
    settings.JOB_RETENTION_DAYS = 1
    olds = [job(Job.State.DONE, 5) for _ in range(7)]
    assert prune_finished(NOW, batch=2, max_batches=2) == 4  # one pass: at most 2 × 2
    assert sum(alive(*olds)) == 3
    assert prune_finished(NOW, batch=2, max_batches=None) == 3  # until none is left
    assert sum(alive(*olds)) == 0


def test_a_kept_kind_is_never_pruned(settings, monkeypatch):
    settings.JOB_RETENTION_DAYS = 1
    monkeypatch.setattr(services, "KEPT_KINDS", set())
    services.keep_finished("test.kept")
    kept, plain = job(Job.State.DONE, 90, kind="test.kept"), job(Job.State.DONE, 90)
    assert prune_finished(NOW) == 1
    assert alive(kept, plain) == [True, False]


def test_the_term_book_is_kept():
    """The briefs page finds the last term book's download by its job's row."""
    registry.discover()
    assert "briefs.term_book" in services.KEPT_KINDS


def test_zero_days_keeps_everything(settings):
    settings.JOB_RETENTION_DAYS = 0
    old = job(Job.State.DONE, 3650)
    assert prune_finished(NOW) == 0 and alive(old) == [True]


def test_the_worker_prunes_periodically(settings, monkeypatch):
    settings.JOB_RETENTION_DAYS = 30
    old = job(Job.State.DONE, 31)
    monkeypatch.setattr(registry.PERIODIC["jobs.prune"], "last", float("-inf"))
    assert "jobs.prune" in registry.run_due_periodic(1000.0)
    assert alive(old) == [False]
    assert registry.PERIODIC["jobs.prune"].every_s == runner.PRUNE_EVERY_S


def test_prune_jobs_command(settings):
    settings.JOB_RETENTION_DAYS = 30
    olds = [job(Job.State.DONE, 40) for _ in range(3)]
    recent = job(Job.State.DONE, 10)
    out = StringIO()
    call_command("prune_jobs", "--dry-run", stdout=out)
    assert "3 done job(s) would be pruned" in out.getvalue() and sum(alive(*olds)) == 3
    out = StringIO()
    call_command("prune_jobs", "--days", "5", stdout=out)
    assert "pruned 4 done job(s)" in out.getvalue()
    assert alive(*olds, recent) == [False, False, False, False]
