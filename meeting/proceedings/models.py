"""Proceedings: minutes runs (the audit trail's rows are ``core.models.AuditEntry``).

Minutes (会议纪要) are generated in the background; a ``MinutesRun`` row is the progress the console shows and the place
the finished files are found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Session


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


class PasswordChangeRequired(models.Model):
    """A login that must choose its own password before it opens any page (强制修改密码).

    Set when a roster import creates a login with an initial password from the file and
    when the clerk resets a password to a one-time code (``meeting.proceedings.accounts``);
    the password someone else chose is spent at the login's first page, and the row goes
    when the login sets its own on ``password_change``. The demo's logins have none.
    """

    class Reason(models.TextChoices):
        IMPORTED = "imported", _("initial password from the roster file")
        RESET = "reset", _("one-time code from the clerk")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    since = models.DateTimeField(default=timezone.now)
    spent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the given password was used and made unusable.")
    )

    class Meta:
        verbose_name = _("password change required")
        verbose_name_plural = _("password changes required")

    def __str__(self) -> str:
        return f"{self.user_id} must change the password ({self.reason})"
