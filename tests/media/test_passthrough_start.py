"""The start of a passed-through clip (media.passthrough), offline and deterministic.

A member's VP8/Opus packets go through the track gates and the capture worker into the
Matroska working file as in production, but driven by hand on a simulated clock (no
peer, no threads): the pre-encoded bench source (a keyframe every second, 15 fps), each
frame reaching the decoder thread when aiortc's jitter buffer would hand it on, the
floor granted at different phases of the keyframe interval. The clip must start at a
keyframe and then hold every frame, one interval apart: issue 27's bench found a hole of
0.33–0.43 s after the first keyframe in 2 of 12 clips (the keyframe, when it came after
the floor's start, was stamped at the file's origin instead of its own time).
"""

from __future__ import annotations

import datetime as dt
import queue
from pathlib import Path

import av
import pytest

from harness.media_sources import flash_beep, load
from media import ffmpeg
from media.capture import Capture
from media.passthrough import LEAD_S, MkvWriter, Packet

ORIGIN = 1000.0  # the sender's first frame left at this (simulated) wall time
NET_S = 0.02  # one-way delay
INTERVAL_S = 1 / 15


class Codec:
    def __init__(self, name: str, rate: int) -> None:
        self.name, self.clockRate = name, rate


class Encoded:
    """What aiortc's jitter buffer hands its decoder thread (a JitterFrame)."""

    def __init__(self, data: bytes, timestamp: int) -> None:
        self.data, self.timestamp = data, timestamp


CODECS = {"video": Codec("VP8", 90000), "audio": Codec("opus", 48000)}
HOLD = {"video": 1, "audio": 4}  # aiortc 1.16: a frame leaves when the n-th next begins


@pytest.fixture(scope="module")
def packets():
    return load(flash_beep(10))


def _arrivals(packets, seconds: float) -> list[tuple[float, str, bytes, int]]:
    out = []
    for kind, hold in HOLD.items():
        own = [p for p in packets[kind] if p[1] < seconds]
        rate = CODECS[kind].clockRate
        for i, (data, t) in enumerate(own[:-hold]):
            out.append((ORIGIN + own[i + hold][1] + NET_S, kind, data, round(t * rate)))
    return sorted(out, key=lambda e: e[0])


def _record(packets, tmp: Path, grant_at: float, *, seconds: float = 7.0, lag: float = 0.1):
    """One floor-holding, granted ``grant_at`` s into the stream (started ``lag`` earlier)."""
    info: dict = {}
    cap = Capture("sim", {"video", "audio"}, lambda _rec, got: info.update(got))
    cap.enable_passthrough()
    gates = {kind: cap.gate_for(kind) for kind in CODECS}

    def pump() -> None:  # the capture thread's loop, run to empty
        while True:
            try:
                item = cap.q.get_nowait()
            except queue.Empty:
                return
            cap._handle(item)

    start, stop = ORIGIN + grant_at - lag, ORIGIN + seconds - 1.0
    granted = stopped = False
    for arrival, kind, data, ts in _arrivals(packets, seconds):
        if not granted and arrival >= ORIGIN + grant_at:
            cap.start_recording(1, tmp / "rec_1.ts", start)
            granted = True
            pump()
        if not stopped and arrival >= stop + lag:
            cap.stop_recording(1, stop)
            stopped = True
        gate, codec = gates[kind], CODECS[kind]
        frame = Encoded(data, ts)
        work = gate.take(codec, frame, gate.sent_at(codec, frame, arrival))
        if work:
            assert gate.sink(codec, work)
        pump()
    cap._close_job(lost=False)
    return Path(info["path"]), info["quality"], start, stop


def _video(path: Path) -> list[tuple[float, bool]]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        got = [(float(p.pts * v.time_base), p.is_keyframe) for p in c.demux(v) if p.size]
    return sorted(got)


def _first_audio(path: Path) -> float:
    with av.open(str(path)) as c:
        a = c.streams.audio[0]
        return min(float(p.pts * a.time_base) for p in c.demux(a) if p.size)


# Keyframes leave at 0, 1, 2 … s: granted at x.0–x.1 the newest one is more than
# LEAD_S before the start (the clip starts at the next one, after the start); at
# x.2–x.6 within LEAD_S before it (a lead-in); at x.7–x.9 again after it.
PHASES = [3.0, 3.1, 3.2, 3.4, 3.6, 3.7, 3.8, 3.9]


@pytest.mark.parametrize("grant_at", PHASES)
def test_the_clip_starts_at_a_keyframe_and_holds_every_frame_after_it(packets, tmp_path, grant_at):
    mkv, q, start, stop = _record(packets, tmp_path, grant_at)
    for path in (mkv, tmp_path / "clip.webm"):
        if path.suffix == ".webm":
            ffmpeg.remux_to_webm(mkv, path)
        video = _video(path)
        assert video[0][1], "the clip's picture starts at a keyframe"
        steps = [b[0] - a[0] for a, b in zip(video, video[1:], strict=False)]
        assert max(steps) < INTERVAL_S + 0.01, (path.suffix, video[:4], q)
    # where the picture starts against the sound (the file's origin): as stated
    video = _video(mkv)
    first_video = video[0][0] - _first_audio(mkv)
    if q["lead_s"] > 0:  # began at the keyframe before the start: sound from there too
        assert -0.021 < first_video <= 0 and q["video_starts_s"] == -q["lead_s"]
        assert 0 < q["lead_s"] <= LEAD_S
    else:  # the first keyframe after the start, at its own time from the start
        assert q["video_starts_s"] > 0
        assert abs(first_video - q["video_starts_s"]) < 0.03, (first_video, q)


@pytest.mark.parametrize("grant_at", PHASES)
def test_lead_in_frames_are_counted_apart_from_the_speech(packets, tmp_path, grant_at):
    """The bench reads received (the wire) against the clip: frames from before the start
    must not count as received, or a clip with a lead-in looks like a server loss."""
    mkv, q, start, stop = _record(packets, tmp_path, grant_at)
    in_file = len(_video(mkv))
    assert in_file == q["written"]["video"] + q["lead_in"]["video"], q
    # every video frame of the speech that arrived is in the file, or came before its
    # first keyframe (not decodable); nothing was the server's loss
    assert q["received"]["video"] == q["written"]["video"] + q["video_before_first_keyframe"]
    assert q["dropped_server"] == 0
    speech = [t for _, t in packets["video"] if start <= ORIGIN + t + NET_S <= stop]
    assert abs(q["received"]["video"] - len(speech)) <= 2, (q["received"], len(speech))
    assert q["received"]["audio"] == q["written"]["audio"], q  # audio held, then all written
    if q["lead_s"] > 0:
        assert q["lead_in"]["video"] >= 1 and q["video_before_first_keyframe"] == 0
        assert q["lead_in"]["video"] == round(q["lead_s"] / INTERVAL_S) + 1
    else:
        assert q["lead_in"] == {"video": 0, "audio": 0}


def test_a_keyframe_after_the_start_keeps_its_time_in_the_writer(packets, tmp_path):
    """MkvWriter alone: audio from the start, the first keyframe 0.4 s later."""
    start = 500.0
    w = MkvWriter(tmp_path / "w.mkv", start, video=True, audio=True)
    key_at = next(t for (d, t) in packets["video"] if t >= 1.0 and not d[0] & 1)
    for (data, t), _ in zip(packets["audio"], range(60), strict=False):
        w.write_audio(Packet(data, round(t * 48000), None, True, duration_s=0.02), start + t)
    for data, t in packets["video"][:45]:
        pkt = Packet(data, round(t * 90000), None, not data[0] & 1, 640, 360)
        w.write_video(pkt, start + t - key_at + 0.4)  # that keyframe lands at start + 0.4
    w.close()
    video = _video(tmp_path / "w.mkv")
    assert video[0] == (pytest.approx(0.4, abs=0.001), True)
    assert video[1][0] - video[0][0] < INTERVAL_S + 0.01
    assert w.lead_s == 0 and w.lead_in == {"video": 0, "audio": 0}


def test_the_clip_is_cut_at_the_speechs_end_counting_the_lead_in():
    """The finalise cut (``-t``) is measured from the file's origin, lead_s early."""
    from media.models import Recording
    from media.services.clips import SPAN_SLACK_S, _span_s

    t0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    rec = Recording(started_at=t0, ended_at=t0 + dt.timedelta(seconds=4), quality={})
    assert _span_s(rec) == pytest.approx(4 + SPAN_SLACK_S)
    rec.quality = {"lead_s": 0.4, "passthrough": True}
    assert _span_s(rec) == pytest.approx(4.4 + SPAN_SLACK_S)
