"""enqueue / progress / retry: the queue's public API."""

from __future__ import annotations

import pytest

from jobs.models import Job
from jobs.services import enqueue, progress, retry
from tests.jobs import kinds  # noqa: F401  (registers the test kinds)

pytestmark = pytest.mark.django_db


def test_enqueue_stores_a_queued_job():
    job = enqueue("test.echo", {"a": 1})
    job.refresh_from_db()
    assert (job.kind, job.payload, job.state, job.attempts) == ("test.echo", {"a": 1}, "queued", 0)


def test_same_key_returns_the_existing_job_and_queues_nothing_new():
    first = enqueue("test.echo", {"a": 1}, key="k1")
    again = enqueue("test.echo", {"a": 2}, key="k1")
    assert again.pk == first.pk
    assert Job.objects.filter(key="k1").count() == 1
    assert Job.objects.get(pk=first.pk).payload == {"a": 1}  # the repeat changed nothing


def test_a_finished_job_is_not_queued_again_by_its_key():
    first = enqueue("test.echo", {}, key="once")
    Job.objects.filter(pk=first.pk).update(state=Job.State.DONE)
    assert enqueue("test.echo", {}, key="once").state == Job.State.DONE
    assert Job.objects.count() == 1


def test_without_key_every_call_adds_a_job():
    enqueue("test.echo", {})
    enqueue("test.echo", {})
    assert Job.objects.count() == 2


def test_progress_only_moves_running_jobs():
    job = enqueue("test.echo", {})
    progress(job.pk, 3, 10)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (0, 0)  # still queued: ignored
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    progress(job.pk, 3, 10)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (3, 10)


def test_retry_requeues_only_failed_jobs():
    job = enqueue("test.echo", {})
    assert retry(job.pk) is False
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, attempts=3, error="boom")
    assert retry(job.pk) is True
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("queued", 0, "")
