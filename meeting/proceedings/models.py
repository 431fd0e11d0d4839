"""Proceedings: the audit trail of the clerk's and chair's actions, and minutes runs.

The audit trail (操作日志) is append-only: a row says who did what, when, in which
session and sitting, with the command's data as sent. Minutes (会议纪要) are generated
in the background; a ``MinutesRun`` row is the progress the console shows and the place
the finished files are found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meeting.models import Session, Sitting


class AuditEntry(models.Model):
    """One action of a clerk or chair (or a preparation step on the web pages)."""

    class Source(models.TextChoices):
        SOCKET = "socket", _("live console")
        WEB = "web", _("preparation pages")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor = models.CharField(_("who"), max_length=150, help_text=_("Name at the time."))
    role = models.CharField(_("role"), max_length=20)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SOCKET)
    summary = models.CharField(_("what"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["session", "at"], name="audit_session_at"),
            models.Index(fields=["sitting", "at"], name="audit_sitting_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"


class MinutesRun(models.Model):
    """One generation of a session's minutes: progress while running, files when done."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="minutes_runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    stage = models.CharField(max_length=100, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf_path = models.CharField(max_length=300, blank=True, help_text=_("Under DATA_DIR."))
    json_path = models.CharField(max_length=300, blank=True, help_text=_("Under DATA_DIR."))
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("minutes run")
        verbose_name_plural = _("minutes runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.session} minutes ({self.state})"

    def as_dict(self) -> dict:
        """Progress as the console polls it; a job that gave up makes the run failed."""
        state, error = self.state, self.error
        if self.job is not None and self.job.state == "failed" and state != self.State.DONE:
            state, error = self.State.FAILED, self.job.as_dict()["error"]
        return {
            "id": self.pk,
            "session": self.session_id,
            "state": state,
            "progress": self.progress,
            "stage": self.stage,
            "error": error,
            "has_pdf": bool(self.pdf_path),
            "has_json": bool(self.json_path),
        }
