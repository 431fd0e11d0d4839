"""Sending ``floor_granted`` / ``floor_released`` after commit, with the stored times."""

from __future__ import annotations

import logging

from django.db import transaction

from core.signals import floor_granted, floor_released
from meeting.floor.models import Speech

log = logging.getLogger(__name__)


def _send(signal, kwargs: dict) -> None:
    """A failing listener (the recorder) must not turn a committed floor change into an error."""
    for receiver, result in signal.send_robust(sender=Speech, **kwargs):
        if isinstance(result, Exception):
            log.error("floor signal receiver %r failed", receiver, exc_info=result)


def _base(sp: Speech) -> dict:
    return {
        "entry_id": sp.pk,
        "sitting_id": sp.sitting_id,
        "member_id": sp.member_id,
        "agenda_item_id": sp.agenda_item_id,
        "started_at": sp.started_at,
    }


def granted_on_commit(sp: Speech) -> None:
    kwargs = _base(sp)
    transaction.on_commit(lambda: _send(floor_granted, kwargs))


def released_on_commit(sp: Speech) -> None:
    kwargs = {**_base(sp), "ended_at": sp.ended_at, "ended_how": sp.ended_how}
    transaction.on_commit(lambda: _send(floor_released, kwargs))
