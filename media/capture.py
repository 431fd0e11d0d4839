"""Per-publisher capture worker: pre-roll ring, encoder and working file, off the event loop.

aiortc decodes a received track in its own thread, and only while this worker records
(``media.gate`` keeps the compressed pre-roll otherwise; its gates are opened by
``start_recording`` and closed when the job's file is closed); the event loop only hands
each decoded frame with its arrival time to this worker's queue. The worker thread keeps
decoded frames of the last ``preroll_s`` seconds and, while the publisher holds the floor,
encodes H.264/AAC into an MPEG-TS working file. MPEG-TS is written through a small I/O
buffer straight to the OS, so a crash of the server process loses well under a second
and what was written stays readable (TS needs no trailer).

Alignment: aiortc starts every track at pts 0, so each track's pts is mapped to wall
clock by ``TrackClock`` (offset fixed at the first frame, tightened to the smallest
arrival delay seen since). Both streams of the file are then stamped
from the same origin, the moment the floor was granted.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av

from media.gate import Gate
from media.passthrough import LEAD_S, MkvWriter, TrackState, passes

log = logging.getLogger(__name__)

WIDTH, HEIGHT, FPS = 640, 360, 15
VIDEO_TB = Fraction(1, 90000)
AUDIO_RATE = 48000
# Audio is written contiguously while its clock agrees within this (the resampler holds
# up to one 1024-sample AAC frame); beyond it, a lost packet leaves a gap rather than
# pulling every later sample earlier, which would drift audio ahead of the video.
AUDIO_SLACK = AUDIO_RATE * 30 // 1000
MAX_LAG_S = 1.0  # a stream whose clock falls this far behind arrival (or ahead) ...
PERSIST_S = 10.0  # ... for this long (behind) or at once (ahead) is re-anchored


class TrackClock:
    """Wall-clock time of a track's frames (aiortc starts each track at pts 0).

    The offset (arrival − media time) is fixed at the first frame and tightened to the
    smallest seen since: that is the moment the frame was sent plus the shortest delay
    of the network *and of this server* (arrival is read on the event loop, which a
    busy sitting delays). Delays only ever add, so the running minimum converges to the
    same true offset for audio and video, and both stay aligned however loaded the
    server was when the publisher connected.

    A sender that stalls and then delivers its backlog in a burst (Wi-Fi, a busy tablet)
    falls behind only for a moment: its frames keep their media time, so the clip has no
    hole and audio and video stay together. Only a lag that *persists* for
    ``PERSIST_S`` (the sender's clock really fell behind) re-anchors the track, to the
    smallest lag seen meanwhile; timestamps that jump ahead of arrival (a sender clock
    jump) re-anchor at once, since they would file frames in the future.
    """

    def __init__(self) -> None:
        self.offset: float | None = None
        self.reanchored = 0
        self._lag_since: float | None = None
        self._lag_min = 0.0

    def wall(self, frame, arrival: float) -> float:
        if frame.pts is None or frame.time_base is None:
            return arrival
        pts_s = float(frame.pts * frame.time_base)
        candidate = arrival - pts_s
        if self.offset is None:
            self._anchor(candidate, count=False)
        elif candidate < self.offset - MAX_LAG_S:
            self._anchor(candidate)  # media time jumped ahead of the wall clock
        elif candidate - self.offset > MAX_LAG_S:
            if self._lag_since is None:
                self._lag_since, self._lag_min = arrival, candidate
            self._lag_min = min(self._lag_min, candidate)
            if arrival - self._lag_since >= PERSIST_S:
                self._anchor(self._lag_min)
        else:
            self._lag_since = None
            if candidate < self.offset:
                self.offset = candidate
        return self.offset + pts_s

    def _anchor(self, offset: float, *, count: bool = True) -> None:
        self.offset, self._lag_since = offset, None
        self.reanchored += count


class TsWriter:
    """Encode frames into one MPEG-TS file (H.264 ultrafast + AAC), stamped from ``t0``."""

    def __init__(self, path: Path, t0: float, *, video: bool, audio: bool, gop: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.t0 = path, t0
        self._file = open(path, "wb", buffering=0)  # noqa: SIM115 (closed in close())
        self._c = av.open(self._file, "w", format="mpegts", buffer_size=4096)
        self._v = self._a = None
        self._last_vpts = -1
        self._next_apts: int | None = None
        self.frames = 0
        self.audio_frames = 0
        self.last_wall = t0
        if video:
            self._v = self._c.add_stream("libx264", rate=FPS)
            self._v.width, self._v.height, self._v.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            self._v.codec_context.time_base = VIDEO_TB
            self._v.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(gop)}
        if audio:
            self._a = self._c.add_stream("aac", rate=AUDIO_RATE)
            self._a.codec_context.layout = "stereo"
            self._resampler = av.AudioResampler(
                format="fltp", layout="stereo", rate=AUDIO_RATE, frame_size=1024
            )

    def write_video(self, frame, wall: float) -> None:
        if self._v is None:
            return
        pts = round((wall - self.t0) / VIDEO_TB)
        if pts <= self._last_vpts:
            return  # out of order after a clock tightening: drop rather than break the file
        if frame.width != WIDTH or frame.height != HEIGHT or frame.format.name != "yuv420p":
            frame = frame.reformat(WIDTH, HEIGHT, "yuv420p")
        frame.pts, frame.time_base = pts, VIDEO_TB
        frame.pict_type = av.video.frame.PictureType.NONE
        self._last_vpts = pts
        self._c.mux(self._v.encode(frame))
        self.frames += 1
        self.last_wall = max(self.last_wall, wall)

    def write_audio(self, frame, wall: float) -> None:
        if self._a is None:
            return
        start = round((wall - self.t0) * AUDIO_RATE)
        if self._next_apts is None or start - self._next_apts > AUDIO_SLACK:
            self._next_apts = max(start, self._next_apts or 0)  # a gap: re-anchor on the clock
        elif self._next_apts - start > AUDIO_SLACK:
            return  # already written up to later than this frame: never let audio run ahead
        frame.pts = None
        self.audio_frames += 1
        for out in self._resampler.resample(frame):
            out.pts, out.time_base = self._next_apts, Fraction(1, AUDIO_RATE)
            self._next_apts += out.samples
            self._c.mux(self._a.encode(out))
        self.last_wall = max(self.last_wall, wall)

    def close(self) -> None:
        try:
            for s in (self._v, self._a):
                if s is not None:
                    self._c.mux(s.encode(None))
            self._c.close()
        finally:
            self._file.close()


def progress_file(path: Path) -> Path:
    """Sidecar of a room file saying up to which wall-clock time frames were handed to it."""
    return path.with_suffix(".wall")


def written_until(path: Path, wall: float) -> None:
    tmp = progress_file(path).with_suffix(".wall.tmp")
    tmp.write_text(f"{wall:.3f}")
    tmp.replace(progress_file(path))


def room_reached(latest: dict[str, float]) -> float:
    """How far the room file holds every stream: the slowest one's latest frame.

    Marking the newest frame of any kind would let a cut start while video still lagged
    audio under load, and the clip would lose the end of its picture. A stream that has
    fallen more than ``ROOM_MARK_STALL_S`` behind is treated as stalled and not waited for.
    """
    newest = max(latest.values())
    live = [w for w in latest.values() if newest - w <= ROOM_MARK_STALL_S]
    return min(live)


def read_written_until(path: Path) -> float:
    try:
        return float(progress_file(path).read_text())
    except (OSError, ValueError):
        return 0.0


END_WAIT_S = 1.5  # after the floor's end, frames of a stream that stopped are waited this long
CATCH_UP_S = 4.0  # ... and of a stream still arriving, only behind, up to this long
GAP_S = 0.2  # a pause between two frames of a stream longer than this is stated as a gap
# The room file's progress mark waits for the slowest stream, unless that stream has fallen
# this far behind the other (a camera whose video stalled must not hold every cut back).
ROOM_MARK_STALL_S = 3.0


@dataclass
class Quality:
    """What arrived for one clip, so a gap in it can be attributed to its cause.

    ``received`` counts frames the decoder handed over inside the speech's span (what the
    network delivered), ``written`` those of them that went into the file,
    ``dropped_server`` what this server lost (queue full, out of order); ``gaps`` are
    pauses in what *arrived*, in media time (stamped from the sender's clock), so they
    are the network's or the sender's: a gap with no server drop beside it was never
    received. Passed-through clips (media.passthrough) may begin at a keyframe before
    the start: those frames are ``lead_in`` (written, before the span, in neither
    count), and the speech's video frames that came before its first keyframe are
    ``before_key`` (received, not decodable, so not written; not a server loss).
    """

    received: dict[str, int] = field(default_factory=lambda: {"video": 0, "audio": 0})
    written: dict[str, int] = field(default_factory=lambda: {"video": 0, "audio": 0})
    lead_in: dict[str, int] = field(default_factory=lambda: {"video": 0, "audio": 0})
    before_key: int = 0
    dropped_server: int = 0
    gaps: list[dict] = field(default_factory=list)
    max_gap_ms: dict[str, float] = field(default_factory=lambda: {"video": 0.0, "audio": 0.0})
    sizes: list[str] = field(default_factory=list)
    reanchored: int = 0
    _last: dict[str, float] = field(default_factory=dict)

    def saw(self, kind: str, frame, wall: float, start: float) -> None:
        if wall >= start:  # a lead-in frame (before the start) is not the speech's
            self.received[kind] += 1
        last = self._last.get(kind, start)
        gap = wall - last
        if gap > GAP_S and kind in self._last or (kind not in self._last and gap > 0.5):
            self.gaps.append(
                {"stream": kind, "at_s": round(last - start, 3), "ms": round(gap * 1000)}
            )
        if kind in self._last:
            self.max_gap_ms[kind] = max(self.max_gap_ms[kind], round(gap * 1000, 1))
        self._last[kind] = max(last, wall)
        if kind == "video":
            size = f"{frame.width}x{frame.height}"
            if not self.sizes or self.sizes[-1] != size:
                self.sizes.append(size)

    def as_dict(self, stop: float | None) -> dict:
        out = {
            "received": dict(self.received),
            "written": dict(self.written),
            "dropped_server": self.dropped_server,
            "gaps": self.gaps[:50],
            "max_gap_ms": dict(self.max_gap_ms),
            "sizes": self.sizes,
            "clock_reanchored": self.reanchored,
        }
        if stop is not None:  # a stream that stopped arriving before the end: a gap too
            for kind, last in self._last.items():
                if stop - last > GAP_S:
                    out["gaps"].append(
                        {
                            "stream": kind,
                            "at_s": None,
                            "ms": round((stop - last) * 1000),
                            "tail": True,
                        }
                    )
        return out


@dataclass
class Job:
    """What the worker is recording now: one floor-holding into one working file."""

    recording_id: int
    path: Path
    start: float
    stop_at: float | None = None
    writer: TsWriter | MkvWriter | None = None
    passed: set[str] = field(default_factory=set)
    quality: Quality = field(default_factory=Quality)
    dropped_at_start: int = 0
    reanchored_at_start: int = 0


Finished = Callable[[int, dict], None]


class Capture(threading.Thread):
    """The worker of one publisher. Thread-safe entry points: feed, start, stop, end."""

    def __init__(
        self,
        name: str,
        kinds: set[str],
        on_finished: Finished,
        *,
        preroll_s: float = 2.0,
        gop: int = 7,
        room_dir: Path | None = None,
        on_room_file: Callable[[Path, float, float | None], None] | None = None,
        room_file_s: float = 30.0,
    ) -> None:
        super().__init__(name=f"capture-{name}", daemon=True)
        self.kinds = kinds
        self.q: queue.Queue = queue.Queue(maxsize=600)
        self.ring: deque = deque()
        self.preroll_s, self.gop = preroll_s, gop
        self.on_finished = on_finished
        self.job: Job | None = None
        self.clocks = {k: TrackClock() for k in ("video", "audio")}
        self.dropped = 0
        self.last_wall = 0.0
        self.arrived: dict[str, float] = {}  # when a frame of each kind last came in
        self.room_dir, self.on_room_file, self.room_file_s = room_dir, on_room_file, room_file_s
        self.room: TsWriter | None = None
        self._room_mark = 0.0
        self._room_reached: dict[str, float] = {}  # the latest frame of each kind in the file
        self._done = threading.Event()
        # Decoding is gated: only while recording (or always, for the room camera).
        self.gates: dict[str, Gate] = {}
        self._gate_lock = threading.Lock()
        self._starts_pending = 0
        # media.passthrough: the floor holder's packets are written as they arrived
        self.passthrough = False

    def enable_passthrough(self) -> None:
        """Record this publisher's packets without decoding them (media.passthrough).

        Called once the negotiated codecs are known to be passed through (VP8, Opus);
        from then on each gate hands its compressed frames to ``feed`` instead of
        decoding them.
        """
        with self._gate_lock:
            self.passthrough = True
            for kind, gate in self.gates.items():
                gate.sink = self._sink(kind)

    def _sink(self, kind: str):
        state = TrackState(kind)

        def sink(codec, work) -> bool:
            if not passes(kind, codec.name):
                return False  # e.g. H.264 after a renegotiation: decoded as before
            for came, encoded in work:
                self.feed(kind, state.packet(codec, encoded), came)
            return True

        return sink

    def gate_for(self, kind: str) -> Gate:
        """The decoder gate of this publisher's ``kind`` track (media.gate)."""
        with self._gate_lock:
            gate = self.gates.get(kind)
            if gate is None:
                gate = Gate(kind, preroll_s=self.preroll_s, always_open=self.room_dir is not None)
                self.gates[kind] = gate
                if self.passthrough:
                    gate.sink = self._sink(kind)
                if self.job is not None or self._starts_pending:
                    gate.open()
            return gate

    def _gates_open(self) -> None:
        with self._gate_lock:
            self._starts_pending += 1
            for gate in self.gates.values():
                gate.open()

    def _gates_close(self) -> None:
        """After a job closed: stop decoding unless another recording is on its way."""
        with self._gate_lock:
            if self.job is None and not self._starts_pending:
                for gate in self.gates.values():
                    gate.close()

    # --- called from the event loop or other threads ---------------------------------
    def feed(self, kind: str, frame, arrival: float) -> None:
        wall = self.clocks[kind].wall(frame, arrival)
        try:
            self.q.put_nowait(("frame", kind, frame, wall))
        except queue.Full:
            self.dropped += 1  # the encoder is behind: count, never block the event loop

    def start_recording(self, recording_id: int, path: Path, start: float) -> None:
        self._gates_open()  # at once: the decoder thread starts on the pre-roll meanwhile
        self.q.put(("start", recording_id, path, start))

    def stop_recording(self, recording_id: int, stop_at: float) -> None:
        self.q.put(("stop", recording_id, stop_at))

    def end(self) -> None:
        """The stream ended (peer closed or failed): close whatever is open."""
        self.q.put(("eof",))

    # --- the worker thread ------------------------------------------------------------
    def run(self) -> None:
        try:
            while True:
                try:
                    item = self.q.get(timeout=0.1)
                except queue.Empty:
                    self._tick()
                    continue
                if item[0] == "eof":
                    self._eof()
                    return
                self._handle(item)
                self._tick()
        except Exception:
            log.exception("capture worker %s failed", self.name)
            self._fail()
        finally:
            self._done.set()

    def _handle(self, item: tuple) -> None:
        op = item[0]
        if op == "frame":
            _, kind, frame, wall = item
            self.last_wall = max(self.last_wall, wall)
            self.arrived[kind] = time.time()
            self._frame(kind, frame, wall)
        elif op == "start":
            self._start(*item[1:])
        elif op == "stop":
            _, rec_id, stop_at = item
            if self.job and self.job.recording_id == rec_id:
                self.job.stop_at = stop_at

    def _frame(self, kind: str, frame, wall: float) -> None:
        if self.room_dir is not None:
            self._room_frame(kind, frame, wall)
            return
        job = self.job
        if job is None or job.writer is None:
            self.ring.append((kind, frame, wall))
            while self.ring and wall - self.ring[0][2] > self.preroll_s:
                self.ring.popleft()
            return
        if job.stop_at is not None and wall > job.stop_at:
            job.passed.add(kind)
            return
        if wall >= job.start - self._lead():
            self._take(job, kind, frame, wall)

    def _lead(self) -> float:
        """How early a frame may be taken: packets may start at a keyframe before."""
        return LEAD_S if self.passthrough else 0.0

    def _take(self, job: Job, kind: str, frame, wall: float) -> None:
        assert job.writer is not None
        job.quality.saw(kind, frame, wall, job.start)
        if kind != "video":  # audio held until the first keyframe is written later:
            self._write(job.writer, kind, frame, wall)  # counted from the writer at close
            return
        before = job.writer.frames, getattr(job.writer, "skipped", 0)
        self._write(job.writer, kind, frame, wall)
        if job.writer.frames > before[0]:
            return
        if getattr(job.writer, "skipped", 0) == before[1]:
            job.quality.dropped_server += 1
        elif wall >= job.start:  # the speech's, before its first keyframe (passthrough)
            job.quality.before_key += 1
        # else: a lead-in candidate before the keyframe the clip starts at: not the speech's

    @staticmethod
    def _write(writer: TsWriter | MkvWriter, kind: str, frame, wall: float) -> None:
        if kind == "video":
            writer.write_video(frame, wall)
        else:
            writer.write_audio(frame, wall)

    def _start(self, rec_id: int, path: Path, start: float) -> None:
        if self.job is not None:
            self._close_job(lost=False)  # the gates stay open: this start is still pending
        with self._gate_lock:
            self._starts_pending -= 1
        video, audio = "video" in self.kinds, "audio" in self.kinds
        if self.passthrough:
            path = path.with_suffix(".mkv")
            writer = MkvWriter(path, start, video=video, audio=audio)
        else:
            writer = TsWriter(path, start, video=video, audio=audio, gop=self.gop)
        self.job = Job(
            rec_id,
            path,
            start,
            writer=writer,
            dropped_at_start=self.dropped,
            reanchored_at_start=self._reanchored(),
        )
        for kind, frame, wall in self.ring:  # the pre-roll: frames from before the signal came
            if wall >= start - self._lead():
                self._take(self.job, kind, frame, wall)
        self.ring.clear()

    def _tick(self) -> None:
        job = self.job
        if job is None or job.stop_at is None:
            return
        if job.passed >= self.kinds:
            self._close_job(lost=False)
            return
        now = time.time()
        if now <= job.stop_at + END_WAIT_S:
            return
        # A stream still arriving, only late (its decoder behind on a loaded server), is
        # waited for a while: its frames keep their media time and belong in the clip.
        pending = self.kinds - job.passed
        flowing = any(now - self.arrived.get(k, 0.0) < 1.0 for k in pending)
        if flowing and now <= job.stop_at + CATCH_UP_S:
            return
        self._close_job(lost=self.last_wall < job.stop_at - 0.5)

    def _close_job(self, *, lost: bool) -> None:
        job, self.job = self.job, None
        self._gates_close()
        if job is None or job.writer is None:
            return
        job.writer.close()
        q = job.quality
        q.dropped_server += self.dropped - job.dropped_at_start
        lead = getattr(job.writer, "lead_in", None) or {"video": 0, "audio": 0}
        q.lead_in = dict(lead)
        q.written = {
            "video": job.writer.frames - lead["video"],
            "audio": job.writer.audio_frames - lead["audio"],
        }
        q.reanchored = self._reanchored() - job.reanchored_at_start
        info = {
            "path": str(job.path),
            "frames": job.writer.frames,
            "last_wall": job.writer.last_wall,
            "stream_lost": lost,
            "quality": q.as_dict(None if lost else job.stop_at),
        }
        if isinstance(job.writer, MkvWriter):  # recorded as it arrived: say so, and how
            info["quality"]["passthrough"] = True
            info["quality"]["lead_s"] = job.writer.lead_s
            info["quality"]["lead_in"] = q.lead_in  # written, from before the start
            # the speech's frames received before its first keyframe: not decodable
            info["quality"]["video_before_first_keyframe"] = q.before_key
            first = job.writer.first_video
            if first is not None:  # < 0: a lead-in from the keyframe before the start
                info["quality"]["video_starts_s"] = round(first - job.start, 3)
        self.on_finished(job.recording_id, info)

    def _reanchored(self) -> int:
        return sum(c.reanchored for c in self.clocks.values())

    def _eof(self) -> None:
        if self.room is not None:
            self._rotate_room(None)
        if self.job is not None:
            lost = self.job.stop_at is None or self.last_wall < self.job.stop_at - 0.5
            self._close_job(lost=lost)

    def _fail(self) -> None:
        try:
            self._close_job(lost=True)
        except Exception:
            log.exception("could not close the working file of %s", self.name)

    # --- the room camera: continuous, in files of room_file_s seconds --------------------
    def _room_frame(self, kind: str, frame, wall: float) -> None:
        if self.room is None or (kind == "video" and wall - self.room.t0 >= self.room_file_s):
            self._rotate_room(wall)
        self._write(self.room, kind, frame, wall)
        self._room_reached[kind] = max(wall, self._room_reached.get(kind, 0.0))
        reached = room_reached(self._room_reached)
        if reached - self._room_mark >= 0.25:
            self._room_mark = reached
            written_until(self.room.path, reached)

    def _rotate_room(self, wall: float | None) -> None:
        if self.room is not None:
            old = self.room
            old.close()
            if self.on_room_file:
                self.on_room_file(old.path, old.t0, old.last_wall)
            self.room = None
        if wall is None:
            return
        assert self.room_dir is not None
        path = self.room_dir / f"room_{int(wall * 1000)}.ts"
        self.room = TsWriter(
            path, wall, video="video" in self.kinds, audio="audio" in self.kinds, gop=self.gop
        )
        if self.on_room_file:
            self.on_room_file(path, wall, None)
