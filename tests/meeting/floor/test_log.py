"""The speaking log and per-member totals (per item, per session), over HTTP too."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Session, Sitting
from harness.actors import CLERK
from meeting.floor import services as floor
from meeting.floor.services.log import member_totals, sitting_log
from meeting.services import agenda

pytestmark = pytest.mark.django_db


def speak(sitting, member, seconds: float, clock_, how: str = "finished") -> int:
    sp = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=member.pk)
    clock_.advance(seconds)
    floor.end(sitting.pk, role="chair", speech_id=sp.pk, how=how)
    clock_.advance(5)
    return sp.pk


@pytest.fixture
def history(committee, sitting, group_a, fake_clock):
    """m1 speaks twice on item 1 and once on item 2; m3 once; m1 once in another session."""
    m1, m3 = group_a[1], group_a[2]
    speak(sitting, m1, 300, fake_clock)
    speak(sitting, m3, 100, fake_clock, "revoked")
    speak(sitting, m1, 200, fake_clock)
    agenda.step(sitting.pk, 1, actor=CLERK)
    speak(sitting, m1, 50.5, fake_clock)
    later = Session.objects.create(
        term=committee.term, number=2, title="第二次会议", starts_on=dt.date(2026, 12, 20)
    )
    other = Sitting.objects.create(
        session=later,
        kind="group",
        group=committee.group_a,
        title="第二次会议分组",
        starts_at=dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC),
    )
    item = agenda.add_item(other, "议题甲")
    agenda.open_item(other.pk, item.pk, actor=CLERK)
    speak(other, m1, 60, fake_clock)
    open_now = floor.grant(sitting.pk, role="chair", by_user_id=None, member_id=m3.pk)
    return {"other": other, "later": later, "open": open_now}


def test_the_sitting_log_holds_every_floor_with_stored_times(sitting, group_a, history):
    log = sitting_log(sitting.pk)
    assert [(r["member"], r["ended_how"]) for r in log] == [
        (group_a[1].pk, "finished"),
        (group_a[2].pk, "revoked"),
        (group_a[1].pk, "finished"),
        (group_a[1].pk, "finished"),
        (group_a[2].pk, None),
    ]
    assert [r["duration_s"] for r in log] == [300.0, 100.0, 200.0, 50.5, None]
    assert [r["number"] for r in log] == [1, 1, 2, 1, 1]
    first = log[0]
    assert dt.datetime.fromisoformat(first["ended_at"]) - dt.datetime.fromisoformat(
        first["started_at"]
    ) == dt.timedelta(seconds=300)


def test_member_totals_per_item_and_per_session(committee, sitting, group_a, history):
    m1 = group_a[1]
    items = list(sitting.agenda_items.order_by("order"))
    totals = member_totals(m1)
    assert (totals["speeches"], totals["total_s"]) == (4, 610.5)
    by_item = {r["item"]: (r["speeches"], r["total_s"]) for r in totals["by_item"]}
    assert by_item[items[0].pk] == (2, 500.0)
    assert by_item[items[1].pk] == (1, 50.5)
    by_session = {r["session"]: (r["speeches"], r["total_s"]) for r in totals["by_session"]}
    assert by_session == {committee.session.pk: (3, 550.5), history["later"].pk: (1, 60.0)}
    only_first = member_totals(m1, committee.session)
    assert (only_first["speeches"], only_first["total_s"]) == (3, 550.5)
    # an open floor has no duration yet and is not counted
    assert member_totals(group_a[2])["speeches"] == 1


def test_totals_over_http_for_staff_and_the_member_only(committee, group_a, history):
    m1 = group_a[1]
    url = f"/floor/members/{m1.pk}/totals.json"
    for who, status in (
        (committee.staff, 200),
        (m1, 200),
        (committee.clerk, 200),
        (group_a[2], 403),
    ):
        c = Client()
        c.force_login(who.user)
        assert c.get(url).status_code == status, who
    c = Client()
    c.force_login(committee.staff.user)
    body = c.get(url, {"session": committee.session.pk}).json()
    assert (body["speeches"], body["total_s"]) == (3, 550.5)
    bad = c.get(url, {"session": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert c.get(url, {"session": 999999}).status_code == 404


def test_sitting_log_as_json_and_csv(committee, sitting, group_a, history):
    c = Client()
    c.force_login(committee.clerk.user)
    body = c.get(f"/floor/sittings/{sitting.pk}/log.json").json()
    assert len(body["log"]) == 5
    resp = c.get(f"/floor/sittings/{sitting.pk}/log.csv")
    assert resp.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    text = resp.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["姓名"] for r in rows][:2] == ["委员1", "委员3"]
    # Chinese values (the models' choices), 是/否, times as the console shows them
    assert rows[0]["时长（秒）"] == "300.0" and rows[0]["结束方式"] == "发言完毕"
    assert rows[1]["结束方式"] == "被主持人收回" and rows[0]["类型"] == "发言"
    assert rows[0]["主持人本人发言"] == "否" and rows[0]["议题"].startswith("1.")
    started = body["log"][0]["started_at"]
    local = timezone.localtime(dt.datetime.fromisoformat(started))
    assert rows[0]["开始时间"] == f"{local:%Y-%m-%d %H:%M:%S}" and "T" not in rows[0]["开始时间"]
    assert rows[-1]["结束时间"] == "" and rows[-1]["结束方式"] == ""  # the open floor
    display = Client()
    display.force_login(committee.display.user)
    assert display.get(f"/floor/sittings/{sitting.pk}/log.json").status_code == 403
    outsider = Client()
    outsider.force_login(committee.members[1].user)  # group B: no role in group A's sitting
    assert outsider.get(f"/floor/sittings/{sitting.pk}/log.json").status_code == 403
