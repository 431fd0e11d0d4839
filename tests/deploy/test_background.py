"""deploy/background.py: the in-process workers are named, and one that fails stops the start."""

from __future__ import annotations

import threading

import pytest
from django.test import override_settings

from deploy import background


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(background, "_started", threading.Event())
    started: list[str] = []
    import jobs.runner
    import media.recovery
    import meeting.floor.sweeper

    for module, name in (
        (jobs.runner, "start_in_process"),
        (meeting.floor.sweeper, "ensure_running"),
        (media.recovery, "recover_on_start"),
    ):
        monkeypatch.setattr(module, name, lambda name=name: started.append(name))
    return started


@override_settings(START_BACKGROUND=True, INPROCESS_WORKERS=True)
def test_every_worker_is_started_in_order(fresh):
    background.start_background()
    assert fresh == ["start_in_process", "ensure_running", "recover_on_start"]


@override_settings(START_BACKGROUND=True, INPROCESS_WORKERS=True)
def test_a_worker_that_fails_to_start_fails_the_start(fresh, monkeypatch):
    import meeting.floor.sweeper

    def broken():
        raise OSError("can't start new thread")

    monkeypatch.setattr(meeting.floor.sweeper, "ensure_running", broken)
    with pytest.raises(RuntimeError, match=r"could not start .*broken: can.t start new thread"):
        background.start_background()


@override_settings(START_BACKGROUND=True, INPROCESS_WORKERS=False)
def test_separate_worker_processes_start_nothing_here(fresh):
    background.start_background()
    assert fresh == []


@override_settings(START_BACKGROUND=True, INPROCESS_WORKERS=True)
def test_a_database_away_at_start_is_logged_and_the_rest_starts(fresh, monkeypatch, caplog):
    from django.db import OperationalError

    import media.recovery

    def no_table():
        raise OperationalError("no such table: media_recording")

    monkeypatch.setattr(media.recovery, "recover_on_start", no_table)
    background.start_background()
    assert fresh == ["start_in_process", "ensure_running"]
    assert "database unavailable at start" in caplog.text
