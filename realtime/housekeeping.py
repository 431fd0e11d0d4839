"""Pruning what would otherwise only grow: command receipts and stale presence rows.

- ``CommandReceipt``: the first answer to a keyed command, kept so a resend after a
  dropped connection gets it again. A tablet resends within seconds or minutes of a
  reconnect; nothing resends a day later (a sitting day is 14 hours, the session cookie
  lasts as long), so receipts older than ``RECEIPT_KEEP`` are deleted.
- ``Connection``: one row per open socket. A clean close deletes its row; a process that
  died leaves its rows behind, ignored after ``presence.STALE_AFTER`` and deleted here
  after ``CONNECTION_KEEP``.

The job worker runs ``prune`` every ``EVERY_S`` seconds (``jobs.runner.run_forever``);
several workers pruning at once only delete the same rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from realtime.models import CommandReceipt, Connection

RECEIPT_KEEP = timedelta(days=2)
CONNECTION_KEEP = timedelta(hours=1)
EVERY_S = 600.0


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete old receipts and long-stale presence rows; how many of each."""
    now = now or timezone.now()
    receipts = CommandReceipt.objects.filter(created_at__lt=now - RECEIPT_KEEP).delete()[0]
    connections = Connection.objects.filter(last_seen__lt=now - CONNECTION_KEEP).delete()[0]
    return {"receipts": receipts, "connections": connections}
