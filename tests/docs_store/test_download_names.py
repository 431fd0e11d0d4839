"""A paper and a reader's annotated copy download under the paper's title (issue 28):
《条例》.pdf and 《条例》批注.pdf, with the English names kept as the ASCII stand-in."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.docs_store.test_ink import stroke
from tests.downloads import download_name

pytestmark = pytest.mark.django_db


def test_the_paper_and_its_annotations_are_named_by_its_title(committee, upload, pdf_bytes):
    [doc] = upload(("bill.pdf", pdf_bytes(2, "bill")), distribute=True)
    doc.title = "某省数据条例（草案）"
    doc.save(update_fields=["title"])
    c = Client()
    c.force_login(committee.members[0].user)
    named = download_name(c.get(f"/docs/d/{doc.pk}/v/1/pdf"))
    assert named == ("attachment", f"document-{doc.pk}-v1.pdf", "《某省数据条例（草案）》.pdf")
    ink = {"version": 1, "page": 1, "stroke": stroke(1)}
    c.post(f"/docs/d/{doc.pk}/ink/", json.dumps(ink), content_type="application/json")
    named = download_name(c.get(f"/docs/d/{doc.pk}/annotated.pdf"))
    assert named == (
        "attachment",
        f"document-{doc.pk}-annotations.pdf",
        "《某省数据条例（草案）》批注.pdf",
    )
