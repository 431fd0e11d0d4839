"""Review filters name what tells choices apart; durations read one way (issue 25, 7, 11).

With every session listed, "第一次全体会议" of two sessions are two choices that each
name their session, and the same bill on the agenda of several sittings is one choice per
sitting, each saying where; durations read "11 秒" / "1 分 05 秒" on every page.
"""

from __future__ import annotations

import datetime as dt

from core.models import AgendaItem, Session, Sitting
from frontend import review_filters
from frontend.templatetags.yiting_time import duration


def test_with_every_session_listed_no_two_choices_read_the_same(committee):
    second = Session.objects.create(
        term=committee.term, number=2, title="第二次会议", starts_on=dt.date(2026, 12, 20)
    )
    p2 = Sitting.objects.create(
        session=second,
        kind="plenary",
        title=committee.plenary.title,
        starts_at=dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC),
    )
    AgendaItem.objects.create(sitting=p2, order=1, title="议题1")
    opts = review_filters.options(committee.term)
    labels = [s["label_all"] for s in opts["sittings"]]
    assert len(labels) == len(set(labels)), labels
    plenaries = [s for s in opts["sittings"] if s["title"] == committee.plenary.title]
    assert {s["label_all"] for s in plenaries} == {"第一次会议 · 全体会议", "第二次会议 · 全体会议"}
    items = [i["label_all"] for i in opts["items"]]
    assert len(items) == len(set(items)), items
    assert "第二次会议 · 全体会议 · 1. 议题1" in items
    # within one session, an item names its sitting (three sittings have "议题1")
    first = {s["id"] for s in opts["sittings"] if s["session"] == committee.session.pk}
    one = [
        i["label_session"] for i in opts["items"] if i["title"] == "议题1" and i["sitting"] in first
    ]
    assert len(one) == len(set(one)) == 3, one


def test_two_sittings_of_one_title_in_a_session_say_when(committee):
    Sitting.objects.create(
        session=committee.session,
        kind="plenary",
        title=committee.plenary.title,
        starts_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
    )
    opts = review_filters.options(committee.term)
    labels = [s["label"] for s in opts["sittings"] if s["title"] == committee.plenary.title]
    assert len(labels) == len(set(labels)) == 2 and all("（" in x for x in labels), labels


def test_a_duration_reads_one_way():
    assert duration(10.6) == "11 秒"
    assert duration(65) == "1 分 05 秒"
    assert duration(3720) == "1 小时 02 分"
    assert duration(None) == ""
