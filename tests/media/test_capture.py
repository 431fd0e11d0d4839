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


def test_clock_keeps_media_time_through_a_stall_that_catches_up():
    c = TrackClock()
    c.wall(frame(0), 100.0)
    # the sender stalled 1.5 s and then sends its backlog: frames keep their media time
    assert abs(c.wall(frame(90000), 102.5) - 101.0) < 1e-9
    assert abs(c.wall(frame(99000), 102.52) - 101.1) < 1e-9
    assert abs(c.wall(frame(225000), 102.6) - 102.5) < 1e-9  # caught up
    assert c.reanchored == 0


def test_clock_re_anchors_when_the_sender_stays_behind():
    c = TrackClock()
    c.wall(frame(0), 100.0)
    # 10 s later only 2 s of media arrived, and it stays 8 s behind: re-anchor to now
    assert abs(c.wall(frame(180000), 110.0) - 102.0) < 1e-9  # maybe a burst: wait
    got = c.wall(frame(180000 + 2 * 90000), 112.0)
    assert abs(got - 112.0) < 1e-9 and c.reanchored == 1
    # jitter within a second keeps the clock
    assert abs(c.wall(frame(180000 + 2 * 90000 + 9000), 112.4) - 112.1) < 1e-9


def test_clock_re_anchors_at_once_when_the_sender_clock_jumps_ahead():
    c = TrackClock()
    c.wall(frame(0), 100.0)
    c.wall(frame(270000), 103.0)  # settled
    got = c.wall(frame(270000 + 15 * 90000), 103.1)  # timestamps jump 15 s ahead
    assert abs(got - 103.1) < 1e-9 and c.reanchored == 1
    assert abs(c.wall(frame(270000 + 15 * 90000 + 9000), 103.2) - 103.2) < 1e-9
