"""The audit trail: every successful clerk/chair command, nothing for refusals or members."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.audit import record
from core.models import AuditEntry
from meeting.proceedings.audit import AuditFilter, describe_rows, entries

pytestmark = pytest.mark.django_db


def test_clerk_command_is_recorded_with_who_when_what(committee, live):
    item = committee.plenary.agenda_items.get(order=2)
    ans = live(committee.clerk, committee.plenary, "agenda.open", {"item": item.pk}, role="clerk")
    assert ans["ok"], ans
    row = AuditEntry.objects.get()
    assert row.actor == "秘书" and row.role == "clerk" and row.user == committee.clerk.user
    assert row.sitting == committee.plenary and row.session == committee.session
    assert row.action == "agenda.open" and row.data == {"item": item.pk}
    assert f"item={item.pk}" in row.summary
    assert row.source == AuditEntry.Source.SOCKET


def test_chair_command_is_recorded(committee, live):
    m = committee.members[0]
    ans = live(
        committee.chair,
        committee.plenary,
        "attendance.record",
        {"member": m.pk, "present": True},
        role="chair",
        key="k1",
    )
    assert ans["ok"]
    assert list(AuditEntry.objects.values_list("actor", "action")) == [
        ("主任", "attendance.record")
    ]


def test_refused_command_leaves_no_audit_row(committee, live):
    ans = live(committee.clerk, committee.plenary, "agenda.open", {"item": 999999}, role="clerk")
    assert not ans["ok"] and ans["error"]["code"] == "not_found"
    assert AuditEntry.objects.count() == 0


def test_member_commands_and_reads_are_not_actions(committee, live):
    m = committee.members[0]
    assert live(m, committee.plenary, "attendance.check_in", role="member", key="c1")["ok"]
    assert live(committee.clerk, committee.plenary, "ping", role="clerk")["ok"]
    assert live(committee.clerk, committee.plenary, "presence.list", role="clerk")["ok"]
    assert live(committee.chair, committee.plenary, "floor.log", role="chair")["ok"]
    assert AuditEntry.objects.count() == 0


def test_a_repeated_idempotent_command_is_audited_once(committee, live):
    m = committee.members[0]
    data = {"member": m.pk, "present": True}
    for _ in range(2):
        live(committee.clerk, committee.plenary, "attendance.record", data, role="clerk", key="k")
    assert AuditEntry.objects.count() == 1


def test_filter_by_sitting_actor_action_and_time(committee, live):
    a, b = committee.plenary, committee.group_b_sitting
    live(committee.clerk, a, "agenda.step", {"direction": "next"}, role="clerk")
    live(committee.clerk, b, "agenda.step", {"direction": "next"}, role="clerk")
    live(committee.chair, a, "agenda.step", {"direction": "next"}, role="chair")
    record(committee.clerk.user, "session.note", session=committee.session, summary="x")
    assert entries(AuditFilter(sitting=a.pk)).count() == 2
    assert entries(AuditFilter(session=committee.session.pk)).count() == 4
    assert [e.actor for e in entries(AuditFilter(actor="主任"))] == ["主任"]
    assert entries(AuditFilter(action="agenda.")).count() == 3
    future = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    assert entries(AuditFilter(since=future)).count() == 0
    assert entries(AuditFilter(until=future)).count() == 4
    newest = entries(AuditFilter()).first()
    assert newest.action == "session.note" and newest.source == AuditEntry.Source.WEB


def test_long_values_are_recorded_by_their_length(committee):
    from core.audit import record_command
    from realtime.context import Context

    ctx = Context(
        user_id=committee.chair.user_id,
        sitting_id=committee.plenary.pk,
        role="chair",
        member_id=committee.chair.pk,
    )
    row = record_command(ctx, "media.publish", {"sdp": "v=0\r\n" + "a" * 5000, "kind": "member"})
    assert row.data == {"sdp": "<5005 characters>", "kind": "member"}
    assert "sdp=<5005 characters>" in row.summary


ENGLISH = re.compile(r"[A-Za-z]{2,}")


def test_the_trail_reads_each_live_command_in_chinese_with_names(committee, live):
    item = committee.plenary.agenda_items.get(order=2)
    m = committee.members[0]
    for n, (type_, data) in enumerate(
        [
            ("agenda.open", {"item": item.pk}),
            ("agenda.step", {"direction": "next"}),
            ("attendance.record", {"member": m.pk, "present": True}),
            ("attendance.record", {"member": m.pk, "present": False}),
            ("floor.rules", {"mode": "direct", "max_floors": 2}),
        ]
    ):
        key = f"k{n}"
        ans = live(committee.clerk, committee.plenary, type_, data, role="clerk", key=key)
        assert ans["ok"], ans
    rows = dict(
        (r.action + str(r.data.get("present", "")), what)
        for r, what in describe_rows(AuditEntry.objects.order_by("id"))
    )
    assert rows["agenda.open"] == f"议题：{item}"
    assert rows["agenda.step"] == "方向：下一项"
    assert rows["attendance.recordTrue"] == f"组成人员：{m.full_name}；出席：已签到"
    assert rows["attendance.recordFalse"] == f"组成人员：{m.full_name}；出席：签退"
    assert "直接发言" in rows["floor.rules"]
    for what in rows.values():
        assert ENGLISH.findall(what) == [], what


def test_every_field_of_an_audited_command_has_a_chinese_word():
    from django.utils import translation

    from core.audit import NOT_ACTIONS
    from meeting.proceedings.audit import FIELD_WORDS, HIDDEN_FIELDS
    from realtime.protocol import REGISTRY

    missing = sorted(
        f"{t}.{name}"
        for t, spec in REGISTRY.commands.items()
        if t not in NOT_ACTIONS
        for name in spec.model.model_fields
        if name not in FIELD_WORDS and name not in HIDDEN_FIELDS
    )
    assert missing == []
    with translation.override("zh-hans"):
        english = {k: str(v) for k, v in FIELD_WORDS.items() if ENGLISH.search(str(v))}
    assert english == {}


def test_the_audit_page_shows_words_not_command_text(committee, live, client):
    item = committee.plenary.agenda_items.get(order=2)
    live(committee.clerk, committee.plenary, "agenda.open", {"item": item.pk}, role="clerk")
    client.force_login(committee.clerk.user)
    page = client.get("/proceedings/audit/").content.decode()
    cell = re.search(r'<td class="what"[^>]*>([^<]*)</td>', page).group(1)
    assert cell == f"议题：{item}" and "item=" not in cell
