"""The archive over HTTP: who sees which clip, range requests, deletion, the deputy record."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client

from core.models import Attendance
from media.models import Clip, Recording
from media.services.paths import absolute

pytestmark = [pytest.mark.django_db, pytest.mark.media]


def make_clip(committee, member, *, entry: int, data: bytes = b"", day=None) -> Clip:
    """A clip row with a real file (bytes stand in for the MP4; these tests are about HTTP)."""
    sitting = committee.group_a_sitting
    started = day or dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
    rec = Recording.objects.create(
        sitting=sitting,
        member=member,
        floor_entry_id=entry,
        source="member",
        started_at=started,
        state="done",
    )
    data = data or bytes(range(256)) * 40
    rel = f"clips/test/{entry}.mp4"
    absolute(rel).parent.mkdir(parents=True, exist_ok=True)
    absolute(rel).write_bytes(data)
    return Clip.objects.create(
        recording=rec,
        member=member,
        term=committee.term,
        session=committee.session,
        sitting=sitting,
        agenda_item=sitting.agenda_items.first(),
        floor_entry_id=entry,
        source="member",
        started_at=started,
        ended_at=started + dt.timedelta(seconds=12),
        duration_s=12.0,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        path=rel,
    )


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_members_see_their_own_clips_staff_all_others_none(committee):
    m1, m3 = committee.members[0], committee.members[2]
    c1, c3 = make_clip(committee, m1, entry=1), make_clip(committee, m3, entry=2)
    listed = lambda user: {r["clip"] for r in login(user).get("/media/clips/").json()["clips"]}  # noqa: E731
    assert listed(m1.user) == {str(c1.public_id)}
    assert listed(committee.staff.user) == {str(c1.public_id), str(c3.public_id)}
    assert listed(committee.outsider) == set()
    assert login(m1.user).get(f"/media/clips/{c3.public_id}/file").status_code == 404
    assert login(committee.outsider).get(f"/media/clips/{c1.public_id}/").status_code == 404
    assert Client().get(f"/media/clips/{c1.public_id}/file").status_code == 302  # to login


def test_range_requests_serve_exact_bytes(committee):
    data = bytes(range(256)) * 100
    clip = make_clip(committee, committee.members[0], entry=3, data=data)
    c = login(committee.staff.user)
    url = f"/media/clips/{clip.public_id}/file"
    whole = c.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes"
    part = c.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = c.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    bad = c.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{len(data)}"


def test_review_filters_and_bad_filters(committee):
    m1, m3 = committee.members[0], committee.members[2]
    make_clip(committee, m1, entry=4)
    make_clip(committee, m3, entry=5, day=dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))
    c = login(committee.staff.user)
    assert c.get("/media/clips/", {"member": m3.pk}).json()["count"] == 1
    assert c.get("/media/clips/", {"from": "2026-11-25"}).json()["count"] == 1
    assert c.get("/media/clips/", {"to": "2026-11-24"}).json()["count"] == 1
    assert c.get("/media/clips/", {"sitting": committee.group_a_sitting.pk}).json()["count"] == 2
    r = c.get("/media/clips/", {"member": "abc"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    r = c.get("/media/clips/", {"from": "yesterday"})
    assert r.status_code == 400 and r.json()["error"]["details"] == {"field": "from"}


def test_delete_needs_a_reason_and_is_recorded(committee, django_capture_on_commit_callbacks):
    clip = make_clip(committee, committee.members[0], entry=6)
    staff = login(committee.staff.user)
    url = f"/media/clips/{clip.public_id}/delete"
    r = staff.post(url, {"reason": " "})
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    clip.refresh_from_db()
    assert clip.deleted_at is None and absolute(clip.path).exists()  # nothing lost
    r = login(committee.members[0].user).post(url, {"reason": "my own, but not staff"})
    assert r.status_code == 403 and absolute(clip.path).exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.post(url, {"reason": "recorded the wrong member"})
    assert r.status_code == 200
    clip.refresh_from_db()
    assert (
        clip.deleted_by == committee.staff.user
        and clip.delete_reason == "recorded the wrong member"
    )
    assert not absolute(clip.path).exists()
    gone = staff.get(f"/media/clips/{clip.public_id}/file")
    assert gone.status_code == 410 and gone.json()["error"]["reason"] == "recorded the wrong member"
    assert staff.post(url, {"reason": "again, twice"}).status_code == 409


def test_deputy_record_lists_attendance_and_speeches_with_links(committee):
    m1 = committee.members[0]
    clip = make_clip(committee, m1, entry=7)
    Attendance.objects.create(
        sitting=committee.group_a_sitting,
        member=m1,
        checked_in_at=dt.datetime(2026, 11, 24, 8, 55, tzinfo=dt.UTC),
        method="tablet",
    )
    rec = login(m1.user).get(f"/media/members/{m1.pk}/record/", {"format": "json"}).json()
    assert rec["member"]["id"] == m1.pk and len(rec["attendance"]) == 1
    [speech] = rec["speeches"]
    assert speech["clip"]["links"]["page"] == f"/media/clips/{clip.public_id}/"
    assert speech["item"] == "议题1"
    page = login(committee.staff.user).get(f"/media/members/{m1.pk}/record/")
    assert page.status_code == 200 and f"/media/clips/{clip.public_id}/" in page.content.decode()
    api = login(committee.staff.user).get(f"/media/api/members/{m1.pk}/speeches").json()
    assert api["speeches"][0]["clip"]["sha256"] == clip.sha256
    assert (
        login(committee.members[2].user).get(f"/media/members/{m1.pk}/record/").status_code == 403
    )


def test_clip_page_and_review_page_render(committee):
    clip = make_clip(committee, committee.members[0], entry=8)
    page = login(committee.members[0].user).get(f"/media/clips/{clip.public_id}/")
    assert page.status_code == 200 and b"<video" in page.content
    review = login(committee.staff.user).get("/review/")
    assert b"review-clips" in review.content and b"mountReview" in review.content
