"""The demo's documents: attached to every sitting's items, distributed, rendered once."""

from __future__ import annotations

import pytest

from docs_store.models import Document, Rendition
from jobs.runner import run_until_idle

pytestmark = pytest.mark.django_db


def test_demo_documents_are_attached_distributed_and_render(settings):
    from meeting.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = load_demo(members=12)
    sittings = len(out.sittings)
    assert Document.objects.count() == 3 * sittings
    assert set(Document.objects.values_list("state", flat=True)) == {"distributed"}
    assert Rendition.objects.count() == 3  # same content in every sitting: rendered once
    load_demo(members=12)
    assert Document.objects.count() == 3 * sittings  # idempotent
    run_until_idle()
    assert all(r.ready for r in Rendition.objects.all())
    assert Document.objects.filter(access="confidential").count() == sittings
