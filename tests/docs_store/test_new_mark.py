"""Issue 25 item 12 a: a distributed document is "新" on a member's list until they open it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _marks(user, sitting) -> dict[int, bool]:
    listing = _client(user).get(f"/docs/sittings/{sitting.pk}/").json()["documents"]
    return {d["id"]: d["new"] for d in listing}


def test_new_until_the_member_opens_it_then_not_again(committee, upload, pdf_bytes):
    plenary, m1, m2 = committee.plenary, committee.members[0], committee.members[1]
    [doc, other] = upload(
        ("a.pdf", pdf_bytes(2, "a")), ("b.pdf", pdf_bytes(2, "b")), distribute=True
    )
    assert _marks(m1.user, plenary) == {doc.pk: True, other.pk: True}
    r = _client(m1.user).post(
        f"/docs/d/{doc.pk}/read/",
        json.dumps({"seconds": 0, "opened": True}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["recorded"] is True
    assert _marks(m1.user, plenary) == {doc.pk: False, other.pk: True}
    assert _marks(m2.user, plenary) == {doc.pk: True, other.pk: True}  # each member their own


def test_drafts_and_the_clerk_see_no_new_mark(committee, upload, pdf_bytes):
    [draft] = upload(("d.pdf", pdf_bytes(1, "d")))
    assert _marks(committee.clerk.user, committee.plenary) == {draft.pk: False}
    assert draft.pk not in _marks(committee.members[0].user, committee.plenary)  # not theirs yet


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_a_tablet_connects_with_carries_the_same_marks(committee, upload, pdf_bytes):
    """The tablet's list comes from the sync's snapshot first: it must mark 新 as the HTTP
    listing does, per member (the shared read is not reused across members)."""
    import time

    from tests.docs_store.test_snapshot_readers import _sync

    plenary, m1, m2 = committee.plenary, committee.members[0], committee.members[1]
    [doc, other] = upload(
        ("a.pdf", pdf_bytes(2, "a")), ("b.pdf", pdf_bytes(2, "b")), distribute=True
    )
    _client(m1.user).post(
        f"/docs/d/{doc.pk}/read/",
        json.dumps({"seconds": 0, "opened": True}),
        content_type="application/json",
    )
    since = time.monotonic()
    for user, want in (
        (m1.user, {doc.pk: False, other.pk: True}),
        (m2.user, {doc.pk: True, other.pk: True}),
    ):
        listed = _sync(user, plenary.pk, since)["documents"]["documents"]
        assert {d["id"]: d["new"] for d in listed} == want
