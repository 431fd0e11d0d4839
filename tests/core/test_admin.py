"""The audit trail in the admin: listed and searched, never added to, edited or deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_trail_is_read_only_and_in_chinese(committee):
    entry = AuditEntry.objects.create(
        actor="书记员",
        role="clerk",
        sitting=committee.plenary,
        session=committee.plenary.session,
        action="agenda.step",
        summary="下一议题",
        data={"direction": "next"},
    )
    c = Client()
    c.force_login(get_user_model().objects.create_superuser("root", password="pw-root"))
    page = c.get("/admin/meeting/auditentry/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "下一议题" in text and "agenda.step" in text
    for label in ("操作日志", "操作人", "角色", "书记员", "操作来源"):
        assert label in text, label
    assert "下一议题" in c.get("/admin/meeting/auditentry/?q=agenda").content.decode()
    view = c.get(f"/admin/meeting/auditentry/{entry.pk}/change/").content.decode()
    assert "&quot;direction&quot;: &quot;next&quot;" in view and 'name="_save"' not in view
    assert c.get("/admin/meeting/auditentry/add/").status_code == 403
    assert c.post(f"/admin/meeting/auditentry/{entry.pk}/change/", {}).status_code == 403
    assert c.post(f"/admin/meeting/auditentry/{entry.pk}/delete/", {"post": "y"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, summary="下一议题").exists()
