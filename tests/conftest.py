"""Shared fixtures: a small committee, logins, service availability (Redis, PostgreSQL).

Redis and PostgreSQL suites run when the servers answer. In CI (``CI=true``) a missing
server fails the suite instead of skipping it, so a green CI always means they ran.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

import pytest
from django.conf import settings

from harness.browser import browser_page_errors  # noqa: F401  (autouse: pages must not error)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("YITING_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PG_URL = os.environ.get("YITING_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip locally, fail in CI, when a server the test needs does not answer."""
    if _answers(host, port):
        return
    msg = f"{name} at {host}:{port} does not answer"
    if IN_CI:
        pytest.fail(f"{msg}; in CI this suite must run")
    pytest.skip(msg)  # a newcomer's machine without the server; reported in the summary


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return [
        f"yiting database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('NAME')})",
        f"redis for integration tests: {REDIS_URL} "
        f"({'answers' if _answers('127.0.0.1', 6379) else 'NOT answering'})",
        f"postgresql for integration tests: {PG_URL} "
        f"({'answers' if _answers('127.0.0.1', 5432) else 'NOT answering'})",
    ]


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture
def pg_url() -> str:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    return PG_URL


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    """Every test writes files under its own folder."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.MEDIA_ROOT = settings.DATA_DIR / "files"


@pytest.fixture(autouse=True)
def _memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def committee(db):
    """A committee with 9 component members in 2 groups, a clerk, staff and a display.

    Plenary sitting ``plenary`` and group sittings ``group_a`` / ``group_b``, each with
    three agenda items. Members: chair (group A), m1…m8 (odd → A, even → B).
    """
    from django.contrib.auth import get_user_model

    from core.models import (
        AgendaItem,
        Committee,
        DeliberationGroup,
        Member,
        Role,
        Session,
        Sitting,
        Term,
    )

    User = get_user_model()
    c = Committee.objects.create(name="测试常委会", short_name="测试")
    term = Term.objects.create(
        committee=c, name="第一届", starts_on=dt.date(2025, 1, 1), is_current=True
    )
    ga = DeliberationGroup.objects.create(term=term, name="第一组", order=1)
    gb = DeliberationGroup.objects.create(term=term, name="第二组", order=2)

    def mk(username, name, role, seat="", group=None):
        user = User.objects.create_user(username, password="pw-" + username)
        return Member.objects.create(
            user=user, term=term, full_name=name, role=role, seat=seat, group=group
        )

    ns = type("Committee", (), {})()
    ns.committee, ns.term, ns.group_a, ns.group_b = c, term, ga, gb
    ns.chair = mk("chair", "主任", Role.CHAIR, "001", ga)
    ns.members = [
        mk(f"m{n}", f"委员{n}", Role.MEMBER, f"{n + 1:03d}", ga if n % 2 else gb)
        for n in range(1, 9)
    ]
    ns.clerk = mk("clerk", "秘书", Role.CLERK)
    ns.staff = mk("staff", "审查员", Role.STAFF)
    ns.display = mk("display", "大屏", Role.DISPLAY)
    ns.outsider = User.objects.create_user("outsider", password="pw-outsider")
    ns.session = Session.objects.create(
        term=term, number=1, title="第一次会议", starts_on=dt.date(2026, 11, 24), state="open"
    )
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    ns.plenary = Sitting.objects.create(
        session=ns.session, kind="plenary", title="全体会议", starts_at=start, chair=ns.chair
    )
    ns.group_a_sitting = Sitting.objects.create(
        session=ns.session,
        kind="group",
        group=ga,
        title="第一组会议",
        starts_at=start,
        chair=ns.chair,
    )
    ns.group_b_sitting = Sitting.objects.create(
        session=ns.session, kind="group", group=gb, title="第二组会议", starts_at=start
    )
    for s in (ns.plenary, ns.group_a_sitting, ns.group_b_sitting):
        for n in range(1, 4):
            AgendaItem.objects.create(sitting=s, order=n, title=f"议题{n}")
    ns.password = lambda m: "pw-" + (m.user.username if hasattr(m, "user") else m.username)
    return ns


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Let the vote progress thread finish its read before any fixture tears down.

    On PostgreSQL a slice read (meeting/voting/services/progress.py) still running when
    a transactional test's flush TRUNCATEs the tables deadlocked with it (seen in CI's
    PostgreSQL pass); in production nothing truncates, so the thread is left as it is.
    """
    from meeting.voting.services.progress import SLICES

    assert SLICES.drain(timeout=15), "the vote progress thread did not finish within 15 s"
    yield
