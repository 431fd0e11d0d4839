"""Speech summaries (发言要点), briefs (简报) and leave of absence (请假).

A **Summary** is staff's written points of one speech of the speaking log, with
time-coded quotes (seconds into the speech's clip). Every save is a new
**SummaryVersion**: nothing written is ever overwritten. A **Brief** is compiled per
group sitting, or per agenda item across the group sittings of a session; it moves
draft → checked (by a second staff member, never its compiler) → released, when it
becomes a document of the session. What was checked is frozen in ``content`` and is
exactly what is released.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Member, Session, Sitting


class Summary(models.Model):
    """The current points of one speech; ``version`` counts its saved versions."""

    speech = models.OneToOneField("floor.Speech", on_delete=models.CASCADE, related_name="summary")
    text = models.TextField(blank=True, default="")
    quotes = models.JSONField(default=list, blank=True, help_text="[{at: seconds, text}]")
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"summary of speech {self.speech_id} v{self.version}"


class SummaryVersion(models.Model):
    """One saved state of a summary (autosave writes one per change)."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, default="")
    quotes = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["summary", "number"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "number"], name="brief_summary_version_once")
        ]


class Brief(models.Model):
    """简报 第N期 of a session: one group sitting, or one agenda item across the groups."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        CHECKED = "checked", _("checked")
        RELEASED = "released", _("released")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="briefs")
    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, null=True, blank=True, related_name="briefs"
    )
    item_order = models.PositiveIntegerField(
        null=True, blank=True, help_text="Per-item brief: the item's order in every group sitting."
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    compiled_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    access = models.CharField(max_length=12, blank=True, default="")
    content = models.JSONField(null=True, blank=True, help_text="Frozen at the check.")
    document = models.ForeignKey(
        "docs_store.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="brief_number_once"),
            models.CheckConstraint(
                condition=(Q(sitting__isnull=False) & Q(item_order__isnull=True))
                | (Q(sitting__isnull=True) & Q(item_order__isnull=False)),
                name="brief_sitting_xor_item",
            ),
            models.CheckConstraint(
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=F("compiled_by")),
                name="brief_checker_not_compiler",
            ),
            models.CheckConstraint(
                condition=~Q(state="released") | Q(checked_by__isnull=False),
                name="brief_released_was_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"简报 第{self.number}期 · {self.title}"


class Leave(models.Model):
    """A member's leave of absence (请假) from a sitting, with the reason given."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="leaves")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="leaves")
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sitting", "member"], name="brief_leave_once")
        ]
