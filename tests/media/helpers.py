"""Floor signals as the floor sends them, and waiting for finished clips."""

from __future__ import annotations

import datetime as dt

import av
from asgiref.sync import sync_to_async
from django.db import OperationalError
from django.utils import timezone

from core.signals import floor_granted, floor_released
from jobs.runner import run_until_idle
from media.models import Clip


@sync_to_async
def grant(sitting, member, entry_id: int, item=None) -> dt.datetime:
    started = timezone.now()
    floor_granted.send(
        sender=None,
        entry_id=entry_id,
        sitting_id=sitting.pk,
        member_id=member.pk,
        agenda_item_id=item.pk if item else None,
        started_at=started,
    )
    return started


@sync_to_async
def release(sitting, member, entry_id: int, started: dt.datetime, how="finished") -> dt.datetime:
    ended = timezone.now()
    floor_released.send(
        sender=None,
        entry_id=entry_id,
        sitting_id=sitting.pk,
        member_id=member.pk,
        agenda_item_id=None,
        started_at=started,
        ended_at=ended,
        ended_how=how,
    )
    return ended


def finished_clip(entry_id: int):
    """Run queued jobs, then the clip of ``entry_id`` if it exists yet.

    SQLite's shared in-memory test database reports "table is locked" while another
    thread (a capture worker, the in-process job worker) writes: that is a "not yet".
    """
    try:
        run_until_idle()
        return Clip.objects.filter(floor_entry_id=entry_id).first()
    except OperationalError as exc:
        if "locked" in str(exc):
            return None
        raise


def stream_durations(path) -> dict[str, float]:
    """Each stream's length: from the header (MP4), else from its packets (WebM states
    no per-stream duration): first packet's start to the last one's end."""
    with av.open(str(path)) as c:
        out = {}
        for s in c.streams:
            if s.duration is not None:
                out[s.type] = float(s.duration * s.time_base)
        if out:
            return out
        spans: dict[str, list[float]] = {}
        for p in c.demux():
            if p.pts is None or not p.size:
                continue
            t = float(p.pts * p.time_base)
            end = t + float((p.duration or 0) * p.time_base)
            span = spans.setdefault(p.stream.type, [t, end])
            span[0], span[1] = min(span[0], t), max(span[1], end)
        return {kind: b - a for kind, (a, b) in spans.items()}
