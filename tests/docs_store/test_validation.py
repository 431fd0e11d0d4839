"""Every invalid upload is refused with its own code, naming the file; nothing is stored."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from core.errors import DomainError
from docs_store import storage
from docs_store.models import Document, DocumentVersion, Rendition
from docs_store.services.upload import Upload, upload_documents
from docs_store.validation import check_pdf
from jobs.models import Job

pytestmark = pytest.mark.django_db


def refused(name: str, data: bytes) -> DomainError:
    with pytest.raises(DomainError) as err:
        check_pdf(name, data)
    assert err.value.details["file"] == name
    assert err.value.message.startswith(f"{name}: ")
    return err.value


def test_a_good_pdf_passes_with_its_page_count_and_hash(pdf_bytes):
    data = pdf_bytes(4, "ok")
    checked = check_pdf("ok.pdf", data)
    assert checked.pages == 4 and len(checked.sha256) == 64 and checked.title == "ok"


def test_not_a_pdf():
    err = refused("notes.docx", b"PK\x03\x04 this is a zip file" * 40)
    assert err.code == "not_pdf" and "不是 PDF" in err.message


def test_truncated_pdf(pdf_bytes):
    data = pdf_bytes(3)
    err = refused("cut.pdf", data[: len(data) // 2])
    assert err.code == "pdf_truncated"


def test_corrupt_pdf_body(pdf_bytes):
    data = bytearray(pdf_bytes(3))
    junk = b"garbage" * 200
    data[20 : 20 + len(junk)] = junk  # header and end mark kept, objects destroyed
    err = refused("broken.pdf", bytes(data))
    assert err.code == "pdf_corrupt"


def test_real_world_broken_file_is_refused_as_corrupt(shared_pdf):
    err = refused("unreadablemetadata.pdf", shared_pdf("unreadablemetadata.pdf"))
    assert err.code == "pdf_corrupt"


def test_password_protected_pdf(shared_pdf):
    err = refused("secret.pdf", shared_pdf("libreoffice-writer-password.pdf"))
    assert err.code == "pdf_encrypted" and "密码" in err.message


def test_zero_pages():
    buf = io.BytesIO()
    PdfWriter().write(buf)
    err = refused("empty.pdf", buf.getvalue())
    assert err.code == "pdf_empty"


def test_over_the_size_limit_states_both(pdf_bytes, settings):
    data = pdf_bytes(2)
    settings.YITING_DOCS_MAX_BYTES = len(data) - 1
    err = refused("big.pdf", data)
    assert err.code == "pdf_too_large"
    assert err.details["size"] == len(data) and err.details["limit"] == len(data) - 1
    assert "超过上限" in err.message


def test_over_the_page_limit_states_both(pdf_bytes, settings):
    settings.YITING_DOCS_MAX_PAGES = 5
    err = refused("long.pdf", pdf_bytes(6))
    assert err.code == "pdf_too_many_pages"
    assert "有 6 页" in err.message and "上限 5 页" in err.message
    assert (err.details["pages"], err.details["limit"]) == (6, 5)


def test_one_bad_file_refuses_the_whole_upload_and_stores_nothing(committee, pdf_bytes):
    files = [
        Upload("good.pdf", pdf_bytes(2)),
        Upload("bad.pdf", b"hello"),
        Upload("good2.pdf", pdf_bytes(3)),
    ]
    with pytest.raises(DomainError) as err:
        upload_documents(committee.session, files, by=committee.clerk.user)
    assert err.value.code == "not_pdf" and "bad.pdf" in err.value.message
    assert Document.objects.count() == DocumentVersion.objects.count() == 0
    assert Rendition.objects.count() == Job.objects.count() == 0
    assert not (storage.root() / "originals").exists()


def test_several_bad_files_are_all_named(committee, pdf_bytes, shared_pdf):
    files = [
        Upload("a.pdf", b"nope"),
        Upload("ok.pdf", pdf_bytes(1)),
        Upload("b.pdf", shared_pdf("libreoffice-writer-password.pdf")),
    ]
    with pytest.raises(DomainError) as err:
        upload_documents(committee.session, files, by=committee.clerk.user)
    listed = {(f["file"], f["code"]) for f in err.value.details["files"]}
    assert listed == {("a.pdf", "not_pdf"), ("b.pdf", "pdf_encrypted")}
    assert Document.objects.count() == 0


def test_a_failure_while_storing_removes_the_files_written(committee, pdf_bytes, monkeypatch):
    from docs_store.services import upload as upload_mod

    def explode(*a, **k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(upload_mod, "queue_rendering", explode)
    with pytest.raises(RuntimeError):
        upload_documents(
            committee.session, [Upload("a.pdf", pdf_bytes(2))], by=committee.clerk.user
        )
    assert Document.objects.count() == 0
    assert list((storage.root() / "originals").glob("*.pdf")) == []
