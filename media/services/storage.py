"""Disk for recordings: what is kept, when room-camera files go, and warning before it is full.

The room camera records continuously into 30-second files; a speech cut from them needs
them only until its clip is made. A room file is deleted once it is older than the
retention window (``MEDIA_ROOM_RETENTION_S``, default one day) and no speech it covers is
still being recorded or finalised — every speech it covers has been cut (or has failed
for good). Pruning runs whenever a room file closes, after each clip is finalised and at
start-up, so it needs no scheduler of its own.

A recording is refused below ``MEDIA_MIN_FREE_BYTES`` (``recording.floor_granted``). Before
that, when free space falls below ``MEDIA_WARN_FREE_BYTES`` (default four times the
refusal threshold), the sitting's console is told with a ``media.disk_low`` event, at
most once per ``WARN_EVERY_S`` per sitting and process, so the clerk can act while
recording still works.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import events, policy
from media.models import Recording, RoomSegment
from media.services import paths

log = logging.getLogger(__name__)

RETENTION_S = 24 * 3600
WARN_EVERY_S = 600.0
_warned: dict[int, float] = {}
_warn_lock = threading.Lock()


def retention() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "MEDIA_ROOM_RETENTION_S", RETENTION_S)))


MIN_FREE_BYTES = 200 * 1024 * 1024  # below this a recording does not start (settings override)


def min_free_bytes() -> int:
    return int(getattr(settings, "MEDIA_MIN_FREE_BYTES", MIN_FREE_BYTES))


def warn_free_bytes() -> int:
    return int(getattr(settings, "MEDIA_WARN_FREE_BYTES", 4 * min_free_bytes()))


def free_bytes() -> int:
    return shutil.disk_usage(paths.work_dir()).free


# --- what is on disk ---------------------------------------------------------------------
def _walk(root: Path) -> tuple[int, int, tuple[float, str] | None]:
    """(bytes, files, (mtime, path) of the oldest file) under ``root``."""
    size = count = 0
    oldest: tuple[float, str] | None = None
    if not root.exists():
        return 0, 0, None
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            try:
                st = os.stat(p)
            except OSError:
                continue  # deleted meanwhile
            size, count = size + st.st_size, count + 1
            if oldest is None or st.st_mtime < oldest[0]:
                oldest = (st.st_mtime, p)
    return size, count, oldest


def usage() -> dict:
    """Disk use of recordings by kind, free space, thresholds and the oldest retained file."""
    media = Path(settings.DATA_DIR) / "media"
    parts = {
        "working": _walk(media / "work"),
        "room": _walk(media / "room"),
        "clips": _walk(paths.clip_root() / "clips"),
    }
    oldest = min((p[2] for p in parts.values() if p[2]), default=None)
    return {
        "bytes": {k: v[0] for k, v in parts.items()},
        "files": {k: v[1] for k, v in parts.items()},
        "free_bytes": free_bytes(),
        "warn_below_bytes": warn_free_bytes(),
        "refuse_below_bytes": min_free_bytes(),
        "oldest_file": oldest[1] if oldest else None,
        "oldest_file_age_s": round(time.time() - oldest[0], 1) if oldest else None,
        "room_retention_s": retention().total_seconds(),
    }


# --- room camera files -------------------------------------------------------------------
def _still_needed(seg: RoomSegment) -> bool:
    """A speech that this file covers is not cut yet (recording or finalising)."""
    return (
        Recording.objects.filter(
            source=Recording.Source.ROOM,
            publisher_id=seg.publisher_id,
            state__in=(Recording.State.RECORDING, Recording.State.FINALISING),
            started_at__lt=seg.ended_at,
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=seg.started_at))
        .exists()
    )


def prune_room_segments(now: dt.datetime | None = None) -> int:
    """Delete room-camera files past retention that no uncut speech needs; returns how many."""
    cutoff = (now or timezone.now()) - retention()
    deleted = 0
    for seg in RoomSegment.objects.filter(ended_at__isnull=False, ended_at__lt=cutoff):
        with transaction.atomic():
            if _still_needed(seg):
                continue
            path = Path(seg.path)
            for p in (path, path.with_suffix(".wall")):
                p.unlink(missing_ok=True)
            seg.delete()
            deleted += 1
    if deleted:
        log.info("deleted %s room-camera files past retention", deleted)
    return deleted


def prune_quietly() -> None:
    """Prune from a callback (capture thread, job): a failure is logged, never raised."""
    try:
        prune_room_segments()
    except Exception:
        log.exception("could not prune room-camera files")


# --- warning the console -----------------------------------------------------------------
def warn_if_low(sitting_id: int) -> bool:
    """Tell the console (``media.disk_low``) when free space nears the refusal.

    Only the console's roles (chair and clerk, ``policy.LIVE_ROLES``) hear it: members'
    tablets show nothing of it, so it is not sent to the whole sitting. A notice, not a
    journal event (after the commit when inside a transaction); a console that connects
    later hears the next warning, at most ``WARN_EVERY_S`` later, and sees the free space
    in ``/healthz/details`` meanwhile.
    """
    try:
        free = free_bytes()
    except OSError:
        return False
    if free >= warn_free_bytes():
        return False
    now = time.monotonic()
    with _warn_lock:
        if now - _warned.get(sitting_id, -WARN_EVERY_S) < WARN_EVERY_S:
            return False
        _warned[sitting_id] = now
    payload = {
        "free_bytes": free,
        "warn_below_bytes": warn_free_bytes(),
        "refuse_below_bytes": min_free_bytes(),
    }
    for role in sorted(policy.LIVE_ROLES):
        events.notify(events.role(sitting_id, role), "media.disk_low", payload, sitting_id)
    return True
