"""Start-up recovery: finalise what unfinished recordings hold after a crash.

A server process that died mid-speech leaves a Recording in ``recording`` (or
``finalising``) and an MPEG-TS working file that is readable up to the last bytes that
reached the OS. At the next start every such recording whose owning process is gone is
closed at the end of what its file holds (marked ``recovered``, and ``stream_lost`` if
the floor had not ended) and queued for finalisation. Publishers of dead processes are
marked ended; room-camera files left open get their end from the file itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core import process
from core.process import SERVER_ID
from media.models import Publisher, Recording, RoomSegment
from media.services import paths
from media.services.clips import probe_duration
from media.services.recording import schedule_finalise

log = logging.getLogger(__name__)
UNFINISHED = (Recording.State.RECORDING, Recording.State.FINALISING)


def server_alive(server: str) -> bool:
    """Is the process named ``host:pid`` still running (or, elsewhere, still seen)?"""
    if server == SERVER_ID:
        return True
    host, _, pid = server.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return process.seen_recently(server)


def recover_on_start() -> int:
    """Recover every recording left by a dead process; returns how many were queued.

    Also lets room-camera files past their retention go (``storage``).
    """
    from media.services.storage import prune_quietly

    prune_quietly()
    dead = {
        s for s in Recording.objects.filter(state__in=UNFINISHED).values_list("server", flat=True)
    } | set(Publisher.objects.filter(state="live").values_list("server", flat=True))
    dead = {s for s in dead if not server_alive(s)}
    if not dead:
        return 0
    _end_publishers(dead)
    queued = 0
    for rec in Recording.objects.filter(state__in=UNFINISHED, server__in=dead).order_by("pk"):
        try:
            queued += _recover(rec)
        except Exception:
            log.exception("could not recover recording %s", rec.pk)
    return queued


def _end_publishers(dead: set[str]) -> None:
    now = timezone.now()
    for pub in Publisher.objects.filter(state="live", server__in=dead):
        for seg in RoomSegment.objects.filter(publisher=pub, ended_at=None):
            seg.ended_at = _file_end(Path(seg.path), seg.started_at) or seg.started_at
            seg.save(update_fields=["ended_at"])
    Publisher.objects.filter(state="live", server__in=dead).update(
        state="ended", ended_at=now, end_reason="server_restart"
    )


def _file_end(path: Path, started: dt.datetime) -> dt.datetime | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        return started + dt.timedelta(seconds=probe_duration(path))
    except Exception:
        return None


def _recover(rec: Recording) -> int:
    with transaction.atomic():
        rec = Recording.objects.select_for_update().get(pk=rec.pk)
        if rec.state not in UNFINISHED:
            return 0
        if rec.source == Recording.Source.MEMBER:
            held_until = _file_end(paths.working_file(rec.pk), rec.started_at)
        else:
            last = RoomSegment.objects.filter(publisher_id=rec.publisher_id).last()
            held_until = last.ended_at if last else None
        if held_until is None:
            rec.state, rec.error = Recording.State.FAILED, "stream_missing: nothing on disk"
            rec.recovered = True
            rec.save(update_fields=["state", "error", "recovered"])
            return 0
        if rec.ended_at is None or held_until < rec.ended_at:
            rec.stream_lost_at = held_until
            rec.ended_at = held_until
        rec.recovered, rec.state = True, Recording.State.FINALISING
        rec.save(update_fields=["ended_at", "stream_lost_at", "recovered", "state"])
        transaction.on_commit(lambda: schedule_finalise(rec.pk))
    return 1
