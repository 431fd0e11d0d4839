"""The briefs pages over HTTP: who sees what, JSON errors, the release seen by a member."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from core.models import Term
from jobs.runner import run_until_idle
from media.models import Clip
from meeting.briefs.models import Brief


def client_for(member) -> Client:
    c = Client()
    c.force_login(member.user if hasattr(member, "user") else member)
    return c


def _post_summary(c, speech, **body):
    return c.post(
        f"/briefs/speeches/{speech.pk}/summary", json.dumps(body), content_type="application/json"
    )


def test_staff_write_summaries_members_do_not(archive):
    staff = client_for(archive.staff)
    page = staff.get(f"/briefs/sittings/{archive.group_a_sitting.pk}/")
    assert page.status_code == 200 and "委员1" in page.content.decode()
    r = _post_summary(
        staff, archive.sp1, text="要点", quotes=[{"at": 5, "text": "引语"}], version=0
    )
    assert r.status_code == 200 and r.json()["version"] == 1
    r = _post_summary(
        staff, archive.sp1, text="要点", quotes=[{"at": 99, "text": "超出"}], version=1
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "quote_past_end"
    r = _post_summary(staff, archive.sp1, text="又改", version=0)
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_version"
    r = staff.post(
        f"/briefs/speeches/{archive.sp1.pk}/summary", "[1", content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    member = client_for(archive.members[0])
    assert member.get(f"/briefs/sittings/{archive.group_a_sitting.pk}/").status_code == 403
    r = _post_summary(member, archive.sp1, text="我改", version=1)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_check_release_and_a_member_reads_the_brief_and_plays_the_quote(archive):
    staff, staff2 = client_for(archive.staff), client_for(archive.staff2)
    _post_summary(staff, archive.sp1, text="建议明确罚则", quotes=[{"at": 12, "text": "罚则"}])
    r = staff.post("/briefs/new", {"sitting": archive.group_a_sitting.pk})
    assert r.status_code == 302
    brief = Brief.objects.get()
    m1 = client_for(archive.members[0])
    assert m1.get(f"/briefs/{brief.pk}/").status_code == 403  # a draft is staff work
    r = staff.post(f"/briefs/{brief.pk}/check")
    assert r.status_code == 409 and r.json()["error"]["code"] == "checker_is_author"
    r = staff.post(f"/briefs/{brief.pk}/release", {"access": "committee"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_checked"
    assert staff2.post(f"/briefs/{brief.pk}/check").status_code == 302
    assert staff2.post(f"/briefs/{brief.pk}/release", {"access": "committee"}).status_code == 302
    brief.refresh_from_db()
    assert brief.state == "released" and brief.document_id
    page = m1.get(f"/briefs/{brief.pk}/").content.decode()
    assert "委员1委员说：" in page and "建议明确罚则" in page
    clip = Clip.objects.get(floor_entry_id=archive.sp1.pk)
    assert f"/briefs/clips/{clip.public_id}/at/12/" in page
    moment = m1.get(f"/briefs/clips/{clip.public_id}/at/12/")
    assert moment.status_code == 200 and 'data-at="12"' in moment.content.decode()
    # a member of the other group reads the released brief, so may play what it cites
    other = client_for(archive.members[1])  # 委员2, group B, still a committee reader
    assert other.get(f"/briefs/clips/{clip.public_id}/at/12/").status_code == 200
    assert (
        client_for(archive.outsider).get(f"/briefs/clips/{clip.public_id}/at/12/").status_code
        == 404
    )
    assert m1.get(f"/briefs/{brief.pk}.pdf").status_code == 403  # members read the document
    assert staff.get(f"/briefs/{brief.pk}.docx").status_code == 200


def test_uncited_clip_is_not_open_to_other_members(archive):
    clip = Clip.objects.get(floor_entry_id=archive.sp3.pk)
    assert (
        client_for(archive.members[0]).get(f"/briefs/clips/{clip.public_id}/at/1/").status_code
        == 404
    )
    assert (
        client_for(archive.members[2]).get(f"/briefs/clips/{clip.public_id}/at/1/").status_code
        == 200
    )
    assert client_for(archive.staff).get(f"/briefs/clips/{clip.public_id}/at/1/").status_code == 200


def test_books_who_sees_what(archive):
    m1 = archive.members[0]
    own = client_for(m1).get(f"/briefs/books/members/{m1.pk}.pdf")
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert (
        client_for(archive.members[1]).get(f"/briefs/books/members/{m1.pk}.pdf").status_code == 403
    )
    assert client_for(archive.staff).get(f"/briefs/books/members/{m1.pk}.pdf").status_code == 200
    r = client_for(m1).post(f"/briefs/books/terms/{archive.term.pk}/")
    assert r.status_code == 403
    staff = client_for(archive.staff)
    r = staff.post(f"/briefs/books/terms/{archive.term.pk}/")
    assert r.status_code == 200
    status = r.json()["status"]
    run_until_idle()
    job = staff.get(status).json()
    assert job["state"] == "done" and job["done"] == job["total"] and job["file"]
    assert staff.get(job["file"]).status_code == 200


def test_term_book_of_an_empty_term(archive):
    empty = Term.objects.create(
        committee=archive.committee, name="第二届", starts_on=dt.date(2030, 1, 1)
    )
    r = client_for(archive.staff).post(f"/briefs/books/terms/{empty.pk}/")
    assert r.status_code == 409 and r.json()["error"]["code"] == "term_empty"


@pytest.mark.parametrize("path", ["/briefs/", "/review/"])
def test_index_and_review_link(archive, path):
    page = client_for(archive.staff).get(path)
    assert page.status_code == 200 and "/briefs/" in page.content.decode()


def test_a_brief_cites_a_clip_for_its_readers_only(archive):
    from meeting.briefs.services import citations

    staff, staff2 = client_for(archive.staff), client_for(archive.staff2)
    _post_summary(staff, archive.sp1, text="建议明确罚则", quotes=[{"at": 12, "text": "罚则"}])
    staff.post("/briefs/new", {"sitting": archive.group_a_sitting.pk})
    brief = Brief.objects.get()
    cited = Clip.objects.get(floor_entry_id=archive.sp1.pk)
    reader = archive.members[1].user
    assert not citations.readable_brief_cites(reader, cited)  # a draft cites for nobody
    staff2.post(f"/briefs/{brief.pk}/check")
    staff2.post(f"/briefs/{brief.pk}/release", {"access": "committee"})
    assert citations.readable_brief_cites(reader, cited)
    assert not citations.readable_brief_cites(archive.outsider, cited)
