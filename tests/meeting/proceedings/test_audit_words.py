"""The audit trail in words (issue 28): the action column, the floor's ids as names, the
chair's own floor, the pages' steps, the filter; the code stays in the tooltip and CSV."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from core.audit import NOT_ACTIONS, record
from core.models import AuditEntry
from meeting.proceedings.audit import ACTION_WORDS, describe_rows
from meeting.services import attendance

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("core", "jobs", "docs_store", "media", "meeting", "realtime", "frontend", "deploy")
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def recorded_codes() -> set[str]:
    """Every action code passed as a literal to ``record(…)`` / ``_audit(…)`` in the code."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name not in ("record", "_audit"):
                    continue
                found |= {
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and CODE.match(arg.value)
                }
    return found


def test_every_action_anything_records_has_chinese_words():
    from realtime.protocol import REGISTRY

    live = {t for t in REGISTRY.commands if t not in NOT_ACTIONS}
    web = recorded_codes()
    assert {"brief.release", "summary.save", "session.create", "documents.placed"} <= web
    missing = sorted((live | web) - set(ACTION_WORDS))
    assert missing == [], f"name these actions in meeting/proceedings/audit.py: {missing}"
    with translation.override("zh-hans"):
        english = {k: str(v) for k, v in ACTION_WORDS.items() if ENGLISH.search(str(v))}
    assert english == {}


def _trail() -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        out: dict[str, list[str]] = {}
        for r, what in describe_rows(AuditEntry.objects.order_by("id")):
            out.setdefault(r.action, []).append(what)
        return out


def test_floor_actions_name_the_member_and_the_kind(committee, live):
    from meeting.floor.models import SpeakingRequest, Speech

    s, m1, m3 = committee.plenary, committee.members[0], committee.members[2]
    for m in (committee.chair, m1, m3):
        attendance.check_in(s.pk, m, method="clerk")
    item = s.agenda_items.get(order=1)
    assert live(committee.clerk, s, "agenda.open", {"item": item.pk}, role="clerk")["ok"]
    assert live(m1, s, "floor.request", {"kind": "speech"}, role="member", key="r1")["ok"]
    # the chair grants "the next in the queue": the command names nobody
    assert live(committee.chair, s, "floor.grant", {}, role="chair", key="g1")["ok"]
    sp = Speech.objects.get(member=m1)
    data = {"speech": sp.pk, "seconds": 60}
    assert live(committee.chair, s, "floor.extend", data, role="chair", key="x")["ok"]
    data = {"speech": sp.pk, "how": "finished"}
    assert live(committee.chair, s, "floor.end", data, role="chair", key="e")["ok"]
    assert live(m3, s, "floor.request", {"kind": "reply"}, role="member", key="r3")["ok"]
    req = SpeakingRequest.objects.get(member=m3, state="waiting")
    data = {"request": req.pk}
    assert live(committee.clerk, s, "floor.grant", data, role="clerk", key="g2")["ok"]
    trail = _trail()
    next_grant, by_request = trail["floor.grant"]
    assert next_grant.startswith("发言人：委员1（发言，") and next_grant != "—"
    assert by_request == "发言申请：委员3（插话答复）"
    assert trail["floor.extend"] == [f"秒数：60；发言记录：委员1（发言，{_hms(sp)} 开始）"]
    assert trail["floor.end"][0].startswith("结束方式：发言完毕；发言记录：委员1（发言，")
    for what in [w for rows in trail.values() for w in rows]:
        assert not re.search(r"(发言申请|发言记录|发言人|组成人员)：#?\d", what), what  # no ids
        assert ENGLISH.findall(what) == [], what


def _hms(sp) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(sp.started_at):%H:%M:%S}"


def test_the_chairs_own_floor_names_the_chair(committee, live):
    s = committee.plenary
    attendance.check_in(s.pk, committee.chair, method="clerk")
    assert live(committee.chair, s, "floor.take", {}, role="chair", key="t")["ok"]
    assert _trail()["floor.take"] == ["发言人：主任"]


def test_a_page_step_recorded_as_code_is_read_from_its_data(committee):
    from meeting.floor.services import floor

    s = committee.plenary
    attendance.check_in(s.pk, committee.members[0], method="clerk")
    sp = floor.grant(s.pk, role="clerk", by_user_id=None, member_id=committee.members[0].pk)
    data = {"speech": sp.pk, "version": 2, "chars": 35}
    summary = f"summary.save speech={sp.pk} v2 quotes=1"
    record(
        committee.staff.user, "summary.save", sitting=s, role="staff", summary=summary, data=data
    )
    record(None, "session.create", session=committee.session, summary="第一次会议 (standing)")
    record(None, "brief.reprint", session=committee.session, role="system", data={"reason": "删除"})
    trail = _trail()
    assert trail["summary.save"] == [f"字数：35；发言记录：委员1（发言，{_hms(sp)} 开始）；版本：2"]
    assert trail["session.create"] == [
        "第一次会议（常委会会议：全体会议开幕，分组审议，全体会议表决）"
    ]
    assert trail["brief.reprint"] == ["事由：删除"]


def test_the_page_shows_words_and_keeps_the_code_in_the_tooltip(committee, live):
    s = committee.plenary
    attendance.check_in(s.pk, committee.chair, method="clerk")
    assert live(committee.chair, s, "floor.take", {}, role="chair", key="t")["ok"]
    record(None, "brief.reprint", session=committee.session, role="system", data={"reason": "x"})
    c = Client()
    c.force_login(committee.clerk.user)
    html = c.get("/proceedings/audit/").content.decode()
    cells = dict(re.findall(r'<td class="action" title="([a-z_.]+)">([^<]*)</td>', html))
    with translation.override("zh-hans"):
        assert cells == {
            "floor.take": str(ACTION_WORDS["floor.take"]),
            "brief.reprint": "重印简报",
        }
    assert all(not ENGLISH.search(words) for words in cells.values()), cells
    assert "<td>系统</td>" in html and "<td>主持人</td>" in html
    # the filter lists the actions in words; no code to type ("vote. / agenda. / floor.")
    assert "vote. / agenda." not in html and 'placeholder="vote.' not in html
    assert '<option value="floor.">全部“发言”操作</option>' in html
    assert re.search(r'<option value="floor.grant">[^<a-z]+</option>', html)
    filtered = c.get("/proceedings/audit/", {"action": "floor."}).content.decode()
    assert '<option value="floor." selected>' in filtered
    assert filtered.count('<tr data-action="floor.take">') == 1
    assert '<tr data-action="brief.reprint">' not in filtered
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))
    words = set(ENGLISH.findall(visible)) - {"CSV"}
    assert words == set(), words


def test_the_csv_has_words_and_keeps_the_code_under_a_chinese_name(committee, live):
    import csv
    import io

    from django.utils import timezone

    from tests.downloads import download_name

    s = committee.plenary
    attendance.check_in(s.pk, committee.chair, method="clerk")
    assert live(committee.chair, s, "floor.take", {}, role="chair", key="t")["ok"]
    c = Client()
    c.force_login(committee.staff.user)
    r = c.get("/proceedings/audit/", {"format": "csv"})
    day = f"{timezone.localtime():%Y-%m-%d}"
    assert download_name(r) == ("attachment", f"audit-{day}.csv", f"操作日志{day}.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head, row = rows
    assert head == [
        "时间",
        "操作人",
        "身份",
        "会议",
        "场次",
        "操作",
        "内容",
        "操作代码",
        "原始记录",
    ]
    entry = AuditEntry.objects.get()
    assert row[0] == f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M:%S}"
    assert row[1:5] == ["主任", "主持人", "第一次会议", "全体会议"]
    assert row[6] == "发言人：主任" and row[7] == "floor.take"


def test_every_named_action_is_offered_in_the_filter():
    """The filter lists actions by family: an action of no family could not be chosen."""
    from meeting.proceedings.audit import ACTION_GROUPS, ACTION_WORDS

    orphans = sorted(c for c in ACTION_WORDS if not c.startswith(tuple(ACTION_GROUPS)))
    assert orphans == []
