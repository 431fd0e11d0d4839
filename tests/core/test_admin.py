"""The audit trail in the admin: listed and searched, never added to, edited or deleted."""

from __future__ import annotations

import re

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


def test_the_admin_index_names_every_app_and_list_in_chinese():
    """The lists' and apps' names, as the superuser's admin index heads them (not "文件s")."""
    from django.apps import apps
    from django.contrib import admin
    from django.utils import translation

    with translation.override("zh-hans"):
        for model in admin.site._registry:
            app = apps.get_app_config(model._meta.app_label)
            for words in (app.verbose_name, model._meta.verbose_name_plural):
                assert not re.search(r"[A-Za-z]{2,}", str(words)), (model._meta.label, words)
        assert str(admin.site.site_header) == "议厅 系统管理"
