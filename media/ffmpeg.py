"""The one place that drives the ffmpeg binary (via ffmpeg-python).

ffmpeg-python has been unmaintained since 2019, so nothing else in the project imports
it: replacing it means rewriting this module only. The binary comes from the
imageio-ffmpeg wheel, so no system package is needed. Every operation here is a stream
copy (remux) except the poster frame.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

import ffmpeg as _ff
import imageio_ffmpeg


class FfmpegError(Exception):
    """ffmpeg failed; ``disk_full`` tells a full disk from a broken input."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr
        self.disk_full = "No space left on device" in stderr or "ENOSPC" in stderr


def binary() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def _run(stream, what: str) -> None:
    try:
        stream.overwrite_output().run(cmd=binary(), capture_stdout=True, capture_stderr=True)
    except _ff.Error as exc:
        err = (exc.stderr or b"").decode("utf-8", "replace")[-2000:]
        raise FfmpegError(f"ffmpeg {what} failed", err) from None


def remux_to_mp4(src: Path, dest: Path, max_s: float | None = None) -> None:
    """MPEG-TS working file → MP4 with the index at the front, without re-encoding.

    ``max_s``: keep at most that many seconds from the file's start (the speech's span),
    for a working file that went on past the floor's end because the stop came late.
    """
    limit = {"t": f"{max_s:.3f}"} if max_s is not None else {}
    out = _ff.input(str(src)).output(
        str(dest),
        c="copy",
        movflags="+faststart",
        **{"bsf:a": "aac_adtstoasc"},
        f="mp4",
        **limit,
    )
    _run(out, "remux")


def remux_to_webm(src: Path, dest: Path, max_s: float | None = None) -> None:
    """Matroska working file of passed-through VP8/Opus → WebM, without re-encoding.

    The index (Cues) goes to the front, as ``+faststart`` does for MP4, so a player
    seeks at once. ``max_s`` as in ``remux_to_mp4``.
    """
    limit = {"t": f"{max_s:.3f}"} if max_s is not None else {}
    out = _ff.input(str(src)).output(str(dest), c="copy", cues_to_front=1, f="webm", **limit)
    _run(out, "remux")


@dataclass(frozen=True)
class Piece:
    """A part of a source file to keep, in seconds from the file's start."""

    path: Path
    inpoint: float
    outpoint: float


def concat_to_mp4(pieces: list[Piece], dest: Path, listing: Path) -> None:
    """Cut and join pieces of working files by stream copy (the room-camera fallback).

    Uses the concat demuxer's ``inpoint``/``outpoint``: a cut starts at the keyframe
    before ``inpoint`` (the room camera writes one every ~0.4 s).
    """
    lines = ["ffconcat version 1.0"]
    for p in pieces:
        lines.append(f"file '{p.path.as_posix()}'")
        lines.append(f"inpoint {p.inpoint:.3f}")
        lines.append(f"outpoint {p.outpoint:.3f}")
    listing.write_text("\n".join(lines) + "\n")
    out = _ff.input(str(listing), f="concat", safe=0).output(
        str(dest), c="copy", movflags="+faststart", **{"bsf:a": "aac_adtstoasc"}, f="mp4"
    )
    _run(out, "concat")


def poster(src: Path, dest: Path, at_s: float) -> None:
    """One JPEG frame (the poster shown before playing)."""
    out = _ff.input(str(src), ss=f"{at_s:.3f}").output(
        str(dest), vframes=1, **{"q:v": 4}, f="image2"
    )
    _run(out, "poster")


def remux_plain(src: Path, dest: Path) -> None:
    """Baseline for the bench: a plain ffmpeg remux of a file, nothing else."""
    fmt = "webm" if src.suffix == ".webm" else "mp4"
    _run(_ff.input(str(src)).output(str(dest.with_suffix("." + fmt)), c="copy", f=fmt), "remux")


def check_space(path: Path, need_bytes: int) -> None:
    """Refuse early when the disk cannot hold ``need_bytes`` more (clear error, no partial file)."""
    st = os.statvfs(path)
    if st.f_bavail * st.f_frsize < need_bytes:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
