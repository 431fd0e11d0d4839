"""Recording without decoding: the floor holder's packets, as they arrived, into Matroska.

A member's tablet sends VP8 (or H.264) video and Opus audio. Decoding the floor holder
and encoding H.264/AAC again cost about 4 % of a core per recorded stream, plus a
decoder and an encoder thread fighting the event loop for the GIL, and every decoded
picture crossing to the event loop. Here the track's decoder thread (``media.gate``)
hands the holder's *compressed* frames, as aiortc's jitter buffer depacketised them,
straight to the capture thread, which writes them unchanged into a Matroska working
file (``MkvWriter``). Nothing is decoded on the hot path.

Timing: each frame keeps its RTP timestamp (unwrapped, in the codec's clock), which
``capture.TrackClock`` maps to wall-clock time exactly as it maps decoded frames' pts,
so A/V alignment, the stall/backlog rule and re-anchoring are the same as before. The
file is stamped from the floor's ``started_at``; its video starts at a keyframe: the
newest one at most ``LEAD_S`` before the start (the clip then begins that much early,
both streams together, as the room-camera cut does), otherwise the first one after it
(the gate asks the tablet for one when the floor is granted).

Crash safety: Matroska is written through a 4 KiB buffer straight to the OS with a
cluster closed at least every second, so a killed process leaves a file readable up
to its last complete cluster (about a second lost, as with the MPEG-TS it replaces).

Codecs passed through: VP8 and Opus (a WebM clip after a stream-copy remux at
finalise). Anything else (H.264, G.711) is decoded and encoded as before.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import av

from media.gate import is_keyframe

log = logging.getLogger(__name__)

PASS_CODECS = {"video": {"vp8"}, "audio": {"opus"}}
LEAD_S = 0.5  # video may start at a keyframe this long before the floor's start
KEY_WAIT_S = 3.0  # no keyframe this long after the start: write the audio without waiting
MS = Fraction(1, 1000)
AUDIO_SLACK_S = 0.03  # as capture.AUDIO_SLACK: contiguous audio while the clock agrees
CLUSTER_MS = 1000  # a cluster is closed (reaches the OS) at least this often


def passes(kind: str, codec_name: str | None) -> bool:
    """Whether a track in this codec is recorded as it arrives (no decoding)."""
    return codec_name is None or codec_name.lower() in PASS_CODECS.get(kind, set())


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a VP8 key frame (RFC 6386 9.1), without decoding it."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        return None
    return (data[6] | data[7] << 8) & 0x3FFF, (data[8] | data[9] << 8) & 0x3FFF


class Packet:
    """One compressed frame as the capture sees it: RTP time, keyframe, picture size."""

    __slots__ = ("data", "pts", "time_base", "key", "width", "height", "duration_s")

    def __init__(self, data, pts, time_base, key, width=0, height=0, duration_s=0.0):
        self.data, self.pts, self.time_base, self.key = data, pts, time_base, key
        self.width, self.height, self.duration_s = width, height, duration_s


class TrackState:
    """Per received track (decoder thread): unwrap RTP timestamps, remember the size."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.base: int | None = None
        self.last_raw = 0
        self.cycles = 0
        self.last_pts: int | None = None
        self.size = (0, 0)

    def packet(self, codec, encoded_frame) -> Packet:
        raw = encoded_frame.timestamp
        rate = getattr(codec, "clockRate", 0) or (90000 if self.kind == "video" else 48000)
        if self.base is None:
            self.base = raw
        elif raw < self.last_raw and self.last_raw - raw > 2**31:
            self.cycles += 1  # the 32-bit RTP timestamp wrapped
        self.last_raw = raw
        pts = raw + self.cycles * 2**32 - self.base
        step = 0.0
        if self.last_pts is not None and 0 < pts - self.last_pts < rate // 8:
            step = (pts - self.last_pts) / rate
        self.last_pts = pts
        data = encoded_frame.data
        key = is_keyframe(codec.name, data) if self.kind == "video" else True
        if key and self.kind == "video":
            self.size = vp8_size(data) or self.size
        w, h = self.size
        return Packet(data, pts, Fraction(1, rate), key, w, h, step)


class MkvWriter:
    """Packets into one Matroska file, stamped from ``start`` (or a keyframe just before).

    Same interface as ``capture.TsWriter``: ``write_video``/``write_audio`` with the wall
    time, ``frames``/``audio_frames`` written, ``last_wall``, ``close``. ``skipped``
    counts video frames before the first keyframe (not decodable, so never written; not
    a loss of the server's).
    """

    def __init__(self, path: Path, start: float, *, video: bool, audio: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.start, self.t0 = path, start, start
        self._file = open(path, "wb", buffering=0)  # noqa: SIM115 (closed in close())
        self.video, self.audio = video, audio
        self._c = None
        self._v = self._a = None
        self._pending: list[tuple[str, Packet, float]] = []  # audio before the first key
        self._keyed = False
        self._last_vpts = -1
        self._next_a: float | None = None
        self.frames = self.audio_frames = self.skipped = 0
        self.lead_in = {"video": 0, "audio": 0}  # of those written, from before ``start``
        self.last_wall = start
        self.lead_s = 0.0
        self.first_video: float | None = None  # wall time of the first video frame written

    # -- the interface the capture thread uses ------------------------------------------
    def write_video(self, pkt: Packet, wall: float) -> None:
        if not self.video:
            return
        if not self._keyed:
            if not pkt.key or wall < self.start - LEAD_S:
                self.skipped += 1  # nothing to decode it from (or too early to start at)
                return
            self._keyed = True
            if self._c is None:
                # The file starts at this keyframe if it came before the floor's start
                # (the lead-in), else at the start; either way the keyframe is stamped
                # at its own time, never at the origin (issue 27: a keyframe after the
                # start stamped at 0 left a hole of up to a second after it).
                self._open(min(self.start, wall), pkt)
                self._mux_video(pkt, wall)
                self._flush_pending()
                return
        self._mux_video(pkt, wall)

    def write_audio(self, pkt: Packet, wall: float) -> None:
        if not self.audio:
            return
        if self._c is None:
            if self.video and wall - self.start < KEY_WAIT_S:
                self._pending.append(("audio", pkt, wall))  # until the video's first key
                return
            self._open(self.start, None)
            self._flush_pending()
        self._mux_audio(pkt, wall)

    def close(self) -> None:
        try:
            if self._c is None and self._pending:
                self._open(self.start, None)
                self._flush_pending()
            if self._c is not None:
                self._c.close()
        finally:
            self._file.close()

    # -- inside ---------------------------------------------------------------------------
    def _open(self, origin: float, key: Packet | None) -> None:
        """Open the file with its time origin; ``key`` only gives the picture size."""
        self.t0 = origin
        self.lead_s = round(max(0.0, self.start - origin), 3)
        opts = {"cluster_time_limit": str(CLUSTER_MS)}
        self._c = av.open(self._file, "w", format="matroska", buffer_size=4096, options=opts)
        if self.video:
            # A stream-copy track: the encoder context is opened (cheaply) only so that
            # the muxer has the codec's parameters; nothing is ever encoded with it.
            self._v = self._c.add_stream("libvpx", rate=15)
            w, h = (key.width, key.height) if key is not None and key.width else (640, 360)
            self._v.width, self._v.height = w, h
            self._v.time_base = MS
        if self.audio:
            self._a = self._c.add_stream("libopus", rate=48000)
            self._a.time_base = MS

    def _flush_pending(self) -> None:
        """The audio held until the video's first keyframe (only audio is ever held)."""
        pending, self._pending = self._pending, []
        for _kind, pkt, wall in pending:
            if wall >= self.t0:
                self._mux_audio(pkt, wall)

    def _mux_video(self, pkt: Packet, wall: float) -> None:
        pts = round((wall - self.t0) * 1000)
        if pts <= self._last_vpts or pts < 0:
            return  # out of order after a clock tightening: dropped, counted by the capture
        self._last_vpts = pts
        if self.first_video is None:
            self.first_video = wall
        self._mux(self._v, pkt, pts, pkt.key)
        self.frames += 1
        self.lead_in["video"] += wall < self.start
        self.last_wall = max(self.last_wall, wall)

    def _mux_audio(self, pkt: Packet, wall: float) -> None:
        at = wall - self.t0
        if at < 0:
            return
        if self._next_a is None or at - self._next_a > AUDIO_SLACK_S:
            self._next_a = max(at, self._next_a or 0.0)  # a gap: re-anchor on the clock
        elif self._next_a - at > AUDIO_SLACK_S:
            return  # already written up to later than this packet: never run ahead
        self._mux(self._a, pkt, round(self._next_a * 1000), True)
        self._next_a += pkt.duration_s or 0.02
        self.audio_frames += 1
        self.lead_in["audio"] += wall < self.start
        self.last_wall = max(self.last_wall, wall)

    def _mux(self, stream, pkt: Packet, pts: int, key: bool) -> None:
        out = av.Packet(pkt.data)
        out.pts = out.dts = pts
        out.time_base = MS
        out.is_keyframe = key
        out.stream = stream
        self._c.mux(out)
