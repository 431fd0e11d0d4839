"""New versions keep history and tell tablets; private notes; read receipts; HTTP upload."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core.errors import DomainError
from docs_store.models import Document, DocumentVersion, PageNote, ReadReceipt
from docs_store.services.receipts import MAX_SLICE_S
from docs_store.services.upload import Upload, replace_version
from realtime.models import SittingEvent

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_new_version_keeps_history_and_announces_the_change(committee, upload, pdf_bytes):
    [doc] = upload(("v1.pdf", pdf_bytes(2, "v1")), distribute=True)
    before = SittingEvent.objects.filter(type="documents.changed").count()
    v2 = replace_version(doc, Upload("v2.pdf", pdf_bytes(3, "v2")), by=committee.clerk.user)
    doc.refresh_from_db()
    assert (v2.number, doc.current_id, doc.current.pages) == (2, v2.pk, 3)
    assert list(doc.versions.values_list("number", "filename")) == [(1, "v1.pdf"), (2, "v2.pdf")]
    changed = SittingEvent.objects.filter(type="documents.changed").order_by("pk")[before:]
    assert len(changed) == 3  # one per sitting of the session
    assert changed[0].payload == {"reason": "new_version", "documents": [doc.pk]}


def test_invalid_new_version_leaves_the_document_as_it_was(committee, upload, pdf_bytes):
    [doc] = upload(("v1.pdf", pdf_bytes(2)), distribute=True)
    with pytest.raises(DomainError) as err:
        replace_version(doc, Upload("v2.pdf", b"not a pdf"), by=committee.clerk.user)
    assert err.value.code == "not_pdf"
    doc.refresh_from_db()
    assert doc.current.number == 1 and DocumentVersion.objects.filter(document=doc).count() == 1


def test_readers_see_only_the_current_version_clerks_all(committee, upload, pdf_bytes, rendered):
    [doc] = upload(("v1.pdf", pdf_bytes(2, "v1")), distribute=True)
    replace_version(doc, Upload("v2.pdf", pdf_bytes(2, "v2")), by=committee.clerk.user)
    rendered()
    old = f"/docs/d/{doc.pk}/v/1/p/1/800.jpg"
    assert logged_in(committee.members[0].user).get(old).status_code == 404
    assert logged_in(committee.clerk.user).get(old).status_code == 200
    new = logged_in(committee.members[0].user).get(f"/docs/d/{doc.pk}/").json()
    assert new["version"] == 2


def test_http_upload_several_files_with_titles(committee, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = committee.plenary.agenda_items.get(order=2)
    files = [
        SimpleUploadedFile("a.pdf", pdf_bytes(1), "application/pdf"),
        SimpleUploadedFile("b.pdf", pdf_bytes(2, "meta title"), "application/pdf"),
    ]
    resp = logged_in(committee.clerk.user).post(
        f"/docs/sessions/{committee.session.pk}/upload/",
        {"files": files, "titles": ["草案", ""], "item": item.pk, "access": "public"},
    )
    assert resp.status_code == 201, resp.content
    docs = list(Document.objects.order_by("order"))
    assert [d.title for d in docs] == ["草案", "meta title"]  # else the PDF's own title
    assert {d.item_id for d in docs} == {item.pk} and {d.access for d in docs} == {"public"}
    assert [d.order for d in docs] == [1, 2]


@pytest.mark.parametrize("placeholder", ["untitled", "Microsoft Word - 草案.docx", "无标题"])
def test_a_placeholder_pdf_title_gives_way_to_the_file_name(
    committee, upload, pdf_bytes, placeholder
):
    [doc] = upload(("数据条例（草案）.pdf", pdf_bytes(1, placeholder)))
    assert doc.title == "数据条例（草案）"


def test_http_upload_refusals(committee, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/docs/sessions/{committee.session.pk}/upload/"
    f = SimpleUploadedFile("x.txt", b"hello", "text/plain")
    resp = logged_in(committee.clerk.user).post(url, {"files": [f]})
    assert resp.status_code == 400 and resp.json()["code"] == "not_pdf"
    assert "x.txt" in resp.json()["message"]
    ok = SimpleUploadedFile("ok.pdf", pdf_bytes(1), "application/pdf")
    resp = logged_in(committee.members[0].user).post(url, {"files": [ok]})
    assert resp.status_code == 403
    resp = logged_in(committee.clerk.user).post(url, {"files": []})
    assert resp.status_code == 400 and resp.json()["code"] == "invalid"
    resp = logged_in(committee.clerk.user).post(url, {"files": [ok], "access": "secret"})
    assert resp.status_code == 400
    assert Document.objects.count() == 0


def test_notes_are_private_per_member(committee, upload, pdf_bytes):
    [doc] = upload(("n.pdf", pdf_bytes(3)), distribute=True)
    url = f"/docs/d/{doc.pk}/notes/"
    m1, m3 = logged_in(committee.members[0].user), logged_in(committee.members[2].user)
    body = json.dumps({"page": 2, "text": "第二页要问预算"})
    assert m1.post(url, body, content_type="application/json").status_code == 200
    assert m1.get(url).json() == {"notes": {"2": "第二页要问预算"}}
    assert m3.get(url).json() == {"notes": {}}  # another member sees nothing
    assert logged_in(committee.clerk.user).get(url).status_code == 403
    bad = m1.post(url, json.dumps({"page": 9, "text": "x"}), content_type="application/json")
    assert bad.status_code == 404 and bad.json()["code"] == "no_such_page"
    bad = m1.post(url, "{oops", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_json"
    assert PageNote.objects.get().text == "第二页要问预算"  # refusals lost nothing
    m1.post(url, json.dumps({"page": 2, "text": ""}), content_type="application/json")
    assert PageNote.objects.count() == 0


def test_read_receipts_add_up_slices(committee, upload, pdf_bytes):
    [doc] = upload(("r.pdf", pdf_bytes(1)), distribute=True)
    url = f"/docs/d/{doc.pk}/read/"
    m1 = logged_in(committee.members[0].user)
    post = lambda data: m1.post(url, json.dumps(data), content_type="application/json")  # noqa: E731
    assert post({"seconds": 0, "opened": True}).json()["opens"] == 1
    assert post({"seconds": 15, "opened": False}).json()["seconds"] == 15
    assert post({"seconds": 30, "opened": True}).json() == {
        "recorded": True,
        "opens": 2,
        "seconds": 45,
    }
    bad = post({"seconds": MAX_SLICE_S + 1, "opened": False})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert post({"seconds": "10"}).status_code == 400
    receipt = ReadReceipt.objects.get()
    assert (receipt.opens, receipt.seconds) == (2, 45)
    assert (receipt.member, receipt.document) == (committee.members[0], doc)
    clerk = logged_in(committee.clerk.user).post(
        url, json.dumps({"seconds": 5}), content_type="application/json"
    )
    assert clerk.json() == {"recorded": False} and ReadReceipt.objects.count() == 1


def test_a_reading_slice_for_a_paper_just_recalled_is_not_recorded_nor_an_error(
    committee, upload, pdf_bytes
):
    """The tablet's 15-second slice can cross the recall: answered, nothing recorded."""
    from docs_store.services.distribution import recall
    from harness.actors import CLERK

    [doc] = upload(("r.pdf", pdf_bytes(1)), distribute=True)
    url = f"/docs/d/{doc.pk}/read/"
    m1 = logged_in(committee.members[0].user)
    post = lambda data: m1.post(url, json.dumps(data), content_type="application/json")  # noqa: E731
    assert post({"seconds": 15, "opened": True}).json()["seconds"] == 15
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[doc.pk])
    late = post({"seconds": 15, "opened": False})
    assert late.status_code == 200 and late.json() == {"recorded": False, "recalled": True}
    assert ReadReceipt.objects.get().seconds == 15  # the slice before the recall, kept
    assert m1.get(f"/docs/d/{doc.pk}/notes/").status_code == 410  # other refusals stay
