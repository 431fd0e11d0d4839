"""Leave of absence (请假): the clerk's service and page (issue 28).

The service's rules, each refused in words with a code and nothing changed; every
change is one audit row in words; the consoles hear of it after the commit (the seat
plan's 假); the page is the clerk's alone.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core import events
from core.errors import DomainError
from core.models import Attendance, AuditEntry
from core.policy import Acting
from meeting.briefs.models import Leave
from meeting.briefs.services import leave
from meeting.services import attendance, seating

pytestmark = pytest.mark.django_db

CLERK = Acting("clerk")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def told(monkeypatch):
    """The notices the service sends, as the delivery gets them (after the commit)."""
    sent: list[tuple] = []

    def notify(audience, type_, payload, sitting_id):
        sent.append((audience, type_, payload))

    monkeypatch.setattr(events, "notify", notify)
    return sent


def refused(code: str, fn, *args, **kw) -> DomainError:
    before = (
        list(Leave.objects.values_list("member_id", "reason")),
        AuditEntry.objects.count(),
    )
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    assert err.value.code == code, err.value.as_dict()
    after = (
        list(Leave.objects.values_list("member_id", "reason")),
        AuditEntry.objects.count(),
    )
    assert after == before  # nothing changed
    return err.value


# -- the service ----------------------------------------------------------------------------


def test_enter_change_withdraw_each_audited_in_words_and_told(committee, told, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    m = committee.members[0]
    by = committee.clerk.user
    with translation.override("zh-hans"):
        lv = leave.enter(committee.plenary.pk, m.pk, " 因公出差 ", actor=CLERK, by=by)
        assert (lv.reason, lv.recorded_by_id) == ("因公出差", by.pk)
        assert seating.plan(committee.plenary)["leave"] == [m.pk]
        leave.change(committee.plenary.pk, m.pk, "因病", actor=CLERK, by=by)
        assert Leave.objects.get().reason == "因病"
        leave.withdraw(committee.plenary.pk, m.pk, actor=CLERK, by=by)
    assert not Leave.objects.exists()
    rows = list(AuditEntry.objects.order_by("id"))
    assert [r.action for r in rows] == ["leave.enter", "leave.change", "leave.withdraw"]
    assert all(r.sitting_id == committee.plenary.pk and r.actor == "秘书" for r in rows)
    assert rows[0].summary == "委员1请假，事由：因公出差"
    assert rows[1].summary == "委员1：请假事由由“因公出差”改为“因病”"
    assert rows[2].summary == "委员1：撤销请假（原事由：因病）"
    assert rows[2].data == {"member": m.pk, "reason": "因病"}
    # each change told the sitting's consoles (chair, clerk) the seat plan with its 假
    assert [t for _, t, _ in told] == ["seating.plan"] * 3
    assert [p["leave"] for _, _, p in told] == [[m.pk], [m.pk], []]
    assert all(a == events.live(committee.plenary.pk) for a, _, _ in told)


def test_the_same_reason_again_changes_nothing(committee, told):
    m = committee.members[0]
    leave.enter(committee.plenary.pk, m.pk, "因事", actor=CLERK, by=committee.clerk.user)
    leave.change(committee.plenary.pk, m.pk, "因事", actor=CLERK, by=committee.clerk.user)
    assert AuditEntry.objects.count() == 1 and len(told) == 1


def test_a_member_checked_in_cannot_be_on_leave(committee, told):
    m = committee.members[0]
    attendance.check_in(committee.plenary.pk, m, method="clerk")
    err = refused(
        "checked_in",
        leave.enter,
        committee.plenary.pk,
        m.pk,
        "因公出差",
        actor=CLERK,
        by=committee.clerk.user,
    )
    assert err.details["member"] == m.pk
    # the check-in undone on the console (a check-out): leave for the rest of the sitting
    attendance.check_out(committee.plenary.pk, m)
    leave.enter(committee.plenary.pk, m.pk, "因公提前离会", actor=CLERK, by=committee.clerk.user)
    assert Leave.objects.filter(member=m).exists()
    assert Attendance.objects.filter(member=m).exists()  # the check-in time is kept


def test_refusals_each_with_its_code(committee, told):
    plenary, by = committee.plenary.pk, committee.clerk.user
    m = committee.members[1]  # group B
    refused(
        "not_on_roster", leave.enter, committee.group_a_sitting.pk, m.pk, "因病", actor=CLERK, by=by
    )
    refused("not_on_roster", leave.enter, plenary, committee.staff.pk, "因病", actor=CLERK, by=by)
    refused("reason_required", leave.enter, plenary, m.pk, "   ", actor=CLERK, by=by)
    refused("invalid", leave.enter, plenary, m.pk, "因" * 201, actor=CLERK, by=by)
    refused("not_on_leave", leave.change, plenary, m.pk, "因病", actor=CLERK, by=by)
    refused("not_on_leave", leave.withdraw, plenary, m.pk, actor=CLERK, by=by)
    leave.enter(plenary, m.pk, "因病", actor=CLERK, by=by)
    refused("already_on_leave", leave.enter, plenary, m.pk, "因事", actor=CLERK, by=by)
    for role in ("chair", "member", "staff", "display", None):
        refused("forbidden", leave.withdraw, plenary, m.pk, actor=Acting(role), by=by)


def test_a_closed_session_keeps_its_leave_record_an_ended_sitting_takes_leave(committee, told):
    by, m = committee.clerk.user, committee.members[2]
    committee.plenary.state = "ended"
    committee.plenary.save(update_fields=["state"])
    leave.enter(committee.plenary.pk, m.pk, "因病", actor=CLERK, by=by)  # a note after the fact
    committee.session.state = "closed"
    committee.session.save(update_fields=["state"])
    refused("session_closed", leave.withdraw, committee.plenary.pk, m.pk, actor=CLERK, by=by)
    refused("session_closed", leave.change, committee.plenary.pk, m.pk, "因事", actor=CLERK, by=by)


def test_the_refusals_are_in_chinese(committee, told):
    from django.utils import translation

    m = committee.members[0]
    attendance.check_in(committee.plenary.pk, m, method="clerk")
    with translation.override("zh-hans"), pytest.raises(DomainError) as err:
        leave.enter(committee.plenary.pk, m.pk, "因病", actor=CLERK, by=committee.clerk.user)
    text = err.value.as_dict()["message"]
    assert "已签到" in text and "撤销签到" in text and not re.search("[A-Za-z]", text)


def test_the_roster_lines_say_each_members_state(committee, told):
    plenary = committee.plenary
    a, b, c = committee.members[:3]
    attendance.check_in(plenary.pk, a, method="clerk")
    attendance.check_in(plenary.pk, b, method="clerk")
    attendance.check_out(plenary.pk, b)
    leave.enter(plenary.pk, c.pk, "因公出差", actor=CLERK, by=committee.clerk.user)
    lines = {line.member.pk: line for line in leave.roster(plenary)}
    assert len(lines) == 9  # the chair and eight members: everyone at a plenary
    assert (lines[a.pk].status, lines[b.pk].status, lines[c.pk].status) == (
        "present",
        "left",
        "leave",
    )
    assert lines[c.pk].recorded_by == "秘书" and lines[c.pk].leave.reason == "因公出差"
    assert {line.status for pk, line in lines.items() if pk not in (a.pk, b.pk, c.pk)} == {"absent"}


# -- the page ---------------------------------------------------------------------------------


def _client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def _url(sitting) -> str:
    return f"/briefs/sittings/{sitting.pk}/leave/"


def test_the_page_is_the_clerks(committee):
    url = _url(committee.plenary)
    assert _client(committee.clerk.user).get(url).status_code == 200
    for who in (committee.chair, committee.members[0], committee.staff, committee.display):
        resp = _client(who.user).get(url)
        assert resp.status_code == 403, who
        assert resp.content.decode().count("无权") >= 1  # the Chinese refusal page
        assert (
            _client(who.user)
            .post(url, {"member": committee.members[0].pk, "action": "enter", "reason": "x"})
            .status_code
            == 403
        )
    assert _client(committee.outsider).get(url).status_code == 403
    anon = Client().get(url)
    assert anon.status_code == 302 and "/login/" in anon["Location"]
    assert not Leave.objects.exists()


def test_a_clerk_of_another_sitting_may_not_and_the_sitting_clerk_may(committee):
    from django.contrib.auth import get_user_model

    from core.models import Member, Role

    user = get_user_model().objects.create_user("clerk2", password="pw")
    clerk2 = Member.objects.create(
        user=user, term=committee.term, full_name="秘书二", role=Role.CLERK
    )
    committee.group_a_sitting.clerk = clerk2
    committee.group_a_sitting.save(update_fields=["clerk"])
    assert _client(user).get(_url(committee.group_a_sitting)).status_code == 200
    assert _client(user).get(_url(committee.plenary)).status_code == 403


def test_the_clerk_enters_changes_and_withdraws_on_the_page(committee, told):
    c = _client(committee.clerk.user)
    url, m = _url(committee.plenary), committee.members[4]
    resp = c.post(url, {"member": m.pk, "action": "enter", "reason": "因公出差"})
    assert resp.status_code == 302 and resp["Location"].endswith(f"?m={m.pk}#m{m.pk}")
    page = c.get(resp["Location"]).content.decode()
    assert page.count("已登记委员5请假，事由：因公出差。") == 2  # at the top and in the row
    assert f'data-member="{m.pk}" data-status="leave"' in page
    c.post(url, {"member": m.pk, "action": "change", "reason": "因病"})
    assert Leave.objects.get().reason == "因病"
    c.post(url, {"member": m.pk, "action": "withdraw"})
    assert not Leave.objects.exists()
    assert "已撤销委员5的请假。" in c.get(url).content.decode()


def test_a_refusal_is_shown_on_the_page_with_its_code(committee, told):
    c = _client(committee.clerk.user)
    url, m = _url(committee.plenary), committee.members[0]
    attendance.check_in(committee.plenary.pk, m, method="clerk")
    resp = c.post(url, {"member": m.pk, "action": "enter", "reason": "因病"})
    assert resp.status_code == 409
    page = resp.content.decode()
    assert 'data-code="checked_in"' in page and "已签到" in page
    assert '<p class="leave-said refusal-text" role="alert" data-code="checked_in">' in page
    other = committee.members[1].pk
    assert f'action="{url}#m{other}"' in page  # an answer opens at the member's row
    resp = c.post(url, {"member": committee.members[1].pk, "action": "enter", "reason": ""})
    assert resp.status_code == 400 and 'data-code="reason_required"' in resp.content.decode()
    resp = c.post(url, {"member": "x", "action": "enter", "reason": "因病"})
    assert resp.status_code == 400 and 'data-code="invalid"' in resp.content.decode()
    resp = c.post(url, {"member": m.pk, "action": "drop", "reason": "因病"})
    assert resp.status_code == 400
    assert c.get(url + "?m=x").status_code == 200
    assert not Leave.objects.exists()


def test_the_console_and_the_session_page_link_to_it(committee):
    c = _client(committee.clerk.user)
    url = _url(committee.plenary)
    assert f'href="{url}"' in c.get(f"/console/{committee.plenary.pk}/").content.decode()
    session_page = c.get(f"/proceedings/sessions/{committee.session.pk}/").content.decode()
    assert f'href="{url}"' in session_page
    chair = _client(committee.chair.user).get(f"/console/{committee.plenary.pk}/")
    assert f'href="{url}"' not in chair.content.decode()  # the chair's console: no link
