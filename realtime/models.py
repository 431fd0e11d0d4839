"""What the real-time layer keeps in the database: events, command receipts, presence."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SittingEvent(models.Model):
    """One event of a sitting, numbered without gaps (``seq`` 1, 2, 3 …).

    Reconnecting tablets replay these from the last ``seq`` they saw, so the table is
    the sitting's journal. ``payload`` is the event's body exactly as sent.
    """

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sitting", "seq"], name="event_unique_seq"),
        ]
        indexes = [
            models.Index(fields=["sitting", "seq"], name="event_sitting_seq"),
            # /metrics counts the last minute's events (realtime.metrics.events_per_second).
            models.Index(fields=["created_at"], name="event_created_at"),
        ]
        ordering = ["sitting", "seq"]

    def __str__(self) -> str:
        return f"{self.sitting_id}#{self.seq} {self.type}"


class CommandReceipt(models.Model):
    """The first answer to a command carrying an idempotency key; a repeat gets it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    command = models.CharField(max_length=60)
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="receipt_unique_key"),
        ]
        # realtime/housekeeping.py prunes by age
        indexes = [models.Index(fields=["created_at"], name="receipt_created_at")]


class Connection(models.Model):
    """An open WebSocket of a tablet, console or display (presence, shared across processes)."""

    channel_name = models.CharField(max_length=200, unique=True)
    sitting = models.ForeignKey(
        "meeting.Sitting", on_delete=models.CASCADE, related_name="connections"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "meeting.Member", on_delete=models.CASCADE, null=True, related_name="+"
    )
    role = models.CharField(max_length=20)
    server = models.CharField(max_length=80, help_text="Process that holds the socket.")
    # the page's window.isSecureContext at connect: false on plain HTTP at a LAN address,
    # where the tablet has no camera and no offline reading (the console counts them)
    secure = models.BooleanField(default=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["sitting", "role"], name="conn_sitting_role"),
            models.Index(fields=["last_seen"], name="conn_last_seen"),  # pruning
        ]
