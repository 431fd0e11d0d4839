"""Answering ``sync``: replay the missed events, or a snapshot past the retention window."""

from __future__ import annotations

from django.conf import settings

from meeting.models import Sitting
from realtime.context import Context
from realtime.models import SittingEvent
from realtime.snapshot import build_snapshot


def resync(ctx: Context, last_seq: int) -> dict:
    """What a socket that saw up to ``last_seq`` needs to be exactly current.

    Replays when 0 < last_seq and the gap is within ``YITING_EVENT_RETENTION`` events;
    otherwise (first connect, long absence, or a client ahead of the server after a
    restore) sends a snapshot.
    """
    if last_seq <= 0:  # a first connect: the snapshot reads the seq with everything else
        return _snapshot(ctx)
    current = Sitting.objects.values_list("event_seq", flat=True).get(pk=ctx.sitting_id)
    gap = current - last_seq
    if 0 < last_seq <= current and gap <= settings.YITING_EVENT_RETENTION:
        rows = SittingEvent.objects.filter(sitting_id=ctx.sitting_id, seq__gt=last_seq).order_by(
            "seq"
        )
        events = [
            {"type": r.type, "seq": r.seq, "sitting": ctx.sitting_id, "data": r.payload}
            for r in rows
        ]
        # A row committed after we read `current` is included: we answer with its seq too.
        seq = events[-1]["seq"] if events else last_seq
        if all(e["seq"] == last_seq + n for n, e in enumerate(events, start=1)):
            return {"mode": "replay", "seq": seq, "events": events}
    return _snapshot(ctx)


def _snapshot(ctx: Context) -> dict:
    seq, snap = build_snapshot(ctx)  # already as the wire carries it (dates as strings)
    return {"mode": "snapshot", "seq": seq, "snapshot": snap}
