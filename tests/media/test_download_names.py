"""A speech clip downloads as 委员1发言录像<local time>.mp4 (issue 28); playing it names none."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.downloads import download_name
from tests.media.test_views import make_clip

pytestmark = [pytest.mark.django_db, pytest.mark.media]


def test_a_downloaded_clip_is_named_by_the_member_and_the_local_time(committee):
    clip = make_clip(committee, committee.members[0], entry=7)  # 09:30 UTC
    c = Client()
    c.force_login(committee.staff.user)
    url = f"/media/clips/{clip.public_id}/file"
    assert "Content-Disposition" not in c.get(url)  # the player streams it
    named = download_name(c.get(url, {"download": "1"}))
    stamp = "20261124-173000"  # 17:30 in Asia/Shanghai
    assert named == (
        "attachment",
        f"speech-{committee.members[0].pk}-{stamp}.mp4",
        f"委员1发言录像{stamp}.mp4",
    )
