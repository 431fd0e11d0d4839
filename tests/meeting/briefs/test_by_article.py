"""A brief compiled by article (按条文编排): "关于第四条：委员1委员认为……", the opinions
submitted on each article and the speeches tied to it, linked to the member's record and
the clip at the quoted second; the rest of the speeches as before. PDF (pypdf) and DOCX
(python-docx) say so."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from docx import Document as Docx
from pypdf import PdfReader

from core.errors import DomainError
from core.models import AuditEntry
from media.models import Clip
from meeting.briefs.services import by_article, citations
from meeting.briefs.services.briefs import check_brief, content_for_display, create_brief
from meeting.briefs.services.exports import export_brief
from meeting.briefs.services.summaries import save_summary
from meeting.opinions import staff as opinions_staff
from tests.meeting.opinions.staff_fixtures import build, make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(committee, settings):
    return build(committee, settings)


def _pdf(data: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(p.extract_text() for p in reader.pages)
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for p in reader.pages
        for a in p.get("/Annots") or []
        if "/URI" in (a.get_object().get("/A") or {})
    ]
    return "".join(text.split()), uris


def _docx(data: bytes) -> tuple[str, list[str]]:
    doc = Docx(io.BytesIO(data))
    body = doc.element.body
    text = "".join(
        t.text or ""
        for t in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")
    )
    links = [r.target_ref for r in doc.part.rels.values() if r.is_external]
    return text, links


@pytest.fixture
def briefed(drafted):
    ns = drafted
    who = ns.staff.user
    save_summary(
        who,
        ns.sp1,
        "建议保留应当。",
        [{"at": 12, "text": "共享是义务不是选择"}, {"at": 70, "text": "罚则要写清楚"}],
    )
    save_summary(who, ns.sp3, "赞成新增第二条。", [{"at": 20, "text": "统筹发展和安全很重要"}])
    save_summary(who, ns.sp5, "关注经费保障。", [])
    make_opinion(ns.m["委员1"], ns.new["第四条"], "“可以”太软，建议保留“应当”。")
    make_opinion(ns.m["委员3"], ns.new["第二条"], "新增条文很有必要。")
    make_opinion(ns.m["委员5"], ns.new["第五条"], "尚未提交的草稿。", submitted=False)
    make_opinion(ns.m["委员2"], ns.new["第五条"], "第二组委员的意见。")  # group B
    opinions_staff.tie_speech(who, ns.sp1, ns.new["第四条"], 5, 30)  # a stretch
    opinions_staff.tie_speech(who, ns.sp3, ns.new["第二条"])  # the whole speech
    ns.brief = create_brief(who, sitting=ns.group_a_sitting)
    with translation.override("en"):
        by_article.arrange_by_article(who, ns.brief, ns.v2)
    return ns


def test_the_content_puts_articles_first_then_the_rest(briefed):
    ns = briefed
    content = content_for_display(ns.brief)
    headings = [s["heading"] for s in content["sections"]]
    assert headings == [
        "《数据条例（草案）》审议意见（按条文编排）",
        "关于第二条",
        "关于第四条",
        "其他审议意见（未涉及具体条文）",
        "议题1",
        "议题2",
    ]
    second, fourth = content["sections"][1], content["sections"][2]
    assert [o["member"] for o in second["opinions"]] == ["委员3"]
    assert [sp["speech"] for sp in second["speeches"]] == [ns.sp3.pk]
    assert fourth["opinions"][0]["text"] == "“可以”太软，建议保留“应当”。"
    assert fourth["opinions"][0]["record"] == f"/media/members/{ns.m['委员1'].pk}/record/"
    stretch = fourth["speeches"][0]
    assert stretch["stretch_label"] == "00:05–00:30" and stretch["text"] == ""
    assert [q["text"] for q in stretch["quotes"]] == ["共享是义务不是选择"]  # 70 s is outside
    rest = [sp["speech"] for s in content["sections"][4:] for sp in s["speeches"]]
    assert rest == [ns.sp1.pk, ns.sp5.pk]  # sp3 was tied whole; sp1 only by a stretch
    everything = str(content)
    assert "尚未提交的草稿" not in everything  # a draft opinion never reaches the brief
    assert "第二组委员的意见" not in everything  # a sitting's brief: its group's opinions


def test_the_pdf_says_it_by_article_with_links_to_the_record_and_the_clip(briefed):
    ns = briefed
    text, uris = _pdf(export_brief(ns.brief, "pdf"))
    assert "关于第四条" in text and "委员1委员认为：“可以”太软，建议保留“应当”。" in text
    assert "委员1委员在发言中（00:05–00:30）说：" in text
    assert "「共享是义务不是选择」" in text
    assert "关于第二条" in text and "委员3委员认为：新增条文很有必要。" in text
    assert text.index("关于第四条") < text.index("其他审议意见")
    clip1 = str(Clip.objects.get(floor_entry_id=ns.sp1.pk).public_id)
    assert f"http://yiting.test/briefs/clips/{clip1}/at/12/" in uris
    assert f"http://yiting.test/media/members/{ns.m['委员1'].pk}/record/" in uris


def test_the_docx_says_it_by_article_with_links(briefed):
    ns = briefed
    text, links = _docx(export_brief(ns.brief, "docx"))
    assert "关于第四条" in text and "委员1委员认为：“可以”太软，建议保留“应当”。" in text
    assert "「共享是义务不是选择」" in text and "关于第二条" in text
    clip1 = str(Clip.objects.get(floor_entry_id=ns.sp1.pk).public_id)
    assert f"http://yiting.test/briefs/clips/{clip1}/at/12/" in links
    assert f"http://yiting.test/media/members/{ns.m['委员3'].pk}/record/" in links


def test_without_the_option_the_brief_is_as_before(briefed):
    ns = briefed
    with translation.override("en"):
        by_article.arrange_by_article(ns.staff.user, ns.brief, None)
    headings = [s["heading"] for s in content_for_display(ns.brief)["sections"]]
    assert headings == ["议题1", "议题2"]
    assert list(
        AuditEntry.objects.filter(action="brief.arrange")
        .order_by("id")
        .values_list("summary", flat=True)
    ) == [
        "Brief no. 1 arranged by the articles of “数据条例（草案）”",
        "Brief no. 1 arranged in speaking order",
    ]


def test_the_check_freezes_it_and_a_clip_cited_only_under_an_article_is_cited(briefed):
    ns = briefed
    from django.contrib.auth import get_user_model

    from core.models import Member, Role

    user = get_user_model().objects.create_user("staff2", password="pw")
    Member.objects.create(user=user, term=ns.term, full_name="审查员二", role=Role.STAFF)
    brief = check_brief(user, ns.brief)
    assert [s["heading"] for s in brief.content["sections"]][1:3] == ["关于第二条", "关于第四条"]
    clip3 = Clip.objects.get(floor_entry_id=ns.sp3.pk)  # wholly tied: only under 第二条
    assert citations.cites(brief, clip3)
    with pytest.raises(DomainError) as exc:
        by_article.arrange_by_article(ns.staff.user, brief, None)
    assert exc.value.code == "bad_state"


def test_only_staff_arrange_and_only_by_a_draft_of_the_briefs_items(briefed):
    ns = briefed
    with pytest.raises(DomainError) as exc:
        by_article.arrange_by_article(ns.members[0].user, ns.brief, ns.v2)
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError) as exc:
        by_article.arrange_by_article(ns.staff.user, ns.brief, ns.v1)  # not the current one
    assert exc.value.code == "not_item_article"
    assert [v.pk for v in by_article.versions_for_choice(ns.brief)] == [ns.v2.pk]


def test_an_items_brief_gathers_every_groups_opinions(briefed):
    ns = briefed
    brief = create_brief(ns.staff.user, session=ns.session, item_order=1)
    by_article.arrange_by_article(ns.staff.user, brief, ns.v2)
    content = content_for_display(brief)
    fifth = next(s for s in content["sections"] if s["heading"] == "关于第五条")
    assert [o["text"] for o in fifth["opinions"]] == ["第二组委员的意见。"]
