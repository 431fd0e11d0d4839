"""Issue 25 item 8: the result sheet names its session, sitting, day and time (TIME_ZONE),
and who did not vote and who was absent — for a secret round too, never who chose what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.roster import component_members
from harness.actors import CLERK
from meeting.voting import services
from meeting.voting.models import Vote
from tests.meeting.voting.conftest import line
from tests.meeting.voting.test_views import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(room, open_vote):
    """chair, m1, m2 and m3 vote; m4–m6 are present and do not; the rest are absent."""

    def _closed(**fields) -> Vote:
        vote = open_vote(**fields)
        for m, opt in zip(room.voters[:4], ["yes", "yes", "no", "abstain"], strict=True):
            services.cast(room.plenary.pk, vote.pk, m.pk, {line(vote): opt})
        services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
        vote.refresh_from_db()
        return vote

    return _closed


def _pdf_text(room, vote: Vote, who=None) -> str:
    r = client_for(who or room.clerk).get(f"/votes/{vote.pk}/result.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    return text.replace("\n", "")


def _absent(room) -> list:
    here = {m.pk for m in room.voters}
    return [m for m in component_members(room.term) if m.pk not in here]


def test_sheet_names_session_sitting_and_local_time(room, closed, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    vote = closed()
    opened = timezone.localtime(vote.opened_at, dt.timezone(dt.timedelta(hours=8)))
    closed_at = timezone.localtime(vote.result.closed_at, dt.timezone(dt.timedelta(hours=8)))
    text = _pdf_text(room, vote)
    assert room.session.title in text and room.plenary.title in text
    day = f"{opened.year}年{opened.month}月{opened.day}日"
    assert f"表决时间：{day} {opened:%H:%M}—{closed_at:%H:%M}" in text


def test_sheet_names_who_did_not_vote_and_who_was_absent(room, closed):
    vote = closed()
    people = vote.result.people
    silent = [m.full_name for m in room.voters[4:]]
    assert [p["name"] for p in people["did_not_vote"]] == silent
    assert {p["name"] for p in people["absent"]} == {m.full_name for m in _absent(room)}
    text = _pdf_text(room, vote)
    assert f"未按表决器（{len(silent)}人）" in text and all(n in text for n in silent)
    absent = _absent(room)
    assert f"缺席（{len(absent)}人）" in text and all(m.full_name in text for m in absent)


def test_secret_sheet_names_non_voters_but_no_choice(room, closed):
    vote = closed(kind="secret")
    text = _pdf_text(room, vote, room.members[0])
    silent = [m.full_name for m in room.voters[4:]]
    assert all(n in text for n in silent)  # participation is not secret (docs/voting.md)
    assert "记名表决明细" not in text
    # the voters' names appear nowhere: no line could pair a voter with a choice
    assert all(m.full_name not in text for m in room.voters[:4])
    assert vote.result.named is None


def test_an_older_result_without_names_says_so(room, closed):
    vote = closed()
    vote.result.people = None
    vote.result.save(update_fields=["people"])
    assert "名单未随本结果保存" in _pdf_text(room, vote)
