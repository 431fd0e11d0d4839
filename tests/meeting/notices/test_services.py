"""会务通知 and 呼叫服务 as services: what is stored, who may, and every refusal changes
nothing (issue 25 item 12 c/d)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.policy import Acting
from harness.actors import CHAIR, CLERK, MEMBER
from meeting.notices import services as desk
from meeting.notices.models import CallState, Notice, NoticeRead, ServiceCall

pytestmark = pytest.mark.django_db


def _refused(code: str, fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kw)
    assert caught.value.code == code, caught.value.as_dict()
    return caught.value


def _seat(member) -> Acting:
    return Acting(role="member", user_id=member.user_id, member_id=member.pk)


def test_a_notice_to_every_seat_is_stored_and_unread_for_each_member(committee):
    sid, m1, m2 = committee.plenary.pk, committee.members[0], committee.members[1]
    notice = desk.send_notice(sid, "  请各位委员回到座位 ", actor=CLERK, by_user_id=None)
    assert notice.text == "请各位委员回到座位" and notice.to_member is None
    for m in (m1, m2):
        mine = desk.inbox(sid, role="member", member_id=m.pk)["notices"]
        assert [n["text"] for n in mine] == ["请各位委员回到座位"]
    desk.dismiss_notice(sid, notice.pk, actor=_seat(m1), member=m1)
    desk.dismiss_notice(sid, notice.pk, actor=_seat(m1), member=m1)  # again: nothing new
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    assert desk.inbox(sid, role="member", member_id=m1.pk)["notices"] == []
    assert len(desk.inbox(sid, role="member", member_id=m2.pk)["notices"]) == 1
    console = desk.inbox(sid, role="clerk", member_id=None)["notices"]
    assert console[0]["reads"] == 1


def test_a_notice_to_one_member_reaches_only_them(committee):
    sid, m1, m2 = committee.plenary.pk, committee.members[0], committee.members[1]
    notice = desk.send_notice(
        sid, "您的材料已放在座位上", actor=CHAIR, by_user_id=None, to_member_id=m2.pk
    )
    assert desk.inbox(sid, role="member", member_id=m1.pk)["notices"] == []
    assert desk.inbox(sid, role="member", member_id=m2.pk)["notices"][0]["to"] == m2.pk
    _refused("not_found", desk.dismiss_notice, sid, notice.pk, actor=_seat(m1), member=m1)


def test_bad_notices_are_refused_and_nothing_is_stored(committee):
    sid = committee.plenary.pk
    _refused("forbidden", desk.send_notice, sid, "请回座", actor=MEMBER, by_user_id=None)
    err = _refused(
        "notice_too_long", desk.send_notice, sid, "请" * 201, actor=CLERK, by_user_id=None
    )
    assert err.details == {"limit": 200, "length": 201}
    _refused("notice_empty", desk.send_notice, sid, "   ", actor=CLERK, by_user_id=None)
    outsider_group = committee.members[1]  # group B: not on group A's roster
    _refused(
        "not_on_roster",
        desk.send_notice,
        committee.group_a_sitting.pk,
        "请回座",
        actor=CLERK,
        by_user_id=None,
        to_member_id=outsider_group.pk,
    )
    assert Notice.objects.count() == 0
    assert desk.send_notice(sid, "请" * 200, actor=CLERK, by_user_id=None).text == "请" * 200


def test_a_call_is_taken_then_done_and_the_member_sees_the_times(committee):
    sid, m1 = committee.plenary.pk, committee.members[0]
    made = desk.call(sid, m1, "tea", actor=_seat(m1))
    assert made.state == CallState.WAITING
    mine = desk.inbox(sid, role="member", member_id=m1.pk)["calls"]
    assert [(c["kind"], c["state"], c["seat"]) for c in mine] == [("tea", "waiting", m1.seat)]
    taken = desk.take(sid, made.pk, actor=CLERK, by_user_id=committee.clerk.user_id)
    assert taken.state == CallState.TAKEN and taken.taken_at is not None
    assert desk.inbox(sid, role="member", member_id=m1.pk)["calls"][0]["taken_at"]
    _refused("call_not_waiting", desk.take, sid, made.pk, actor=CLERK, by_user_id=None)
    finished = desk.done(sid, made.pk, actor=CLERK, by_user_id=None)
    assert finished.state == CallState.DONE and finished.ended_at is not None
    _refused("call_closed", desk.done, sid, made.pk, actor=CLERK, by_user_id=None)
    # done: a new call of the same kind may be made
    assert desk.call(sid, m1, "tea", actor=_seat(m1)).state == CallState.WAITING


def test_bad_calls_are_refused_and_change_nothing(committee):
    sid, m1 = committee.plenary.pk, committee.members[0]
    err = _refused("unknown_service_kind", desk.call, sid, m1, "coffee", actor=_seat(m1))
    assert err.details["kinds"] == ["tea", "tech", "other"]
    _refused("call_note_too_long", desk.call, sid, m1, "other", actor=_seat(m1), note="字" * 61)
    _refused("forbidden", desk.call, sid, m1, "tea", actor=CLERK)
    assert ServiceCall.objects.count() == 0
    first = desk.call(sid, m1, "tech", actor=_seat(m1), note="话筒没有声音")
    err = _refused("call_already_open", desk.call, sid, m1, "tech", actor=_seat(m1))
    assert err.details["call"] == first.pk
    desk.take(sid, first.pk, actor=CLERK, by_user_id=None)
    _refused("call_already_open", desk.call, sid, m1, "tech", actor=_seat(m1))  # taken: still open
    assert ServiceCall.objects.count() == 1
    desk.call(sid, m1, "tea", actor=_seat(m1))  # another kind is another call
    _refused("forbidden", desk.take, sid, first.pk, actor=CHAIR, by_user_id=None)  # the clerk's


def test_a_member_withdraws_only_their_own_call(committee):
    sid, m1, m2 = committee.plenary.pk, committee.members[0], committee.members[1]
    made = desk.call(sid, m1, "other", actor=_seat(m1), note="需要纸笔")
    _refused("not_found", desk.withdraw, sid, made.pk, actor=_seat(m2), member=m2)
    assert desk.withdraw(sid, made.pk, actor=_seat(m1), member=m1).state == CallState.WITHDRAWN
    _refused("call_not_waiting", desk.take, sid, made.pk, actor=CLERK, by_user_id=None)


def test_a_member_not_on_the_roster_cannot_call(committee):
    m2 = committee.members[1]  # group B
    _refused("not_on_roster", desk.call, committee.group_a_sitting.pk, m2, "tea", actor=_seat(m2))


def test_the_console_sees_every_call_a_seat_only_its_own(committee):
    sid, m1, m2 = committee.plenary.pk, committee.members[0], committee.members[1]
    desk.call(sid, m1, "tea", actor=_seat(m1))
    desk.call(sid, m2, "tech", actor=_seat(m2))
    console = desk.inbox(sid, role="clerk", member_id=None)["calls"]
    assert {(c["name"], c["kind"]) for c in console} == {
        (m1.full_name, "tea"),
        (m2.full_name, "tech"),
    }
    assert [c["member"] for c in desk.inbox(sid, role="member", member_id=m2.pk)["calls"]] == [
        m2.pk
    ]
    assert desk.inbox(sid, role="display", member_id=None) == {"notices": [], "calls": []}
