"""The injectable clock: system time by default, a fake one that moves only when told."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from core import clock


def test_default_clock_is_server_time_and_aware():
    before = timezone.now()
    now = clock.now()
    assert now.tzinfo is not None
    assert before <= now <= timezone.now()


def test_fake_clock_moves_only_when_told():
    fake = clock.FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    with clock.use(fake):
        first = clock.now()
        assert clock.now() == first
        fake.advance(600)
        assert clock.now() - first == dt.timedelta(minutes=10)
        fake.advance(minutes=1, seconds=0.5)
        assert clock.now() - first == dt.timedelta(minutes=11, seconds=0.5)
    assert isinstance(clock.current(), clock.SystemClock)


def test_use_restores_the_previous_clock_even_on_error():
    fake = clock.FakeClock()
    with pytest.raises(RuntimeError), clock.use(fake):
        raise RuntimeError("boom")
    assert clock.current() is not fake


def test_fake_clock_refuses_a_naive_start():
    with pytest.raises(ValueError):
        clock.FakeClock(dt.datetime(2026, 11, 24, 9, 0))


def test_fake_clock_is_safe_across_threads():
    fake = clock.FakeClock()
    start = fake.now()
    threads = [
        threading.Thread(target=lambda: [fake.advance(1) for _ in range(100)]) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake.now() - start == dt.timedelta(seconds=400)


def test_domain_services_take_their_time_from_the_clock():
    """Voting, attendance, the floor, briefs: time is ``core.clock.now()`` (fakeable)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "meeting"
    offenders = []
    for path in sorted(root.rglob("services/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "now"
                and getattr(node.func.value, "id", None) in ("timezone", "datetime", "dt")
            ):
                offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert offenders == []
