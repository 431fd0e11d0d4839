"""Glue between the aiortc peers of this process and the media services (DB side).

Callbacks from the capture threads and the event loop reach the database here, each in
its own short transaction, with the connection closed afterwards (they run outside any
request).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from pathlib import Path

from django.db import InterfaceError, OperationalError, close_old_connections, transaction

from core.process import SERVER_ID
from media import peers
from media.capture import Capture
from media.models import Publisher, Recording, RoomSegment
from media.peers import BadOffer, UnrecordedCodec
from media.services import paths, publishing, recording, storage

__all__ = [
    "SERVER_ID",
    "BadOffer",
    "UnrecordedCodec",
    "open_publisher",
    "close_replaced",
    "close_remote",
]
log = logging.getLogger(__name__)


def looks_like_sdp(sdp: str) -> bool:
    """A cheap first check before aiortc parses it: SDP starts with ``v=0`` and has media."""
    return sdp.lstrip().startswith("v=0") and "\nm=" in sdp


async def open_publisher(publisher_id: int, kind: str, sdp: str) -> str:
    capture = _capture(publisher_id, kind)
    answer = await peers.open_peer(publisher_id, sdp, capture, _on_peer_ended)
    _ensure_reconciler()
    return answer


# -- stops that never arrived ------------------------------------------------------------
RECONCILE_EVERY_S = 2.0
_reconciler: asyncio.Task | None = None


def _ensure_reconciler() -> None:
    global _reconciler
    if _reconciler is None or _reconciler.done():
        _reconciler = asyncio.ensure_future(_reconcile_forever())


async def _reconcile_forever() -> None:
    """Stop local recordings whose floor the database says has ended.

    The stop travels over the channel layer (``peers.deliver``); a host cut off from
    Redis or from everything when the clerk ended the floor never gets it. The
    database is the truth: while this process records, it reads, every two seconds,
    whether any of its recordings has an end, and applies it (a stop already applied
    is a no-op). A database out of reach is simply read again later.
    """
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(RECONCILE_EVERY_S)
        recording_now = _local_recordings()
        if not recording_now:
            if not peers.PEERS:
                return  # nothing held: started again with the next peer
            continue
        try:
            ended = await loop.run_in_executor(None, _ended, list(recording_now))
        except Exception as exc:  # the database is away: try again at the next tick
            log.info("recording reconcile: %s", exc)
            continue
        for rec_id, stop_at in ended.items():
            log.warning("recording %s: floor ended without our stop; stopping at it", rec_id)
            recording_now[rec_id].stop_recording(rec_id, stop_at)


def _local_recordings() -> dict[int, Capture]:
    """This process's recordings in progress that have no stop time yet."""
    out = {}
    for peer in list(peers.PEERS.values()):
        job = peer.capture.job
        if job is not None and job.stop_at is None:
            out[job.recording_id] = peer.capture
    return out


def _ended(ids: list[int]) -> dict[int, float]:
    try:
        rows = Recording.objects.filter(pk__in=ids, ended_at__isnull=False)
        return {pk: at.timestamp() for pk, at in rows.values_list("pk", "ended_at")}
    finally:
        close_old_connections()


def _capture(publisher_id: int, kind: str) -> Capture:
    if kind == "room":
        return Capture(
            f"room-{publisher_id}",
            set(),
            _on_finished,
            room_dir=paths.room_dir(publisher_id),
            on_room_file=lambda path, t0, end: _room_file(publisher_id, path, t0, end),
        )
    return Capture(f"pub-{publisher_id}", set(), _on_finished)


def _in_db(fn, *args, attempts: int = 20) -> None:
    """Run a DB callback from a capture thread; a busy or locked database is retried.

    These callbacks are the only record that a recording's file is closed, so giving up
    on the first ``database is locked`` would leave it for start-up recovery instead.
    """
    for attempt in range(attempts):
        try:
            fn(*args)
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                log.exception("media callback %s failed", getattr(fn, "__name__", fn))
                return
            time.sleep(0.05 * (attempt + 1))
        except Exception:
            log.exception("media callback %s failed", getattr(fn, "__name__", fn))
            return
        finally:
            close_old_connections()


UNREACHABLE_PATIENCE_S = 30 * 60


def _in_db_patiently(fn, *args) -> None:
    """Like ``_in_db``, and a database out of reach is waited for (up to 30 minutes).

    A host cut off from the database (a partition, a restart) still holds what it
    recorded; the record that the working file is closed must reach the database when
    the host is back, or the speech stays "finalising" with nobody to finish it: the
    owner is alive, so recovery elsewhere rightly leaves it alone.
    """
    deadline = time.monotonic() + UNREACHABLE_PATIENCE_S
    delay = 0.5
    while True:
        try:
            fn(*args)
            return
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() > deadline:
                log.exception("media callback %s: database still away", fn.__name__)
                return
            log.warning("media callback %s: %s; retrying in %.1fs", fn.__name__, exc, delay)
            time.sleep(delay)
            delay = min(5.0, delay * 2)
        except Exception:
            log.exception("media callback %s failed", getattr(fn, "__name__", fn))
            return
        finally:
            close_old_connections()


def _on_finished(recording_id: int, info: dict) -> None:
    """Capture thread: the working file of a recording is closed."""
    _in_db_patiently(recording.capture_closed, recording_id, info)


def _on_peer_ended(publisher_id: int, reason: str) -> None:
    """Event loop: the peer closed or failed; record it without blocking the loop."""
    asyncio.get_running_loop().run_in_executor(
        None, _in_db_patiently, publishing.ended, publisher_id, reason
    )


def _room_file(publisher_id: int, path: Path, t0: float, end: float | None) -> None:
    _in_db(_save_room_file, publisher_id, path, t0, end)
    if end is not None:  # a room file closed: the moment to let old ones go
        _in_db(storage.prune_quietly)


def _save_room_file(publisher_id: int, path: Path, t0: float, end: float | None) -> None:
    pub = Publisher.objects.get(pk=publisher_id)
    with transaction.atomic():
        seg, _ = RoomSegment.objects.get_or_create(
            publisher=pub,
            path=str(path),
            defaults={"sitting_id": pub.sitting_id, "started_at": _aware(t0)},
        )
        if end is not None:
            seg.ended_at = _aware(end)
            seg.save(update_fields=["ended_at"])
            storage.warn_if_low(pub.sitting_id)


def _aware(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


async def close_local(publisher_id: int) -> None:
    """Close a peer of this process that never went live (its row could not be written)."""
    await peers.close_peer(publisher_id, reason="not_registered")


def close_replaced(earlier: list[Publisher]) -> None:
    for pub in earlier:
        close_remote(pub)


def close_remote(pub: Publisher) -> None:
    peers.deliver(pub.server, {"op": "close", "publisher": pub.pk})
