"""Past speeches with clips, for the demo's archive, the tests and the bench.

``file_speech`` writes what a recorded speech leaves behind (a speaking-log row, its
recording and its clip); ``tone_clip`` makes a short real MP4 with the ffmpeg binary
from a lavfi source showing the member's name over a colour and playing a tone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

from django.conf import settings

from core.models import AgendaItem, Member, Sitting
from core.pdffont import font_path
from media.ffmpeg import binary
from media.models import Clip, Recording
from meeting.floor.models import Speech

CLIP_TIMEOUT_S = 30


def _drawtext_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def tone_clip(dest: Path, label: str, seconds: float = 3.0, tone_hz: int = 440) -> Path:
    """A ``seconds``-long H.264/AAC MP4 showing ``label`` with a sine tone (faststart)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    text = _drawtext_escape(label)
    font = str(font_path()).replace(":", "\\:")
    vf = (
        f"drawtext=fontfile='{font}':text='{text}':fontcolor=white:fontsize=36:"
        "x=(w-text_w)/2:y=(h-text_h)/2,"
        "drawtext=fontfile='"
        + font
        + "':text='%{pts\\:hms}':fontcolor=yellow:fontsize=20:x=10:y=10"
    )
    cmd = [
        binary(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"color=c=0x1f3b5c:s=320x180:r=10:d={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate=22050:duration={seconds}",
        "-vf", vf, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "48k", "-shortest", "-movflags", "+faststart", str(dest),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=CLIP_TIMEOUT_S)
    return dest


def file_speech(
    sitting: Sitting,
    member: Member,
    item: AgendaItem | None,
    started_at: dt.datetime,
    duration_s: float,
    *,
    clip_file: Path | None = None,
    with_clip: bool = True,
) -> Speech:
    """A finished speech of the log and (unless ``with_clip`` is False) its filed clip."""
    ended = started_at + dt.timedelta(seconds=duration_s)
    speech = Speech.objects.create(
        sitting=sitting,
        member=member,
        agenda_item=item,
        kind="speech",
        started_at=started_at,
        ended_at=ended,
        ended_how=Speech.Ended.FINISHED,
        limit_s=600,
    )
    if not with_clip:
        return speech
    rec = Recording.objects.create(
        sitting=sitting,
        member=member,
        agenda_item=item,
        floor_entry_id=speech.pk,
        source=Recording.Source.MEMBER,
        state=Recording.State.DONE,
        started_at=started_at,
        ended_at=ended,
        ended_how="finished",
    )
    rel, size, digest = f"clips/history/speech-{speech.pk}.mp4", 0, "0" * 64
    if clip_file is not None:
        target = Path(settings.MEDIA_ROOT) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = clip_file.read_bytes()
        target.write_bytes(data)
        size, digest = len(data), hashlib.sha256(data).hexdigest()
    Clip.objects.create(
        recording=rec,
        member=member,
        term_id=sitting.session.term_id,
        session_id=sitting.session_id,
        sitting=sitting,
        agenda_item=item,
        floor_entry_id=speech.pk,
        source=Recording.Source.MEMBER,
        started_at=started_at,
        ended_at=ended,
        duration_s=duration_s,
        size=size,
        sha256=digest,
        path=rel,
    )
    return speech
