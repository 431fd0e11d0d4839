"""Answering ``sync``: replay the missed events, or a snapshot past the retention window."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import transaction

from core.models import Sitting
from realtime.context import Context
from realtime.models import SittingEvent
from realtime.snapshot import SHARED_WAIT_S, build_snapshot, may_share, snapshot_ready


class _Replays:
    """The latest replay read per (sitting, last_seq) of this process.

    After a Wi-Fi outage every tablet of the room comes back with the same ``last_seq``;
    the replay is read once for all of them, under the snapshot's rule: a read is reused
    only by a socket that was live (its subscriptions effective) before the read began,
    so whatever was journalled after the read reaches it as an event.
    """

    KEEP = 64  # (sitting, last_seq) pairs remembered; the oldest is forgotten first

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[tuple[int, int], tuple[float, threading.Event, list]] = {}
        self.reads = 0  # replay reads made (tests)

    def get(self, ctx: Context, last_seq: int) -> dict | None:
        live_since = ctx.live_since if ctx.live_since is not None else time.monotonic()
        key = (ctx.sitting_id, last_seq)
        with self._lock:
            entry = self._latest.get(key)
            mine = entry is None or not may_share(ctx, entry[0], live_since)
            if mine:
                entry = self._latest[key] = (time.monotonic(), threading.Event(), [])
                while len(self._latest) > self.KEEP:
                    del self._latest[next(iter(self._latest))]
        started, done, box = entry
        if mine:
            self.reads += 1
            try:
                box.append(_replay(ctx, last_seq))
            finally:
                done.set()
        elif not done.wait(SHARED_WAIT_S):
            return _replay(ctx, last_seq)
        return box[0] if box else _replay(ctx, last_seq)

    def ready(self, ctx: Context, last_seq: int) -> tuple[bool, dict | None]:
        """(found, answer) from a read already done that may serve this socket; no wait.

        found False: none (read, on a database thread); answer None: a snapshot instead.
        """
        if ctx.live_since is None:
            return False, None
        with self._lock:
            entry = self._latest.get((ctx.sitting_id, last_seq))
        if entry is None or not entry[1].is_set() or not entry[2]:
            return False, None
        if not may_share(ctx, entry[0], ctx.live_since):
            return False, None
        return True, entry[2][0]

    def clear(self) -> None:
        with self._lock:
            self._latest.clear()


REPLAYS = _Replays()


def resync_ready(ctx: Context, last_seq: int) -> dict | None:
    """``resync`` from this process's shared reads, without the database; None: not ready.

    For the event loop (realtime/consumers.py), under the same rule as the shared reads.
    """
    if last_seq > 0:
        found, answer = REPLAYS.ready(ctx, last_seq)
        if not found:
            return None
        if answer is not None:
            return answer
    ready = snapshot_ready(ctx)
    if ready is None:
        return None
    return {"mode": "snapshot", "seq": ready[0], "snapshot": ready[1]}


def resync(ctx: Context, last_seq: int) -> dict:
    """What a socket that saw up to ``last_seq`` needs to be exactly current.

    Replays when 0 < last_seq and the gap is within ``YITING_EVENT_RETENTION`` events;
    otherwise (first connect, long absence, or a client ahead of the server after a
    restore) sends a snapshot. Outside a caller's transaction the replay is shared
    (``_Replays``).
    """
    if last_seq <= 0:  # a first connect: the snapshot reads the seq with everything else
        return _snapshot(ctx)
    if transaction.get_connection().in_atomic_block:
        answer = _replay(ctx, last_seq)
    else:
        answer = REPLAYS.get(ctx, last_seq)
    return answer if answer is not None else _snapshot(ctx)


def _replay(ctx: Context, last_seq: int) -> dict | None:
    """The events after ``last_seq``, or None when a snapshot is needed instead."""
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
    return None


def _snapshot(ctx: Context) -> dict:
    seq, snap = build_snapshot(ctx)  # already as the wire carries it (dates as strings)
    return {"mode": "snapshot", "seq": seq, "snapshot": snap}
