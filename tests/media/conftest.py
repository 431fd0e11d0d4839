"""Real WebRTC publishers (aiortc with generated video+audio) and socket helpers."""

from __future__ import annotations

import array
import asyncio
import fractions
import math
import time

import pytest
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection
from asgiref.sync import sync_to_async
from av import AudioFrame, VideoFrame

from harness.media_sources import Peer
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

FPS = 15
RATE = 48000


def _tone() -> bytes:
    """One second of a 440 Hz tone (exactly 440 cycles), stereo s16, plus wrap-around."""
    pcm = array.array("h")
    for i in range(RATE + 960):
        v = int(math.sin(2 * math.pi * 440 * i / RATE) * 8000)
        pcm.extend((v, v))
    return pcm.tobytes()


TONE = _tone()


class ToneVideo(MediaStreamTrack):
    """640×360 at 15 fps: a moving bar, so frames differ and the encoder does real work."""

    kind = "video"

    def __init__(self, width: int = 640, height: int = 360) -> None:
        super().__init__()
        self.w, self.h, self.n, self.t0 = width, height, 0, None

    async def recv(self) -> VideoFrame:
        if self.t0 is None:
            self.t0 = time.time()
        due = self.t0 + self.n / FPS
        await asyncio.sleep(max(0.0, due - time.time()))
        frame = VideoFrame(self.w, self.h, "yuv420p")
        y = bytearray(self.w * self.h)
        x = (self.n * 8) % (self.w - 40)
        for row in range(self.h):
            base = row * self.w
            y[base + x : base + x + 40] = b"\xf0" * 40
        y[: self.w * (self.h // 8)] = bytes([(self.n * 3) % 255]) * (self.w * (self.h // 8))
        frame.planes[0].update(bytes(y))
        chroma = bytes([128]) * (self.w * self.h // 4)
        frame.planes[1].update(chroma)
        frame.planes[2].update(chroma)
        frame.pts, frame.time_base = self.n * 6000, fractions.Fraction(1, 90000)
        self.n += 1
        return frame


class ToneAudio(MediaStreamTrack):
    """A 440 Hz tone, 20 ms frames at 48 kHz stereo (what the Opus encoder expects)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.samples, self.t0 = 0, None

    async def recv(self) -> AudioFrame:
        if self.t0 is None:
            self.t0 = time.time()
        due = self.t0 + self.samples / RATE
        await asyncio.sleep(max(0.0, due - time.time()))
        n = 960
        start = (self.samples % RATE) * 4
        frame = AudioFrame(format="s16", layout="stereo", samples=n)
        frame.planes[0].update(TONE[start : start + n * 4])
        frame.sample_rate, frame.pts = RATE, self.samples
        frame.time_base = fractions.Fraction(1, RATE)
        self.samples += n
        return frame


class Publisher(Peer):
    """A member tablet's WebRTC side, in aiortc: offer, answer, tracks running."""

    def __init__(self, video: bool = True, audio: bool = True) -> None:
        # No ICE servers: like the closed network, the tests ask no public STUN server.
        self.pc = RTCPeerConnection(configuration=RTCConfiguration(iceServers=[]))
        if video:
            self.pc.addTrack(ToneVideo())
        if audio:
            self.pc.addTrack(ToneAudio())


@pytest.fixture
async def publishers():
    made: list[Publisher] = []

    def make(**kw) -> Publisher:
        p = Publisher(**kw)
        made.append(p)
        return p

    yield make
    for p in made:
        await p.close()
    from media import peers

    for pid in list(peers.PEERS):
        await peers.close_peer(pid, reason="test_end")


async def publish(sock, pub: Publisher, kind: str = "member") -> dict:
    """Negotiate ``pub`` over the sitting socket; returns the reply's data."""
    r = await sock.request("media.publish", {"sdp": await pub.offer(), "kind": kind})
    assert r["ok"], r
    await pub.answer(r["data"]["sdp"])
    await pub.wait_connected()
    return r["data"]


async def wait_for(pred, timeout: float = 30, step: float = 0.2):
    """Poll ``pred`` (sync, DB) until it returns something truthy."""
    end = time.time() + timeout
    apred = sync_to_async(pred)
    while True:
        got = await apred()
        if got:
            return got
        assert time.time() < end, "condition not reached"
        await asyncio.sleep(step)
