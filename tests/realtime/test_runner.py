"""The runner's answer to a resend that races its own first attempt."""

from __future__ import annotations

import json

import pytest

from realtime import runner
from realtime.context import Context
from realtime.protocol import decode


def _frame(key: str) -> object:
    text = json.dumps({"type": "floor.request", "id": "r", "key": key, "data": {"kind": "speech"}})
    return decode(text, 65536)


@pytest.mark.django_db(transaction=True)
def test_resend_that_lost_the_race_gets_the_first_answer(committee, monkeypatch):
    """Attempt 2 checked for a receipt before attempt 1 committed, then hit its effect."""
    from meeting.floor.models import SpeakingRequest

    member = committee.members[0]
    ctx = Context(member.user_id, committee.group_a_sitting.pk, "member", member.pk)
    first = runner.run_command(ctx, _frame("k-1"))
    assert first["ok"], first

    real = runner._receipt
    calls = {"n": 0}

    def receipt_not_yet_committed(ctx_, cmd):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(ctx_, cmd)

    monkeypatch.setattr(runner, "_receipt", receipt_not_yet_committed)
    second = runner.run_command(ctx, _frame("k-1"))
    assert second == {**first, "repeat": True}
    assert SpeakingRequest.objects.filter(member=member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_different_key_still_gets_the_domain_error(committee):
    member = committee.members[0]
    ctx = Context(member.user_id, committee.group_a_sitting.pk, "member", member.pk)
    assert runner.run_command(ctx, _frame("k-1"))["ok"]
    again = runner.run_command(ctx, _frame("k-2"))
    assert again["ok"] is False and again["error"]["code"] == "already_queued"
