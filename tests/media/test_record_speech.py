"""Real WebRTC: an aiortc publisher on the sitting socket, the floor moves, a clip is filed."""

from __future__ import annotations

import asyncio
import datetime as dt

import av
import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from jobs.runner import run_until_idle
from media.models import Clip, Publisher, Recording
from meeting.floor.signals import floor_granted, floor_released
from tests.media.conftest import publish, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]


@sync_to_async
def grant(sitting, member, entry_id: int, item=None) -> dt.datetime:
    started = timezone.now()
    floor_granted.send(
        sender=None,
        entry_id=entry_id,
        sitting_id=sitting.pk,
        member_id=member.pk,
        agenda_item_id=item.pk if item else None,
        started_at=started,
    )
    return started


@sync_to_async
def release(sitting, member, entry_id: int, started: dt.datetime, how="finished") -> dt.datetime:
    ended = timezone.now()
    floor_released.send(
        sender=None,
        entry_id=entry_id,
        sitting_id=sitting.pk,
        member_id=member.pk,
        agenda_item_id=None,
        started_at=started,
        ended_at=ended,
        ended_how=how,
    )
    return ended


def finished_clip(entry_id: int):
    run_until_idle()
    return Clip.objects.filter(floor_entry_id=entry_id).first()


def stream_durations(path) -> dict[str, float]:
    with av.open(str(path)) as c:
        return {s.type: float(s.duration * s.time_base) for s in c.streams}


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
