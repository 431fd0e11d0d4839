"""Where media files live: working files under DATA_DIR, finished clips under MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def work_dir() -> Path:
    d = Path(settings.DATA_DIR) / "media" / "work"
    d.mkdir(parents=True, exist_ok=True)
    return d


def working_file(recording_id: int) -> Path:
    """The MPEG-TS file a speech is recorded into before it becomes a clip."""
    return work_dir() / f"rec_{recording_id}.ts"


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
