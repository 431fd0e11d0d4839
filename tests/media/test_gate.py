"""media.gate: members who do not hold the floor are not decoded; the pre-roll survives.

Unit tests on the gate with stand-in compressed frames (a VP8 key frame has the low
bit of its first byte clear), then a real aiortc peer: a publisher's decoder thread
decodes nothing until a recording starts, and the clip still starts at the floor's
``started_at`` (the pre-roll decoded from the kept keyframe).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from harness.media_sources import Sender, av_offsets_ms, flash_beep
from media.gate import Gate, is_keyframe
from media.services.paths import absolute
from tests.media.conftest import publish, wait_for
from tests.media.helpers import finished_clip, grant, release, stream_durations

VP8 = SimpleNamespace(name="VP8")
OPUS = SimpleNamespace(name="opus")


def _frame(key: bool, n: int) -> SimpleNamespace:
    return SimpleNamespace(data=bytes([0x00 if key else 0x01, n % 256]), timestamp=n)


def _feed(gate: Gate, codec, frames, t0: float = 100.0, step: float = 1 / 15):
    out = []
    for i, f in enumerate(frames):
        out.append(gate.take(codec, f, t0 + i * step))
    return out


def test_keyframe_detection():
    assert is_keyframe("VP8", b"\x10\x02") and not is_keyframe("VP8", b"\x11\x02")
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x67\x42\x00\x00\x00\x01\x65")
    assert not is_keyframe("H264", b"\x00\x00\x00\x01\x41\x9a")
    assert not is_keyframe("VP8", b"")


def test_closed_gate_decodes_nothing_and_keeps_from_a_keyframe_old_enough():
    gate = Gate("video", preroll_s=2.0)
    # a keyframe every second for 5 s (75 frames)
    frames = [_frame(i % 15 == 0, i) for i in range(75)]
    assert all(out == [] for out in _feed(gate, VP8, frames))
    gate.open()
    now = 100.0 + 75 / 15
    out = gate.take(VP8, _frame(False, 75), now)
    # the ring starts at the newest keyframe at least 2 s before the last kept frame
    first_arrival, first = out[0]
    assert is_keyframe("VP8", first.data)
    assert 2.0 <= now - first_arrival <= 3.1
    assert [f.timestamp for _, f in out] == list(range(first.timestamp, 76))
    # open: every frame decoded at once, no ring
    assert len(gate.take(VP8, _frame(False, 76), now + 0.07)) == 1
    assert len(gate.take(VP8, _frame(False, 77), now + 0.13)) == 1


def test_a_keyframe_is_requested_when_the_kept_one_grows_old():
    asked = []
    gate = Gate("video", preroll_s=2.0)
    gate.request_keyframe = lambda: asked.append(1)
    frames = [_frame(i == 0, i) for i in range(15 * 12)]  # one keyframe, then 12 s without
    _feed(gate, VP8, frames)
    assert asked, "no keyframe asked although the only one is 12 s old"
    assert len(asked) <= 3, "keyframe requests are rate-limited"


def test_opened_without_a_keyframe_waits_for_one_and_asks():
    asked = []
    gate = Gate("video", preroll_s=2.0)
    gate.request_keyframe = lambda: asked.append(1)
    gate.open()
    assert gate.take(VP8, _frame(False, 1), 10.0) == []
    assert asked
    out = gate.take(VP8, _frame(True, 2), 10.1)
    assert [f.timestamp for _, f in out] == [2]
    assert len(gate.take(VP8, _frame(False, 3), 10.2)) == 1


def test_closed_again_after_the_speech():
    gate = Gate("video", preroll_s=2.0)
    gate.open()
    gate.take(VP8, _frame(True, 0), 1.0)
    gate.close()
    assert gate.take(VP8, _frame(False, 1), 1.1) == []
    assert not gate.is_open


def test_audio_keeps_the_last_preroll_seconds():
    gate = Gate("audio", preroll_s=2.0)
    packets = [_frame(False, i) for i in range(250)]  # 5 s of 20 ms packets
    assert all(out == [] for out in _feed(gate, OPUS, packets, step=0.02))
    gate.open()
    out = gate.take(OPUS, _frame(False, 250), 105.0)
    assert 2.0 <= 105.0 - out[0][0] <= 2.6
    assert out[-1][1].timestamp == 250


def test_ring_frames_are_stamped_from_their_shortest_delay_not_their_own():
    """A late stamp on the ring's first frame must not move the whole pre-roll."""
    from media.gate import tightened

    vp8 = SimpleNamespace(name="VP8", clockRate=90000)
    # 30 frames at 15 fps sent from t = 100; this server stamped the first 60 ms late and
    # a few others a little late; the shortest delay seen is 5 ms
    late = {0: 0.060, 7: 0.030, 20: 0.012}
    kept = [
        (100.0 + i / 15 + late.get(i, 0.005), vp8, SimpleNamespace(timestamp=6000 * i))
        for i in range(30)
    ]
    out = tightened(kept)
    assert [round(a - 100.0 - i / 15, 6) for i, (a, _) in enumerate(out)] == [0.005] * 30
    assert [f.timestamp for _, f in out] == [6000 * i for i in range(30)]
    # never later than a frame arrived
    assert all(a <= k[0] for (a, _), k in zip(out, kept, strict=True))


def test_room_camera_gate_is_always_open():
    gate = Gate("video", always_open=True)
    assert gate.take(VP8, _frame(False, 0), 1.0) != []
    gate.close()
    assert gate.is_open


# --- a real peer: not decoded until the floor, the pre-roll decoded from the ring ---------


@pytest.mark.django_db(transaction=True)
@pytest.mark.media
@pytest.mark.parametrize("passthrough", [True, False], ids=["passthrough", "decoded"])
async def test_a_member_without_the_floor_is_not_decoded_and_the_clip_is_whole(
    committee, connect, monkeypatch, passthrough
):
    """Passthrough (default): nothing of the member is ever decoded, the floor holder's
    packets are written as they came (a WebM clip). ``YITING_MEDIA_PASSTHROUGH=0``: the
    holder is decoded and encoded (MP4) as before. Either way the clip is whole."""
    from media import peers

    monkeypatch.setenv("YITING_MEDIA_PASSTHROUGH", "1" if passthrough else "0")
    work = "passed" if passthrough else "decoded"

    sitting, m1 = committee.group_a_sitting, committee.members[0]
    snd = Sender(flash_beep(30))
    try:
        sock = await connect(m1.user, sitting.pk)
        await publish(sock, snd)
        await asyncio.sleep(3.0)  # publishing, not speaking
        (peer,) = peers.PEERS.values()
        gates = peer.capture.gates
        assert set(gates) == {"video", "audio"}
        assert all(g.decoded == 0 for g in gates.values()), "decoded without the floor"
        started = await grant(sitting, m1, 401)
        await asyncio.sleep(4.5)
        ended = await release(sitting, m1, 401, started)
        clip = await wait_for(lambda: finished_clip(401), timeout=40)
        speech = (ended - started).total_seconds()
        durs = stream_durations(absolute(clip.path))
        # the clip starts at started_at: its pre-roll came from the compressed ring
        assert abs(durs["video"] - speech) <= 0.5, (durs, speech)
        assert abs(durs["audio"] - speech) <= 0.5, (durs, speech)
        assert clip.quality["gaps"] == [], clip.quality
        offsets = av_offsets_ms(absolute(clip.path))
        assert offsets and all(abs(o) <= 40 for o in offsets), offsets
        assert all(getattr(g, work) > 0 for g in gates.values())
        if passthrough:
            assert all(g.decoded == 0 for g in gates.values()), "decoded a passed-through track"
            assert clip.path.endswith(".webm") and clip.quality["passthrough"]
            assert clip.quality["dropped_server"] == 0, clip.quality
        else:
            assert clip.path.endswith(".mp4") and "passthrough" not in clip.quality
        await wait_for(lambda: not any(g.is_open for g in gates.values()), timeout=10)
        after = {k: getattr(g, work) for k, g in gates.items()}
        await asyncio.sleep(1.0)
        assert {k: getattr(g, work) for k, g in gates.items()} == after, "still taking after"
    finally:
        await snd.close()
        for pid in list(peers.PEERS):
            await peers.close_peer(pid, reason="test_end")


def test_the_jitter_buffers_hold_is_taken_off_the_arrival():
    """aiortc hands video on one frame late and audio four packets late (docs/media.md)."""
    video, audio = Gate("video"), Gate("audio")
    vcodec, acodec = (
        SimpleNamespace(name="VP8", clockRate=90000),
        SimpleNamespace(name="opus", clockRate=48000),
    )
    for n in range(20):
        v = video.sent_at(vcodec, SimpleNamespace(timestamp=n * 6000), 10.0 + n / 15)
        a = audio.sent_at(acodec, SimpleNamespace(timestamp=n * 960), 10.0 + n * 0.02)
    assert abs((10.0 + 19 / 15 - v) - 1 / 15) < 1e-9  # one frame interval at 15 fps
    assert abs((10.0 + 19 * 0.02 - a) - 0.08) < 1e-9  # four 20 ms packets
    # a lost packet (a 40 ms step) does not move the estimate
    a = audio.sent_at(acodec, SimpleNamespace(timestamp=21 * 960), 20.0)
    assert abs((20.0 - a) - 0.08) < 1e-9
