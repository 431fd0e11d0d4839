"""The drafters' export (DOCX): per article the new text, the old one and the change when
the versions were compared, each submitted opinion with the member and the day in
TIME_ZONE, the tied speeches' quotes; East Asian font; a Chinese file name (RFC 6266)."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from docx import Document as Docx
from docx.oxml.ns import qn

from meeting.briefs.services.summaries import save_summary
from meeting.opinions import export
from meeting.opinions import staff as opinions_staff
from tests.meeting.opinions.staff_fixtures import build, make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(committee, settings):
    return build(committee, settings)


@pytest.fixture
def opinions(drafted):
    ns = drafted
    save_summary(
        ns.staff.user, ns.sp1, "建议保留应当。", [{"at": 12, "text": "共享是义务不是选择"}]
    )
    make_opinion(ns.m["委员1"], ns.new["第四条"], "“可以”太软，建议保留“应当”。")
    make_opinion(ns.m["委员2"], ns.old["第四条"], "共享目录不应删除。")
    make_opinion(ns.m["委员3"], ns.new["第二条"], "尚未提交。", submitted=False)
    opinions_staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第四条"], 5, 30)
    return ns


def _paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_the_export_lists_articles_texts_changes_opinions_and_quotes(opinions):
    ns = opinions
    doc = Docx(io.BytesIO(export.export_opinions(ns.staff.user, ns.doc)))
    paras = _paragraphs(doc)
    text = "\n".join(paras)
    assert paras[0] == "《数据条例（草案）》审议意见汇总（按条文）"
    assert "与第1稿对照" in text and "共2条意见，涉及2个条文" in text
    assert "第四条（修改）" in paras
    assert "修改后条文：公共管理机构可以依法共享数据。" in paras
    assert "原条文（第三条）：公共管理机构应当共享数据。" in paras
    change = next(p for p in doc.paragraphs if p.text.startswith("修改情况："))
    struck = [r.text for r in change.runs if r.font.strike]
    underlined = [r.text for r in change.runs if r.font.underline]
    assert struck == ["应当"] and underlined == ["可以依法"]
    line = next(p for p in paras if "“可以”太软" in p)
    assert line.startswith("委员1委员（第一组）　2026年11月24日 14:30：")  # Asia/Shanghai
    assert "「共享是义务不是选择」（00:12）" in text
    assert "第四条（修改稿已删除）" in paras and "共享目录不应删除。" in text
    assert "尚未提交。" not in text  # a draft opinion is its author's alone
    assert text.index("第四条（修改）") < text.index("第四条（修改稿已删除）")
    links = [r.target_ref for r in doc.part.rels.values() if r.is_external]
    assert f"http://yiting.test/media/members/{ns.m['委员1'].pk}/record/" in links


def test_the_export_names_the_east_asian_font(opinions):
    ns = opinions
    doc = Docx(io.BytesIO(export.export_opinions(ns.staff.user, ns.doc)))
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(
        r._element.rPr is not None and r._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
        for r in runs
    )


def test_the_download_has_a_chinese_name_and_is_staff_only(opinions, client):
    ns = opinions
    url = f"/opinions/staff/documents/{ns.doc.pk}/opinions.docx"
    client.force_login(ns.members[0].user)
    assert client.get(url).status_code == 403
    client.force_login(ns.staff.user)
    resp = client.get(url)
    assert resp.status_code == 200
    name = quote("《数据条例（草案）》审议意见（按条文）.docx", safe="")
    assert resp["Content-Disposition"] == (
        f"attachment; filename=\"opinions-document-{ns.doc.pk}.docx\"; filename*=UTF-8''{name}"
    )
    assert Docx(io.BytesIO(resp.content)).paragraphs[0].text.startswith("《数据条例（草案）》")
