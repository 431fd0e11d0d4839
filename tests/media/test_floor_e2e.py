"""End to end with the real floor: the clerk grants and ends the floor over the socket."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from media.models import Recording
from media.services.paths import absolute
from meeting.floor.models import Speech
from tests.media.conftest import publish, wait_for
from tests.media.helpers import finished_clip, stream_durations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]


async def test_floor_granted_and_ended_by_the_clerk_files_the_speech(
    committee, connect, publishers
):
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    tablet = await connect(m1.user, sitting.pk)
    clerk = await connect(committee.clerk.user, sitting.pk)
    await publish(tablet, publishers())
    await asyncio.sleep(1.0)
    r = await clerk.request("floor.grant", {"member": m1.pk}, key="g-1")
    assert r["ok"], r
    speech_id = r["data"]["speech"]["id"]
    ev = await clerk.event("media.recording_started")
    assert ev["data"]["member"] == m1.pk and ev["data"]["entry"] == speech_id
    await asyncio.sleep(3.0)
    r = await clerk.request("floor.end", {"speech": speech_id, "how": "finished"}, key="e-1")
    assert r["ok"], r
    clip = await wait_for(lambda: finished_clip(speech_id), timeout=40)
    sp = await sync_to_async(Speech.objects.get)(pk=speech_id)
    # clip boundaries match the speaking log within half a second
    assert abs((clip.started_at - sp.started_at).total_seconds()) <= 0.5
    assert abs((clip.ended_at - sp.ended_at).total_seconds()) <= 0.5
    logged = (sp.ended_at - sp.started_at).total_seconds()
    durs = stream_durations(absolute(clip.path))
    assert abs(durs["video"] - logged) <= 0.5 and abs(durs["audio"] - logged) <= 0.5, durs
    rec = await sync_to_async(Recording.objects.get)(floor_entry_id=speech_id)
    assert rec.ended_how == "finished"

    def record():
        c = Client()
        c.force_login(m1.user)
        return c.get(f"/media/members/{m1.pk}/record/", {"format": "json"}).json()

    data = await sync_to_async(record)()
    [row] = [s for s in data["speeches"] if s["entry"] == speech_id]
    assert row["clip"]["clip"] == str(clip.public_id)
    assert abs(row["duration_s"] - logged) < 0.2
