"""A member's opinions on articles (审议意见), the member's side: meeting/opinions/services.py.

Who may write where (the rulebook's ``opinions.write`` / ``opinions.edit``), drafts
saved idempotently by the tablet's client id, submitting (final), deleting one's own
draft, opinions on the compared old version's articles, and a recalled paper: no new
opinion, those written stay with their author and say so. Each refusal is checked by
its code and its Chinese sentence.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from core.errors import DomainError
from harness.actors import CLERK
from meeting.opinions import services
from meeting.opinions.models import Opinion
from tests.docs_store.conftest import make_pdf
from tests.meeting.opinions.member_drafts import OLD, articles, build_bill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bill(committee):
    return build_bill(committee)


def refused(fn, *args, **kw) -> dict:
    """The refusal's answer as the zh-hans tablet reads it."""
    with translation.override("zh-hans"), pytest.raises(DomainError) as exc:
        fn(*args, **kw)
    return exc.value.as_dict()


def write(user, article, text, cid, sitting, **kw):
    return services.write_opinion(user, article, text, cid, sitting, **kw)


def test_a_member_writes_a_draft_and_edits_it_by_its_client_id(bill):
    user = bill.member.user
    first = write(user, bill.new[1].pk, "建议保留“应当”。", "op-000001", bill.plenary.pk)
    assert first["state"] == "draft" and first["label"] == "第二条"
    assert first["document"] == bill.doc.pk and first["recalled"] is False
    again = write(user, bill.new[1], "建议保留“应当”，不改为“可以”。", "op-000001", bill.plenary)
    assert again["id"] == first["id"]
    row = Opinion.objects.get()
    assert row.text.endswith("不改为“可以”。") and row.sitting == bill.plenary
    assert row.item == bill.item and row.member == bill.member
    assert row.state == Opinion.State.DRAFT and row.submitted_at is None


def test_a_resend_changes_nothing_twice(bill):
    user = bill.member.user
    a = write(user, bill.new[1].pk, "意见一", "op-000002", bill.plenary.pk)
    b = write(user, bill.new[1].pk, "意见一", "op-000002", bill.plenary.pk)
    assert a == b and Opinion.objects.count() == 1
    services.submit_opinion(user, a["id"])
    # a late resend of the same text after the submit: answered, still submitted
    c = write(user, bill.new[1].pk, "意见一", "op-000002", bill.plenary.pk)
    assert c["state"] == "submitted" and Opinion.objects.count() == 1
    # submitting twice answers the same
    assert services.submit_opinion(user, a["id"])["submitted_at"] == c["submitted_at"]


def test_a_submitted_opinion_is_final(bill):
    user = bill.member.user
    op = write(user, bill.new[2].pk, "新增条文很好。", "op-000003", bill.plenary.pk)
    done = services.submit_opinion(user, op["id"])
    assert done["state"] == "submitted" and done["submitted_at"]
    got = refused(write, user, bill.new[2].pk, "改主意了。", "op-000003", bill.plenary.pk)
    assert got["code"] == "opinion_submitted"
    assert got["message"] == "这条意见已提交给工作人员，不能再修改或删除。"
    got = refused(services.delete_draft, user, op["id"])
    assert got["code"] == "opinion_submitted"
    assert Opinion.objects.get().text == "新增条文很好。"


def test_only_the_author_submits_or_deletes(bill, committee):
    op = write(bill.member.user, bill.new[1].pk, "我的意见", "op-000004", bill.plenary.pk)
    for fn in (services.submit_opinion, services.delete_draft):
        got = refused(fn, committee.members[2].user, op["id"])
        assert got["code"] == "not_your_opinion"
        assert got["message"] == "这是其他委员的意见：只有作者本人可以修改、提交或删除。"
    got = refused(services.submit_opinion, committee.staff.user, op["id"])
    assert got["code"] == "not_your_opinion"
    assert Opinion.objects.get().state == "draft"
    # the same client id is each member's own: another member's id makes their own opinion
    theirs = write(
        committee.members[2].user, bill.new[1].pk, "另一意见", "op-000004", bill.plenary.pk
    )
    assert theirs["id"] != op["id"] and Opinion.objects.count() == 2


def test_the_author_deletes_their_draft(bill):
    user = bill.member.user
    op = write(user, bill.new[0].pk, "草稿", "op-000005", bill.plenary.pk)
    assert services.delete_draft(user, op["id"]) == {
        "id": op["id"],
        "client_id": "op-000005",
        "deleted": True,
    }
    assert not Opinion.objects.exists()
    assert refused(services.delete_draft, user, op["id"])["code"] == "not_found"


@pytest.mark.parametrize("who", ["clerk", "staff", "display"])
def test_who_has_no_seat_writes_no_opinion(bill, committee, who):
    user = getattr(committee, who).user
    got = refused(write, user, bill.new[0].pk, "意见", "op-000006", bill.plenary.pk)
    assert got["code"] == "forbidden"
    assert got["message"] == "只有在本次会议就座的组成人员可以对草案提出意见。"
    assert got["details"]["allowed"] == ["chair", "member"]
    assert not Opinion.objects.exists()


def test_the_chair_writes_too(bill, committee):
    op = write(committee.chair.user, bill.new[0].pk, "主持人意见", "op-000007", bill.plenary.pk)
    assert op["state"] == "draft"


def test_only_in_a_sitting_one_sits_in_and_on_its_papers(bill, committee):
    # group B's member in group A's sitting: no seat there
    got = refused(
        write, bill.member2.user, bill.new[0].pk, "意见", "op-000008", committee.group_a_sitting.pk
    )
    assert got["code"] == "forbidden"
    # group B's paper written on from the plenary: not one of the plenary's papers
    got = refused(
        write,
        bill.member2.user,
        bill.other_articles[0].pk,
        "意见",
        "op-000009",
        bill.plenary.pk,
    )
    assert got["code"] == "not_in_sitting"
    assert got["message"] == "该文件不是本次会议的文件；请在它所属的会议中提出意见。"
    # in group B's own sitting it is
    ok = write(
        bill.member2.user, bill.other_articles[0].pk, "意见", "op-000010", committee.group_b_sitting
    )
    assert ok["document"] == bill.other.pk


def test_an_article_of_the_compared_old_version_takes_an_opinion(bill):
    user = bill.member.user
    op = write(
        user,
        bill.old[2].pk,
        "原第三条不宜删除。",
        "op-000011",
        bill.plenary.pk,
        document=bill.doc.pk,
    )
    assert op["document"] == bill.doc.pk and op["version"] == bill.v1.pk
    write(user, bill.new[1].pk, "第二条意见", "op-000012", bill.plenary.pk)
    listed = services.opinions_of(bill.member, bill.v2)
    assert [o["label"] for o in listed] == ["第三条", "第二条"]
    assert services.opinions_of(bill.member2, bill.v2) == []


def test_an_article_no_longer_current_or_of_another_paper(bill, committee):
    from docs_store.services.upload import Upload, replace_version

    user = bill.member.user
    got = refused(
        write, user, bill.other_articles[0].pk, "意见", "op-000013", bill.plenary.pk,
        document=bill.doc.pk,
    )  # fmt: skip
    assert got["code"] == "not_found"
    replace_version(bill.doc, Upload("bill3.pdf", make_pdf(2, "v3")), by=committee.clerk.user)
    got = refused(write, user, bill.new[1].pk, "意见", "op-000014", bill.plenary.pk)
    assert got["code"] == "stale_version"
    assert got["message"].startswith("该条文属于文件的较早版本")
    # the client id used for one article cannot name another
    got = refused(write, user, 10**6, "意见", "op-000014", bill.plenary.pk)
    assert got["code"] == "not_found"


def test_a_client_id_names_one_article(bill):
    user = bill.member.user
    write(user, bill.new[1].pk, "意见", "op-000015", bill.plenary.pk)
    got = refused(write, user, bill.new[2].pk, "别的意见", "op-000015", bill.plenary.pk)
    assert got["code"] == "key_reused"
    assert got["message"] == "这个编号已属于另一条文的意见；未保存。"


def test_bad_text_and_ids_are_refused_precisely(bill):
    user = bill.member.user
    got = refused(write, user, bill.new[1].pk, "  \n ", "op-000016", bill.plenary.pk)
    assert got == {"code": "opinion_empty", "message": "请先写下意见；未保存任何内容。"}
    got = refused(write, user, bill.new[1].pk, "长" * 5001, "op-000016", bill.plenary.pk)
    assert got["code"] == "opinion_too_long"
    assert got["message"] == "一条意见最多 5000 字；这条有 5001 字。"
    got = refused(write, user, bill.new[1].pk, "意见", "short", bill.plenary.pk)
    assert got["code"] == "invalid" and got["details"] == {"field": "client_id"}
    got = refused(write, user, "12", "意见", "op-000016", bill.plenary.pk)
    assert got["code"] == "invalid" and got["details"] == {"field": "article"}
    # ids past any row are no one's (never an overflow in the database)
    assert refused(write, user, 10**30, "意见", "op-000016", bill.plenary.pk)["code"] == "not_found"
    assert refused(write, user, bill.new[1].pk, "意见", "op-000016", 10**30)["code"] == "not_found"
    assert refused(services.submit_opinion, user, 10**30)["code"] == "not_found"
    assert not Opinion.objects.exists()


def test_a_paper_not_yet_distributed_is_no_ones_to_write_on(bill, committee):
    from docs_store.services.upload import Upload, upload_documents

    [draft] = upload_documents(
        committee.session,
        [Upload("d.pdf", make_pdf(1))],
        by=committee.clerk.user,
        item=bill.item,
    )
    [art] = articles(draft.current, OLD[:1])
    got = refused(write, bill.member.user, art.pk, "意见", "op-000017", bill.plenary.pk)
    assert got["code"] == "not_found"


def test_a_recalled_paper_keeps_its_opinions_with_their_author(bill, committee):
    from docs_store.services.distribution import recall

    user = bill.member.user
    draft = write(user, bill.new[1].pk, "还没提交的意见", "op-000018", bill.plenary.pk)
    sent = write(user, bill.new[2].pk, "已提交的意见", "op-000019", bill.plenary.pk)
    services.submit_opinion(user, sent["id"])
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[bill.doc.pk])

    got = refused(write, user, bill.new[0].pk, "新意见", "op-000020", bill.plenary.pk)
    assert got["code"] == "recalled"
    assert got["message"] == (
        "该文件已收回：不能再对它写新意见或修改意见；已写的意见仍保留给您和工作人员。"
    )
    got = refused(write, user, bill.new[1].pk, "改一改", "op-000018", bill.plenary.pk)
    assert got["code"] == "recalled"

    with translation.override("zh-hans"):
        mine = services.my_opinions(user, bill.plenary.pk)
        one = services.reading(user, bill.plenary.pk, bill.doc.pk)
    [entry] = mine["documents"]
    assert entry["recalled"] is True and entry["note"] == "该文件已收回，意见仍保留给您和工作人员"
    assert [(o["label"], o["state"]) for o in entry["opinions"]] == [
        ("第二条", "draft"),
        ("第三条", "submitted"),
    ]
    assert all(o["note"] == entry["note"] for o in entry["opinions"])
    assert one["may_write"] is False and one["recalled"] is True and len(one["opinions"]) == 2
    assert one["draft"] is None and one["comparison"] is None  # the paper's text is gone
    # still the author's own: a draft may yet be submitted (it reaches staff) or deleted
    assert services.submit_opinion(user, draft["id"])["state"] == "submitted"
    assert Opinion.objects.filter(state="submitted").count() == 2


def test_my_opinions_are_mine_and_of_this_sitting(bill, committee):
    write(bill.member.user, bill.new[1].pk, "甲", "op-000021", bill.plenary.pk)
    write(committee.members[2].user, bill.new[1].pk, "乙", "op-000022", bill.plenary.pk)
    mine = services.my_opinions(bill.member.user, bill.plenary.pk)
    assert [o["text"] for d in mine["documents"] for o in d["opinions"]] == ["甲"]
    assert services.my_opinions(bill.member.user, committee.group_a_sitting.pk) == {"documents": []}
