"""Pre-encoded senders: VP8 + Opus files made once with the ffmpeg binary, sent as they are.

A sender that encodes (aiortc's VP8 encoder, ~10 ms per 640×360 frame) competes with the
server for the machine's two cores, and when it falls behind it skips frames, so a gap
in a clip cannot be told from a gap at the source. These senders read packets demuxed
once into memory and pace them by their timestamps from one shared clock, so audio and
video leave together and a sender costs almost nothing. They count what they sent, can
drop a share of RTP packets (simulated loss), stall (hold, then burst the backlog) and
jump their clock, for the bad-input tests and the bench.

The flash file (``flash_beep``) shows black with a white flash and is silent with a
1 kHz beep, both starting on the same instant every two seconds: the clip's audio and
video onsets must agree.
"""

from __future__ import annotations

import array
import asyncio
import random
import subprocess
import time
from fractions import Fraction
from pathlib import Path

import av
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtp import is_rtcp

from media.ffmpeg import binary

CACHE = Path(__file__).resolve().parents[1] / "test-artifacts" / "media-sources"
FLASH_EVERY_S, FLASH_AT_S, FLASH_LEN_S = 2.0, 1.0, 0.2


def _make(name: str, video: str, audio: str, seconds: float, size: str = "640x360") -> Path:
    """Encode a lavfi source once (VP8 realtime, keyframe every second, Opus 20 ms)."""
    out = CACHE / f"{name}-{size}-{int(seconds)}.webm"
    if out.exists() and out.stat().st_size > 0:
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.webm")
    cmd = [binary(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", video]
    cmd += ["-f", "lavfi", "-i", audio, "-t", f"{seconds}", "-c:v", "libvpx"]
    cmd += ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k", "-g", "15"]
    cmd += ["-keyint_min", "15", "-auto-alt-ref", "0", "-c:a", "libopus", "-b:a", "48k"]
    cmd += ["-frame_duration", "20", "-ar", "48000", "-ac", "2", "-f", "webm", str(tmp)]
    subprocess.run(cmd, check=True, timeout=600)
    tmp.replace(out)
    return out


def moving(seconds: float = 120, size: str = "640x360") -> Path:
    """testsrc2 (moving pattern, 15 fps) and a 440 Hz tone."""
    return _make(
        "moving",
        f"testsrc2=s={size}:r=15",
        "sine=f=440:r=48000",
        seconds,
        size,
    )


def flash_beep(seconds: float = 30, size: str = "320x180", *, pattern: bool = False) -> Path:
    """A white flash and a 1 kHz beep on the same instants (every 2 s, from t = 1 s).

    ``pattern``: the flash is drawn over a moving test pattern (what the bench sends, so
    the decoder does real work), otherwise over black.
    """
    on = f"between(mod(t,{FLASH_EVERY_S}),{FLASH_AT_S},{FLASH_AT_S + FLASH_LEN_S})"
    base = f"testsrc2=s={size}:r=15" if pattern else f"color=c=black:s={size}:r=15"
    video = f"{base},drawbox=c=white:t=fill:enable='{on}'"
    audio = f"aevalsrc='0.5*sin(2*PI*1000*t)*{on}':s=48000"  # sample-exact onsets
    return _make("flashp" if pattern else "flash", video, audio, seconds, size)


def onsets(path: Path) -> tuple[list[float], list[float]]:
    """Times (s, clip time) where the flash appears in the video and the beep in the audio.

    A stream that starts lit or loud has no onset there: the clip was cut inside a flash,
    and its picture and sound start at different instants (a keyframe, an audio frame),
    which once read as a 52 ms offset.
    """
    video, audio = [], []
    with av.open(str(path)) as c:
        vs = c.streams.video[0] if c.streams.video else None
        if vs is not None:
            lit = None  # a clip that starts inside a flash has not seen it begin
            for f in c.decode(vs):
                y = bytes(f.planes[0])
                now = sum(y) / len(y) > 160
                if now and lit is False:
                    video.append(float(f.pts * f.time_base))
                lit = now
    with av.open(str(path)) as c:
        aus = c.streams.audio[0] if c.streams.audio else None
        if aus is not None:
            loud = None  # likewise a beep already sounding at the clip's first sample
            for f in c.decode(aus):
                pcm = _samples(f)
                step = max(1, f.sample_rate // 1000)  # 1 ms windows
                for i in range(0, len(pcm) - step + 1, step):
                    now = max(map(abs, pcm[i : i + step])) > 0.04 * _scale(f)
                    if now and loud is False:
                        audio.append(float(f.pts * f.time_base) + i / f.sample_rate)
                    loud = now
    return video, audio


def unmatched_flashes(path: Path) -> int:
    """Flashes in the video without a beep starting beside them (see ``av_offsets_ms``)."""
    return len(onsets(path)[0]) - len(av_offsets_ms(path))


def _samples(frame) -> array.array:
    """The first channel's samples of a decoded audio frame (planar float or s16)."""
    name = frame.format.name
    code = "f" if name.startswith("flt") else "h"
    pcm = array.array(
        code,
        bytes(frame.planes[0])[
            : frame.samples
            * (4 if code == "f" else 2)
            * (1 if frame.format.is_planar else len(frame.layout.channels))
        ],
    )
    if not frame.format.is_planar:
        pcm = pcm[:: len(frame.layout.channels)]
    return pcm


def _scale(frame) -> float:
    return 32767.0 if frame.format.name.startswith("s16") else 1.0


def av_offsets_ms(path: Path) -> list[float]:
    """Audio onset minus video onset for each flash (ms).

    A flash whose beep has no onset within half the flash's length is skipped: its start
    was lost on the network (what is left of it starts later), which is a gap, not an
    offset; ``unmatched_flashes`` counts them.
    """
    video, audio = onsets(path)
    out = []
    for v in video:
        near = min(audio, key=lambda a: abs(a - v), default=None)
        if near is not None and abs(near - v) <= FLASH_LEN_S / 2:
            out.append(round((near - v) * 1000, 1))
    return out


def load(path: Path) -> dict[str, list[tuple[bytes, float]]]:
    """Demux a file once: per kind, (packet bytes, seconds) in order."""
    out: dict[str, list[tuple[bytes, float]]] = {"video": [], "audio": []}
    with av.open(str(path)) as c:
        for p in c.demux():
            if p.size and p.pts is not None:
                out[p.stream.type].append((bytes(p), float(p.pts * p.time_base)))
    t0 = min((out[k][0][1] for k in out if out[k]), default=0.0)  # one origin for both
    for kind in out:
        out[kind] = [(b, max(0.0, t - t0)) for b, t in out[kind]]
    return out


class Clock:
    """One sender's media clock, shared by its audio and video (they leave together)."""

    def __init__(self) -> None:
        self.t0: float | None = None
        self.stall_until = 0.0
        self.hold = True  # True: a stall holds packets and sends the backlog after it
        self.jump_s = 0.0  # added to every timestamp from now on (a sender clock jump)

    def origin(self) -> float:
        if self.t0 is None:
            self.t0 = time.time()
        return self.t0


class PacedTrack(MediaStreamTrack):
    """Sends pre-encoded packets at their timestamps; loops the file, pts keep rising."""

    def __init__(self, kind: str, packets: list[tuple[bytes, float]], clock: Clock) -> None:
        super().__init__()
        self.kind = kind
        self.packets, self.clock = packets, clock
        self.period = packets[-1][1] + (packets[-1][1] - packets[-2][1])
        self.i = 0
        self.sent: list[float] = []  # wall time each packet (frame) was handed to aiortc
        self.base = Fraction(1, 90000 if kind == "video" else 48000)

    async def recv(self) -> av.Packet:
        while True:
            data, t = self.packets[self.i % len(self.packets)]
            media_t = t + (self.i // len(self.packets)) * self.period
            self.i += 1
            due = self.clock.origin() + media_t
            await asyncio.sleep(max(0.0, due - time.time()))
            now = time.time()
            if now < self.clock.stall_until:
                if self.clock.hold:
                    await asyncio.sleep(self.clock.stall_until - now)
                else:
                    continue  # an outage: this packet never leaves
            p = av.Packet(data)
            p.pts = round((media_t + self.clock.jump_s) / self.base)
            p.time_base = self.base
            self.sent.append(time.time())
            return p


class Peer:
    """The sending side of one tablet's WebRTC peer (``self.pc``): offer, answer, connect."""

    pc: RTCPeerConnection

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def answer(self, sdp: str) -> None:
        from aiortc import RTCSessionDescription

        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def wait_connected(self, timeout: float = 15) -> None:
        end = time.time() + timeout
        while self.pc.connectionState != "connected":
            assert time.time() < end, f"peer stuck in {self.pc.connectionState}"
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.pc.close()


class Sender(Peer):
    """One publisher from a file: a peer with a paced video and audio track."""

    def __init__(self, path: Path, *, video: bool = True, audio: bool = True) -> None:
        packets = load(path)
        self.clock = Clock()
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no public STUN
        self.tracks: dict[str, PacedTrack] = {}
        for kind, want in (("video", video), ("audio", audio)):
            if want and packets[kind]:
                track = PacedTrack(kind, packets[kind], self.clock)
                self.tracks[kind] = track
                tr = self.pc.addTransceiver(track, direction="sendonly")
                if kind == "video":
                    from aiortc.rtcrtpsender import RTCRtpSender

                    caps = RTCRtpSender.getCapabilities("video").codecs
                    tr.setCodecPreferences([c for c in caps if c.mimeType == "video/VP8"])

    def stall(self, seconds: float, *, hold: bool = True) -> None:
        self.clock.hold = hold
        self.clock.stall_until = time.time() + seconds

    def sent_between(self, kind: str, t0: float, t1: float) -> int:
        track = self.tracks.get(kind)
        return sum(t0 <= t <= t1 for t in track.sent) if track else 0

    def max_send_gap_ms(self, kind: str, t0: float, t1: float) -> float:
        track = self.tracks.get(kind)
        times = [t for t in (track.sent if track else []) if t0 <= t <= t1]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        return round(max(gaps) * 1000, 1) if gaps else 0.0


_LOSS = {"rate": 0.0, "rng": random.Random(18), "dropped": 0, "sent": 0}
_original_send_rtp = RTCDtlsTransport._send_rtp


async def _lossy_send_rtp(self, data: bytes) -> None:
    if not is_rtcp(data):
        _LOSS["sent"] += 1
        if _LOSS["rate"] and _LOSS["rng"].random() < _LOSS["rate"]:
            _LOSS["dropped"] += 1
            return
    await _original_send_rtp(self, data)


def simulate_loss(rate: float) -> dict:
    """Drop ``rate`` of the RTP packets this process sends (RTCP, NACK, PLI pass)."""
    RTCDtlsTransport._send_rtp = _lossy_send_rtp
    _LOSS.update(rate=rate, dropped=0, sent=0)
    return _LOSS
