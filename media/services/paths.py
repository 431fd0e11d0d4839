"""Where media files live: working files under DATA_DIR, finished clips under MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def work_dir() -> Path:
    d = Path(settings.DATA_DIR) / "media" / "work"
    d.mkdir(parents=True, exist_ok=True)
    return d


def working_file(recording_id: int) -> Path:
    """The file a speech is recorded into before it becomes a clip.

    Matroska (``.mkv``) when the capture keeps packets as they arrived
    (media.passthrough), else MPEG-TS (``.ts``, decoded and encoded H.264/AAC). The
    capture is told the ``.ts`` name and writes the ``.mkv`` beside it if it passes
    packets through; whichever exists is the recording's file.
    """
    ts = work_dir() / f"rec_{recording_id}.ts"
    mkv = ts.with_suffix(".mkv")
    return mkv if mkv.exists() and not ts.exists() else ts


def room_dir(publisher_id: int) -> Path:
    d = Path(settings.DATA_DIR) / "media" / "room" / str(publisher_id)
    d.mkdir(parents=True, exist_ok=True)
    return d


def clip_root() -> Path:
    d = Path(settings.MEDIA_ROOT)
    d.mkdir(parents=True, exist_ok=True)
    return d


def absolute(rel: str) -> Path:
    return clip_root() / rel
