"""The tablet's HTTP side of opinions (meeting/opinions/views.py): JSON in, JSON out.

Write (and resend), list, submit, delete, each refusal with its code, its Chinese
sentence and the HTTP status the docs name; ids past any row answer 404, not 500.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from harness.actors import CLERK as CLERK_ACTING
from meeting.opinions.models import Opinion
from tests.meeting.opinions.member_drafts import build_bill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bill(committee):
    return build_bill(committee)


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def post(c: Client, url: str, data: dict | str | None = None):
    body = data if isinstance(data, str) else json.dumps(data or {})
    return c.post(url, body, content_type="application/json")


def doc_url(bill) -> str:
    return f"/opinions/sittings/{bill.plenary.pk}/d/{bill.doc.pk}/"


def test_write_list_submit(bill):
    c = client_for(bill.member.user)
    data = {"article": bill.new[1].pk, "text": "建议保留“应当”。", "client_id": "tab-0000001"}
    r = post(c, doc_url(bill), data)
    assert r.status_code == 200, r.content
    op = r.json()["opinion"]
    assert op["state"] == "draft" and op["label"] == "第二条"
    assert post(c, doc_url(bill), data).json()["opinion"] == op  # a resend
    listed = c.get(doc_url(bill)).json()
    assert listed["may_write"] is True and [o["id"] for o in listed["opinions"]] == [op["id"]]
    r = post(c, f"/opinions/{op['id']}/submit/")
    assert r.status_code == 200 and r.json()["opinion"]["state"] == "submitted"
    mine = c.get(f"/opinions/sittings/{bill.plenary.pk}/mine/").json()
    assert mine["documents"][0]["opinions"][0]["state"] == "submitted"
    r = post(c, doc_url(bill), {**data, "text": "改了"})
    assert r.status_code == 409 and r.json()["code"] == "opinion_submitted"
    assert r.json()["message"] == "这条意见已提交给工作人员，不能再修改或删除。"


def test_delete_own_draft_not_anothers(bill, committee):
    c = client_for(bill.member.user)
    data = {"article": bill.new[0].pk, "text": "草稿", "client_id": "tab-0000002"}
    op = post(c, doc_url(bill), data).json()["opinion"]
    other = client_for(committee.members[2].user)
    r = post(other, f"/opinions/{op['id']}/delete/")
    assert r.status_code == 403 and r.json()["code"] == "not_your_opinion"
    r = post(c, f"/opinions/{op['id']}/delete/")
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert not Opinion.objects.exists()


def test_refusals_and_their_statuses(bill, committee):
    from docs_store.services.distribution import recall
    from harness.actors import CLERK

    anon = client_for(None)
    r = post(anon, doc_url(bill), {"article": 1, "text": "x", "client_id": "tab-0000003"})
    assert r.status_code == 401 and r.json()["code"] == "not_logged_in"
    staff = client_for(committee.staff.user)
    r = post(
        staff, doc_url(bill), {"article": bill.new[0].pk, "text": "x", "client_id": "tab-0000003"}
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    c = client_for(bill.member.user)
    r = post(c, doc_url(bill), {"article": bill.new[0].pk, "text": " ", "client_id": "tab-0000003"})
    assert r.status_code == 400 and r.json()["code"] == "opinion_empty"
    r = post(c, doc_url(bill), "[1, 2]")
    assert r.status_code == 400 and r.json()["code"] == "bad_json"
    r = post(c, doc_url(bill), {"article": 10**30, "text": "x", "client_id": "tab-0000003"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert post(c, "/opinions/99999999999999999999999/submit/").status_code == 404
    huge = "/opinions/sittings/99999999999999999999999/d/1/"
    assert c.get(huge).status_code == 404
    # a paper not (or no longer) in the sitting: said, with nothing of the paper, and not
    # a 404 the tablet's browser would log as an error when a placement is taken off
    other = c.get(f"/opinions/sittings/{bill.plenary.pk}/d/{bill.other.pk}/")
    assert other.status_code == 200
    assert other.json() == {
        "document": bill.other.pk, "in_sitting": False, "draft": None, "comparison": None,
        "opinions": [], "may_write": False,
    }  # fmt: skip
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[bill.doc.pk])
    r = post(c, doc_url(bill), {"article": bill.new[0].pk, "text": "x", "client_id": "tab-0000004"})
    assert r.status_code == 410 and r.json()["code"] == "recalled"
    assert r.json()["message"].startswith("该文件已收回")
    assert c.get(f"/opinions/sittings/{bill.plenary.pk}/mine/").status_code == 200
    assert c.post(f"/opinions/sittings/{bill.plenary.pk}/mine/").status_code == 405


def test_reading_gives_articles_the_comparison_with_ids_and_my_opinions(bill, committee):
    c = client_for(bill.member.user)
    post(c, doc_url(bill), {"article": bill.new[1].pk, "text": "意见", "client_id": "tab-0000005"})
    data = c.get(doc_url(bill)).json()
    assert data["version"] == 2 and data["may_write"] is True
    assert [a["label"] for a in data["draft"]["articles"]] == [
        f"第{n}条" for n in "一二三四五六七八"
    ]
    assert data["draft"]["articles"][1]["id"] == bill.new[1].pk
    pairs = data["comparison"]["pairs"]
    assert [p["status"] for p in pairs] == [
        "unchanged", "modified", "deleted", "added", "added", "unchanged", "moved",
        "unchanged", "unchanged",
    ]  # fmt: skip
    deleted = pairs[2]
    assert deleted["old_id"] == bill.old[2].pk and deleted["new_id"] is None
    assert deleted["page"] == 1  # where it stood: before the new 第三条, on page 1
    assert pairs[6]["new_id"] == bill.new[5].pk and pairs[6]["page"] == 2
    assert [a["id"] for a in data["comparison"]["old_list"]] == [a.pk for a in bill.old]
    assert [o["label"] for o in data["opinions"]] == ["第二条"]
    # the clerk reads the comparison, with no opinions of their own
    clerk = client_for(committee.clerk.user).get(doc_url(bill)).json()
    assert clerk["comparison"]["pairs"] == pairs and clerk["opinions"] == []
    assert clerk["may_write"] is False
    # the wall display may not read a committee paper; an outsider has no role there
    assert client_for(committee.display.user).get(doc_url(bill)).status_code == 403
    assert client_for(committee.outsider).get(doc_url(bill)).status_code == 403


def test_reading_a_real_draft_compared_by_the_drafts_service(committee):
    """The wiring with docs_store.drafts: PDFs read into articles and compared there."""
    from core.policy import Acting
    from docs_store.drafts import services as drafts
    from docs_store.drafts.sample import articles as blocks
    from docs_store.drafts.sample import draft_pdf
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, replace_version, upload_documents

    old = ["处理个人信息应当遵循合法、正当、必要原则，不得过度处理。",
           "任何组织、个人不得非法收集、使用、加工、传输他人个人信息。",
           "本条例自公布之日起施行，由省人民代表大会常务委员会负责解释。"]  # fmt: skip
    new = [old[0].replace("应当", "必须"), "县级以上人民政府应当建立数据安全协调机制，统筹数据工作。",
           old[1], old[2]]  # fmt: skip
    clerk = committee.clerk.user
    item = committee.plenary.agenda_items.get(order=1)
    [doc] = upload_documents(
        committee.session,
        [Upload("v1.pdf", draft_pdf("某某条例（草案）", blocks(old)), "某某条例（草案）")],
        by=clerk,
        item=item,
    )
    distribute(committee.session, actor=CLERK_ACTING, by=clerk, ids=[doc.pk])
    v1 = doc.current
    v2 = replace_version(
        doc, Upload("v2.pdf", draft_pdf("某某条例（草案）", blocks(new))), by=clerk
    )
    for v in (v1, v2):
        drafts.read_version(v)
    drafts.mark_comparison(Acting(role="clerk", user_id=clerk.pk), v2, v1)
    c = client_for(committee.members[0].user)
    data = c.get(f"/opinions/sittings/{committee.plenary.pk}/d/{doc.pk}/").json()
    assert data["comparison"]["status"] == "ready"
    by_new = {p["new"]: p for p in data["comparison"]["pairs"]}
    assert by_new["第一条"]["status"] == "modified" and by_new["第二条"]["status"] == "added"
    ids = {a["label"]: a["id"] for a in data["draft"]["articles"]}
    assert by_new["第三条"]["new_id"] == ids["第三条"] and by_new["第三条"]["old"] == "第二条"
    body = {"article": ids["第二条"], "text": "赞成新增。", "client_id": "tab-0000006"}
    r = post(c, f"/opinions/sittings/{committee.plenary.pk}/d/{doc.pk}/", body)
    assert r.status_code == 200 and r.json()["opinion"]["label"] == "第二条"


def test_a_comparison_with_a_paper_the_reader_may_not_read_is_not_shown(bill, committee):
    from docs_store.drafts.models import DraftComparison

    # the clerk compared the bill with group B's paper: group A's m1 may not read that one
    DraftComparison.objects.filter(new_version=bill.v2).update(old_version=bill.other.current)
    url = doc_url(bill)
    assert client_for(bill.member.user).get(url).json()["comparison"] is None
    seen = client_for(bill.member2.user).get(url).json()["comparison"]  # m2 sits in group B
    assert seen is not None and seen["old"]["document"] == bill.other.pk
