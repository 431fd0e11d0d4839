"""The minutes as DOCX beside the PDF (issue 28): Chinese, Word's headings, 宋体 for East
Asian text, times in TIME_ZONE; every minutes file downloads under a Chinese name."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from docx import Document
from docx.oxml.ns import qn

from jobs.runner import run_until_idle
from meeting.proceedings import minutes
from meeting.proceedings.closing import close_session
from tests.downloads import download_name
from tests.meeting.proceedings.held import hold_plenary

pytestmark = pytest.mark.django_db(transaction=True)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def client_for(member) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


@pytest.fixture
def done_run(committee):
    hold_plenary(committee)
    run = close_session(committee.session, by=committee.clerk.user)
    run_until_idle()
    run.refresh_from_db()
    assert run.state == "done", run.as_dict()
    return run


def _east_asian(element) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_the_minutes_download_as_docx_in_chinese_with_headings(committee, done_run):
    r = client_for(committee.staff).get(f"/proceedings/minutes/{done_run.pk}.docx")
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name != "Normal"]
    title = f"{committee.session.title}会议纪要"
    assert headings[0] == ("Title", title)
    assert ("Heading 1", f"{committee.plenary.title}（全体会议）") in headings
    assert any(
        h == ("Heading 2", "表决：通过《数据条例（草案）》（记名表决，第1轮）") for h in headings
    )
    assert ("Heading 1", "分发文件") in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    for needle in (
        "表决结果：通过。",
        "表决结果：未通过。",
        "缺席1人（委员8）",
        "全体组成人员的过半数",
        "时间：2026-11-24 17:00",  # 09:00 UTC read in Asia/Shanghai, as the PDF says
    ):
        assert needle in text, needle
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["序号", "发言人", "类型", "开始", "结束", "时长", "录像"] in cells
    assert any(row[1].startswith("委员1") and row[2] == "发言" for row in cells)
    assert ["座位", "姓名", "选择"] in cells
    # Word and WPS take the East Asian font from w:eastAsia: 宋体 on every style used
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        assert _east_asian(doc.styles[name].element) == "宋体", name
    runs = [run for p in doc.paragraphs for run in p.runs if run.text.strip()]
    assert runs and all(_east_asian(run._element) in (None, "宋体") for run in runs)
    assert doc.core_properties.title == f"{committee.session.title} 会议纪要"


def test_docx_and_pdf_say_the_same(committee, done_run):
    import pypdf

    root = Path(settings.DATA_DIR)
    pdf = pypdf.PdfReader(root / done_run.pdf_path)
    bare = lambda text: re.sub(r"\s", "", text)  # noqa: E731 (the PDF drops full-width spaces)
    pdf_text = bare("".join(p.extract_text() for p in pdf.pages))
    docx_path = minutes.docx_path(root / done_run.json_path)
    assert docx_path.exists()  # written by the job beside the JSON and the PDF
    doc = Document(str(docx_path))
    for p in doc.paragraphs:
        if p.text.strip():
            assert bare(p.text) in pdf_text, p.text


def test_a_run_from_before_the_docx_gets_one_from_its_json(committee, done_run):
    root = Path(settings.DATA_DIR)
    path = minutes.docx_path(root / done_run.json_path)
    path.unlink()
    r = client_for(committee.clerk).get(f"/proceedings/minutes/{done_run.pk}.docx")
    assert r.status_code == 200 and path.exists()
    record = json.loads((root / done_run.json_path).read_text(encoding="utf-8"))
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    assert doc.paragraphs[1].text == f"{record['session']['title']}会议纪要"


def test_every_minutes_file_downloads_under_a_chinese_name(committee, done_run):
    staff = client_for(committee.staff)
    title = committee.session.title
    for fmt in ("pdf", "docx", "json"):
        r = staff.get(f"/proceedings/minutes/{done_run.pk}.{fmt}")
        assert r.status_code == 200, fmt
        named = download_name(r)
        assert named.kind == "attachment"
        assert named.name == f"{title}纪要.{fmt}"
        assert named.ascii == f"minutes-session-{committee.session.number}.{fmt}"
    assert staff.get(f"/proceedings/minutes/{done_run.pk}.odt").status_code == 404


def test_the_session_page_offers_the_docx_beside_the_pdf(committee, done_run):
    page = client_for(committee.clerk).get(f"/proceedings/sessions/{committee.session.pk}/")
    html = page.content.decode()
    assert 'id="minutes-pdf"' in html and 'id="minutes-docx"' in html
    assert "会议纪要（DOCX，可编辑）" in html
