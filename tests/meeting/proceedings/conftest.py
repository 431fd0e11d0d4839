"""Helpers for the proceedings tests: run a live command as a socket would."""

from __future__ import annotations

import pytest

from realtime.context import Context
from realtime.protocol.codec import decode_object
from realtime.runner import run_command


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The committee fixture makes a dozen logins; slow hashing is not what we test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def live():
    """``live(member, sitting, type, data, role=…, key=…)`` → the runner's answer."""

    def _run(member, sitting, type_: str, data: dict | None = None, *, role: str, key=None):
        ctx = Context(user_id=member.user_id, sitting_id=sitting.pk, role=role, member_id=member.pk)
        frame = {"v": 1, "type": type_, "id": "r1", "data": data or {}}
        if key:
            frame["key"] = key
        return run_command(ctx, decode_object(frame))

    return _run
