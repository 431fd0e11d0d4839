"""Votes in the admin: read-only, and nothing there ties a member to a choice."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from harness.actors import CLERK
from meeting.voting import services
from meeting.voting.models import AuditEntry
from tests.meeting.voting.conftest import line

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Client:
    c = Client()
    c.force_login(get_user_model().objects.create_superuser("root", password="pw-root"))
    return c


def cast_all(room, vote, first: str) -> None:
    """The first voter chooses ``first``, everyone else "yes"."""
    for n, m in enumerate(room.voters):
        services.cast(room.plenary.pk, vote.pk, m.pk, {line(vote): first if n == 0 else "yes"})


def test_vote_pages_render_read_only(root, room, open_vote):
    vote = open_vote()
    cast_all(room, vote, "no")
    services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    page = root.get("/admin/voting/vote/")
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("表决", "记名", "已结束", "通过", "轮次"):
        assert label in text, label
    view = root.get(f"/admin/voting/vote/{vote.pk}/change/").content.decode()
    assert "计票结果" in view and "完整（" in view and 'name="_save"' not in view
    assert "赞成" in view and "反对" in view  # the counts, by the options' own labels
    assert root.get("/admin/voting/vote/add/").status_code == 403
    assert root.post(f"/admin/voting/vote/{vote.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.get("/admin/voting/auditentry/").status_code == 200
    assert root.get("/admin/voting/auditentry/add/").status_code == 403


def test_no_admin_page_shows_a_members_choice(root, room, open_vote):
    """The odd one out chose "no" in a named vote: no admin page says so."""
    vote = open_vote()
    odd = room.voters[0]
    cast_all(room, vote, "no")
    services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    for model in ("ballot", "namedchoice", "secrettally", "result"):
        assert root.get(f"/admin/voting/{model}/").status_code == 404, model
    ballot = AuditEntry.objects.get(vote=vote, member=odd, kind="ballot")
    assert ballot.body["choices"]  # the record has it: the admin must not show it
    page = root.get(f"/admin/voting/auditentry/{ballot.pk}/change/").content.decode()
    assert odd.full_name in page  # that they took part is on the record
    assert "此处不显示选票的选择。" in page
    assert "choices" not in page and "&quot;no&quot;" not in page and "反对" not in page
    listing = root.get(f"/admin/voting/auditentry/?q={vote.question}").content.decode()
    assert "投票" in listing and "choices" not in listing and "反对" not in listing


def test_an_open_secret_vote_shows_no_running_counts(root, room, open_vote):
    vote = open_vote(kind="secret")
    services.cast(room.plenary.pk, vote.pk, room.voters[0].pk, {line(vote): "no"})
    view = root.get(f"/admin/voting/vote/{vote.pk}/change/").content.decode()
    assert "无记名" in view and "进行中" in view
    assert "反对" not in view and "票数" not in view  # no tally until the result
    services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    view = root.get(f"/admin/voting/vote/{vote.pk}/change/").content.decode()
    assert "票数" in view and "反对" in view  # counted, closed: totals only
