"""Articles, comparisons and the table over HTTP: checked as the document's pages are."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest
from django.test import Client

from core.models import AuditEntry
from docs_store.drafts.models import DraftComparison

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def base(doc, number: int) -> str:
    return f"/docs/d/{doc.pk}/v/{number}"


def mark(client, bill):
    return client.post(
        f"{base(bill.doc, 2)}/comparison/",
        json.dumps({"old_document": bill.doc.pk, "old_version": 1}),
        content_type="application/json",
    )


def test_the_clerk_marks_and_everyone_in_the_sitting_reads(committee, bill):
    clerk = client_for(committee.clerk.user)
    resp = mark(clerk, bill)
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert (data["status"], data["warning"], data["old_articles"], data["new_articles"]) == (
        "ready",
        False,
        12,
        12,
    )
    assert data["pdf"] == f"{base(bill.doc, 2)}/comparison.pdf"
    m1 = client_for(committee.members[0].user)  # group A: reads the paper
    got = m1.get(f"{base(bill.doc, 2)}/comparison/").json()
    assert got["pairs"] == data["pairs"] and got["counts"]["moved"] == 1
    arts = m1.get(f"{base(bill.doc, 2)}/articles/").json()
    assert (arts["status"], arts["count"]) == ("parsed", 12)
    assert arts["articles"][6]["label"] == "第六条之一"
    # the earlier version's articles are the clerk's (readers see the current one only)
    assert m1.get(f"{base(bill.doc, 1)}/articles/").status_code == 404
    assert clerk.get(f"{base(bill.doc, 1)}/articles/").json()["count"] == 12


def test_no_comparison_is_said_plainly(committee, bill):
    resp = client_for(committee.members[0].user).get(f"{base(bill.doc, 2)}/comparison/")
    assert resp.status_code == 200 and resp.json()["status"] == "none"


@pytest.mark.parametrize(
    ("who", "status"),
    [("m2", 403), ("outsider", 404), ("anonymous", 401), ("m1", 200)],
)
def test_access_as_for_pages(committee, bill, who, status):
    mark(client_for(committee.clerk.user), bill)
    user = {
        "m1": committee.members[0].user,  # group A
        "m2": committee.members[1].user,  # group B: not this sitting's paper
        "outsider": committee.outsider,
        "anonymous": None,
    }[who]
    c = client_for(user)
    page = c.get(f"{base(bill.doc, 2)}/p/1/800.jpg")
    for url in ("comparison/", "articles/", "comparison.pdf", "comparison.docx"):
        got = c.get(f"{base(bill.doc, 2)}/{url}")
        assert got.status_code == status, (url, got.content[:200])
        assert (got.status_code == 200) == (page.status_code == 200)


def test_a_recalled_paper_is_refused(committee, bill):
    from docs_store.services.distribution import recall
    from harness.actors import CLERK

    mark(client_for(committee.clerk.user), bill)
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[bill.doc.pk])
    m1 = client_for(committee.members[0].user)
    for url in ("comparison/", "articles/", "comparison.pdf"):
        resp = m1.get(f"{base(bill.doc, 2)}/{url}")
        assert resp.status_code == 410 and resp.json()["code"] == "recalled"
    assert (
        client_for(committee.clerk.user).get(f"{base(bill.doc, 2)}/comparison/").status_code == 200
    )


def test_a_confidential_table_is_not_downloaded_by_members(committee, bill):
    bill.doc.access = "confidential"
    bill.doc.save()
    mark(client_for(committee.clerk.user), bill)
    m1 = client_for(committee.members[0].user)
    assert m1.get(f"{base(bill.doc, 2)}/comparison/").status_code == 200  # read on screen
    resp = m1.get(f"{base(bill.doc, 2)}/comparison.pdf")
    assert resp.status_code == 403 and resp.json()["code"] == "confidential_no_download"
    assert (
        client_for(committee.clerk.user).get(f"{base(bill.doc, 2)}/comparison.pdf").status_code
        == 200
    )


def test_members_may_not_mark(committee, bill):
    resp = mark(client_for(committee.members[0].user), bill)
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert not DraftComparison.objects.exists()
    assert not AuditEntry.objects.filter(action="drafts.compare").exists()


def test_unmark_over_http(committee, bill):
    clerk = client_for(committee.clerk.user)
    mark(clerk, bill)
    assert clerk.delete(f"{base(bill.doc, 2)}/comparison/").json()["status"] == "none"
    assert not DraftComparison.objects.exists()


def test_downloads_have_chinese_names(committee, bill):
    from docx import Document as Docx
    from pypdf import PdfReader

    clerk = client_for(committee.clerk.user)
    mark(clerk, bill)
    pdf = clerk.get(f"{base(bill.doc, 2)}/comparison.pdf?unchanged=show")
    assert pdf["Content-Type"] == "application/pdf"
    name = quote(f"{bill.doc.title}修改对照表.pdf")
    assert pdf["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "原条文" in text and "修改后条文" in text
    docx = clerk.get(f"{base(bill.doc, 2)}/comparison.docx")
    assert docx["Content-Disposition"].endswith(quote("修改对照表.docx"))
    cells = [c.text for row in Docx(io.BytesIO(docx.content)).tables[0].rows for c in row.cells]
    assert "原条文" in cells[0]
    bad = clerk.get(f"{base(bill.doc, 2)}/comparison.pdf?unchanged=maybe")
    assert bad.status_code == 400


def test_the_consoles_overview(committee, bill):
    mark(client_for(committee.clerk.user), bill)
    url = f"/docs/sittings/{committee.group_a_sitting.pk}/drafts/"
    data = client_for(committee.clerk.user).get(url).json()
    [doc] = [d for d in data["documents"] if d["id"] == bill.doc.pk]
    v1, v2 = doc["versions"]
    assert (v1["reading"], v1["articles"], v1["comparison"]) == ("parsed", 12, None)
    assert v2["comparison"]["status"] == "ready" and "pairs" not in v2["comparison"]
    assert v2["comparison"]["docx"].endswith("comparison.docx")
    assert client_for(committee.members[0].user).get(url).status_code == 403
