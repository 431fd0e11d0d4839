"""Turning a recording into a clip in the member's file: remux, poster, probe, checksum.

Idempotent (the job queue may run it again after a crash): the clip file is written
under a temporary name and renamed, and a recording that already has its clip is left
alone. A full disk fails with ``disk_full`` and leaves the working file untouched, so a
retry once space is freed loses nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import av
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import events
from core.errors import DomainError
from core.events import emit
from media import ffmpeg
from media.capture import read_written_until
from media.models import Clip, Recording, RoomSegment
from media.services import paths, storage
from media.services.recording import failed_payload

log = logging.getLogger(__name__)
Report = Callable[[int, int], None]
STEPS = 4
ROOM_SETTLE_S = 1.5  # written this far past the end before cutting (muxer, encoder delay)
ROOM_WAIT_MAX_S = 15.0


def finalise(recording_id: int, report: Report | None = None) -> Clip | None:
    """Make the playable clip of a recording; returns it (or None if nothing was captured)."""
    rec = Recording.objects.select_related("sitting__session").get(pk=recording_id)
    existing = Clip.objects.filter(recording=rec).first()
    if existing is not None:
        return existing
    step = _progress(rec, report)
    src = paths.working_file(rec.pk)
    # packets kept as they arrived (media.passthrough): VP8/Opus, a WebM clip
    ext = "webm" if rec.source == Recording.Source.MEMBER and src.suffix == ".mkv" else "mp4"
    rel = f"clips/{rec.started_at:%Y-%m}/rec-{rec.pk}.{ext}"
    dest = paths.absolute(rel)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(f".part.{ext}")
    try:
        _need_space(rec, dest.parent)
        step(1)
        if rec.source == Recording.Source.ROOM:
            _cut_from_room(rec, tmp)
        else:
            if not src.exists() or src.stat().st_size == 0:
                _fail(rec, "stream_missing", "Nothing was captured for this speech.")
                return None
            if ext == "webm":
                ffmpeg.remux_to_webm(src, tmp, max_s=_span_s(rec))
            else:
                ffmpeg.remux_to_mp4(src, tmp, max_s=_span_s(rec))
        step(2)
        duration = probe_duration(tmp)
        poster_rel = ""
        if has_video(tmp):  # a member who published only a microphone gets no poster
            poster_rel = rel.rsplit(".", 1)[0] + ".jpg"
            ffmpeg.poster(tmp, paths.absolute(poster_rel), min(1.0, duration / 2))
        step(3)
        digest, size = sha256_of(tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            _fail(rec, "disk_full", f"Disk full while finalising: {exc}", final=False)
            raise DomainError(
                "disk_full",
                "No space left to finalise the clip; the "
                "recording is kept and will be finalised again.",
            ) from None
        raise
    except ffmpeg.FfmpegError as exc:
        tmp.unlink(missing_ok=True)
        if exc.disk_full:
            _fail(rec, "disk_full", "Disk full while finalising.", final=False)
            raise DomainError("disk_full", "No space left to finalise the clip.") from None
        raise
    clip = _file(rec, rel, poster_rel, duration, size, digest)
    step(4)
    _cleanup(rec)
    storage.prune_quietly()  # the room files this speech was cut from may go now
    return clip


SPAN_SLACK_S = 0.25


def _span_s(rec: Recording) -> float | None:
    """The speech's length by the speaking log, as the most a member clip may hold.

    The capture writes only frames up to the floor's end once it knows that end; a
    host that learnt it late (cut off from Redis and the database when the floor ended,
    media/runtime.py) wrote on meanwhile, and the cut here keeps the clip to the log.
    A passed-through clip that starts at a keyframe before the floor's start
    (``quality.lead_s``, media.passthrough) is that much longer: its end is kept.
    """
    if rec.ended_at is None:
        return None
    lead = float((rec.quality or {}).get("lead_s") or 0.0)
    return max(0.0, (rec.ended_at - rec.started_at).total_seconds()) + lead + SPAN_SLACK_S


def _progress(rec: Recording, report: Report | None) -> Callable[[int], None]:
    def step(n: int) -> None:
        if report is not None:
            report(n, STEPS)
        events.notify(
            events.sitting(rec.sitting_id),
            "media.clip_progress",
            {"recording": rec.pk, "member": rec.member_id, "done": n, "total": STEPS},
            rec.sitting_id,
        )

    return step


def _need_space(rec: Recording, where: Path) -> None:
    src = paths.working_file(rec.pk)
    size = src.stat().st_size if src.exists() else 50 * 1024 * 1024
    margin = getattr(settings, "MEDIA_MIN_FREE_BYTES", 0)
    ffmpeg.check_space(where, size * 2 + margin)


def _cut_from_room(rec: Recording, tmp: Path) -> None:
    """Stream-copy the speech's span out of the room camera's files (no re-encode)."""
    start, end = rec.started_at, rec.ended_at or timezone.now()
    _wait_room_past(rec, end)
    segs = RoomSegment.objects.filter(publisher_id=rec.publisher_id, started_at__lt=end)
    pieces = []
    for seg in segs:
        seg_end = seg.ended_at or end
        if seg_end <= start:
            continue
        inpoint = max(0.0, (start - seg.started_at).total_seconds())
        if not pieces:  # the speech's first piece starts on a keyframe, or loses its picture
            inpoint = keyframe_at_or_before(Path(seg.path), inpoint)
        outpoint = (min(end, seg_end) - seg.started_at).total_seconds()
        pieces.append(ffmpeg.Piece(Path(seg.path), inpoint, outpoint))
    if not pieces:
        raise FileNotFoundError("the room camera recorded nothing during this speech")
    ffmpeg.concat_to_mp4(pieces, tmp, tmp.with_suffix(".ffconcat"))
    tmp.with_suffix(".ffconcat").unlink(missing_ok=True)


def keyframe_at_or_before(path: Path, at_s: float) -> float:
    """The in point to cut ``path`` at so that the picture starts at ``at_s`` or before.

    A stream copy cannot start between keyframes: ffmpeg drops the video packets up to
    the next keyframe, so a cut at the speech's start lost up to one GOP (~0.47 s) of
    picture while the sound was whole. Starting at the keyframe before keeps both, with a
    lead-in shorter than a GOP. Only packet headers are read (no decoding).
    """
    best = 0.0
    with av.open(str(path)) as c:
        if not c.streams.video:
            return at_s
        stream = c.streams.video[0]
        origin = (c.start_time or 0) / av.time_base
        for packet in c.demux(stream):
            if packet.pts is None or not packet.is_keyframe:
                continue
            t = float(packet.pts * stream.time_base) - origin
            if t > at_s:
                break
            best = t
    # ffconcat's in point is written to the millisecond: stay just before the keyframe
    return max(0.0, best - 0.002)


def _wait_room_past(rec: Recording, end: dt.datetime) -> None:
    """Let the still-running room capture write past the speech's end (up to a limit).

    The capture thread marks in a sidecar file how far it has written; under load it
    lags the room by a moment, and cutting before it caught up would lose the end.
    """
    want = end.timestamp() + ROOM_SETTLE_S
    deadline = time.time() + ROOM_WAIT_MAX_S
    while time.time() < deadline:
        open_segs = RoomSegment.objects.filter(publisher_id=rec.publisher_id, ended_at=None)
        if not open_segs.exists():
            return  # the room camera stopped: its files are closed and complete
        if any(read_written_until(Path(s.path)) >= want for s in open_segs):
            return
        time.sleep(0.1)


def probe_duration(path: Path) -> float:
    """Duration of the clip from its streams (the longest of video and audio)."""
    with av.open(str(path)) as c:
        best = 0.0
        for s in c.streams:
            if s.duration is not None and s.time_base is not None:
                best = max(best, float(s.duration * s.time_base))
        if best == 0.0 and c.duration:
            best = c.duration / av.time_base
        if best == 0.0:  # a Matroska file cut short by a crash states no duration: read it
            best = _packets_span(c)
        return best


def _packets_span(c) -> float:
    """Longest span of any stream's packets (headers only, nothing decoded)."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for p in c.demux():
        if p.pts is None or p.time_base is None:
            continue
        t = float(p.pts * p.time_base)
        end = t + float((p.duration or 0) * p.time_base)
        i = p.stream.index
        first[i] = min(first.get(i, t), t)
        last[i] = max(last.get(i, end), end)
    return max((last[i] - first[i] for i in first), default=0.0)


def has_video(path: Path) -> bool:
    with av.open(str(path)) as c:
        return bool(c.streams.video)


def sha256_of(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


@transaction.atomic
def _file(rec: Recording, rel: str, poster_rel: str, duration: float, size: int, digest: str):
    rec = Recording.objects.select_for_update().select_related("sitting__session").get(pk=rec.pk)
    existing = Clip.objects.filter(recording=rec).first()
    if existing is not None:
        return existing
    ended = rec.ended_at or rec.started_at + dt.timedelta(seconds=duration)
    clip = Clip.objects.create(
        recording=rec,
        member_id=rec.member_id,
        term_id=rec.sitting.session.term_id,
        session_id=rec.sitting.session_id,
        sitting_id=rec.sitting_id,
        agenda_item_id=rec.agenda_item_id,
        floor_entry_id=rec.floor_entry_id,
        source=rec.source,
        started_at=rec.started_at,
        ended_at=ended,
        duration_s=duration,
        size=size,
        sha256=digest,
        path=rel,
        poster_path=poster_rel,
        stream_lost=rec.stream_lost_at is not None,
        recovered=rec.recovered,
        quality=rec.quality,
    )
    rec.state, rec.error = Recording.State.DONE, ""
    rec.save(update_fields=["state", "error"])
    emit(rec.sitting_id, "media.clip_ready", clip_event(clip))
    return clip


def clip_event(clip: Clip) -> dict:
    return {
        "clip": str(clip.public_id),
        "recording": clip.recording_id,
        "member": clip.member_id,
        "item": clip.agenda_item_id,
        "duration_s": round(clip.duration_s, 2),
        "stream_lost": clip.stream_lost,
        "url": f"/media/clips/{clip.public_id}/",
    }


def _fail(rec: Recording, code: str, message: str, *, final: bool = True) -> None:
    with transaction.atomic():
        Recording.objects.filter(pk=rec.pk).update(
            error=f"{code}: {message}",
            **({"state": Recording.State.FAILED} if final else {}),
        )
        rec.error = f"{code}: {message}"
        emit(rec.sitting_id, "media.recording_failed", failed_payload(rec, code))


def _cleanup(rec: Recording) -> None:
    if rec.source == Recording.Source.MEMBER:
        work = paths.working_file(rec.pk)
        for p in (work.with_suffix(".ts"), work.with_suffix(".mkv")):
            p.unlink(missing_ok=True)
