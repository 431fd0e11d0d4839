"""The staff pages of opinions: submitted opinions by article (never a draft), filterable,
in Chinese, linked to the members' records; the ties' JSON; a brief's arrangement."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from meeting.briefs.models import Brief
from meeting.briefs.services.briefs import create_brief
from meeting.opinions.models import ArticleBrief, SpeechArticle
from tests.meeting.opinions.staff_fixtures import build, make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(committee, settings):
    return build(committee, settings)


ZH = override_settings(LANGUAGE_CODE="zh-hans")


@pytest.fixture
def opinions(drafted):
    ns = drafted
    make_opinion(ns.m["委员1"], ns.new["第四条"], "建议保留“应当”。")
    make_opinion(ns.m["委员2"], ns.new["第二条"], "赞成新增。")
    make_opinion(ns.m["委员3"], ns.new["第二条"], "秘密草稿不给工作人员看。", submitted=False)
    return ns


@ZH
def test_the_page_lists_submitted_opinions_by_article_in_chinese(opinions, client):
    ns = opinions
    client.force_login(ns.staff.user)
    page = client.get(f"/opinions/staff/documents/{ns.doc.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert "建议保留“应当”。" in html and "赞成新增。" in html
    assert "秘密草稿不给工作人员看。" not in html
    assert html.index('data-label="第二条"') < html.index('data-label="第四条"')
    assert f'href="/media/members/{ns.m["委员1"].pk}/record/"' in html
    assert "审议意见" in html and "按条文" in html and "Opinions by article" not in html
    assert "2026-11-24 14:30" in html  # the submission in TIME_ZONE


@ZH
def test_the_filter_and_a_recalled_documents_note(opinions, client):
    ns = opinions
    client.force_login(ns.staff.user)
    html = client.get(
        f"/opinions/staff/documents/{ns.doc.pk}/?member={ns.m['委员2'].pk}"
    ).content.decode()
    assert "赞成新增。" in html and "建议保留“应当”。" not in html
    ns.doc.state = "recalled"
    ns.doc.save(update_fields=["state"])
    html = client.get(f"/opinions/staff/documents/{ns.doc.pk}/").content.decode()
    assert 'id="recalled-note"' in html and "建议保留“应当”。" in html


def test_members_and_the_clerk_get_403(opinions, client):
    ns = opinions
    for who in (ns.members[0], ns.clerk, ns.chair):
        client.force_login(who.user)
        assert client.get(f"/opinions/staff/documents/{ns.doc.pk}/").status_code == 403
        assert client.get("/opinions/staff/").status_code == 403
        resp = client.post(
            f"/opinions/staff/speeches/{ns.sp1.pk}/ties",
            json.dumps({"articles": [ns.new["第四条"].pk]}),
            content_type="application/json",
        )
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
    assert not SpeechArticle.objects.exists()


def test_index_and_item_pages(opinions, client):
    ns = opinions
    client.force_login(ns.staff.user)
    html = client.get("/opinions/staff/").content.decode()
    assert f'data-document="{ns.doc.pk}"' in html
    resp = client.get(f"/opinions/staff/items/{ns.group_item.pk}/")
    assert resp.status_code == 302 and resp["Location"] == f"/opinions/staff/documents/{ns.doc.pk}/"


def test_the_ties_json_ties_a_stretch_to_two_articles_and_unties(opinions, client):
    ns = opinions
    client.force_login(ns.staff.user)
    url = f"/opinions/staff/speeches/{ns.sp1.pk}/ties"
    body = {"articles": [ns.new["第二条"].pk, ns.new["第四条"].pk], "start_s": 31, "end_s": 65}
    resp = client.post(url, json.dumps(body), content_type="application/json")
    assert resp.status_code == 200
    chips = [t["chip"] for t in resp.json()["ties"]]
    assert chips == ["第二条 00:31–01:05", "第四条 00:31–01:05"]
    bad = client.post(
        url,
        json.dumps({"articles": [ns.new["第二条"].pk], "start_s": 80, "end_s": 200}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_stretch"
    tie = resp.json()["ties"][0]["id"]
    after = client.post(f"/opinions/staff/ties/{tie}/delete")
    assert [t["chip"] for t in after.json()["ties"]] == ["第四条 00:31–01:05"]


def test_the_brief_page_offers_the_arrangement_and_shows_articles(opinions, client):
    ns = opinions
    brief = create_brief(ns.staff.user, sitting=ns.group_a_sitting)
    client.force_login(ns.staff.user)
    html = client.get(f"/briefs/{brief.pk}/").content.decode()
    assert 'id="brief-arrangement"' in html and f'value="{ns.v2.pk}"' in html
    resp = client.post(f"/opinions/staff/briefs/{brief.pk}/arrangement", {"version": ns.v2.pk})
    assert resp.status_code == 302 and ArticleBrief.objects.get(brief=brief).version_id == ns.v2.pk
    html = client.get(f"/briefs/{brief.pk}/").content.decode()
    assert "关于第四条" in html and "建议保留“应当”。" in html
    client.force_login(ns.members[0].user)
    assert (
        client.post(f"/opinions/staff/briefs/{brief.pk}/arrangement", {"version": ""}).status_code
        == 403
    )
    assert Brief.objects.get(pk=brief.pk).by_article.version_id == ns.v2.pk


def test_the_speaking_log_shows_the_ties_and_the_items_articles(opinions, client):
    ns = opinions
    client.force_login(ns.staff.user)
    client.post(
        f"/opinions/staff/speeches/{ns.sp1.pk}/ties",
        json.dumps({"articles": [ns.new["第四条"].pk], "start_s": 31, "end_s": 65}),
        content_type="application/json",
    )
    html = client.get(f"/briefs/sittings/{ns.group_a_sitting.pk}/").content.decode()
    assert f'id="ties-{ns.sp1.pk}"' in html and "第四条 00:31–01:05" in html
    assert html.count('class="tie-article"') == 2 * len(ns.new)  # sp1 and sp3 on item 1
