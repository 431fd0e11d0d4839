"""Pruning what only grows: old command receipts, presence rows of dead processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import registry
from realtime import housekeeping
from realtime.models import CommandReceipt, Connection

pytestmark = pytest.mark.django_db


def _receipt(user, key: str, age: timedelta) -> CommandReceipt:
    row = CommandReceipt.objects.create(user=user, key=key, command="ping", response={"ok": True})
    CommandReceipt.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


def _connection(committee, name: str, age: timedelta) -> Connection:
    return Connection.objects.create(
        channel_name=name,
        sitting=committee.plenary,
        user=committee.clerk.user,
        role="clerk",
        server="gone:1",
        last_seen=timezone.now() - age,
    )


def test_prune_deletes_only_what_is_old(committee):
    user = committee.clerk.user
    _receipt(user, "old", housekeeping.RECEIPT_KEEP + timedelta(minutes=1))
    fresh = _receipt(user, "fresh", timedelta(minutes=5))
    _connection(committee, "dead", housekeeping.CONNECTION_KEEP + timedelta(minutes=1))
    live = _connection(committee, "live", timedelta(seconds=10))
    assert housekeeping.prune() == {"receipts": 1, "connections": 1}
    assert list(CommandReceipt.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert list(Connection.objects.values_list("pk", flat=True)) == [live.pk]
    assert housekeeping.prune() == {"receipts": 0, "connections": 0}


def test_the_worker_runs_the_prune_periodically(committee, monkeypatch):
    task = registry.PERIODIC["realtime.prune"]  # registered by RealtimeConfig.ready()
    assert task.fn is housekeeping.prune and task.every_s == housekeeping.EVERY_S
    calls = []
    monkeypatch.setattr(task, "fn", lambda: calls.append(1))
    monkeypatch.setattr(task, "last", float("-inf"))
    assert "realtime.prune" in registry.run_due_periodic(1000.0)
    assert "realtime.prune" not in registry.run_due_periodic(1000.0 + housekeeping.EVERY_S - 1)
    assert "realtime.prune" in registry.run_due_periodic(1000.0 + housekeeping.EVERY_S)
    assert calls == [1, 1]


def test_a_failing_periodic_task_does_not_stop_the_worker(monkeypatch):
    monkeypatch.setattr(registry, "PERIODIC", {})

    def boom():
        raise RuntimeError("disk gone")

    registry.periodic("test.boom", 1.0, boom)
    assert registry.run_due_periodic(5.0) == ["test.boom"]
    with pytest.raises(ValueError, match="registered twice"):
        registry.periodic("test.boom", 1.0, lambda: None)
