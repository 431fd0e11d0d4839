"""Storage lifecycle: room-camera files go after retention once cut; disk use is shown."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core import events
from media.models import Publisher, Recording, RoomSegment
from media.services import paths, storage
from realtime.models import SittingEvent
from tests.deploy.test_health import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(committee):
    return Publisher.objects.create(
        sitting=committee.group_a_sitting,
        kind="room",
        user=committee.clerk.user,
        server="test:1",
        channel_name="x",
    )


def segment(room, start: dt.datetime, seconds: float = 30) -> RoomSegment:
    path = paths.room_dir(room.pk) / f"room_{int(start.timestamp() * 1000)}.ts"
    path.write_bytes(b"\x47" * 188 * 10)
    path.with_suffix(".wall").write_text("0")
    return RoomSegment.objects.create(
        publisher=room,
        sitting_id=room.sitting_id,
        path=str(path),
        started_at=start,
        ended_at=start + dt.timedelta(seconds=seconds),
    )


def speech(room, committee, start, end, state) -> Recording:
    return Recording.objects.create(
        sitting_id=room.sitting_id,
        member=committee.members[0],
        publisher=room,
        source="room",
        state=state,
        started_at=start,
        ended_at=end,
    )


def test_room_files_go_after_retention_once_every_speech_they_cover_is_cut(
    committee, room, settings
):
    settings.MEDIA_ROOM_RETENTION_S = 3600
    now = timezone.now()
    old = now - dt.timedelta(hours=3)
    cut = segment(room, old)  # covered by a finished speech: goes
    uncut = segment(room, old + dt.timedelta(seconds=30))  # a speech still finalising
    bare = segment(room, old + dt.timedelta(seconds=60))  # no speech at all: goes
    fresh = segment(room, now - dt.timedelta(minutes=10))  # inside retention: stays
    speech(room, committee, old + dt.timedelta(seconds=5), old + dt.timedelta(seconds=20), "done")
    rec = speech(
        room,
        committee,
        old + dt.timedelta(seconds=40),
        old + dt.timedelta(seconds=50),
        Recording.State.FINALISING,
    )
    assert storage.prune_room_segments() == 2
    left = set(RoomSegment.objects.values_list("pk", flat=True))
    assert left == {uncut.pk, fresh.pk}
    assert not Path(cut.path).exists() and not Path(cut.path).with_suffix(".wall").exists()
    assert not Path(bare.path).exists()
    assert Path(uncut.path).exists() and Path(fresh.path).exists()
    rec.state = Recording.State.DONE  # now cut: its file may go too
    rec.save()
    assert storage.prune_room_segments() == 1
    assert set(RoomSegment.objects.values_list("pk", flat=True)) == {fresh.pk}


def test_a_speech_still_recording_keeps_every_file_after_its_start(committee, room, settings):
    settings.MEDIA_ROOM_RETENTION_S = 60
    old = timezone.now() - dt.timedelta(hours=1)
    seg = segment(room, old)
    speech(room, committee, old + dt.timedelta(seconds=10), None, Recording.State.RECORDING)
    assert storage.prune_room_segments() == 0
    assert Path(seg.path).exists()


def test_usage_counts_bytes_and_names_the_oldest_file(committee, room):
    seg = segment(room, timezone.now())
    os.utime(seg.path, (time.time() - 7200, time.time() - 7200))
    (paths.work_dir() / "rec_999.ts").write_bytes(b"x" * 1000)
    u = storage.usage()
    assert u["bytes"]["room"] >= 1880 and u["bytes"]["working"] >= 1000
    assert u["oldest_file"] == seg.path and u["oldest_file_age_s"] >= 7190
    assert u["free_bytes"] > 0 and u["warn_below_bytes"] > u["refuse_below_bytes"]
    (paths.work_dir() / "rec_999.ts").unlink()


def test_disk_use_in_health_details_and_metrics(committee, room):
    seg = segment(room, timezone.now())
    body = Client().get("/healthz/details").json()
    media = body["media_storage"]
    assert media["files"]["room"] >= 1 and media["oldest_file"] is not None
    m = samples(Client().get("/metrics").content.decode())
    assert m['yiting_media_bytes{kind="room"}'] >= Path(seg.path).stat().st_size
    assert m["yiting_media_free_bytes"] > 0
    assert m["yiting_media_oldest_file_age_seconds"] >= 0
    assert m["yiting_media_refuse_below_bytes"] < m["yiting_media_warn_below_bytes"]


@pytest.mark.django_db(transaction=True)
async def test_console_is_warned_before_the_disk_reaches_the_refusal(committee, settings, connect):
    """The clerk's console hears ``media.disk_low``; a member's tablet does not."""
    sitting = committee.group_a_sitting
    clerk = await connect(committee.clerk.user, sitting.pk)
    member = await connect(committee.members[0].user, sitting.pk)
    storage._warned.clear()
    settings.MEDIA_WARN_FREE_BYTES = 1 << 62  # more than any disk: "getting close"

    @sync_to_async
    def warn() -> bool:
        with transaction.atomic():
            return storage.warn_if_low(sitting.pk)

    assert await warn() is True
    assert await warn() is False  # once per window, not per grant
    ev = await clerk.event("media.disk_low")
    assert ev["data"]["free_bytes"] < ev["data"]["warn_below_bytes"]
    # a notice to the whole sitting after it: the member hears that one and nothing before
    await sync_to_async(events.notify)(
        events.sitting(sitting.pk), "media.clip_progress", {"done": 0}, sitting.pk
    )
    seen = []
    while not seen or seen[-1] != "media.clip_progress":
        seen.append((await member.event())["type"])
    assert "media.disk_low" not in seen, seen
    assert not await sync_to_async(
        SittingEvent.objects.filter(sitting=sitting, type="media.disk_low").exists
    )()  # a notice, not a journal event replayed to every socket
    settings.MEDIA_WARN_FREE_BYTES = 0
    storage._warned.clear()
    assert await warn() is False
