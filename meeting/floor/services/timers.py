"""Speaking-time limits: the one-minute warning and what happens at zero.

``sweep_once`` looks at every open floor with a limit and acts on those whose warning
or end is due. Each action is a conditional update (``… WHERE warned_at IS NULL``,
``… WHERE ended_at IS NULL``), so when several processes sweep the same database
exactly one of them acts; the others see zero rows changed and do nothing.

A floor cut at its limit ends at its deadline (start + time allowed), not at the
moment a sweeper happened to notice: the stored end is what the rules say, even after
a server restart with the floor open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from core import clock
from core.events import emit
from core.models import AgendaItem, Sitting
from meeting.floor.models import FloorRules, Speech
from meeting.floor.services.floor import close_speech
from meeting.floor.services.state import floor_state, speech_payload


def _due_floors() -> list[Speech]:
    """Open floors with a limit, each with ``warn_before_s`` of its sitting (one query)."""
    rows = list(
        Speech.objects.filter(ended_at__isnull=True, limit_s__isnull=False).select_related(
            "member", "agenda_item"
        )
    )
    warn = dict(
        FloorRules.objects.filter(sitting_id__in={sp.sitting_id for sp in rows}).values_list(
            "sitting_id", "warn_before_s"
        )
    )
    default = FloorRules._meta.get_field("warn_before_s").default
    for sp in rows:
        sp.warn_before_s = warn.get(sp.sitting_id, default)
    return rows


def _on_time_up(sp: Speech) -> str:
    item = sp.agenda_item
    return item.on_time_up if item else AgendaItem.OnTimeUp.WARN


def _warn(sp: Speech, now: datetime) -> bool:
    with transaction.atomic():
        Sitting.objects.select_for_update().filter(pk=sp.sitting_id).first()
        won = Speech.objects.filter(pk=sp.pk, ended_at__isnull=True, warned_at__isnull=True)
        if not won.update(warned_at=now):
            return False
        sp.warned_at = now
        remaining = max(0, round((sp.deadline - now).total_seconds()))
        payload = {
            "speech": speech_payload(sp),
            "remaining_s": remaining,
            "state": floor_state(sp.sitting_id),
        }
        emit(sp.sitting_id, "floor.warning", payload)
        return True


def _time_up(sp: Speech, now: datetime) -> bool:
    with transaction.atomic():
        Sitting.objects.select_for_update().filter(pk=sp.sitting_id).first()
        if _on_time_up(sp) == AgendaItem.OnTimeUp.END:
            return close_speech(sp, Speech.Ended.TIME_LIMIT, at=sp.deadline)
        won = Speech.objects.filter(pk=sp.pk, ended_at__isnull=True, time_up_at__isnull=True)
        if not won.update(time_up_at=now):
            return False
        sp.time_up_at = now
        payload = {"speech": speech_payload(sp), "state": floor_state(sp.sitting_id)}
        emit(sp.sitting_id, "floor.time_up", payload)
        return True


def _act(sp: Speech, now: datetime) -> bool:
    """One due action on one floor, if any is due; True when this process did it."""
    if now >= sp.deadline:
        if sp.time_up_at is None:
            return _time_up(sp, now)
        return False
    warn_at = sp.deadline - timedelta(seconds=sp.warn_before_s)
    if sp.warned_at is None and now >= warn_at and sp.limit_s > sp.warn_before_s:
        return _warn(sp, now)
    return False


def sweep_once(now: datetime | None = None) -> int:
    """Act on every due warning and time limit; returns how many actions this call took."""
    now = now or clock.now()
    return sum(1 for sp in _due_floors() if _act(sp, now))


def next_due(now: datetime | None = None) -> float | None:
    """Seconds until the next warning or limit of any open floor (None: nothing pending)."""
    now = now or clock.now()
    times: list[datetime] = []
    for sp in _due_floors():
        warn = sp.deadline - timedelta(seconds=sp.warn_before_s)
        if sp.warned_at is None and warn > now:
            times.append(warn)
        if sp.time_up_at is None:
            times.append(sp.deadline)
    if not times:
        return None
    return max(0.0, (min(times) - now).total_seconds())
