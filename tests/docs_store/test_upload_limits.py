"""Uploads over the limit are stopped while they stream: memory stays bounded.

Before, the view read each file whole (``f.read()``) and only then compared its size;
a refused 201 MB upload raised the server's peak memory by ~1.7 GB. The peak traced
Python allocation while the view handles a 40 MB refused upload must stay far below it.
"""

from __future__ import annotations

import io
import re
import tracemalloc

import pytest
from django.test import RequestFactory

from docs_store import views
from docs_store.models import Document

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
MB = 1024 * 1024


def _request(committee, size: int):
    f = io.BytesIO(b"%PDF-1.7\n" + b"0" * size)
    f.name = "大文件.pdf"
    request = RequestFactory().post(
        f"/docs/sessions/{committee.session.pk}/upload/",
        {"files": [f]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    request.user = committee.clerk.user
    return request


def _handle(committee, request) -> tuple[object, int]:
    tracemalloc.start()
    try:
        resp = views.upload(request, committee.session.pk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return resp, peak


@pytest.mark.parametrize(
    ("limit_mb", "why"),
    [(4, "one file passes the limit while streaming"), (1, "Content-Length over the cap")],
)
def test_refused_upload_is_stopped_while_streaming(committee, settings, limit_mb, why):
    settings.YITING_DOCS_MAX_BYTES = limit_mb * MB
    request = _request(committee, 40 * MB)  # built before measuring: the client's bytes
    resp, peak = _handle(committee, request)
    assert resp.status_code == 413, resp.content[:300]
    import json

    body = json.loads(resp.content)
    assert body["code"] == "pdf_too_large" and CJK.search(body["message"]), body
    assert body["details"]["limit"] in (settings.YITING_DOCS_MAX_BYTES, 2 * limit_mb * MB + MB)
    assert not Document.objects.exists()
    assert peak < 12 * MB, f"{why}: peak {peak / MB:.1f} MB for a 40 MB refused upload"


def test_an_upload_within_the_limit_still_works(committee, settings):
    from tests.docs_store.conftest import make_pdf

    f = io.BytesIO(make_pdf(2))
    f.name = "议程.pdf"
    request = RequestFactory().post(
        f"/docs/sessions/{committee.session.pk}/upload/", {"files": [f], "item": ""}
    )
    request.user = committee.clerk.user
    resp = views.upload(request, committee.session.pk)
    assert resp.status_code == 201, resp.content


@pytest.mark.parametrize("item", ["99999999999999999999999", "²", "-1", "x"])
def test_a_bad_agenda_item_names_the_field(committee, item):
    from tests.docs_store.conftest import make_pdf

    f = io.BytesIO(make_pdf(1))
    f.name = "议程.pdf"
    request = RequestFactory().post(
        f"/docs/sessions/{committee.session.pk}/upload/",
        {"files": [f], "item": item},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    request.user = committee.clerk.user
    resp = views.upload(request, committee.session.pk)
    import json

    body = json.loads(resp.content)
    assert resp.status_code == 400 and body["code"] == "invalid", body
    assert body["details"]["field"] == "item" and CJK.search(body["message"])
