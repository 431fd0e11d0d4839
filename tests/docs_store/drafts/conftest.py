"""Drafts fixtures: a bill with two versions (first and second reading) uploaded and read."""

from __future__ import annotations

import pytest

from tests.docs_store.drafts import samples


@pytest.fixture
def bill(committee, upload, rendered):
    """Group A's item 1: 《…（草案）》 v1 (first reading) replaced by v2 (second reading),
    distributed and read (the indexing job reads the articles)."""
    from docs_store.services.upload import Upload, replace_version

    item = committee.group_a_sitting.agenda_items.get(order=1)
    [doc] = upload(("草案.pdf", samples.old_pdf()), item=item, distribute=True)
    replace_version(doc, Upload("草案二审稿.pdf", samples.new_pdf()), by=committee.clerk.user)
    rendered()
    doc.refresh_from_db()
    ns = type("Bill", (), {})()
    ns.doc, ns.item = doc, item
    ns.v1 = doc.versions.get(number=1)
    ns.v2 = doc.versions.get(number=2)
    return ns


@pytest.fixture
def clerk_actor(committee):
    from core import policy

    return policy.Acting(role="clerk", user_id=committee.clerk.user.pk)
