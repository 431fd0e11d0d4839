"""The two writes around a negotiation try again when SQLite says its table is locked."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from media.services import publishing


def test_a_locked_table_is_retried_and_then_the_write_goes_through(monkeypatch):
    monkeypatch.setattr(publishing, "LOCK_BACKOFF_S", 0)
    calls = []

    @publishing._retry_locked
    def write():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database table is locked")
        return "written"

    assert write() == "written" and len(calls) == 3


def test_other_errors_and_a_lasting_lock_are_raised(monkeypatch):
    monkeypatch.setattr(publishing, "LOCK_BACKOFF_S", 0)

    @publishing._retry_locked
    def broken():
        raise OperationalError("no such table: media_publisher")

    with pytest.raises(OperationalError, match="no such table"):
        broken()
    calls = []

    @publishing._retry_locked
    def locked():
        calls.append(1)
        raise OperationalError("database table is locked")

    with pytest.raises(OperationalError, match="locked"):
        locked()
    assert len(calls) == publishing.LOCK_RETRIES
