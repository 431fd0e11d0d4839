"""Ending the session with a vote open says once what will happen (issue 25, item 3).

The server refuses to end a session while a vote is open (``vote_open``); the session
page names the open vote and its sitting beside the button, and the button tells the
clerk so instead of asking "end every sitting?" and then being refused.
"""

from __future__ import annotations

import pytest
from django.test import Client

from core.policy import Acting
from meeting.services import attendance
from meeting.voting.services import VoteSpec, open_vote, prepare

pytestmark = pytest.mark.django_db


def test_the_session_page_names_the_open_vote(committee):
    c = Client()
    c.force_login(committee.clerk.user)
    url = f"/proceedings/sessions/{committee.session.pk}/"
    assert 'id="close-blocked"' not in c.get(url).content.decode()
    s = committee.plenary
    for m in [committee.chair, *committee.members]:
        attendance.check_in(s.pk, m, method="clerk")
    item = s.agenda_items.order_by("order").first()
    vote = prepare(
        s.pk, VoteSpec(item_id=item.pk, question="关于某某的表决"), actor=Acting(role="clerk")
    )
    open_vote(s.pk, vote.pk, actor=Acting(role="clerk"))
    html = c.get(url).content.decode()
    assert 'id="close-blocked"' in html and "关于某某的表决" in html and s.title in html
    assert "请先在控制台结束表决" in html
