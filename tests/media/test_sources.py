"""The A/V measuring tools themselves: an onset is where a flash or beep begins."""

from __future__ import annotations

import subprocess

from harness.media_sources import FLASH_AT_S, av_offsets_ms, flash_beep, onsets
from media.ffmpeg import binary


def _cut(src, dest, *, audio_from: float, video_from: float, length: float = 4.0) -> None:
    """A clip as a stream-copy cut makes one: sound from one instant, picture from later."""
    lead = video_from - audio_from
    graph = (
        f"[0:v]trim=start={video_from}:duration={length - lead},setpts=PTS-STARTPTS+{lead}/TB[v];"
        f"[0:a]atrim=start={audio_from}:duration={length},asetpts=PTS-STARTPTS[a]"
    )
    cmd = [binary(), "-y", "-loglevel", "error", "-i", str(src), "-filter_complex", graph]
    cmd += ["-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast"]
    cmd += ["-c:a", "aac", str(dest)]
    subprocess.run(cmd, check=True, timeout=120)


def test_a_clip_cut_inside_a_flash_has_no_onset_at_its_start(tmp_path):
    # the cut starts 50 ms into the first flash (sound) and 102 ms into it (picture)
    clip = tmp_path / "cut.mp4"
    _cut(flash_beep(8), clip, audio_from=FLASH_AT_S + 0.05, video_from=FLASH_AT_S + 0.102)
    video, audio = onsets(clip)
    assert video and min(video) > 1.0, video  # the next flash, not the cut edge
    assert audio and min(audio) > 1.0, audio
    offsets = av_offsets_ms(clip)
    assert offsets and all(abs(o) <= 40 for o in offsets), offsets
