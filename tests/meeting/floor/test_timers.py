"""Time limits on the injectable clock: the warning, zero (warn only or end), restarts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from meeting.floor import services as floor
from meeting.floor import sweeper
from meeting.floor.models import Speech
from meeting.floor.services.timers import next_due
from realtime.models import SittingEvent

pytestmark = pytest.mark.django_db(transaction=True)


def types(sitting) -> list[str]:
    rows = SittingEvent.objects.filter(sitting=sitting, type__startswith="floor.")
    return [t for t in rows.order_by("seq").values_list("type", flat=True) if t != "floor.rules"]


def on_time_up(sitting, how: str) -> None:
    sitting.agenda_items.filter(state="current").update(on_time_up=how)


@pytest.fixture
def speech(sitting, group_a, fake_clock):
    return floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=group_a[1].pk)


def test_nothing_happens_before_the_warning(sitting, speech, fake_clock):
    fake_clock.advance(538.9)
    assert floor.sweep_once() == 0
    assert types(sitting) == ["floor.granted"]
    assert next_due() == pytest.approx(1.1)


def test_warning_at_one_minute_left_is_given_once(sitting, speech, fake_clock):
    fake_clock.advance(540)
    assert floor.sweep_once() == 1
    assert floor.sweep_once() == 0
    fake_clock.advance(30)
    assert floor.sweep_once() == 0
    ev = SittingEvent.objects.get(sitting=sitting, type="floor.warning")
    assert ev.payload["remaining_s"] == 60
    assert Speech.objects.get(pk=speech.pk).warned_at == fake_clock.now() - dt.timedelta(seconds=30)


def test_at_zero_warn_only_announces_time_up_and_keeps_the_floor(
    sitting, speech, fake_clock, signals_seen
):
    on_time_up(sitting, "warn")
    fake_clock.advance(540)
    floor.sweep_once()
    fake_clock.advance(60)
    assert floor.sweep_once() == 1
    fake_clock.advance(60)
    assert floor.sweep_once() == 0
    sp = Speech.objects.get(pk=speech.pk)
    assert sp.ended_at is None and sp.time_up_at is not None
    assert types(sitting) == ["floor.granted", "floor.warning", "floor.time_up"]
    assert [k for k, _ in signals_seen] == []  # granted was before the fixture listened


def test_at_zero_end_cuts_the_floor_at_its_deadline(sitting, speech, fake_clock, signals_seen):
    on_time_up(sitting, "end")
    fake_clock.advance(601.7)  # the sweeper noticed late; the stored end is the deadline
    assert floor.sweep_once() == 1
    sp = Speech.objects.get(pk=speech.pk)
    assert sp.ended_how == "time_limit"
    assert sp.ended_at == sp.started_at + dt.timedelta(seconds=600)
    assert types(sitting) == ["floor.granted", "floor.released"]
    [(kind, kw)] = signals_seen
    assert kind == "released" and kw["ended_at"] == sp.ended_at and kw["ended_how"] == "time_limit"


def test_extension_moves_the_deadline_and_allows_a_new_warning(sitting, speech, fake_clock):
    on_time_up(sitting, "end")
    fake_clock.advance(545)
    floor.sweep_once()
    floor.extend(sitting.pk, speech.pk, 120, role="chair")
    assert Speech.objects.get(pk=speech.pk).warned_at is None
    fake_clock.advance(60)  # past the old deadline, inside the new one
    assert floor.sweep_once() == 0
    assert Speech.objects.get(pk=speech.pk).ended_at is None
    fake_clock.advance(60)  # one minute left of the extended time
    assert floor.sweep_once() == 1
    fake_clock.advance(60)
    assert floor.sweep_once() == 1
    sp = Speech.objects.get(pk=speech.pk)
    assert sp.ended_how == "time_limit"
    assert sp.ended_at == sp.started_at + dt.timedelta(seconds=720)
    assert types(sitting) == [
        "floor.granted",
        "floor.warning",
        "floor.extended",
        "floor.warning",
        "floor.released",
    ]


def test_restart_with_a_floor_open_loses_nothing(sitting, speech, fake_clock):
    """The server is down across the deadline: the floor is in the database, and the
    first sweep after the start cuts it at its deadline (end) exactly once."""
    on_time_up(sitting, "end")
    state = floor.floor_state(sitting.pk)
    assert [f["id"] for f in state["floors"]] == [speech.pk]
    fake_clock.advance(3600)  # an hour later, a fresh process starts
    assert floor.sweep_once() == 1
    sp = Speech.objects.get(pk=speech.pk)
    assert sp.ended_at == speech.deadline and sp.ended_how == "time_limit"
    assert floor.floor_state(sitting.pk)["floors"] == []


def test_a_short_speech_gives_no_warning_before_zero(sitting, group_a, fake_clock):
    floor.set_rules(sitting.pk, role="chair", point_of_order_limit_s=30, max_floors=2)
    floor.request(sitting.pk, group_a[2], "point_of_order")
    sp = floor.grant(sitting.pk, role="chair", by_user_id=None)
    assert sp.limit_s == 30
    fake_clock.advance(10)
    assert floor.sweep_once() == 0
    fake_clock.advance(20)
    assert floor.sweep_once() == 1
    assert types(sitting)[-1] == "floor.time_up"


def test_the_chairs_floor_never_times_out(sitting, group_a, fake_clock):
    floor.take(sitting.pk, group_a[0], role="chair", by_user_id=None)
    fake_clock.advance(10_000)
    assert floor.sweep_once() == 0
    assert next_due() is None


def test_concurrent_sweepers_act_exactly_once(sitting, speech, fake_clock):
    """Four sweepers at the same moment (as four processes would) end the floor once.

    Like ``sweeper.run_forever``, a sweeper whose database is busy tries again (SQLite's
    shared test database answers "locked" instead of waiting); the retry must find
    nothing left to do.
    """
    on_time_up(sitting, "end")
    fake_clock.advance(600)
    done: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        from django.db import OperationalError, connection

        try:
            for _ in range(200):
                try:
                    done.append(floor.sweep_once())
                    return
                except OperationalError:
                    threading.Event().wait(0.01)
            errors.append(TimeoutError("database stayed locked"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sum(done) == 1
    assert types(sitting) == ["floor.granted", "floor.released"]


def test_the_sweeper_thread_acts_without_being_called(sitting, speech, fake_clock):
    from core.signals import floor_released

    on_time_up(sitting, "end")
    fake_clock.advance(601)
    released = threading.Event()

    def on_released(sender, **kw):
        released.set()

    floor_released.connect(on_released, weak=False)
    stop = threading.Event()
    thread = threading.Thread(target=sweeper.run_forever, args=(stop, 0.05))
    thread.start()
    try:
        assert released.wait(30), "the sweeper thread did not cut the floor"
    finally:
        stop.set()
        thread.join(10)
        floor_released.disconnect(on_released)
    assert Speech.objects.get(pk=speech.pk).ended_how == "time_limit"


def test_ensure_running_starts_one_thread(settings):
    try:
        assert sweeper.ensure_running() is None  # never behind a test's back
        first = sweeper.ensure_running(force=True)
        assert first.is_alive() and sweeper.ensure_running(force=True) is first
    finally:
        sweeper.stop()
    assert not first.is_alive()
