"""Staff's side of opinions: only submitted opinions reach staff, by article; staff alone
tie a speech or a stretch of it to the articles of its item's draft, audited in words."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.errors import DomainError
from core.models import AuditEntry
from meeting.opinions import staff
from meeting.opinions.models import SpeechArticle
from tests.meeting.opinions.staff_fixtures import build, make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(committee, settings):
    return build(committee, settings)


@pytest.fixture(autouse=True)
def chinese():
    """The interface's language: refusals and the audit trail read Chinese."""
    with translation.override("zh-hans"):
        yield


def test_staff_read_submitted_opinions_by_article_never_drafts(drafted):
    ns = drafted
    make_opinion(ns.m["委员1"], ns.new["第四条"], "“可以”太软，建议保留“应当”。")
    make_opinion(ns.m["委员3"], ns.new["第二条"], "统筹发展和安全，写得好。")
    make_opinion(ns.m["委员5"], ns.new["第四条"], "这只是我的草稿，尚未提交。", submitted=False)
    rows = staff.submitted_opinions(ns.staff.user, ns.doc)
    assert [r.article.label for r in rows] == ["第二条", "第四条"]
    texts = [o.text for r in rows for o in r.opinions]
    assert "这只是我的草稿，尚未提交。" not in texts  # secret until submitted
    assert texts == ["统筹发展和安全，写得好。", "“可以”太软，建议保留“应当”。"]


def test_an_opinion_on_the_earlier_version_stands_under_the_article_it_became(drafted):
    ns = drafted
    make_opinion(ns.m["委员1"], ns.old["第三条"], "应当改为可以，赞成。")
    make_opinion(ns.m["委员3"], ns.old["第四条"], "共享目录不应删除。")
    rows = staff.submitted_opinions(ns.staff.user, ns.doc)
    by_label = {(r.article.label, r.deleted): r for r in rows}
    moved = by_label[("第四条", False)].opinions[0]
    assert moved.on_old == "第三条" and moved.text == "应当改为可以，赞成。"
    gone = by_label[("第四条", True)]  # the old 第四条, deleted by version 2
    assert gone.article.version_id == ns.v1.pk and gone.opinions[0].text == "共享目录不应删除。"
    assert [r.deleted for r in rows] == [False, True]  # deleted articles come last


def test_an_opinion_on_a_version_no_comparison_maps_still_reaches_staff(drafted):
    from docs_store.drafts.models import DraftComparison

    ns = drafted
    DraftComparison.objects.all().delete()  # the clerk took the "compare with" mark off
    make_opinion(ns.m["委员1"], ns.old["第三条"], "一审稿上的意见。")
    make_opinion(ns.m["委员3"], ns.new["第二条"], "二审稿上的意见。")
    rows = staff.submitted_opinions(ns.staff.user, ns.doc)
    assert [(r.article.label, r.place) for r in rows] == [
        ("第二条", "current"),
        ("第三条", "earlier"),
    ]
    assert rows[1].article.version_id == ns.v1.pk and rows[1].opinions[0].text == "一审稿上的意见。"


def test_the_filter_narrows_by_article_member_group_and_words(drafted):
    ns = drafted
    make_opinion(ns.m["委员1"], ns.new["第四条"], "应当保留。")
    make_opinion(ns.m["委员2"], ns.new["第二条"], "赞成新增。")
    make_opinion(ns.m["委员3"], ns.new["第二条"], "建议删去。")
    f = staff.OpinionFilter
    who = ns.staff.user
    assert [
        r.article.label
        for r in staff.submitted_opinions(who, ns.doc, f(article=ns.new["第二条"].pk))
    ] == ["第二条"]
    rows = staff.submitted_opinions(who, ns.doc, f(member=ns.m["委员3"].pk))
    assert [o.text for r in rows for o in r.opinions] == ["建议删去。"]
    rows = staff.submitted_opinions(who, ns.doc, f(group=ns.group_b.pk))
    assert [o.member.full_name for r in rows for o in r.opinions] == ["委员2"]
    rows = staff.submitted_opinions(who, ns.doc, f(text="保留"))
    assert [o.text for r in rows for o in r.opinions] == ["应当保留。"]


def test_an_opinion_on_a_recalled_document_stays_with_staff(drafted):
    ns = drafted
    make_opinion(ns.m["委员1"], ns.new["第四条"], "撤回前提交的意见。")
    ns.doc.state = "recalled"
    ns.doc.save(update_fields=["state"])
    rows = staff.submitted_opinions(ns.staff.user, ns.doc)
    assert rows[0].opinions[0].text == "撤回前提交的意见。"
    assert rows[0].opinions[0].document.state == "recalled"


def test_only_staff_read_submitted_opinions_with_the_precise_refusal(drafted):
    ns = drafted
    for who in (ns.members[0].user, ns.clerk.user, ns.chair.user, ns.outsider):
        with pytest.raises(DomainError) as exc:
            staff.submitted_opinions(who, ns.doc)
        assert exc.value.code == "forbidden"
        assert exc.value.message == "只有机关工作人员可以查看委员提交的审议意见。"
        assert exc.value.details["allowed"] == ["staff"]


def test_staff_tie_a_whole_speech_and_a_stretch_audited_in_words(drafted):
    ns = drafted
    whole = staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第四条"])
    part = staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第二条"], 31, 65)
    assert (whole.start_s, whole.end_s) == (None, None)
    assert (part.start_s, part.end_s) == (31.0, 65.0)
    assert staff.chip_label(part) == "第二条 00:31–01:05"
    assert [staff.chip_label(t) for t in staff.ties_of(ns.sp1)] == [
        "第二条 00:31–01:05",
        "第四条 整段发言",
    ]
    again = staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第二条"], 31, 65)
    assert again.pk == part.pk and SpeechArticle.objects.count() == 2  # idempotent
    rows = AuditEntry.objects.filter(action="speech.tie").order_by("id")
    assert rows.count() == 2
    assert (
        rows.last().summary
        == "发言关联到条文：委员1的发言（00:31–01:05）— 《数据条例（草案）》第二条"
    )
    assert rows.last().role == "staff" and rows.last().sitting_id == ns.group_a_sitting.pk
    staff.untie(ns.staff.user, part)
    assert not SpeechArticle.objects.filter(pk=part.pk).exists()
    assert AuditEntry.objects.get(action="speech.untie").summary == (
        "取消发言与条文的关联：委员1的发言（00:31–01:05）— 《数据条例（草案）》第二条"
    )


def test_only_staff_tie_and_untie_with_the_precise_refusal(drafted):
    ns = drafted
    tie = staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第四条"])
    for who in (ns.members[0].user, ns.clerk.user, ns.chair.user, ns.display.user):
        with pytest.raises(DomainError) as exc:
            staff.tie_speech(who, ns.sp1, ns.new["第二条"])
        assert exc.value.code == "forbidden"
        assert exc.value.message == "只有机关工作人员可以将发言关联到草案条文。"
        with pytest.raises(DomainError) as exc:
            staff.untie(who, tie)
        assert exc.value.code == "forbidden"
    assert (
        SpeechArticle.objects.count() == 1
        and not AuditEntry.objects.filter(action="speech.untie").exists()
    )


def test_a_tie_is_refused_off_the_items_draft_or_outside_the_clip(drafted):
    ns = drafted
    who = ns.staff.user
    with pytest.raises(DomainError) as exc:  # item 2 has no draft
        staff.tie_speech(who, ns.sp5, ns.new["第四条"])
    assert exc.value.code == "not_item_article"
    with pytest.raises(DomainError) as exc:  # an article of the earlier version
        staff.tie_speech(who, ns.sp1, ns.old["第三条"])
    assert exc.value.code == "not_item_article"
    with pytest.raises(DomainError) as exc:  # the clip lasts 90 s
        staff.tie_speech(who, ns.sp1, ns.new["第四条"], 80, 120)
    assert exc.value.code == "bad_stretch" and exc.value.details["duration_s"] == 90.0
    with pytest.raises(DomainError) as exc:
        staff.tie_speech(who, ns.sp1, ns.new["第四条"], 40, 30)
    assert exc.value.code == "bad_stretch"
    with pytest.raises(DomainError) as exc:
        staff.tie_speech(who, ns.sp1, ns.new["第四条"], 40, None)
    assert exc.value.code == "bad_stretch"
    with pytest.raises(DomainError) as exc:
        staff.tie_many(who, ns.sp1, [ns.new["第二条"].pk, ns.old["第三条"].pk], 1, 5)
    assert exc.value.code == "not_item_article"
    assert not SpeechArticle.objects.exists()  # all or none


def test_a_stretch_needs_a_playable_clip(drafted):
    from media.models import Clip

    ns = drafted
    Clip.objects.filter(floor_entry_id=ns.sp1.pk).update(deleted_at=ns.sp1.ended_at)
    with pytest.raises(DomainError) as exc:
        staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第四条"], 1, 5)
    assert exc.value.code == "no_clip"
    assert staff.tie_speech(ns.staff.user, ns.sp1, ns.new["第四条"]).start_s is None
