"""Disk full and a crash mid-speech: clear errors, nothing recorded is lost."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

from core.errors import DomainError
from jobs.runner import run_until_idle
from media.models import Clip, Recording
from media.recovery import recover_on_start, server_alive
from media.services import clips
from media.services.paths import absolute, working_file
from tests.media.conftest import publish, wait_for
from tests.media.helpers import grant, release, stream_durations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]
ROOT = Path(__file__).resolve().parents[2]


async def test_disk_full_at_grant_fails_clearly(committee, connect, publishers, settings):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    sock = await connect(m1.user, sitting.pk)
    await publish(sock, publishers())
    settings.MEDIA_MIN_FREE_BYTES = 1 << 62  # more than any disk: statvfs says no
    await grant(sitting, m1, 401)
    ev = await sock.event("media.recording_failed")
    assert ev["data"]["code"] == "disk_full"
    rec = await sync_to_async(Recording.objects.get)(floor_entry_id=401)
    assert rec.state == "failed" and rec.error.startswith("disk_full")
    await asyncio.sleep(0.5)
    assert not working_file(rec.pk).exists()


async def test_disk_full_at_finalise_keeps_the_recording(committee, connect, publishers, settings):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    sock = await connect(m1.user, sitting.pk)
    await publish(sock, publishers())
    await asyncio.sleep(0.5)
    started = await grant(sitting, m1, 402)
    await asyncio.sleep(2.0)
    rec = await sync_to_async(Recording.objects.get)(floor_entry_id=402)
    settings.MEDIA_MIN_FREE_BYTES = 1 << 62
    await release(sitting, m1, 402, started)
    await wait_for(lambda: Recording.objects.get(pk=rec.pk).state == "finalising")
    await wait_for(lambda: working_file(rec.pk).stat().st_size > 0 and not _capturing())
    with pytest.raises(DomainError) as err:
        await sync_to_async(clips.finalise)(rec.pk)
    assert err.value.code == "disk_full"
    rec = await sync_to_async(Recording.objects.get)(pk=rec.pk)
    assert rec.state == "finalising" and rec.error.startswith("disk_full")
    assert working_file(rec.pk).stat().st_size > 0  # nothing recorded was lost
    assert await sync_to_async(Clip.objects.count)() == 0
    assert not list(absolute("clips").rglob("*.part.mp4"))  # no half-written clip
    settings.MEDIA_MIN_FREE_BYTES = 0  # space freed: the same recording finalises
    clip = await sync_to_async(clips.finalise)(rec.pk)
    assert clip is not None and clip.duration_s > 1.5


def _capturing() -> bool:
    from media import peers

    return any(p.capture.job is not None for p in peers.PEERS.values())


def _wait_clip(rec: Recording, timeout: float = 40) -> Clip:
    """Run jobs until the clip exists (an in-process worker may be running it meanwhile)."""
    end = time.time() + timeout
    while not Clip.objects.filter(recording=rec).exists():
        assert time.time() < end, "clip not finalised"
        run_until_idle()
        time.sleep(0.2)
    return Clip.objects.get(recording=rec)


CRASHER = """
import os, signal, sys, time, fractions
from pathlib import Path
from av import AudioFrame, VideoFrame
from media.capture import TsWriter
path, t0 = Path(sys.argv[1]), float(sys.argv[2])
w = TsWriter(path, t0, video=True, audio=True, gop=7)
n = 0
while time.time() < t0 + 3.0:
    f = VideoFrame(640, 360, "yuv420p")
    for p in f.planes:
        p.update(bytes([(n * 7) % 255]) * p.buffer_size)
    w.write_video(f, t0 + n / 15)
    a = AudioFrame(format="s16", layout="stereo", samples=3200)
    a.sample_rate = 48000
    a.planes[0].update(bytes(3200 * 4))
    w.write_audio(a, t0 + n / 15)
    n += 1
    time.sleep(max(0, t0 + n / 15 - time.time()))
print(n, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _orphaned(sitting, member, floor_entry_id: int, t0: float) -> Recording:
    """A recording left by a process that is gone (a pid that has exited)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return Recording.objects.create(
        sitting=sitting,
        member=member,
        floor_entry_id=floor_entry_id,
        source="member",
        server=f"{socket.gethostname()}:{dead.pid}",
        started_at=dt.datetime.fromtimestamp(t0, dt.UTC),
    )


def test_crash_mid_speech_is_recovered_at_next_start(committee):
    """A process killed while writing: its file is readable and the clip is filed."""
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    t0 = time.time()
    rec = _orphaned(sitting, m1, 501, t0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", CRASHER, str(working_file(rec.pk)), str(t0)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    assert not server_alive(rec.server)
    assert recover_on_start() == 1
    clip = _wait_clip(rec)
    assert clip.recovered and clip.stream_lost
    durs = stream_durations(absolute(clip.path))
    assert 2.0 <= durs["video"] <= 3.1, durs  # at most ~1 s lost to the crash
    rec.refresh_from_db()
    assert rec.state == "done" and rec.recovered
    assert recover_on_start() == 0  # nothing left to recover; a second start is a no-op


PACKET_CRASHER = """
import os, signal, sys, time
from fractions import Fraction
from pathlib import Path
import av
from media.passthrough import MkvWriter, Packet
path, t0, src = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
with av.open(src) as c:
    pk = [(p.stream.type, bytes(p), float(p.pts * p.time_base), p.is_keyframe)
          for p in c.demux() if p.size and p.pts is not None]
w = MkvWriter(path, t0, video=True, audio=True)
for kind, data, at, key in pk:
    time.sleep(max(0, t0 + at - time.time()))
    if time.time() >= t0 + 3.0:
        break
    pkt = Packet(data, round(at * 90000), Fraction(1, 90000), key, 640, 360, 0.02)
    (w.write_video if kind == "video" else w.write_audio)(pkt, t0 + at)
print(w.frames, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_crash_while_passing_packets_through_is_recovered(committee):
    """The Matroska working file of a passed-through recording, cut short by SIGKILL,
    is read up to its last cluster (no duration, no index in it) and filed as WebM."""
    from harness.media_sources import flash_beep

    sitting, m1 = committee.group_a_sitting, committee.members[0]
    t0 = time.time()
    rec = _orphaned(sitting, m1, 502, t0)
    mkv = working_file(rec.pk).with_suffix(".mkv")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PACKET_CRASHER, str(mkv), str(t0), str(flash_beep(10))],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    assert working_file(rec.pk) == mkv
    assert recover_on_start() == 1
    clip = _wait_clip(rec)
    assert clip.recovered and clip.stream_lost and clip.path.endswith(".webm")
    durs = stream_durations(absolute(clip.path))
    assert 1.5 <= durs["video"] <= 3.1, durs  # at most ~1 s (one cluster) lost to the crash
    assert not mkv.exists()  # the working file went once its clip was made
