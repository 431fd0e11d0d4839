"""The one clock the committee's rules read time from (会议时钟).

Every stored time of the floor (when a speech started, when it ended, when a warning
was given) comes from ``clock.now()``. Production uses the system's time; tests swap
in a ``FakeClock`` with ``use(...)`` so a ten-minute speaking limit runs out in a
microsecond, deterministically, without sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.utils import timezone


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Server time (aware, UTC)."""

    def now(self) -> datetime:
        return timezone.now()


class FakeClock:
    """A clock that moves only when told to; safe to read from several threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
        self._lock = threading.Lock()
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds, **delta)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


_current: Clock = SystemClock()


def now() -> datetime:
    """The current time by the committee's clock."""
    return _current.now()


def current() -> Clock:
    return _current


def install(clock: Clock) -> Clock:
    """Replace the clock for the whole process; returns the previous one."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Run a block with ``clock`` as the process's clock, then put the old one back."""
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)
