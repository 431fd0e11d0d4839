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


def _swallowing(real):
    """A handler that does its work, then catches an error from a nested block (a defect)."""
    from django.db import transaction

    def handler(ctx_, data):
        answer = real(ctx_, data)
        try:
            with transaction.atomic():
                raise ValueError("inner step failed")
        except ValueError:
            pass
        return answer

    return handler


@pytest.mark.django_db(transaction=True)
def test_a_caught_inner_error_never_answers_ok(committee, monkeypatch):
    """Without savepoints a caught inner failure loses the command's writes: never ok."""
    from realtime import handlers
    from realtime.models import SittingEvent

    s = committee.plenary
    item = s.agenda_items.order_by("order").first()
    ctx = Context(committee.clerk.user_id, s.pk, "clerk", committee.clerk.pk)
    real = handlers.HANDLERS["agenda.open"]
    monkeypatch.setitem(runner.HANDLERS, "agenda.open", _swallowing(real))
    frame = {"type": "agenda.open", "id": "r", "data": {"item": item.pk}}  # no key
    answer = runner.run_command(ctx, decode(json.dumps(frame), 65536))
    # the runner's own check, or the audit entry's INSERT meeting the lost transaction
    assert answer["ok"] is False and answer["error"]["code"] in ("internal_error", "conflict")
    assert not SittingEvent.objects.filter(sitting=s).exists()  # rolled back, not announced


@pytest.mark.django_db(transaction=True)
def test_a_caught_inner_error_with_a_key_keeps_no_receipt(committee, monkeypatch):
    from meeting.floor.models import SpeakingRequest
    from realtime import handlers
    from realtime.models import CommandReceipt

    member = committee.members[0]
    ctx = Context(member.user_id, committee.group_a_sitting.pk, "member", member.pk)
    real = handlers.HANDLERS["floor.request"]
    monkeypatch.setitem(runner.HANDLERS, "floor.request", _swallowing(real))
    answer = runner.run_command(ctx, _frame("k-1"))
    assert answer["ok"] is False and answer["error"]["code"] == "conflict", answer
    assert not SpeakingRequest.objects.filter(member=member).exists()
    assert not CommandReceipt.objects.filter(key="k-1").exists()  # a resend runs afresh


@pytest.mark.django_db(transaction=True)
def test_a_race_get_or_create_cannot_retry_is_a_conflict(committee, monkeypatch):
    """An INSERT that loses a race inside a command: ``conflict``, nothing written."""
    from django.db import IntegrityError

    from docs_store.models import PresenterState
    from meeting.floor.models import SpeakingRequest
    from realtime import handlers

    member = committee.members[0]
    ctx = Context(member.user_id, committee.group_a_sitting.pk, "member", member.pk)
    real = handlers.HANDLERS["floor.request"]

    def lost_insert(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    def racing(ctx_, data):
        answer = real(ctx_, data)
        monkeypatch.setattr(PresenterState, "save", lost_insert)
        PresenterState.objects.get_or_create(sitting_id=ctx_.sitting_id)
        return answer

    monkeypatch.setitem(runner.HANDLERS, "floor.request", racing)
    answer = runner.run_command(ctx, _frame("k-1"))
    monkeypatch.undo()
    assert answer["ok"] is False and answer["error"]["code"] == "conflict", answer
    assert not SpeakingRequest.objects.filter(member=member).exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_transaction_refuses_to_end_well_after_a_swallowed_error(committee):
    from django.db import transaction

    from realtime.models import CommandReceipt

    with pytest.raises(runner.SwallowedError), runner._one_transaction():
        CommandReceipt.objects.create(
            user_id=committee.clerk.user_id, key="x", command="c", response={"ok": True}
        )
        try:
            with transaction.atomic():
                raise ValueError("inner step failed")
        except ValueError:
            pass
    assert not CommandReceipt.objects.filter(key="x").exists()
