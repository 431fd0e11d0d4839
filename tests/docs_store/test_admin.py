"""The admin uploads through the same checks as the console; a refusal stores nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from docs_store.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db


def inlines(doc=None) -> dict:
    """The inline management forms the admin page posts (read-only rows)."""
    out = {}
    for prefix, rows in (
        ("versions", list(doc.versions.all()) if doc else []),
        ("actions", list(doc.actions.all()) if doc else []),
    ):
        out.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)})
        out.update({f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            out.update({f"{prefix}-{i}-id": row.pk, f"{prefix}-{i}-document": doc.pk})
    return out


@pytest.fixture
def admin_client(committee):
    user = get_user_model().objects.create_superuser("root", password="x")
    c = Client()
    c.force_login(user)
    return c


def test_admin_upload_of_several_files(admin_client, committee, pdf_bytes):
    files = [
        SimpleUploadedFile("a.pdf", pdf_bytes(2, "A"), "application/pdf"),
        SimpleUploadedFile("b.pdf", pdf_bytes(3, "B"), "application/pdf"),
    ]
    resp = admin_client.post(
        "/admin/docs_store/document/add/",
        {
            "session": committee.session.pk,
            "title": "",
            "order": 0,
            "access": "public",
            "files": files,
            **inlines(),
        },
    )
    assert resp.status_code == 302, resp.context["errors"]
    assert sorted(Document.objects.values_list("title", "access")) == [
        ("A", "public"),
        ("B", "public"),
    ]
    assert DocumentVersion.objects.count() == 2


def test_admin_refuses_a_bad_file_and_stores_nothing(admin_client, committee):
    bad = SimpleUploadedFile("bad.pdf", b"not a pdf", "application/pdf")
    resp = admin_client.post(
        "/admin/docs_store/document/add/",
        {
            "session": committee.session.pk,
            "title": "x",
            "order": 0,
            "access": "public",
            "files": [bad],
            **inlines(),
        },
        follow=True,
    )
    html = resp.content.decode()
    assert "ad.pdf: 这不是 PDF 文件" in html  # the zh-hans message (the admin capitalises)
    assert Document.objects.count() == 0 and DocumentVersion.objects.count() == 0


def test_admin_new_version(admin_client, committee, upload, pdf_bytes):
    [doc] = upload(("v1.pdf", pdf_bytes(1)))
    resp = admin_client.post(
        f"/admin/docs_store/document/{doc.pk}/change/",
        {
            "title": doc.title,
            "order": doc.order,
            "access": doc.access,
            "files": [SimpleUploadedFile("v2.pdf", pdf_bytes(4), "application/pdf")],
            **inlines(doc),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    doc.refresh_from_db()
    assert doc.current.number == 2 and doc.current.pages == 4
