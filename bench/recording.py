"""Speech recording: K members publish 640×360@15 fps, the floor moves among them.

Starts a real Daphne worker (SQLite, in-process job worker) and connects K publishers
from this process over the sitting socket. The publishers send **pre-encoded** media
(VP8 + Opus made once with the ffmpeg binary, ``harness/media_sources.py``) paced by its
timestamps, so they cost almost nothing and never skip: the bench measures the server,
not the senders. The clerk grants and ends the floor for each publisher in turn
(``--speech`` seconds each). Frames are counted in three places so a gap is attributed:

- at the source: frames this process handed to aiortc during the speech;
- on the wire: frames the server's decoder delivered inside the speech's span
  (``Recording.quality.received``, counted by the capture worker);
- in the clip: video frames in the file. A passed-through clip (WebM) may start at a
  keyframe up to 0.5 s before the floor's start: those lead-in frames
  (``quality.lead_in``) are counted apart (``frames.clip_lead_in``) and left out of the
  comparison, and the speech's frames that came before its first keyframe
  (``quality.video_before_first_keyframe``, not decodable) are ``frames.before_key``,
  not a server loss. So ``lost_server`` = wire − (clip − lead-in) − before_key.

Per K it reports ``cpu_per_stream_pct`` (server CPU during the speeches, K streams
received and one recorded, minus the idle server, divided by K; one core = 100; with
``--busy`` it includes the sitting's load, so ``cpu_receive_per_stream_pct`` gives the
same measured over 5 quiet seconds with K streams received and nothing recorded),
``frames_dropped``
(source − clip, split into ``lost_network`` and ``lost_server``), ``finalize_s``
(the clerk's ``floor.end`` answered → ``media.clip_ready``), ``max_gap_ms`` (largest
gap between consecutive video frames in any clip, beside the source's own largest send
gap) and ``av_offset_ms`` (the source flashes and beeps on the same instant every 2 s;
audio onset − video onset in the clips).

``--busy`` runs the sitting's own load against the same server during the speeches:
200 members on real sockets (two client processes), page flips fanned out to all of
them and a 200-ballot named vote storm, over and over. ``--loss 0.05`` drops that share
of the publishers' RTP packets (retransmissions included). ``--profile`` records the
server with py-spy during the speeches (an SVG under test-artifacts/).

Baselines in the same run: a plain ffmpeg remux (``-c copy`` to MP4) of each clip,
the 66.7 ms frame interval of 15 fps, and the idle server's CPU.
Figures only: this never fails on a slow result.

    python bench/recording.py --publishers 1 4 8 16 [--busy] [--loss 0.05] [--json]
    python bench/recording.py --rooms 4 --publishers 15 --busy --json

``--rooms R`` runs R group sittings at once on the one server, K publishers in each, the
floor moving in every room at the same time (R × K streams received, R recorded at
once); it prints a row per room and a total row with ``"rooms"``. By default members
are recorded as their packets arrived (media.passthrough); ``--decode-holder`` decodes
and encodes the floor holder as before, for the comparison in the same conditions.
``baseline.plain_remux_cpu_s_per_clip`` is the CPU of a plain ffmpeg stream copy of
each clip, beside ``cpu_per_stream_pct``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fractions
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")

from harness.servers import Stack, WsClient, login_cookie  # noqa: E402
from meeting.demo_login import DEMO_PASSWORD  # noqa: E402

PW = DEMO_PASSWORD
FPS = 15
SETUP = """
from core.models import Member, Sitting
s = Sitting.objects.filter(kind='group').order_by('pk').first()
Member.objects.filter(role='member').update(group=s.group)
ms = list(Member.objects.filter(role='member').order_by('seat')[:{k}])
result = {{'sitting': s.pk, 'members': [[m.pk, m.user.username] for m in ms]}}
"""
SETUP_ROOMS = """
from core.models import Member, Sitting
ss = list(Sitting.objects.filter(kind='group').order_by('pk')[:{rooms}])
ms = list(Member.objects.filter(role='member').order_by('seat')[:{rooms} * {k}])
rooms = []
for i, s in enumerate(ss):
    mine = ms[i * {k}:(i + 1) * {k}]
    Member.objects.filter(pk__in=[m.pk for m in mine]).update(group=s.group)
    rooms.append({{'sitting': s.pk, 'members': [[m.pk, m.user.username] for m in mine]}})
result = rooms
"""
CLIPS = """
from media.models import Clip
from media.services.paths import absolute
result = [[c.floor_entry_id, str(absolute(c.path)), c.duration_s, c.quality]
          for c in Clip.objects.all()]
"""


def _frames(n: int = 30):
    """A few distinct 640×360 frames (a moving bar), for the loop-cost measurement."""
    from av import VideoFrame

    out = []
    for i in range(n):
        f = VideoFrame(640, 360, "yuv420p")
        y = bytearray(b"\x40" * (640 * 360))
        x = (i * 20) % 600
        for row in range(0, 360):
            y[row * 640 + x : row * 640 + x + 40] = b"\xf0" * 40
        f.planes[0].update(bytes(y))
        f.planes[1].update(bytes([90]) * (640 * 360 // 4))
        f.planes[2].update(bytes([160]) * (640 * 360 // 4))
        out.append(f)
    return out


def loop_cost(n: int = 150) -> dict:
    """Milliseconds the event loop spends per received video frame, two ways.

    ``encode_on_loop``: what aiortc's MediaRecorder does in its coroutine (H.264 encode
    and mux of each frame, on the loop). ``capture_feed``: what this project's peers do
    on the loop (stamp the frame and queue it for the capture thread).
    """
    import av

    from media.capture import Capture

    frames = _frames()
    with tempfile.TemporaryDirectory() as d:
        c = av.open(str(Path(d) / "x.mp4"), "w")
        v = c.add_stream("libx264", rate=FPS)
        v.width, v.height, v.pix_fmt = 640, 360, "yuv420p"
        t = time.perf_counter()
        for i in range(n):
            f = frames[i % len(frames)]
            f.pts, f.time_base = i, fractions.Fraction(1, FPS)
            c.mux(v.encode(f))
        encode = (time.perf_counter() - t) * 1000 / n
        c.mux(v.encode(None))
        c.close()
    cap = Capture("bench", {"video"}, lambda *_: None)
    t = time.perf_counter()
    for i in range(n):
        f = frames[i % len(frames)]
        f.pts, f.time_base = i * 6000, fractions.Fraction(1, 90000)
        cap.feed("video", f, time.time())
    feed = (time.perf_counter() - t) * 1000 / n
    return {"encode_on_loop_ms": round(encode, 3), "capture_feed_ms": round(feed, 4)}


def _cpu_s(pid: int) -> float:
    """User+system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _clip_stats(path: str) -> tuple[int, float]:
    """(video frames, largest gap between consecutive frames in ms)."""
    import av

    with av.open(path) as c:
        if not c.streams.video:
            return 0, 0.0
        v = c.streams.video[0]
        pts = sorted(float(p.pts * v.time_base) for p in c.demux(v) if p.pts is not None and p.size)
    gaps = [b - a for a, b in zip(pts, pts[1:], strict=False)]
    return len(pts), (max(gaps) * 1000 if gaps else 0.0)


def _baseline_remux(path: str, tmp: Path) -> tuple[float, float]:
    """A plain ffmpeg stream copy of the clip: (wall seconds, CPU seconds of ffmpeg)."""
    from media import ffmpeg

    before = os.times()
    t = time.perf_counter()
    ffmpeg.remux_plain(Path(path), tmp / "baseline.mp4")
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return time.perf_counter() - t, cpu


async def _publisher(base: str, sid: int, username: str, source: Path | None = None):
    """A pre-encoded publisher on the sitting socket (also used by test_multiprocess)."""
    from aiortc import RTCSessionDescription

    from harness.media_sources import Sender, flash_beep

    source = source or flash_beep(240, "640x360", pattern=True)

    ws = WsClient(base, sid, login_cookie(base, username, PW))
    await ws.connect()
    sender = Sender(source)
    pc = sender.pc
    await pc.setLocalDescription(await pc.createOffer())
    r = await ws.request("media.publish", {"sdp": pc.localDescription.sdp}, timeout=60)
    assert r["ok"], r
    await pc.setRemoteDescription(RTCSessionDescription(r["data"]["sdp"], "answer"))
    end = time.time() + 30
    while pc.connectionState != "connected" and time.time() < end:
        await asyncio.sleep(0.1)
    return ws, sender


OUTCOMES = ("media.clip_ready", "media.recording_failed", "media.not_recorded")


class Clerk:
    """The clerk's socket; a socket dropped under load is reconnected and counted.

    Commands carry idempotency keys, so a command resent after a reconnect acts once.
    An outcome event missed while reconnecting is looked up in the database instead.
    """

    def __init__(self, stack: Stack, base: str, sid: int) -> None:
        self.stack, self.base, self.sid = stack, base, sid
        self.ws: WsClient | None = None
        self.reconnects = 0

    async def connect(self) -> None:
        self.ws = WsClient(self.base, self.sid, login_cookie(self.base, "clerk", PW))
        await self.ws.connect()

    async def request(self, type_: str, data: dict, key: str) -> dict:
        for attempt in range(3):
            try:
                return await self.ws.request(type_, data, key=key, timeout=60)
            except Exception:  # connection closed or timed out: reconnect, resend (same key)
                if attempt == 2:
                    raise
                self.reconnects += 1
                with contextlib.suppress(Exception):
                    await self.ws.close()
                await self.connect()
        raise AssertionError("unreachable")

    async def outcome(self, member_id: int, entry: int) -> str:
        try:
            return await _outcome(self.ws, member_id)
        except Exception:  # the socket dropped while waiting
            self.reconnects += 1
            await self.connect()
        for _ in range(60):
            got = self.stack.python(CLIP_OF.format(entry=entry))
            if got:
                return "media.clip_ready"
            await asyncio.sleep(1)
        return "timeout"

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()


CLIP_OF = """
from media.models import Clip
result = Clip.objects.filter(floor_entry_id={entry}).exists()
"""


async def _outcome(clerk: WsClient, member_id: int) -> str:
    """Wait (bounded) for what became of the member's speech: a clip, or why not."""
    end = time.time() + 60
    try:
        while time.time() < end:
            ev = await clerk.next_event(None, timeout=max(0.1, end - time.time()))
            if ev["type"] in OUTCOMES and ev["data"].get("member") == member_id:
                return ev["type"] + (f":{ev['data'].get('code')}" if "code" in ev["data"] else "")
    except TimeoutError:
        pass
    return "timeout"


class Busy:
    """The sitting's own load: 200 member sockets, page flips to all, vote storms."""

    def __init__(self, stack: Stack, members: int = 200) -> None:
        from harness.storm import SEED, Storm

        seeded = stack.python(SEED.format(n=members), timeout=300)
        self.storm = Storm(stack.urls, seeded, procs=2, resend=0.1)
        self.flips: list[float] = []
        self.votes: list[dict] = []
        self.errors: list[str] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        await self.storm.start_clerk()
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for _ in range(5):
                    self.flips.append(await asyncio.wait_for(self.storm.plain_event(), 120))
                self.votes.append(await asyncio.wait_for(self.storm.vote(window=1.0), 600))
            except Exception as exc:  # counted, reported; the speeches go on
                self.errors.append(f"{exc.__class__.__name__}: {exc}"[:200])
                await asyncio.sleep(1)

    async def stop(self) -> dict:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 600)
        self.storm.stop()
        return {
            "flips": len(self.flips),
            "flip_p50_ms": round(statistics.median(self.flips), 1) if self.flips else None,
            "votes": len(self.votes),
            "ballots_acked": sum(v["acked"] for v in self.votes),
            "errors": self.errors[:5],
        }


def _profile(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    exe = Path(sys.executable).with_name("py-spy")
    if not exe.exists():
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(exe), "record", "--pid", str(pid), "--duration", str(int(seconds) + 1)]
    cmd += ["--threads", "--idle", "--nonblocking", "--output", str(out), "--format", "raw"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def passthrough_costs(tmp: Path) -> dict:
    """What a passthrough recorder would spend instead of decoding and encoding.

    ``mux_ms_per_packet``: writing each received VP8/Opus packet as it is into WebM
    (PyAV, no codec), on the hot path. ``transcode_s_per_speech_s``: the finalise job
    then making the H.264/AAC MP4 from it with the ffmpeg binary (libx264 ultrafast),
    per second of speech: the time a clip would take to become playable.
    """
    import av

    from harness import media_sources as sources
    from media.ffmpeg import binary

    src = sources.flash_beep(240, "640x360", pattern=True)
    out = tmp / "pass.webm"
    n = 0
    with av.open(str(src)) as inp, av.open(str(out), "w", format="webm") as o:
        streams = {s.index: o.add_stream_from_template(s) for s in inp.streams}
        packets = [p for p, _ in zip(inp.demux(), range(60 * 65), strict=False) if p.size]
        t = time.perf_counter()
        for p in packets:
            p.stream = streams[p.stream_index]
            o.mux(p)
            n += 1
        mux = (time.perf_counter() - t) * 1000 / max(1, n)
    with av.open(str(out)) as c:
        dur = float(c.duration or 0) / 1e6
    t = time.perf_counter()
    cmd = [binary(), "-y", "-loglevel", "error", "-i", str(out), "-c:v", "libx264", "-preset"]
    cmd += ["ultrafast", "-c:a", "aac", "-movflags", "+faststart", str(tmp / "pass.mp4")]
    subprocess.run(cmd, check=True, timeout=600)
    transcode = time.perf_counter() - t
    return {
        "mux_ms_per_packet": round(mux, 4),
        "packets": n,
        "transcode_s_per_speech_s": round(transcode / dur, 3) if dur else None,
        "transcoded_s": round(dur, 1),
    }


async def study(k: int, tmp: Path, *, decode: bool) -> dict:
    """Server CPU per stream for K streams received, decoded or (``decode=False``) not."""
    from harness import media_sources as sources

    source = sources.flash_beep(240, "640x360", pattern=True)
    env = {"YITING_INPROCESS_WORKERS": "1"}
    if not decode:
        env["YITING_MEDIA_STUDY_NO_DECODE"] = "1"
    with Stack(tmp, workers=1, extra_env=env).start(demo_members=k + 8) as stack:
        base, pid = stack.urls[0], stack.procs[0].pid
        ids = stack.python(SETUP.format(k=k))
        await asyncio.sleep(2)
        c0, t0 = _cpu_s(pid), time.time()
        await asyncio.sleep(5)
        idle = (_cpu_s(pid) - c0) / (time.time() - t0)
        pubs = [await _publisher(base, ids["sitting"], u, source) for _, u in ids["members"]]
        await asyncio.sleep(3)
        c0, t0 = _cpu_s(pid), time.time()
        await asyncio.sleep(10)
        receiving = (_cpu_s(pid) - c0) / (time.time() - t0)
        connected = sum(snd.pc.connectionState == "connected" for _, snd in pubs)
        for ws, snd in pubs:
            await snd.close()
            await ws.close()
    return {
        "publishers": k,
        "mode": "decode" if decode else "no_decode",
        "connected": connected,
        "cpu_receive_per_stream_pct": round((receiving - idle) * 100 / k, 1),
        "server_idle_cpu_pct": round(idle * 100, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


async def _speeches(clerk: Clerk, members: list, pubs: list, speech_s: float) -> dict:
    """One room: the clerk grants and ends the floor for each publisher in turn."""
    finalize, spans, failed = [], {}, []
    for (mid, _), (_, snd) in zip(members, pubs, strict=True):
        r = await clerk.request("floor.grant", {"member": mid}, key=f"g{mid}")
        assert r["ok"], r
        entry = r["data"]["speech"]["id"]
        granted = time.time()
        await asyncio.sleep(speech_s)
        r = await clerk.request("floor.end", {"speech": entry, "how": "finished"}, key=f"e{mid}")
        ended = time.time()
        assert r["ok"], r
        spans[entry] = (snd, granted, ended)
        outcome = await clerk.outcome(mid, entry)
        if outcome == "media.clip_ready":
            finalize.append(time.time() - ended)
        else:
            failed.append(outcome)
    return {"finalize": finalize, "spans": spans, "failed": failed}


def _clips_row(clips: list, spans: dict, tmp: Path, k: int, loss: float) -> dict:
    """What one room's clips hold: frames, gaps, A/V, and the plain remux of each."""
    from harness import media_sources as sources

    src = wire = in_clip = srv = lead_in = before_key = 0
    gaps, src_gaps, base_s, base_cpu, offsets, odd = [], [], [], [], [], []
    unmatched = 0
    by_clip: list[list[float]] = []
    formats = set()
    for entry, path, _dur, quality in sorted(c for c in clips if c[0] in spans):
        snd, g0, g1 = spans[entry]
        n, gap = _clip_stats(path)
        formats.add(Path(path).suffix.lstrip("."))
        if os.environ.get("BENCH_KEEP_CLIPS"):  # for a look afterwards
            keep = Path(os.environ["BENCH_KEEP_CLIPS"])
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, keep / f"k{k}-loss{loss}-{entry}{Path(path).suffix}")
        if n == 0 or quality.get("gaps"):
            odd.append({"entry": entry, "video_frames": n, "quality": quality})
        sent = snd.sent_between("video", g0, g1)
        got = (quality.get("received") or {}).get("video", 0)
        src, wire, in_clip = src + sent, wire + got, in_clip + n
        lead_in += (quality.get("lead_in") or {}).get("video", 0)
        before_key += quality.get("video_before_first_keyframe", 0)
        srv += quality.get("dropped_server", 0)
        gaps.append(gap)
        src_gaps.append(snd.max_send_gap_ms("video", g0, g1))
        by_clip.append(sources.av_offsets_ms(Path(path)))
        offsets += by_clip[-1]
        unmatched += sources.unmatched_flashes(Path(path))
        wall, cpu = _baseline_remux(path, tmp)
        base_s.append(wall)
        base_cpu.append(cpu)
    speech = in_clip - lead_in  # the clip's frames from the speech's own span
    return {
        "frames_dropped": max(0, src - speech),
        "frames": {
            "source": src,
            "wire": wire,
            "clip": in_clip,
            "clip_lead_in": lead_in,
            "clip_speech": speech,
            "before_key": before_key,
            "server_drops": srv,
        },
        "lost_network": max(0, src - wire),
        "lost_server": max(0, wire - speech - before_key),
        "max_gap_ms": round(max(gaps), 1) if gaps else None,
        "source_max_gap_ms": max(src_gaps) if src_gaps else None,
        "av_offset_ms": max(offsets, key=abs) if offsets else None,
        "av_offset_median_ms": statistics.median(offsets) if offsets else None,
        "av_flashes": len(offsets),
        "av_offsets_ms_by_clip": by_clip,  # in speaking order: is a young stream worse?
        "av_flashes_without_beep_onset": unmatched,
        "clip_formats": sorted(formats),
        "clips_with_gaps": odd[:5],
        "plain_remux_s": round(max(base_s), 3) if base_s else None,
        "plain_remux_cpu_s_per_clip": round(statistics.mean(base_cpu), 3) if base_cpu else None,
    }


async def run(
    k: int,
    speech_s: float,
    tmp: Path,
    *,
    busy: bool,
    loss: float,
    profile: bool,
    decode_all: bool = False,
    rooms: int | None = None,
    passthrough: bool = True,
) -> list[dict]:
    """K publishers in each of ``rooms`` group sittings at once (one room: the old bench).

    Returns one row per room and, with ``rooms``, a total row (``"rooms": R``).
    """
    from harness import media_sources as sources

    source = sources.flash_beep(240, "640x360", pattern=True)
    lossy = sources.simulate_loss(loss)
    env = {"YITING_INPROCESS_WORKERS": "1"}
    if decode_all:  # the comparison: aiortc decodes every track, as before media.gate
        env["YITING_MEDIA_DECODE_ALL"] = "1"
    if not passthrough:  # the comparison: the floor holder decoded and encoded H.264/AAC
        env["YITING_MEDIA_PASSTHROUGH"] = "0"
    n_rooms = rooms or 1
    with Stack(tmp, workers=1, extra_env=env).start(
        demo_members=n_rooms * k + 8  # the demo's first four seats are vice-chairs
    ) as stack:
        base, pid = stack.urls[0], stack.procs[0].pid
        if rooms is None:
            ids = stack.python(SETUP.format(k=k))
            layout = [ids]
        else:
            layout = stack.python(SETUP_ROOMS.format(rooms=rooms, k=k))
            assert len(layout) == rooms, f"only {len(layout)} group sittings in the demo"
        for room in layout:
            assert len(room["members"]) == k, f"only {len(room['members'])} members in a room"
        load = Busy(stack) if busy else None
        clerks = [Clerk(stack, base, room["sitting"]) for room in layout]
        for clerk in clerks:
            await clerk.connect()
        await asyncio.sleep(2)
        c0, t0 = _cpu_s(pid), time.time()
        await asyncio.sleep(5)
        idle = (_cpu_s(pid) - c0) / (time.time() - t0)
        pubs = [
            [await _publisher(base, room["sitting"], u, source) for _, u in room["members"]]
            for room in layout
        ]
        streams = n_rooms * k
        connected = sum(snd.pc.connectionState == "connected" for ps in pubs for _, snd in ps)
        await asyncio.sleep(3)  # connected, frames flowing, pre-roll filled
        c0, t0 = _cpu_s(pid), time.time()
        await asyncio.sleep(5)  # every stream received, nothing recorded, no load
        receiving = (_cpu_s(pid) - c0) / (time.time() - t0)
        if load is not None:
            await load.start()
            await asyncio.sleep(2)
        spy = (
            _profile(pid, k * (speech_s + 1.5), ROOT / "test-artifacts" / f"profile-k{k}.txt")
            if profile
            else None
        )
        c0, t0 = _cpu_s(pid), time.time()
        lossy.update(dropped=0, sent=0)
        done = await asyncio.gather(
            *(
                _speeches(clerk, room["members"], ps, speech_s)
                for clerk, room, ps in zip(clerks, layout, pubs, strict=True)
            )
        )
        busy_cpu = (_cpu_s(pid) - c0) / (time.time() - t0)
        busy_out = await load.stop() if load is not None else None
        for ps in pubs:
            for ws, snd in ps:
                await snd.close()
                await ws.close()
        for clerk in clerks:
            await clerk.close()
        if spy is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(timeout=60)
        clips = stack.python(CLIPS)
        failed = [f for d in done for f in d["failed"]]
        if failed or os.environ.get("BENCH_DEBUG"):
            print(stack.log_text()[-6000:], file=sys.stderr)
        room_rows = [_clips_row(clips, d["spans"], tmp, k, loss) for d in done]
    common = {
        "busy": busy_out,
        "loss": loss,
        "decoding": (
            "every track"
            if decode_all
            else "none: packets as they arrived (media.passthrough)"
            if passthrough
            else "floor holder only (media.gate)"
        ),
        "rtp_dropped_by_sim": lossy["dropped"],
        "cpu_per_stream_pct": round((busy_cpu - idle) * 100 / streams, 2),
        "cpu_receive_per_stream_pct": round((receiving - idle) * 100 / streams, 2),
        "server_cpu_pct": round(busy_cpu * 100, 1),
        "server_receive_cpu_pct": round(receiving * 100, 1),
        "connected": connected,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "target": {"finalize_s": 5.0, "max_gap_ms": 200, "av_offset_ms": 40},
    }
    rows = []
    for i, (room, d, row) in enumerate(zip(layout, done, room_rows, strict=True)):
        fin = d["finalize"]
        rows.append(
            {
                **({"room": i + 1, "sitting": room["sitting"]} if rooms else {}),
                "publishers": k,
                "streams_at_once": streams,
                **{key: row[key] for key in row if not key.startswith("plain_remux")},
                "finalize_s": round(max(fin), 2) if fin else None,
                "finalize_s_median": round(sorted(fin)[len(fin) // 2], 2) if fin else None,
                "clips": len(d["spans"]) - len(d["failed"]),
                "not_filed": d["failed"],
                "clerk_reconnects": clerks[i].reconnects,
                **common,
                "baseline": {
                    "plain_remux_s": row["plain_remux_s"],
                    "plain_remux_cpu_s_per_clip": row["plain_remux_cpu_s_per_clip"],
                    "frame_interval_ms": round(1000 / FPS, 1),
                    "server_idle_cpu_pct": round(idle * 100, 1),
                },
            }
        )
    if rooms:
        fins = [r["finalize_s"] for r in rows if r["finalize_s"] is not None]
        avs = [r["av_offset_ms"] for r in rows if r["av_offset_ms"] is not None]
        gaps_ = [r["max_gap_ms"] for r in rows if r["max_gap_ms"] is not None]
        base_ = [r["baseline"]["plain_remux_s"] for r in rows if r["baseline"]["plain_remux_s"]]
        met = (
            all(r["not_filed"] == [] and r["clips"] == k for r in rows)
            and bool(gaps_)
            and max(gaps_) <= 200
            and all(abs(a) <= 40 for a in avs)
            and bool(fins)
            and max(fins) <= 5.0
        )
        rows.append(
            {
                "rooms": rooms,
                "publishers_per_room": k,
                "streams_at_once": streams,
                "clips": sum(r["clips"] for r in rows),
                "not_filed": [f for r in rows for f in r["not_filed"]],
                "max_gap_ms": max(gaps_) if gaps_ else None,
                "av_offset_ms": max(avs, key=abs) if avs else None,
                "finalize_s": max(fins) if fins else None,
                "frames": {
                    key: sum(r["frames"][key] for r in rows)
                    for key in (
                        "source",
                        "wire",
                        "clip",
                        "clip_lead_in",
                        "clip_speech",
                        "before_key",
                        "server_drops",
                    )
                },
                **common,
                "baseline": {
                    "plain_remux_s": max(base_) if base_ else None,
                    "frame_interval_ms": round(1000 / FPS, 1),
                    "server_idle_cpu_pct": round(idle * 100, 1),
                },
                "targets_met_every_room": met,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--publishers", type=int, nargs="+", default=[1, 4, 8, 16])
    ap.add_argument("--speech", type=float, default=4.0, help="seconds per speech")
    ap.add_argument("--busy", action="store_true", help="page flips + vote storms meanwhile")
    ap.add_argument("--loss", type=float, default=0.0, help="share of RTP packets dropped")
    ap.add_argument("--profile", action="store_true", help="py-spy the server (speeches)")
    ap.add_argument(
        "--study", action="store_true", help="passthrough study: receive CPU with/without decode"
    )
    ap.add_argument(
        "--decode-all", action="store_true", help="decode every track (no media.gate): compare"
    )
    ap.add_argument(
        "--rooms",
        type=int,
        default=None,
        help="R group sittings at once, K publishers each: a row per room and a total row",
    )
    ap.add_argument(
        "--decode-holder",
        action="store_true",
        help="decode and encode the floor holder (YITING_MEDIA_PASSTHROUGH=0): compare",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--loop-cost", action="store_true", help="also time the event loop's share")
    args = ap.parse_args()
    print(json.dumps({"loadavg_at_start": os.getloadavg()}), flush=True)
    if args.loop_cost:
        print(json.dumps({"loop_ms_per_frame": loop_cost()}), flush=True)
    if args.study:
        with tempfile.TemporaryDirectory() as d:
            print(json.dumps({"passthrough_costs": passthrough_costs(Path(d))}), flush=True)
        for k in args.publishers:
            for decode in (True, False):
                with tempfile.TemporaryDirectory() as d:
                    print(json.dumps(asyncio.run(study(k, Path(d), decode=decode))), flush=True)
        return
    for k in args.publishers:
        with tempfile.TemporaryDirectory() as d:
            rows = asyncio.run(
                run(
                    k,
                    args.speech,
                    Path(d),
                    busy=args.busy,
                    loss=args.loss,
                    profile=args.profile,
                    decode_all=args.decode_all,
                    rooms=args.rooms,
                    passthrough=not args.decode_holder,
                )
            )
        for res in rows:
            if args.json:
                print(json.dumps(res), flush=True)
                continue
            b, f = res["baseline"], res["frames"]
            where = f"rooms={res['rooms']} total" if "rooms" in res else f"K={k}"
            if "room" in res:
                where = f"room {res['room']} K={k}"
            print(
                f"{where}: cpu/stream {res['cpu_per_stream_pct']}% (receive only "
                f"{res['cpu_receive_per_stream_pct']}%) · frames source/wire/clip(speech) "
                f"{f['source']}/{f['wire']}/{f['clip_speech']} (+{f['clip_lead_in']} lead-in, "
                f"{f['before_key']} before a key) · floor end→playable {res['finalize_s']} s "
                f"(plain remux {b['plain_remux_s']} s) · max gap {res['max_gap_ms']} ms · "
                f"A/V {res['av_offset_ms']} ms · load {res['loadavg']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
