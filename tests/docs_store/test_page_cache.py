"""Page images: ``304`` to a tablet whose copy is current, nginx sends them behind it.

A 65-tablet room revalidates every page it shows (``no-cache``: a recall must stop
reads), so a matching ``If-None-Match`` is answered ``304`` — after the access check,
never instead of it. With ``settings.X_ACCEL`` the view answers ``X-Accel-Redirect`` to
nginx's internal ``/_protected/pages/`` (deploy/nginx/yiting.conf.in), which is the
folder the renderer writes (tests/deploy/test_nginx_tls.py serves one through nginx).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from docs_store import storage

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page(doc) -> str:
    return f"/docs/d/{doc.pk}/v/{doc.current.number}/p/1/800.jpg"


def test_a_current_copy_gets_304_and_nothing_else(committee, docs):
    c = _client(committee.members[0].user)
    first = c.get(_page(docs.session_doc))
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    etag = first["ETag"]
    assert b"".join(first.streaming_content)[:2] == b"\xff\xd8"  # the JPEG itself

    again = c.get(_page(docs.session_doc), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == "private, no-cache"
    weak = c.get(_page(docs.session_doc), headers={"If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    other = c.get(_page(docs.session_doc), headers={"If-None-Match": '"another-page"'})
    assert other.status_code == 200


def test_the_access_check_comes_before_the_304(committee, docs):
    etag = _client(committee.clerk.user).get(_page(docs.group_doc))["ETag"]
    outsider = _client(committee.members[1].user)  # another group: may not read it
    resp = outsider.get(_page(docs.group_doc), headers={"If-None-Match": etag})
    assert resp.status_code == 403
    gone_etag = _client(committee.clerk.user).get(_page(docs.gone))["ETag"]
    resp = _client(committee.members[0].user).get(
        _page(docs.gone), headers={"If-None-Match": gone_etag}
    )
    assert resp.status_code == 410 and resp.json()["code"] == "recalled"


def test_behind_nginx_the_file_is_named_for_x_accel(committee, docs, settings):
    settings.X_ACCEL = True
    c = _client(committee.members[0].user)
    resp = c.get(_page(docs.session_doc))
    v = docs.session_doc.current
    assert resp.status_code == 200 and resp.content == b""
    assert resp["X-Accel-Redirect"] == f"/_protected/pages/{v.sha256}/800/1.jpg"
    assert resp["Content-Type"] == "image/jpeg" and resp["ETag"]
    # nginx's /_protected/pages/ is <data>/docs/pages/: the renderer's file is there
    rel = resp["X-Accel-Redirect"].removeprefix("/_protected/pages/")
    assert (Path(settings.DATA_DIR) / "docs" / "pages" / rel) == storage.page_path(v.sha256, 1, 800)
    assert storage.page_path(v.sha256, 1, 800).exists()
    assert (
        c.get(_page(docs.session_doc), headers={"If-None-Match": resp["ETag"]}).status_code == 304
    )


def test_a_confidential_page_is_never_cached_nor_sent_by_nginx(committee, docs, settings):
    settings.X_ACCEL = True
    c = _client(committee.members[0].user)
    resp = c.get(_page(docs.secret), headers={"If-None-Match": "*"})
    assert resp.status_code == 200 and "X-Accel-Redirect" not in resp
    assert resp["Cache-Control"] == "private, no-store" and resp.content[:2] == b"\xff\xd8"
