"""Result sheets (CSV, PDF), result JSON and the audit check over HTTP, by role."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from harness.actors import CLERK
from meeting.voting import services
from meeting.voting.models import AuditEntry
from meeting.voting.services import audit
from tests.meeting.voting.conftest import line

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(room, open_vote):
    def _closed(**fields):
        vote = open_vote(**fields)
        for m, opt in zip(room.voters[:4], ["yes", "yes", "no", "abstain"], strict=True):
            services.cast(room.plenary.pk, vote.pk, m.pk, {line(vote): opt})
        services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
        vote.refresh_from_db()
        return vote

    return _closed


def client_for(member) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def test_csv_has_counts_and_named_list(room, closed):
    vote = closed()
    r = client_for(room.members[5]).get(f"/votes/{vote.pk}/result.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head = {row[0]: row[1:] for row in rows[:13]}  # the figures, one (label, value) a row
    assert head["表决事项"] == [vote.question] and head["表决方式"] == ["记名表决"]
    assert head["表决结果"] == ["未通过"] and head["实到人数"][0].isdigit()
    assert head["结束时间"][0] == f"{timezone.localtime(vote.result.closed_at):%Y-%m-%d %H:%M:%S}"
    assert rows[14] == ["序号", "表决项", "赞成", "反对", "弃权", "通过所需票数", "是否通过"]
    assert rows[15][2:] == ["2", "1", "1", "5", "否"]  # 是/否, not True/False
    assert rows[17][:2] == ["座位", "姓名"]
    names = [row[1] for row in rows[18:]]
    assert names == [m.full_name for m in room.voters[:4]]


def test_secret_sheet_has_no_names(room, closed):
    vote = closed(kind="secret")
    for who in (room.clerk, room.members[0]):
        text = client_for(who).get(f"/votes/{vote.pk}/result.csv").content.decode("utf-8-sig")
        assert all(m.full_name not in text for m in room.voters)
        assert "2,1,1" in text


def test_clerk_only_names_by_role(room, closed):
    vote = closed(choices_visible="clerk")
    member_text = client_for(room.members[0]).get(f"/votes/{vote.pk}/result.csv").content
    clerk_text = client_for(room.clerk).get(f"/votes/{vote.pk}/result.csv").content
    assert room.voters[1].full_name.encode() not in member_text
    assert room.voters[1].full_name.encode() in clerk_text
    js = client_for(room.members[0]).get(f"/votes/{vote.pk}/result.json").json()
    assert "named" not in js["result"]


def test_pdf_is_a_real_pdf_with_the_result(room, closed):
    vote = closed()
    r = client_for(room.staff).get(f"/votes/{vote.pk}/result.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "未通过" in text and room.voters[0].full_name in text
    # the rule names its base, and every font is embedded ("·" printed as "�" before)
    assert "全体组成人员的过半数" in text and "·" in text and "\ufffd" not in text
    from harness.pdf import embedded_fonts, not_embedded

    assert embedded_fonts(r.content) and not not_embedded(r.content)


def test_no_sheet_before_close_and_none_for_outsiders(room, open_vote):
    vote = open_vote()
    assert client_for(room.clerk).get(f"/votes/{vote.pk}/result.csv").status_code == 404
    outsider = Client()
    outsider.force_login(room.outsider)
    assert outsider.get(f"/votes/{vote.pk}/result.json").status_code == 403
    assert Client().get(f"/votes/{vote.pk}/result.json").status_code == 302


def test_audit_detects_an_edit_and_a_removal(room, closed):
    vote = closed()
    check = client_for(room.voters[2]).get(f"/votes/{vote.pk}/audit.json").json()
    assert check["chain"] == {
        "intact": True,
        "entries": 6,
        "first_bad_seq": None,
        "head": vote.audit_head,
    }
    assert check["mine"][0]["body"]["choices"] == {line(vote): "no"}
    # someone edits member 3's ballot in the database
    entry = AuditEntry.objects.get(vote=vote, member=room.voters[2])
    AuditEntry.objects.filter(pk=entry.pk).update(body={"choices": {line(vote): "yes"}})
    bad = audit.verify(vote)
    assert bad.intact is False and bad.first_bad_seq == entry.seq
    # restore, then remove the last entry instead
    AuditEntry.objects.filter(pk=entry.pk).update(body={"choices": {line(vote): "no"}})
    assert audit.verify(vote).intact
    AuditEntry.objects.filter(vote=vote).order_by("-seq").first().delete()
    assert audit.verify(vote).intact is False


def test_a_long_question_is_wrapped_on_the_sheet_not_cut(room, closed):
    question = "关于《某省数据条例（草案）》第十二条至第四十五条修改意见的表决，" * 3 + "末尾"
    vote = closed(question=question)
    r = client_for(room.staff).get(f"/votes/{vote.pk}/result.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "末尾" in text.replace("\n", "")
