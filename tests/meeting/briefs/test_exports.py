"""Brief and book exports: the text (pypdf) holds names and summaries, the font is embedded."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from core.errors import DomainError
from core.models import Attendance, Term
from harness.actors import CLERK
from jobs.runner import run_until_idle
from jobs.services import enqueue
from meeting.briefs.jobs import TERM_BOOK_JOB
from meeting.briefs.models import Leave
from meeting.briefs.services import books
from meeting.briefs.services.briefs import check_brief, create_brief
from meeting.briefs.services.exports import export_brief
from meeting.briefs.services.summaries import save_summary


def _text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _uris(data: bytes) -> list[str]:
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for a in page.get("/Annots") or []:
            action = a.get_object().get("/A")
            if action and "/URI" in action:
                out.append(str(action["/URI"]))
    return out


def assert_font_embedded(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [
        str(f.get_object()["/BaseFont"])
        for f in fonts.values()
        if "/FontDescriptor" in f.get_object()
        and "/FontFile2" in f.get_object()["/FontDescriptor"].get_object()
    ]
    assert any(
        name.split("+")[-1].startswith("WenQuanYi") or "Noto" in name for name in embedded
    ), embedded


@pytest.fixture
def summarised(archive):
    staff = archive.staff.user
    save_summary(staff, archive.sp1, "建议明确罚则。", [{"at": 12, "text": "罚则要明确"}])
    save_summary(staff, archive.sp5, "关注基层落实·经费保障。", [{"at": 3.5, "text": "经费"}])
    return archive


def test_brief_pdf_has_names_summaries_links_and_the_embedded_font(summarised):
    brief = create_brief(summarised.staff.user, sitting=summarised.group_a_sitting)
    data = export_brief(brief, "pdf")
    text = _text(data)
    for needle in (
        "第1期",
        "委员1委员说",
        "建议明确罚则",
        "罚则要明确",
        "委员5委员说",
        "经费保障",
        "发言要点待整理",
    ):
        assert needle in text
    assert "\ufffd" not in text
    assert "（本次发言无录像）" in text  # 委员7 spoke without a recording
    assert_font_embedded(data)
    uris = _uris(data)
    assert any(u.endswith("/at/12/") for u in uris) and any(u.endswith("/at/3/") for u in uris)


def test_brief_docx(summarised):
    from docx import Document

    brief = check_brief(
        summarised.staff2.user,
        create_brief(summarised.staff.user, sitting=summarised.group_a_sitting),
    )
    doc = Document(io.BytesIO(export_brief(brief, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "委员1委员说：" in text and "建议明确罚则" in text and "核稿：审查员二" in text
    assert "/at/12/" in text
    with pytest.raises(DomainError) as e:
        export_brief(brief, "odt")
    assert e.value.code == "invalid"


def test_brief_command(summarised, tmp_path):
    out = tmp_path / "b.pdf"
    call_command(
        "brief",
        sitting=summarised.group_a_sitting.pk,
        format="pdf",
        out=str(out),
        stdout=StringIO(),
    )
    assert "建议明确罚则" in _text(out.read_bytes())
    docx = tmp_path / "b.docx"
    call_command(
        "brief",
        "--sitting",
        str(summarised.group_a_sitting.pk),
        "--format",
        "docx",
        "--out",
        str(docx),
        stdout=StringIO(),
    )
    assert docx.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="not_group_sitting"):
        call_command("brief", sitting=summarised.plenary.pk, out=str(out))
    with pytest.raises(CommandError, match="no_speeches"):
        call_command("brief", sitting=summarised.group_b_sitting.pk, out=str(out))


def _with_attendance(ns):
    m1 = next(m for m in ns.members if m.full_name == "委员1")
    Attendance.objects.create(
        sitting=ns.group_a_sitting,
        member=m1,
        checked_in_at=ns.group_a_sitting.starts_at,
        method="tablet",
    )
    Leave.objects.create(sitting=ns.plenary, member=m1, reason="因公出差")
    return m1


def _named_vote(ns, member) -> None:
    from meeting.services import agenda
    from meeting.voting.services.casting import cast
    from meeting.voting.services.definition import VoteSpec, prepare
    from meeting.voting.services.lifecycle import close_vote, open_vote

    s = ns.group_a_sitting
    type(s).objects.filter(pk=s.pk).update(state="live")  # the vote was held during it
    for other in [ns.chair] + [m for m in ns.members if m.group_id == s.group_id][1:3]:
        Attendance.objects.get_or_create(
            sitting=s, member=other, defaults={"checked_in_at": s.starts_at, "method": "clerk"}
        )  # quorum
    agenda.open_item(s.pk, ns.items[0].pk, actor=CLERK)
    v = prepare(s.pk, VoteSpec(item_id=ns.items[0].pk, question="数据条例草案修改稿"), actor=CLERK)
    open_vote(s.pk, v.pk, actor=CLERK)
    cast(s.pk, v.pk, member.pk, {str(v.questions.get().pk): "yes"})
    close_vote(s.pk, v.pk, actor=CLERK)
    type(s).objects.filter(pk=s.pk).update(state="ended")


def _read(ns, member) -> None:
    from docs_store.models import Document, ReadReceipt

    doc = Document.objects.create(
        session=ns.session, title="关于条例草案的说明", state="distributed"
    )
    ReadReceipt.objects.create(member=member, document=doc, opens=3, seconds=600)


def test_member_book(summarised, tmp_path):
    m1 = _with_attendance(summarised)
    _named_vote(summarised, m1)
    _read(summarised, m1)
    out = tmp_path / "m.pdf"
    call_command("term_book", member="m1", out=str(out), stdout=StringIO())
    data = out.read_bytes()
    text = _text(data)
    for needle in (
        "委员1履职档案",
        "一人一册",
        "出席",
        "请假",
        "因公出差",
        "建议明确罚则",
        "罚则要明确",
        "各次会议出席率",
        "中位数",
        "数据条例草案修改稿",
        "赞成",
        "关于条例草案的说明",
    ):
        assert needle in text, needle
    assert "委员3" not in text and "\ufffd" not in text
    # reading time as every length reads (issue 25): 600 s is "10 分 00 秒", not "10.0"
    assert "10分00秒" in "".join(text.split()) and "（分钟）" not in text
    assert_font_embedded(data)
    assert any("/at/12/" in u for u in _uris(data))
    book = books.member_book_data(m1)["members"][0]
    assert [a["status"] for a in book["attendance"]] == ["请假", "出席"]


def test_term_book_job_with_progress(summarised, tmp_path):
    _with_attendance(summarised)
    job = enqueue(TERM_BOOK_JOB, {"term": summarised.term.pk})
    run_until_idle()
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert job.progress_done == job.progress_total > 0
    text = _text(Path(job.result["file"]).read_bytes())
    for needle in (
        "一届一本",
        "常委会统计",
        "按小组",
        "第一组",
        "委员1主任" if False else "委员1委员",
        "委员8委员",
        "建议明确罚则",
    ):
        assert needle in text, needle
    assert "\ufffd" not in text


def test_a_term_with_no_sittings(committee, tmp_path):
    empty = Term.objects.create(
        committee=committee.committee, name="第二届", starts_on=dt.date(2030, 1, 1)
    )
    with pytest.raises(DomainError) as e:
        books.collect_term(empty)
    assert e.value.code == "term_empty"
    out = tmp_path / "t.pdf"
    with pytest.raises(CommandError, match="term_empty"):
        call_command("term_book", term=empty.pk, out=str(out))
    assert not out.exists()
    with pytest.raises(CommandError, match="not_found"):
        call_command("term_book", member="nobody", out=str(out))
