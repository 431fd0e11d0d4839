"""The room camera: a speech whose member stream is missing is cut from the room recording."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from media.models import Recording, RoomSegment
from media.services.paths import absolute
from tests.media.conftest import publish, wait_for
from tests.media.helpers import finished_clip, grant, release, stream_durations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]


async def test_speech_without_member_stream_is_cut_from_the_room(committee, connect, publishers):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    clerk = await connect(committee.clerk.user, sitting.pk)
    member = await connect(m1.user, sitting.pk)  # connected, but not publishing
    room = await publish(clerk, publishers(), kind="room")
    await asyncio.sleep(1.5)
    started = await grant(sitting, m1, 301)
    ev = await member.event("media.recording_started")
    assert ev["data"]["source"] == "room" and ev["data"]["member"] == m1.pk
    await asyncio.sleep(3.0)
    ended = await release(sitting, m1, 301, started)
    clip = await wait_for(lambda: finished_clip(301), timeout=40)
    assert clip.source == "room" and clip.member_id == m1.pk
    speech = (ended - started).total_seconds()
    durs = stream_durations(absolute(clip.path))
    # stream copy cuts at the keyframe before the start (one every ~0.47 s)
    assert speech - 0.1 <= durs["video"] <= speech + 0.5, (durs, speech)
    segs = await sync_to_async(
        lambda: RoomSegment.objects.filter(publisher_id=room["publisher"]).count()
    )()
    assert segs >= 1
    rec = await sync_to_async(Recording.objects.get)(floor_entry_id=301)
    assert rec.state == "done"


async def test_no_stream_at_all_is_announced_not_recorded(committee, connect):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    clerk = await connect(committee.clerk.user, sitting.pk)
    await grant(sitting, m1, 302)
    ev = await clerk.event("media.not_recorded")
    assert ev["data"] == {"member": m1.pk, "entry": 302, "code": "stream_missing"}
    assert await sync_to_async(Recording.objects.count)() == 0
