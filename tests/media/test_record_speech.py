"""Real WebRTC: an aiortc publisher on the sitting socket, the floor moves, a clip is filed."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from media.models import Publisher, Recording
from tests.media.conftest import publish, wait_for
from tests.media.helpers import finished_clip, grant, release, stream_durations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]


async def test_speech_is_recorded_from_grant_to_release(committee, connect, publishers):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    item = await sync_to_async(lambda: sitting.agenda_items.first())()
    sock = await connect(m1.user, sitting.pk)
    pub = publishers()
    data = await publish(sock, pub)
    row = await sync_to_async(Publisher.objects.get)(pk=data["publisher"])
    assert row.state == "live" and row.member_id == m1.pk and row.server
    await asyncio.sleep(1.0)  # frames flowing: the pre-roll is filling
    started = await grant(sitting, m1, 101, item)
    await asyncio.sleep(3.0)
    ended = await release(sitting, m1, 101, started)
    clip = await wait_for(lambda: finished_clip(101), timeout=40)
    from media.services.paths import absolute

    durs = stream_durations(absolute(clip.path))
    speech = (ended - started).total_seconds()
    assert set(durs) == {"video", "audio"}
    assert abs(durs["video"] - speech) <= 0.5, (durs, speech)
    assert abs(durs["audio"] - speech) <= 0.5, (durs, speech)
    assert clip.member_id == m1.pk and clip.agenda_item_id == item.pk
    assert clip.term_id == committee.term.pk and clip.session_id == committee.session.pk
    assert clip.size == absolute(clip.path).stat().st_size and len(clip.sha256) == 64
    assert absolute(clip.poster_path).stat().st_size > 0
    assert not clip.stream_lost
    rec = await sync_to_async(Recording.objects.get)(floor_entry_id=101)
    assert rec.state == "done" and rec.source == "member"
    ev = await sock.event("media.clip_ready")
    assert ev["data"]["clip"] == str(clip.public_id)


async def test_stream_that_stops_mid_speech_ends_the_clip_there(committee, connect, publishers):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    sock = await connect(m1.user, sitting.pk)
    pub = publishers()
    await publish(sock, pub)
    await asyncio.sleep(0.5)
    started = await grant(sitting, m1, 102)
    await asyncio.sleep(2.0)
    await pub.close()  # the tablet's Wi-Fi drops: the peer closes mid-speech
    lost_at = timezone.now()
    await asyncio.sleep(2.0)
    ended = await release(sitting, m1, 102, started)
    clip = await wait_for(lambda: finished_clip(102), timeout=40)
    from media.services.paths import absolute

    assert clip.stream_lost is True
    assert abs((clip.ended_at - lost_at).total_seconds()) <= 0.6
    assert clip.ended_at < ended
    durs = stream_durations(absolute(clip.path))
    assert abs(durs["video"] - (lost_at - started).total_seconds()) <= 0.6, durs
    rec = await sync_to_async(Recording.objects.get)(floor_entry_id=102)
    assert rec.ended_how == "finished" and rec.stream_lost_at is not None


async def test_two_speeches_in_a_row_make_two_clips(committee, connect, publishers):
    sitting, m1, m3 = committee.group_a_sitting, committee.members[0], committee.members[2]
    s1, s3 = await connect(m1.user, sitting.pk), await connect(m3.user, sitting.pk)
    await publish(s1, publishers())
    await publish(s3, publishers())
    await asyncio.sleep(0.5)
    t1 = await grant(sitting, m1, 201)
    await asyncio.sleep(1.5)
    e1 = await release(sitting, m1, 201, t1)
    t3 = await grant(sitting, m3, 202)
    await asyncio.sleep(1.5)
    e3 = await release(sitting, m3, 202, t3)
    c1 = await wait_for(lambda: finished_clip(201), timeout=40)
    c3 = await wait_for(lambda: finished_clip(202), timeout=40)
    assert (c1.member_id, c3.member_id) == (m1.pk, m3.pk)
    assert abs(c1.duration_s - (e1 - t1).total_seconds()) <= 0.5
    assert abs(c3.duration_s - (e3 - t3).total_seconds()) <= 0.5
