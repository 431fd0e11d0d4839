"""Briefs in the admin: listed with their state in Chinese, never edited there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from meeting.briefs.models import Brief

pytestmark = pytest.mark.django_db


def test_briefs_are_listed_read_only(committee):
    s = committee.group_a_sitting
    brief = Brief.objects.create(
        session=s.session,
        sitting=s,
        number=3,
        title="第一组审议情况",
        compiled_by=committee.staff.user,
    )
    c = Client()
    c.force_login(get_user_model().objects.create_superuser("root", password="pw-root"))
    page = c.get("/admin/briefs/brief/")
    text = page.content.decode()
    assert page.status_code == 200 and "第一组审议情况" in text
    for label in ("简报", "期号", "草稿", "状态"):
        assert label in text, label
    assert "第一组审议情况" not in c.get("/admin/briefs/brief/?state=released").content.decode()
    view = c.get(f"/admin/briefs/brief/{brief.pk}/change/").content.decode()
    assert "第一组审议情况" in view and 'name="_save"' not in view
    assert c.get("/admin/briefs/brief/add/").status_code == 403
    assert c.post(f"/admin/briefs/brief/{brief.pk}/change/", {}).status_code == 403
    assert c.post(f"/admin/briefs/brief/{brief.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Brief.objects.filter(pk=brief.pk).exists()
