"""The capture clock: aiortc starts each track at 0; frames are stamped in wall time."""

from __future__ import annotations

from fractions import Fraction

from av import VideoFrame

from media.capture import TrackClock


def frame(pts: int) -> VideoFrame:
    f = VideoFrame(16, 16, "yuv420p")
    f.pts, f.time_base = pts, Fraction(1, 90000)
    return f


def test_clock_maps_pts_to_the_first_arrival_and_tightens_early():
    c = TrackClock()
    assert c.wall(frame(0), 100.30) == 100.30
    # a later frame that came through faster shows the real offset: tighten to it
    assert abs(c.wall(frame(9000), 100.35) - 100.35) < 1e-9  # 0.1 s of media, 0.05 s later
    assert abs(c.offset - 100.25) < 1e-9


def test_clock_re_anchors_when_the_sender_stalls():
    c = TrackClock()
    c.wall(frame(0), 100.0)
    # 10 s later only 2 s of media arrived: the sender stalled; do not file it 8 s ago
    got = c.wall(frame(180000), 110.0)
    assert abs(got - 110.0) < 1e-9 and c.reanchored == 1
    # jitter within a second keeps the clock
    assert abs(c.wall(frame(180000 + 9000), 110.4) - 110.1) < 1e-9
