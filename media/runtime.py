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

from django.db import OperationalError, close_old_connections, transaction

from core.process import SERVER_ID
from media import peers
from media.capture import Capture
from media.models import Publisher, RoomSegment
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
    return await peers.open_peer(publisher_id, sdp, capture, _on_peer_ended)


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


def _on_finished(recording_id: int, info: dict) -> None:
    """Capture thread: the working file of a recording is closed."""
    _in_db(recording.capture_closed, recording_id, info)


def _on_peer_ended(publisher_id: int, reason: str) -> None:
    """Event loop: the peer closed or failed; record it without blocking the loop."""
    asyncio.get_running_loop().run_in_executor(None, _in_db, publishing.ended, publisher_id, reason)


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
