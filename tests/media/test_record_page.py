"""The deputy record and the clip page as staff read them (issue 25, items 10 and 11).

The record counts absences (on leave or not) and the attendance rate over the sittings
held whose roster holds the member, names each speech's session, writes durations one
way, and shows no raw JSON link or SHA-256; the clip page names the reader, not the login.
"""

from __future__ import annotations

import datetime as dt

from django.test import Client

from core.models import Attendance
from media.models import Clip
from meeting.briefs.history import file_speech
from meeting.briefs.models import Leave


def client_for(member) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def _held(committee):
    for s in (committee.plenary, committee.group_a_sitting, committee.group_b_sitting):
        s.state = "ended"
        s.save(update_fields=["state"])


def test_the_record_counts_absences_and_the_rate(committee):
    _held(committee)
    m1 = committee.members[0]  # group A: the plenary and group A's sitting are theirs
    Attendance.objects.create(
        sitting=committee.plenary,
        member=m1,
        checked_in_at=committee.plenary.starts_at,
        method="clerk",
    )
    Leave.objects.create(sitting=committee.group_a_sitting, member=m1, reason="因公出差")
    item = committee.group_a_sitting.agenda_items.first()
    file_speech(
        committee.plenary, m1, item, committee.plenary.starts_at + dt.timedelta(minutes=5), 65
    )
    html = client_for(committee.staff).get(f"/media/members/{m1.pk}/record/").content.decode()
    assert 'data-expected="2"' in html and 'data-attended="1"' in html and 'data-absent="1"' in html
    assert "50%" in html and "因公出差" in html
    assert "第一次会议" in html.split('id="record-speeches"')[1]  # the session column
    assert "1 分 05 秒" in html
    assert "SHA-256" not in html and ">JSON<" not in html


def test_the_clip_page_names_the_reader_and_folds_the_fingerprint(committee):
    m1 = committee.members[0]
    file_speech(committee.group_a_sitting, m1, None, committee.plenary.starts_at, 10.6)
    clip = Clip.objects.get(member=m1)
    html = client_for(committee.staff).get(f"/media/clips/{clip.public_id}/").content.decode()
    who = html.split('class="who">')[1].split("<")[0]
    assert who == committee.staff.full_name, who
    assert "11 秒" in html and "10.6" not in html
    assert html.index("<details") < html.index("SHA-256")


def test_a_reader_without_a_membership_in_the_clips_term_is_named_not_logged(committee):
    """The clip page looked the reader up in the clip's term only: staff of this term
    reading last term's clip, or a superuser with no membership, read "staff" / "root"."""
    from django.contrib.auth import get_user_model

    from core.models import Term

    m1 = committee.members[0]
    file_speech(committee.group_a_sitting, m1, None, committee.plenary.starts_at, 10.6)
    clip = Clip.objects.get(member=m1)
    old = Term.objects.create(
        committee=committee.committee, name="上一届", starts_on=dt.date(2020, 1, 1)
    )
    Clip.objects.filter(pk=clip.pk).update(term=old)
    html = client_for(committee.staff).get(f"/media/clips/{clip.public_id}/").content.decode()
    assert html.split('class="who">')[1].split("<")[0] == committee.staff.full_name

    root = get_user_model().objects.create_superuser(
        "root", password="pw-root", first_name="明", last_name="王"
    )
    c = Client()
    c.force_login(root)
    html = c.get(f"/media/clips/{clip.public_id}/").content.decode()
    assert html.split('class="who">')[1].split("<")[0] == root.get_full_name() != "root"


def test_the_record_writes_its_counts_as_chinese_asides(committee):
    m1 = committee.members[0]
    html = client_for(committee.staff).get(f"/media/members/{m1.pk}/record/").content.decode()
    assert "发言（0）" in html and " (0)" not in html
