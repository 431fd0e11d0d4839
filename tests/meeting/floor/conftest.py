"""Floor fixtures: the injectable clock and a live group sitting with an open item."""

from __future__ import annotations

import pytest

from core import clock
from harness.actors import CLERK


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The committee fixture makes a dozen logins; hashing them slowly says nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_background_sweeper():
    """Importing the ASGI app starts this process's sweeper thread (single-process mode);
    tests sweep by hand on a fake clock, so a thread acting behind their back must stop."""
    from meeting.floor import sweeper

    sweeper.stop()
    yield
    sweeper.stop()


@pytest.fixture
def fake_clock():
    """A clock that moves only when the test says so."""
    with clock.use(clock.FakeClock()) as c:
        yield c


@pytest.fixture
def sitting(committee):
    """Group A's sitting with its first item current (10 / 8 minute limits, warn only)."""
    from meeting.services import agenda

    s = committee.group_a_sitting
    item = s.agenda_items.order_by("order").first()
    item.first_speech_limit_s, item.second_speech_limit_s = 600, 480
    item.save()
    agenda.open_item(s.pk, item.pk, actor=CLERK)
    s.refresh_from_db()
    return s


@pytest.fixture
def group_a(committee):
    """Roster of group A: chair, m1, m3, m5, m7."""
    return [committee.chair] + committee.members[0::2]


@pytest.fixture
def signals_seen():
    """Every floor signal sent, with its keyword arguments."""
    from core.signals import floor_granted, floor_released

    seen: list[tuple[str, dict]] = []

    def on_granted(sender, **kw):
        seen.append(("granted", kw))

    def on_released(sender, **kw):
        seen.append(("released", kw))

    floor_granted.connect(on_granted, weak=False)
    floor_released.connect(on_released, weak=False)
    yield seen
    floor_granted.disconnect(on_granted)
    floor_released.disconnect(on_released)


def floor_tables(sitting_id: int) -> tuple:
    """Everything a floor command could change, to prove a refused one changed nothing."""
    from core.models import Sitting
    from meeting.floor.models import FloorRules, SpeakingRequest, Speech

    return (
        Sitting.objects.get(pk=sitting_id).event_seq,
        list(
            SpeakingRequest.objects.order_by("pk").values_list(
                "pk", "member_id", "kind", "state", "position", "closed_at"
            )
        ),
        list(
            Speech.objects.order_by("pk").values_list(
                "pk", "member_id", "started_at", "limit_s", "ended_at", "ended_how", "warned_at"
            )
        ),
        list(FloorRules.objects.values_list("mode", "max_floors")),
    )
