"""Search over HTTP: the JSON a tablet gets, and the refusals with their status."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BILL = [["第一条 为了规范数据处理活动，保障数据安全。"], ["第二条 本法所称数据。"]]


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_results_name_document_page_and_snippet(committee, indexed):
    doc = indexed(BILL)
    resp = _client(committee.members[0].user).get(
        f"/docs/sittings/{committee.plenary.pk}/search/", {"q": "数据安全"}
    )
    assert resp.status_code == 200
    [hit] = resp.json()["results"]
    assert (hit["document"], hit["page"], hit["version"], hit["count"]) == (doc.pk, 1, 1, 1)
    assert {"text": "数据安全", "hit": True} in hit["snippet"]
    boxes = _client(committee.members[0].user).get(hit["boxes_url"], {"q": "数据安全"}).json()
    assert len(boxes["boxes"]) == 1 and all(0 <= v <= 1 for v in boxes["boxes"][0])


@pytest.mark.parametrize(
    ("q", "status", "code"),
    [("x" * 101, 400, "query_too_long"), ("!!!", 400, "query_empty")],
)
def test_bad_queries_answer_400_with_the_code(committee, indexed, q, status, code):
    indexed(BILL)
    resp = _client(committee.members[0].user).get(
        f"/docs/sittings/{committee.plenary.pk}/search/", {"q": q}
    )
    assert (resp.status_code, resp.json()["code"]) == (status, code)


def test_anonymous_and_outsiders_find_nothing(committee, indexed):
    indexed(BILL)
    url = f"/docs/sittings/{committee.group_a_sitting.pk}/search/"
    assert _client().get(url, {"q": "数据"}).status_code == 401
    assert _client(committee.outsider).get(url, {"q": "数据"}).status_code == 404
    # m2 sits in group B, not in group A's sitting
    assert _client(committee.members[1].user).get(url, {"q": "数据"}).status_code == 404
