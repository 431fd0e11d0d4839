"""Speech recording: K members publish 640×360@15 fps, the floor moves among them.

Starts a real Daphne worker (SQLite, in-process job worker), connects K aiortc
publishers from this process over the sitting socket, and has the clerk grant and end
the floor for each publisher in turn (``--speech`` seconds each). It measures:

- ``cpu_per_stream_pct``: the server process's CPU while K streams are received,
  decoded and one is recorded, minus the same server idle, divided by K (one core = 100);
- ``frames_dropped``: frames missing from the clips (expected 15 per second of speech);
- ``finalize_s``: the floor's end (clerk's ``floor.end`` answered) → ``media.clip_ready``;
- ``max_gap_ms``: the largest gap between consecutive video frames in any clip.

Baseline in the same run: a plain ffmpeg remux (``-c copy`` to MP4) of each clip,
the least any finaliser must spend, and the 66.7 ms frame interval of 15 fps.
Figures only: this never fails on a slow result.

    python bench/recording.py --publishers 4 [--speech 4] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.servers import Stack, WsClient, login_cookie  # noqa: E402

PW = "yiting-demo"
FPS = 15
SETUP = """
from meeting.models import Member, Sitting
s = Sitting.objects.filter(kind='group').order_by('pk').first()
Member.objects.filter(role='member').update(group=s.group)
ms = list(Member.objects.filter(role='member').order_by('seat')[:{k}])
result = {{'sitting': s.pk, 'members': [[m.pk, m.user.username] for m in ms]}}
"""
CLIPS = """
from media.models import Clip
from media.services.paths import absolute
result = [[c.floor_entry_id, str(absolute(c.path)), c.duration_s] for c in Clip.objects.all()]
"""


def _frames(n: int = 30):
    """A few distinct 640×360 frames (a moving bar), cycled: cheap to generate, real to encode."""
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


SKIPPED = [0]  # frames the publishers (this process) could not send in time


def _tracks():
    from aiortc import MediaStreamTrack
    from av import AudioFrame

    frames = _frames()

    class Video(MediaStreamTrack):
        kind = "video"

        def __init__(self) -> None:
            super().__init__()
            self.n, self.t0 = 0, None

        async def recv(self):
            self.t0 = self.t0 or time.time()
            late = int((time.time() - self.t0) * FPS)
            if late > self.n + 1:  # like a camera: a busy sender skips frames, time goes on
                SKIPPED[0] += late - self.n
                self.n = late
            await asyncio.sleep(max(0.0, self.t0 + self.n / FPS - time.time()))
            f = frames[self.n % len(frames)]
            f.pts, f.time_base = self.n * 6000, fractions.Fraction(1, 90000)
            self.n += 1
            return f

    class Audio(MediaStreamTrack):
        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self.s, self.t0 = 0, None

        async def recv(self):
            self.t0 = self.t0 or time.time()
            late = int((time.time() - self.t0) * 50) * 960
            if late > self.s + 960:
                self.s = late
            await asyncio.sleep(max(0.0, self.t0 + self.s / 48000 - time.time()))
            a = AudioFrame(format="s16", layout="stereo", samples=960)
            a.planes[0].update(bytes(960 * 4))
            a.sample_rate, a.pts, a.time_base = 48000, self.s, fractions.Fraction(1, 48000)
            self.s += 960
            return a

    return Video(), Audio()


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
        v = c.streams.video[0]
        pts = sorted(float(p.pts * v.time_base) for p in c.demux(v) if p.pts is not None and p.size)
    gaps = [b - a for a, b in zip(pts, pts[1:], strict=False)]
    return len(pts), (max(gaps) * 1000 if gaps else 0.0)


def _baseline_remux(path: str, tmp: Path) -> float:
    from media import ffmpeg

    t = time.perf_counter()
    ffmpeg.remux_plain(Path(path), tmp / "baseline.mp4")
    return time.perf_counter() - t


async def _publisher(base: str, sid: int, username: str):
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    ws = WsClient(base, sid, login_cookie(base, username, PW))
    await ws.connect()
    pc = RTCPeerConnection(configuration=RTCConfiguration(iceServers=[]))  # no public STUN
    for t in _tracks():
        pc.addTrack(t)
    await pc.setLocalDescription(await pc.createOffer())
    r = await ws.request("media.publish", {"sdp": pc.localDescription.sdp}, timeout=60)
    assert r["ok"], r
    await pc.setRemoteDescription(RTCSessionDescription(r["data"]["sdp"], "answer"))
    end = time.time() + 30
    while pc.connectionState != "connected" and time.time() < end:
        await asyncio.sleep(0.1)
    return ws, pc


OUTCOMES = ("media.clip_ready", "media.recording_failed", "media.not_recorded")


async def _outcome(clerk: WsClient, member_id: int) -> str:
    """Wait for what became of the member's speech: a clip, or why not."""
    try:
        while True:
            ev = await clerk.next_event(None, timeout=60)
            if ev["type"] in OUTCOMES and ev["data"].get("member") == member_id:
                return ev["type"] + (f":{ev['data'].get('code')}" if "code" in ev["data"] else "")
    except TimeoutError:
        return "timeout"


async def run(k: int, speech_s: float, tmp: Path) -> dict:
    with Stack(tmp, workers=1, extra_env={"YITING_INPROCESS_WORKERS": "1"}).start(
        demo_members=k + 8  # the demo's first four seats are vice-chairs
    ) as stack:
        base, pid = stack.urls[0], stack.procs[0].pid
        ids = stack.python(SETUP.format(k=k))
        sid = ids["sitting"]
        assert len(ids["members"]) == k, f"only {len(ids['members'])} members in the demo"
        clerk = WsClient(base, sid, login_cookie(base, "clerk", PW))
        await clerk.connect()
        await asyncio.sleep(2)
        c0, t0 = _cpu_s(pid), time.time()
        await asyncio.sleep(5)
        idle = (_cpu_s(pid) - c0) / (time.time() - t0)
        pubs = [await _publisher(base, sid, u) for _, u in ids["members"]]
        connected = sum(pc.connectionState == "connected" for _, pc in pubs)
        await asyncio.sleep(3)  # connected, frames flowing, pre-roll filled
        c0, t0 = _cpu_s(pid), time.time()
        SKIPPED[0] = 0
        finalize, speeches, failed = [], [], []
        for mid, _ in ids["members"]:
            r = await clerk.request("floor.grant", {"member": mid}, key=f"g{mid}", timeout=60)
            assert r["ok"], r
            entry = r["data"]["speech"]["id"]
            await asyncio.sleep(speech_s)
            r = await clerk.request(
                "floor.end", {"speech": entry, "how": "finished"}, key=f"e{mid}", timeout=60
            )
            ended = time.time()
            assert r["ok"], r
            speeches.append(entry)
            outcome = await _outcome(clerk, mid)
            if outcome == "media.clip_ready":
                finalize.append(time.time() - ended)
            else:
                failed.append(outcome)
        busy = (_cpu_s(pid) - c0) / (time.time() - t0)
        sender_skipped = SKIPPED[0]
        for ws, pc in pubs:
            await pc.close()
            await ws.close()
        await clerk.close()
        clips = stack.python(CLIPS)
        if failed or os.environ.get("BENCH_DEBUG"):
            print(stack.log_text()[-6000:], file=sys.stderr)
        dropped, gaps, base_s = 0, [], []
        for _, path, dur in clips:
            n, gap = _clip_stats(path)
            dropped += max(0, round(dur * FPS) - n)
            gaps.append(gap)
            base_s.append(_baseline_remux(path, tmp))
    return {
        "publishers": k,
        "cpu_per_stream_pct": round((busy - idle) * 100 / k, 1),
        "frames_dropped": dropped,
        "sender_skipped_frames": sender_skipped,
        "finalize_s": round(max(finalize), 2) if finalize else None,
        "finalize_s_median": round(sorted(finalize)[len(finalize) // 2], 2) if finalize else None,
        "max_gap_ms": round(max(gaps), 1) if gaps else None,
        "clips": len(clips),
        "connected": connected,
        "not_filed": failed,
        "baseline": {
            "plain_remux_s": round(max(base_s), 3) if base_s else None,
            "frame_interval_ms": round(1000 / FPS, 1),
            "server_idle_cpu_pct": round(idle * 100, 1),
        },
        "target": {"finalize_s": 5.0, "max_gap_ms": 200},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--publishers", type=int, nargs="+", default=[1, 4, 8])
    ap.add_argument("--speech", type=float, default=4.0, help="seconds per speech")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--loop-cost", action="store_true", help="also time the event loop's share")
    args = ap.parse_args()
    if args.loop_cost:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
        print(json.dumps({"loop_ms_per_frame": loop_cost()}), flush=True)
    for k in args.publishers:
        with tempfile.TemporaryDirectory() as d:
            res = asyncio.run(run(k, args.speech, Path(d)))
        if args.json:
            print(json.dumps(res), flush=True)
        else:
            b = res["baseline"]
            print(
                f"K={k}: cpu/stream {res['cpu_per_stream_pct']}% · dropped "
                f"{res['frames_dropped']} · floor end→playable {res['finalize_s']} s "
                f"(median {res['finalize_s_median']}; plain remux {b['plain_remux_s']} s) · "
                f"max gap {res['max_gap_ms']} ms (frame interval {b['frame_interval_ms']} ms)",
                flush=True,
            )


if __name__ == "__main__":
    main()
