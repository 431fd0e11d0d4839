"""The capture clock: aiortc starts each track at 0; frames are stamped in wall time."""

from __future__ import annotations

from fractions import Fraction

from av import VideoFrame

from media.capture import TrackClock


def frame(pts: int) -> VideoFrame:
    f = VideoFrame(16, 16, "yuv420p")
    f.pts, f.time_base = pts, Fraction(1, 90000)
    return f


def test_clock_maps_pts_to_the_first_arrival_and_tightens_to_the_shortest_delay():
    c = TrackClock()
    assert c.wall(frame(0), 100.30) == 100.30
    # a later frame that came through faster shows the real offset: tighten to it
    assert abs(c.wall(frame(9000), 100.35) - 100.35) < 1e-9  # 0.1 s of media, 0.05 s later
    assert abs(c.offset - 100.25) < 1e-9
    # much later, still: a busy event loop only ever adds delay, so the minimum is true
    assert abs(c.wall(frame(900000), 110.3) - 110.25) < 1e-9
    assert abs(c.wall(frame(909000), 110.30) - 110.30) < 1e-9 and abs(c.offset - 100.2) < 1e-9


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
    assert c.wall(frame(180000 + 5 * 90000), 115.0) < 110 and c.reanchored == 0
    got = c.wall(frame(180000 + 10 * 90000), 120.0)
    assert abs(got - 120.0) < 1e-9 and c.reanchored == 1
    # jitter within a second keeps the clock
    assert abs(c.wall(frame(180000 + 10 * 90000 + 9000), 120.4) - 120.1) < 1e-9


def test_clock_re_anchors_at_once_when_the_sender_clock_jumps_ahead():
    c = TrackClock()
    c.wall(frame(0), 100.0)
    c.wall(frame(270000), 103.0)  # settled
    got = c.wall(frame(270000 + 15 * 90000), 103.1)  # timestamps jump 15 s ahead
    assert abs(got - 103.1) < 1e-9 and c.reanchored == 1
    assert abs(c.wall(frame(270000 + 15 * 90000 + 9000), 103.2) - 103.2) < 1e-9


def test_lost_audio_packets_leave_gaps_instead_of_pulling_audio_ahead(tmp_path):
    from av import AudioFrame

    from media.capture import TsWriter

    w = TsWriter(tmp_path / "a.ts", 1000.0, video=False, audio=True, gop=7)
    for i in range(500):  # 10 s of 20 ms packets; every 7th lost on the network
        if i % 7 == 3:
            continue
        a = AudioFrame(format="s16", layout="stereo", samples=960)
        a.planes[0].update(bytes(960 * 4))
        a.sample_rate = 48000
        w.write_audio(a, 1000.0 + i * 0.02)
    end_media = w._next_apts / 48000  # what was written, in clip seconds
    w.close()
    # 71 packets (1.42 s) were lost; had they been closed up, audio would end 1.4 s early
    assert abs(end_media - 10.0) <= 0.03 + 1024 / 48000, end_media


def test_room_mark_waits_for_the_slowest_stream_but_not_for_a_stalled_one():
    from media.capture import room_reached

    assert room_reached({"audio": 12.0, "video": 11.6}) == 11.6  # video lags: wait for it
    assert room_reached({"audio": 12.0}) == 12.0
    assert room_reached({"audio": 20.0, "video": 11.0}) == 20.0  # video stalled 9 s


def test_room_file_mark_does_not_run_ahead_of_lagging_video(tmp_path):
    from av import AudioFrame

    from media.capture import Capture, read_written_until

    cap = Capture("room", {"video", "audio"}, lambda *_: None, room_dir=tmp_path)
    t0 = 1000.0
    for i in range(100):  # 2 s of audio, 20 ms packets
        a = AudioFrame(format="s16", layout="stereo", samples=960)
        a.planes[0].update(bytes(960 * 4))
        a.sample_rate = 48000
        cap._room_frame("audio", a, t0 + i * 0.02)
        if i % 5 == 0 and i * 0.02 <= 1.2:  # video decoded only up to 1.2 s (lagging)
            v = VideoFrame(640, 360, "yuv420p")
            cap._room_frame("video", v, t0 + i * 0.02)
    mark = read_written_until(cap.room.path)
    cap._rotate_room(None)
    assert t0 + 0.9 <= mark <= t0 + 1.2, mark - t0
