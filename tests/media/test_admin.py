"""Recordings and clips in the admin: listed in Chinese with local times, never edited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from media.models import Clip, Recording

pytestmark = pytest.mark.django_db


@pytest.fixture
def clip(committee):
    s, member = committee.group_a_sitting, committee.members[0]
    started = dt.datetime(2026, 12, 6, 4, 50, 32, tzinfo=dt.UTC)  # 12:50:32 in Beijing
    rec = Recording.objects.create(
        sitting=s,
        member=member,
        source=Recording.Source.MEMBER,
        state=Recording.State.DONE,
        started_at=started,
        ended_at=started + dt.timedelta(seconds=95),
        ended_how="time_limit",
        recovered=True,
        quality={"frames_received": 2850, "gaps": []},
    )
    return Clip.objects.create(
        recording=rec,
        member=member,
        term_id=s.session.term_id,
        session=s.session,
        sitting=s,
        source=rec.source,
        started_at=rec.started_at,
        ended_at=rec.ended_at,
        duration_s=95.0,
        size=123456,
        sha256="0" * 64,
        path="clips/x.mp4",
    )


@pytest.fixture
def root() -> Client:
    c = Client()
    c.force_login(get_user_model().objects.create_superuser("root", password="pw-root"))
    return c


def test_recordings_and_clips_are_listed_in_chinese(root, clip):
    recs = root.get("/admin/media/recording/")
    text = recs.content.decode()
    assert recs.status_code == 200
    for label in ("录制记录", "委员终端视频", "超时截止", "2026-12-06 12:50:32", "崩溃后补完成"):
        assert label in text, label
    clips = root.get("/admin/media/clip/")
    text = clips.content.decode()
    assert clips.status_code == 200
    for label in ("发言视频", clip.member.full_name, "1:35", "2026-12-06 12:50:32"):
        assert label in text, label
    view = root.get(f"/admin/media/recording/{clip.recording_id}/change/").content.decode()
    assert "frames_received" in view and str(clip.public_id) in view
    assert 'name="_save"' not in view


def test_a_withdrawn_clip_says_when(root, clip):
    Clip.objects.filter(pk=clip.pk).update(
        deleted_at=dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC), delete_reason="录错了人"
    )
    text = root.get("/admin/media/clip/?deleted_at__isempty=0").content.decode()
    assert clip.member.full_name in text and "2026-12-07 09:00:00" in text
    view = root.get(f"/admin/media/clip/{clip.pk}/change/").content.decode()
    assert "录错了人" in view and "撤回时间" in view


def test_nothing_is_added_changed_or_deleted(root, clip):
    for model, pk in (("recording", clip.recording_id), ("clip", clip.pk)):
        assert root.get(f"/admin/media/{model}/add/").status_code == 403
        assert root.post(f"/admin/media/{model}/{pk}/change/", {}).status_code == 403
        assert root.post(f"/admin/media/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert Clip.objects.filter(pk=clip.pk, deleted_at=None).exists()
