"""The job table: background work (page rendering, clip finalisation, minutes) kept in the DB.

A job survives a restart because the row is the job. A worker claims it with a lease
(owner + expiry); a worker that dies lets the lease expire and another worker takes
the job over. A job that reached ``done`` is never claimed again.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Job(models.Model):
    """One unit of background work of a registered ``kind`` (see jobs.registry)."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    key = models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text="Dedupe key: enqueueing the same key again returns this job.",
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    priority = models.IntegerField(default=100, help_text="Lower runs first.")
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=120, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    run_after = models.DateTimeField(default=timezone.now)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "id"]
        indexes = [models.Index(fields=["state", "priority", "run_after"], name="job_claim_idx")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def as_dict(self) -> dict:
        """What a console shows about a job's progress."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "state": self.state,
            "done": self.progress_done,
            "total": self.progress_total,
            "attempts": self.attempts,
            "error": self.error.splitlines()[-1] if self.error else "",
        }
