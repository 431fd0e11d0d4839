"""Recording follows the floor: a grant starts a recording, a release finalises it.

Called from the floor's ``floor_granted`` / ``floor_released`` signals (sent after the
floor's commit). The Recording row is written first, in its own transaction, and only
then is the process holding the member's peer told to start or stop, so a crash in
between leaves a row that start-up recovery finds.

The source is the member's own stream when the member publishes; otherwise, when the
sitting has a live room camera, the speech is cut from the room recording by the
speaking log. With neither, the console is told the speech is not being recorded.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from core.events import emit
from media import ffmpeg
from media.models import Publisher, Recording
from media.services import paths, storage

log = logging.getLogger(__name__)


def _live(sitting_id: int, kind: str, member_id: int | None) -> Publisher | None:
    return (
        Publisher.objects.filter(
            sitting_id=sitting_id, kind=kind, member_id=member_id, state=Publisher.State.LIVE
        )
        .order_by("-pk")
        .first()
    )


def _free_space_ok() -> bool:
    need = storage.min_free_bytes()
    try:
        ffmpeg.check_space(paths.work_dir(), need)
    except OSError:
        return False
    return True


def floor_granted(
    *,
    entry_id: int,
    sitting_id: int,
    member_id: int,
    agenda_item_id: int | None,
    started_at: dt.datetime,
    **_: object,
) -> Recording | None:
    """Start recording member M's speech (entry ``entry_id`` of the speaking log)."""
    try:
        rec, command = _open(entry_id, sitting_id, member_id, agenda_item_id, started_at)
    except IntegrityError:
        return Recording.objects.filter(floor_entry_id=entry_id).first()  # already started
    if command is not None:
        _deliver(rec.server, command)
    return rec


@transaction.atomic
def _open(entry_id, sitting_id, member_id, agenda_item_id, started_at):
    pub = _live(sitting_id, Publisher.Kind.MEMBER, member_id)
    room = None if pub else _live(sitting_id, Publisher.Kind.ROOM, None)
    source = pub or room
    if source is None:
        emit(
            sitting_id,
            "media.not_recorded",
            {"member": member_id, "entry": entry_id, "code": "stream_missing"},
        )
        return None, None
    rec = Recording.objects.create(
        sitting_id=sitting_id,
        member_id=member_id,
        publisher=source,
        agenda_item_id=agenda_item_id,
        floor_entry_id=entry_id,
        source=Recording.Source.MEMBER if pub else Recording.Source.ROOM,
        server=source.server,
        started_at=started_at,
    )
    if not _free_space_ok():
        rec.state, rec.error = Recording.State.FAILED, "disk_full: not enough free space to record"
        rec.save(update_fields=["state", "error"])
        emit(sitting_id, "media.recording_failed", failed_payload(rec, "disk_full"))
        return rec, None
    emit(sitting_id, "media.recording_started", recording_payload(rec))
    storage.warn_if_low(sitting_id)
    if pub is None:
        return rec, None
    command = {
        "op": "start",
        "publisher": pub.pk,
        "recording": rec.pk,
        "path": str(paths.working_file(rec.pk)),
        "start": started_at.timestamp(),
    }
    return rec, command


def floor_released(
    *, entry_id: int, ended_at: dt.datetime, ended_how: str = "", **_: object
) -> Recording | None:
    """The floor ended: stop the capture at ``ended_at``; the clip is then finalised."""
    with transaction.atomic():
        rec = Recording.objects.select_for_update().filter(floor_entry_id=entry_id).first()
        if rec is None or rec.state != Recording.State.RECORDING:
            if rec is not None and not rec.ended_how:
                rec.ended_how = ended_how
                rec.save(update_fields=["ended_how"])
            return rec
        rec.ended_at, rec.ended_how = ended_at, ended_how
        rec.state = Recording.State.FINALISING
        rec.save(update_fields=["ended_at", "ended_how", "state"])
        emit(rec.sitting_id, "media.recording_stopped", recording_payload(rec))
        if rec.source == Recording.Source.ROOM:
            transaction.on_commit(lambda: schedule_finalise(rec.pk))
    if rec.source == Recording.Source.MEMBER:
        command = {
            "op": "stop",
            "publisher": rec.publisher_id,
            "recording": rec.pk,
            "stop_at": ended_at.timestamp(),
        }
        _deliver(rec.server, command)
    return rec


def capture_closed(recording_id: int, info: dict) -> None:
    """The capture worker closed the working file (floor ended, or the stream stopped)."""
    with transaction.atomic():
        rec = Recording.objects.select_for_update().get(pk=recording_id)
        if rec.state not in (Recording.State.RECORDING, Recording.State.FINALISING):
            return
        if info.get("stream_lost"):
            lost = dt.datetime.fromtimestamp(info["last_wall"], dt.UTC)
            rec.stream_lost_at = lost
            if rec.ended_at is None or lost < rec.ended_at:
                rec.ended_at = lost
        rec.state = Recording.State.FINALISING
        rec.quality = info.get("quality") or {}
        rec.save(update_fields=["stream_lost_at", "ended_at", "state", "quality"])
        if rec.stream_lost_at is not None:
            emit(rec.sitting_id, "media.recording_stopped", recording_payload(rec))
        transaction.on_commit(lambda: schedule_finalise(rec.pk))


def schedule_finalise(recording_id: int) -> None:
    """Finalise in the background job queue (one job per recording, deduplicated)."""
    from jobs.services import enqueue

    with transaction.atomic():
        enqueue(
            "media.finalise",
            {"recording": recording_id},
            key=f"media.finalise:{recording_id}",
            priority=10,
        )


def recording_payload(rec: Recording) -> dict:
    return {
        "recording": rec.pk,
        "member": rec.member_id,
        "entry": rec.floor_entry_id,
        "item": rec.agenda_item_id,
        "source": rec.source,
        "state": rec.state,
        "started_at": rec.started_at.isoformat(),
        "ended_at": rec.ended_at.isoformat() if rec.ended_at else None,
        "stream_lost": rec.stream_lost_at is not None,
    }


def failed_payload(rec: Recording, code: str) -> dict:
    return {"recording": rec.pk, "member": rec.member_id, "code": code, "message": rec.error}


def _deliver(server: str, command: dict) -> None:
    """Hand a start/stop to the process holding the peer. ``media.peers`` (and aiortc with
    it) is imported here, not at module load, so no ``manage.py`` command loads WebRTC."""
    from media import peers

    peers.deliver(server, command)
