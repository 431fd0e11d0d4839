"""What an operator watches during a sitting: sockets, events, channel-layer lag, queues.

Two kinds of figures:

* **per process** — sockets this Daphne process holds right now, how many it has
  accepted and lost since it started, and the event frames it wrote (kept in memory by
  a two-line hook in the consumer, for ``/healthz/details``); they tell a worker that
  lost its sockets from one that never had any. They are also prometheus-client
  metrics (core/promstats.py): under ``./yiting stack`` every worker's land in the
  shared folder, so one scrape of ``/metrics``, whichever worker nginx hands it to,
  reports every worker, each under its ``server`` label.
* **whole system** — read from the database, which every process shares: live sockets
  per sitting and role (presence rows), events per second (the journal), job queues
  (the jobs table). Any worker answers these the same way.

The channel-layer lag is measured, not guessed: a message goes out through the layer
(Redis in production) to a channel of this process and back, and the time is taken.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from channels.layers import get_channel_layer
from django.db.models import Count
from django.utils import timezone

from core import promstats
from core.process import SERVER_ID
from realtime.models import Connection, SittingEvent
from realtime.presence import STALE_AFTER

_lock = threading.Lock()
_open: Counter[int] = Counter()
_totals = {"connects": 0, "disconnects": 0}
# event frames written by this process, by lane (realtime/transport.py): written by the
# event loop's thread alone, so counted without the lock (one increment per frame) and
# copied into the counter when sampled (``publish``), not per frame
frames = {"fast": 0, "send": 0}
_probe_channels: dict[tuple[int, int], str] = {}

SOCKETS = promstats.gauge(
    "yiting_process_sockets", "Sockets this process holds, by sitting.", ["server", "sitting"]
)
CONNECTS = promstats.counter(
    "yiting_process_socket_connects_total", "Sockets accepted by this process.", ["server"]
)
DISCONNECTS = promstats.counter(
    "yiting_process_socket_disconnects_total", "Sockets lost by this process.", ["server"]
)
FRAMES = promstats.counter(
    "yiting_process_event_frames_total",
    "Event frames this process wrote to sockets: straight to the transport (fast) or "
    "through Daphne's send (send).",
    ["lane", "server"],
)
_frames = promstats.Totals(FRAMES)


# -- per process ----------------------------------------------------------------------------


def socket_opened(sitting_id: int) -> None:
    """Called by the consumer once a socket is accepted into a sitting."""
    with _lock:
        _open[sitting_id] += 1
        _totals["connects"] += 1
        SOCKETS.labels(SERVER_ID, str(sitting_id)).set(_open[sitting_id])
        CONNECTS.labels(SERVER_ID).inc()


def socket_closed(sitting_id: int) -> None:
    """Called by the consumer when an accepted socket goes away."""
    with _lock:
        _open[sitting_id] -= 1
        SOCKETS.labels(SERVER_ID, str(sitting_id)).set(max(_open[sitting_id], 0))
        if _open[sitting_id] <= 0:
            del _open[sitting_id]
        _totals["disconnects"] += 1
        DISCONNECTS.labels(SERVER_ID).inc()


def publish(scrape: bool) -> None:
    """Copy this process's frame counts into its counters (core/promstats.py hook).

    For a scrape the process that answers shows its socket counters even at 0.
    """
    for lane in ("fast", "send"):
        _frames.publish((lane, SERVER_ID), frames[lane], create=scrape)
    if scrape:
        CONNECTS.labels(SERVER_ID)
        DISCONNECTS.labels(SERVER_ID)


promstats.on_sample(publish)


def process_sockets() -> dict[int, int]:
    """Open sockets of this process, by sitting."""
    with _lock:
        return dict(_open)


def process_totals() -> dict[str, int]:
    """Sockets accepted and lost by this process since it started."""
    with _lock:
        return {**_totals, "event_frames_fast": frames["fast"], "event_frames_sent": frames["send"]}


# -- whole system (database) ------------------------------------------------------------------


def sockets_by_sitting() -> dict[tuple[int, str], int]:
    """Live sockets of every process, keyed by (sitting, role); stale rows do not count."""
    since = timezone.now() - STALE_AFTER
    rows = (
        Connection.objects.filter(last_seen__gte=since)
        .values("sitting_id", "role")
        .annotate(n=Count("id"))
    )
    return {(r["sitting_id"], r["role"]): r["n"] for r in rows}


def events_per_second(window_s: int = 60) -> dict[int, float]:
    """Sequenced events per second per sitting, averaged over the last ``window_s`` seconds."""
    since = timezone.now() - timedelta(seconds=window_s)
    rows = (
        SittingEvent.objects.filter(created_at__gte=since)
        .values("sitting_id")
        .annotate(n=Count("id"))
    )
    return {r["sitting_id"]: r["n"] / window_s for r in rows}


def event_totals() -> dict[int, int]:
    """The last sequence number of each sitting: a counter Prometheus can take a rate of."""
    from core.models import Sitting

    return dict(Sitting.objects.filter(event_seq__gt=0).values_list("pk", "event_seq"))


@dataclass(frozen=True)
class QueueRow:
    kind: str
    state: str
    count: int


def job_queues() -> list[QueueRow]:
    """Jobs by kind and state, from the jobs table (render, media, minutes …)."""
    from jobs.models import Job

    rows = Job.objects.values("kind", "state").annotate(n=Count("pk")).order_by("kind", "state")
    return [QueueRow(str(r["kind"]), str(r["state"]), r["n"]) for r in rows]


# -- channel layer ----------------------------------------------------------------------------


async def layer_round_trip(timeout: float = 2.0) -> float | None:
    """Seconds for one message through the channel layer to this process and back.

    ``None`` when there is no layer. Raises ``TimeoutError`` when the message does not
    come back in time (Redis down or saturated) and the layer's own error when it
    refuses the send.
    """
    layer = get_channel_layer()
    if layer is None:
        return None
    key = (id(layer), id(asyncio.get_running_loop()))  # pub/sub layers are per loop
    channel = _probe_channels.get(key)
    if channel is None:
        channel = await layer.new_channel(prefix="metrics.")
        _probe_channels[key] = channel
    nonce = uuid.uuid4().hex
    started = time.perf_counter()
    try:
        await layer.send(channel, {"type": "metrics.probe", "nonce": nonce})
        async with asyncio.timeout(timeout):
            while (await layer.receive(channel)).get("nonce") != nonce:
                continue  # an answer to an earlier probe that timed out
    except BaseException:
        _probe_channels.pop(key, None)  # a cancelled receive unsubscribes the channel
        raise
    return time.perf_counter() - started
