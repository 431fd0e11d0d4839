"""Decode only the floor holder: a gate in aiortc's decoder thread, per received track.

aiortc decodes every received track in a thread of its own and hands every decoded
frame to the event loop. In a group sitting all members publish all the time (so a
speech starts without the one to two seconds a new peer takes), but only the floor
holder is recorded: decoding the others, and carrying their frames through the event
loop to a pre-roll of decoded pictures, was most of the server's per-stream cost and,
at K = 16 with the sitting busy, starved the receive path of the GIL (docs/media.md).

Here the decoder thread, while its publisher is not being recorded, keeps the
*compressed* frames in a bounded ring instead: for video every frame from the newest
keyframe at least ``preroll_s`` old (so the pre-roll can be decoded from it), for audio
the last ``preroll_s`` seconds. When the floor is granted (``open``) the ring is decoded
in order, frames older than the pre-roll are discarded in the thread, and from then on
every frame is decoded and passed on as aiortc would. When no keyframe has come for
``KEYFRAME_EVERY_S`` (browsers send one only when asked), a keyframe is requested (PLI)
through aiortc's own decode-error flag, so the ring stays short.

Every decoded frame carries the time its compressed frame reached this thread in
``frame.opaque``: frames decoded from the ring at the grant arrived up to seconds
earlier, and the capture clock must see when they came, not when they were decoded.

This replaces ``aiortc.rtcrtpreceiver.decoder_worker`` (same signature and behaviour
for tracks without a gate; checked against aiortc 1.16) — the only way to reach the
compressed frames between the jitter buffer and the decoder.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
from collections import deque

import aiortc.rtcrtpreceiver as _receiver
import av

# aiortc's own thread function, kept before install() replaces it (tests/test_internals.py)
AIORTC_DECODER_WORKER = _receiver.decoder_worker

log = logging.getLogger(__name__)

KEYFRAME_EVERY_S = 8.0  # ask for a keyframe when the newest is older than the pre-roll + this
MAX_FRAMES = 1200  # hard bound on a video ring (80 s at 15 fps): cleared, keyframe asked
PLI_EVERY_S = 2.0  # at most one keyframe request per track this often
# aiortc 1.16's jitter buffer hands a frame on only when a later one begins: video when
# the next frame's first packet arrives (one frame interval), audio (prefetch=4) when the
# fourth next packet does (4 × 20 ms). Unequal holds put audio 13 ms behind the video at
# 15 fps and 47 ms at 30 fps; ``sent_at`` takes each track's hold off its arrival.
JITTER_HOLD = {"video": 1, "audio": 4}


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """Whether a depacketised frame starts a new picture sequence (decodable on its own)."""
    if not data:
        return False
    name = codec_name.lower()
    if name == "vp8":
        return not data[0] & 0x01  # RFC 6386 9.1: P bit 0 = key frame
    if name == "h264":
        i = data.find(b"\x00\x00\x01")
        while i != -1 and i + 3 < len(data):
            if data[i + 3] & 0x1F in (5, 7):  # IDR slice or SPS
                return True
            i = data.find(b"\x00\x00\x01", i + 3)
        return False
    return True  # audio: every packet decodes on its own


class Gate:
    """Per track: whether to decode now, and the compressed pre-roll while not.

    ``open``/``close`` are called from any thread; ``take`` only from the track's
    decoder thread.
    """

    def __init__(self, kind: str, *, preroll_s: float = 2.0, always_open: bool = False) -> None:
        self.kind = kind
        self.preroll_s = preroll_s
        self.always_open = always_open
        self._lock = threading.Lock()
        self._open = always_open
        self._flush = False
        self._need_key = False
        self._gops: deque[list[tuple[float, object, object]]] = deque()
        self._frames = 0
        self._last_pli = 0.0
        self.request_keyframe = lambda: None  # set by the worker (aiortc's decode-error flag)
        self._last_ts: int | None = None
        self._intervals: deque[float] = deque(maxlen=15)
        self.decoded = 0  # frames decoded (the bench's and tests' measure)
        self.skipped = 0  # frames kept compressed and never decoded
        self.passed = 0  # frames handed on compressed (media.passthrough)
        # Set by the capture worker when its recording keeps packets as they arrive
        # (media.passthrough): ``sink(codec, [(arrival, encoded_frame), ...])`` takes them instead of
        # decoding and answers True (False: this codec is decoded as before).
        self.sink = None

    def sent_at(self, codec, encoded_frame, arrival: float) -> float:
        """When the frame was complete here: its arrival less the jitter buffer's hold.

        The hold is ``JITTER_HOLD`` frames of the track's median frame interval (media
        time, so network jitter does not move it; a lost packet does not either).
        """
        ts = encoded_frame.timestamp
        if self._last_ts is not None and ts > self._last_ts:
            step = (ts - self._last_ts) / (codec.clockRate or 90000)
            if step < 0.5:
                self._intervals.append(step)
        self._last_ts = ts
        if not self._intervals:
            return arrival
        ordered = sorted(self._intervals)
        return arrival - JITTER_HOLD.get(self.kind, 0) * ordered[len(ordered) // 2]

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        with self._lock:
            if not self._open:
                self._open, self._flush = True, True

    def close(self) -> None:
        if self.always_open:
            return
        with self._lock:
            self._open = False

    def take(self, codec, encoded_frame, arrival: float) -> list[tuple[float, object]]:
        """What to decode now, in order, as (arrival, encoded frame)."""
        with self._lock:
            is_open, flush = self._open, self._flush
            self._flush = False
        if not is_open:
            self._keep(codec, encoded_frame, arrival)
            return []
        out = self._drain() if flush else []
        if flush and self.kind == "video":
            self._need_key = not out  # no keyframe kept: nothing decodable until one comes
            if self.sink is not None and out:
                # Packets are not decoded, so the clip's picture must start at a keyframe
                # near the floor's start: the kept one may be seconds old, ask for a new one.
                self._ask_keyframe(arrival, force=True)
        if self._need_key:
            if not is_keyframe(codec.name, encoded_frame.data):
                self.skipped += 1
                self._ask_keyframe(arrival, force=flush)
                return []
            self._need_key = False
        out.append((arrival, encoded_frame))
        return out

    def _keep(self, codec, encoded_frame, arrival: float) -> None:
        if self.kind != "video":
            self._gops.append([(arrival, codec, encoded_frame)])
            while self._gops and arrival - self._gops[0][0][0] > self.preroll_s + 0.5:
                self._gops.popleft()
                self.skipped += 1
            return
        if is_keyframe(codec.name, encoded_frame.data):
            self._gops.append([(arrival, codec, encoded_frame)])
            self._frames += 1
            # keep only from the newest keyframe old enough to start the pre-roll
            while len(self._gops) > 1 and arrival - self._gops[1][0][0] >= self.preroll_s:
                self._frames -= len(self._gops.popleft())
        elif self._gops:
            self._gops[-1].append((arrival, codec, encoded_frame))
            self._frames += 1
        else:
            self.skipped += 1  # nothing to decode it from
            self._ask_keyframe(arrival)
            return
        newest_key = self._gops[-1][0][0]
        if arrival - newest_key > self.preroll_s + KEYFRAME_EVERY_S:
            self._ask_keyframe(arrival)
        if self._frames > MAX_FRAMES:
            self.skipped += self._frames
            self._gops.clear()
            self._frames = 0
            self._ask_keyframe(arrival, force=True)

    def _drain(self) -> list[tuple[float, object]]:
        kept = [item for gop in self._gops for item in gop]
        self._gops.clear()
        self._frames = 0
        return tightened(kept)

    def _ask_keyframe(self, now: float, *, force: bool = False) -> None:
        if self.kind != "video" or (not force and now - self._last_pli < PLI_EVERY_S):
            return
        self._last_pli = now
        self.request_keyframe()

    def wanted(self, arrival: float, now: float) -> bool:
        """Whether a frame decoded from the ring is recent enough to hand on."""
        return now - arrival <= self.preroll_s + 0.5


def tightened(kept: list[tuple[float, object, object]]) -> list[tuple[float, object]]:
    """The ring's frames with arrival times freed of this server's own delays.

    Each frame's arrival was read when the decoder thread got to it, late by however
    busy the machine was; the capture clock anchors on the first frame it sees, which for
    a member is the ring's first, so one late stamp there would shift the pre-roll until
    the clock tightened, and frames stamped before the tightening would then be out of
    order and dropped by the writer. Over the ring's seconds of
    frames the smallest (arrival − media time) is the true offset plus the shortest
    delay, as the capture clock itself converges to; each frame is stamped at that
    offset plus its media time, never later than it arrived.
    """
    if not kept:
        return []
    first_ts = kept[0][2].timestamp

    def media_s(codec, frame) -> float:
        return ((frame.timestamp - first_ts) % 2**32) / (getattr(codec, "clockRate", 0) or 90000)

    base = min(a - media_s(c, f) for a, c, f in kept)
    return [(min(a, base + media_s(c, f)), f) for a, c, f in kept]


def decoder_worker(
    loop: asyncio.AbstractEventLoop,
    input_q: queue.Queue,
    output_q: asyncio.Queue,
    decode_error: threading.Event,
) -> None:
    """aiortc's decoder thread, with the track's gate (``output_q.yiting_gate``) if any."""
    codec_name = None
    decoder = None
    gate: Gate | None = getattr(output_q, "yiting_gate", None)
    if gate is not None:
        gate.request_keyframe = decode_error.set

    while True:
        task = input_q.get()
        if task is None:
            asyncio.run_coroutine_threadsafe(output_q.put(None), loop)
            break
        codec, encoded_frame = task
        arrival = time.time()
        if gate is None:
            work = [(arrival, encoded_frame)]
        else:
            arrival = gate.sent_at(codec, encoded_frame, arrival)
            work = gate.take(codec, encoded_frame, arrival)
        if not work:
            continue
        sink = gate.sink if gate is not None else None
        if sink is not None and sink(codec, work):
            gate.passed += len(work)
            continue  # kept as it arrived (media.passthrough): nothing decoded
        if codec.name != codec_name:
            decoder = _receiver.get_decoder(codec)
            codec_name = codec.name
        for came, encoded in work:
            try:
                frames = decoder.decode(encoded)
            except av.FFmpegError as exc:
                log.warning("failed to decode %s frame: %s", codec.name, exc)
                decode_error.set()
                continue
            if gate is not None:
                gate.decoded += 1
                if not gate.wanted(came, arrival):
                    continue  # older than the pre-roll: decoded only to reach the next frame
            for frame in frames:
                frame.opaque = came
                asyncio.run_coroutine_threadsafe(output_q.put(frame), loop)

    if decoder is not None:
        del decoder


def install() -> None:
    """Use this decoder thread for every aiortc receiver started from now on.

    ``YITING_MEDIA_DECODE_ALL=1`` (bench/recording.py ``--decode-all``, never in
    production) leaves aiortc's own thread, which decodes every track: the comparison.
    """
    if os.environ.get("YITING_MEDIA_DECODE_ALL") == "1":
        return
    _receiver.decoder_worker = decoder_worker


def attach(track, gate: Gate) -> None:
    """Give a received track its gate (before its receiver starts decoding)."""
    track._queue.yiting_gate = gate
