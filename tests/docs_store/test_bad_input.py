"""Documents, bad input (issue 28): four files the upload refused although they can be
served, each generated here and put through the real upload, then read back whole.

- a valid scan of one page as one 81 MB image (under the 200 MB limit) was refused as
  damaged: pypdf refuses a stream whose declared length is over 75,000,000 bytes;
- a file name of 400 characters (1.2 kB, with a right-to-left override) got Django's
  bare 400 page: the CSRF check parsed the body before the view;
- a page box of 0 × 0 (PDFium draws a US Letter page) was refused as ``pdf_page_size``;
- an encrypted file that opens without a password, carrying an attachment, was refused
  as ``pdf_encrypted`` when pypdf could not derive its key; one whose permissions
  forbid copying or printing is refused as ``pdf_restricted``.
"""

from __future__ import annotations

import io
import re
import zlib

import pypdfium2 as pdfium
import pytest
from django.test import Client
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

from core.errors import DomainError
from docs_store import storage
from docs_store.models import Document, Rendition
from docs_store.validation import check_pdf
from harness.actors import CLERK
from realtime.protocol import ERROR_CODES
from tests.docs_store.bigpdf import scan
from tests.docs_store.conftest import make_pdf

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
RLO = "\u202e"


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zero_box() -> bytes:
    """Two pages whose /MediaBox (and /CropBox) is [0 0 0 0]."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(2, "zero"))))
    for page in writer.pages:
        for box in ("/MediaBox", "/CropBox"):
            page[NameObject(box)] = ArrayObject([NumberObject(0)] * 4)
    return _write(writer)


def encrypted(*, permissions: int = -1, key_as_written: bool = True) -> bytes:
    """Encrypted with an empty user password (AES-128), carrying an attachment.

    ``key_as_written=False``: the encryption dictionary says ``/EncryptMetadata false``
    but the key was made as if it were true, as some producers write it; PDFium opens
    such a file without a password (it tries both), pypdf cannot derive the key.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(2, "open"))))
    writer.add_attachment("附件.txt", "附件的内容".encode())
    writer.encrypt(
        user_password="", owner_password="owner", algorithm="AES-128", permissions_flag=permissions
    )
    data = _write(writer)
    if not key_as_written:
        marked = data.replace(b"/Filter /Standard\n", b"/Filter /Standard /EncryptMetadata false\n")
        assert marked != data
        data = marked
    return data


@pytest.fixture
def clerk_client(committee):
    """A clerk's browser as Django sees it: CSRF checked, the token in the header (the
    console sends ``X-CSRFToken``), the Chinese interface."""
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", enforce_csrf_checks=True)
    c.force_login(committee.clerk.user)
    c.get("/console/")  # sets the CSRF cookie
    c.token = c.cookies["csrftoken"].value
    return c


def _upload(client, committee, name: str, data: bytes):
    f = io.BytesIO(data)
    f.name = name
    return client.post(
        f"/docs/sessions/{committee.session.pk}/upload/",
        {"files": [f]},
        HTTP_X_CSRFTOKEN=client.token,
    )


def _refused(resp, code: str) -> dict:
    assert resp.status_code == 400, resp.content[:300]
    body = resp.json()
    assert body["code"] == code and code in ERROR_CODES, body
    assert CJK.search(body["message"]), body["message"]
    assert not Document.objects.exists()
    return body


def _accepted_and_readable(resp, committee) -> Document:
    """Accepted, every page rendered at every width, and the stamped download opens."""
    from docs_store.services.distribution import distribute
    from jobs.runner import run_until_idle

    assert resp.status_code == 201, resp.content[:300]
    [doc_id] = resp.json()["documents"]
    doc = Document.objects.select_related("current").get(pk=doc_id)
    run_until_idle()
    rendition = Rendition.objects.get(sha256=doc.current.sha256)
    assert rendition.failed == "" and rendition.pages_ready == doc.current.pages
    distribute(committee.session, actor=CLERK, by=committee.clerk.user, ids=[doc.pk])
    member = Client()
    member.force_login(committee.members[0].user)
    for page in range(1, doc.current.pages + 1):
        for width in storage.WIDTHS:
            r = member.get(f"/docs/d/{doc.pk}/v/1/p/{page}/{width}.jpg")
            assert r.status_code == 200, (page, width, r.content[:200])
    r = member.get(f"/docs/d/{doc.pk}/v/1/pdf")
    assert r.status_code == 200, r.content[:300]
    stamped = pdfium.PdfDocument(r.content)
    try:
        assert len(stamped) == doc.current.pages
        text = stamped[0].get_textpage().get_text_range()
        assert committee.members[0].user.username in text  # the stamp is drawn
    finally:
        stamped.close()
    return doc


def _page_image(doc: Document, page: int, width: int) -> Image.Image:
    return Image.open(storage.page_path(doc.current.sha256, page, width))


def _shaped(image: Image.Image, width: int, w_pt: float, h_pt: float) -> bool:
    """The image is ``width`` px wide (PDFium rounds: ± 1) with the page's proportions."""
    return abs(image.width - width) <= 1 and abs(image.height / image.width - h_pt / w_pt) < 0.005


# -- a. the scanned 81 MB page ---------------------------------------------------------


def test_a_scan_of_one_81_mb_image_is_accepted_rendered_and_downloaded(committee, clerk_client):
    data = scan()
    assert 75_000_000 < len(data) < 200 * 2**20  # over pypdf's limit, under ours
    doc = _accepted_and_readable(_upload(clerk_client, committee, "扫描件.pdf", data), committee)
    assert doc.current.pages == 1 and doc.current.size == len(data)
    image = _page_image(doc, 1, 800)
    assert _shaped(image, 800, 595, 842)
    assert len(image.crop((0, 0, 40, 40)).getcolors(maxcolors=1600) or []) > 100  # noise


def test_an_image_over_the_pixel_limit_is_still_refused():
    """The limit that stays: one image over 200 megapixels (the renderer decodes an
    image whole: 600 MB of RGB at that size)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=300)
    image = DecodedStreamObject()
    image._data = zlib.compress(b"\0" * 1024)
    image.update(
        {
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(15000),
            NameObject("/Height"): NumberObject(15000),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    with pytest.raises(DomainError) as err:
        check_pdf("巨图.pdf", _write(writer))
    assert err.value.code == "pdf_image_too_large" and err.value.details["limit"] == 200_000_000


# -- b. file names ----------------------------------------------------------------------


def test_a_400_character_name_with_a_bidi_override_gets_its_code_through_csrf(
    committee, clerk_client
):
    name = (RLO + "关于《条例（草案）》的说明" * 31)[:396] + ".pdf"
    assert len(name) == 400 and len(name.encode()) > 1150  # ≈ 1.2 kB: over the 1 KiB
    body = _refused(_upload(clerk_client, committee, name, make_pdf(1)), "file_name_too_long")
    assert body["details"]["limit"] == 200


def test_a_long_name_within_the_header_gets_its_code_too(committee, clerk_client):
    _refused(
        _upload(clerk_client, committee, "a" * 250 + ".pdf", make_pdf(1)), "file_name_too_long"
    )


def test_bidi_controls_are_dropped_from_a_name_and_a_title():
    """ "报告\u202efdp.exe" reads as 报告exe.pdf: checked, stored and titled without it
    (Django's multipart parser drops them from an upload's name too; the store does not
    rely on that)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.add_metadata({"/Title": f"说明{RLO}txt.exe"})
    checked = check_pdf(f"报告{RLO}fdp.exe", _write(writer))
    assert (checked.filename, checked.title) == ("报告fdp.exe", "说明txt.exe")


def test_an_uploaded_name_keeps_no_bidi_control(committee, clerk_client):
    resp = _upload(clerk_client, committee, f"报告{RLO}fdp.exe", make_pdf(1, "untitled"))
    assert resp.status_code == 201, resp.content[:300]
    doc = Document.objects.select_related("current").get()
    assert doc.current.filename == "报告fdp.exe" and RLO not in doc.title


def test_a_part_whose_headers_never_end_is_a_name_too_long_through_csrf(committee, clerk_client):
    resp = clerk_client.post(
        f"/docs/sessions/{committee.session.pk}/upload/",
        data=b"--xyz\r\nContent-Disposition: form-data; name=files; filename=a.pdf\r\n"
        + b"X" * 3000,
        content_type="multipart/form-data; boundary=xyz",
        HTTP_X_CSRFTOKEN=clerk_client.token,
    )
    _refused(resp, "file_name_too_long")  # the part's headers run past 1 KiB


def test_too_many_fields_get_bad_upload_through_csrf(committee, clerk_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    f = io.BytesIO(make_pdf(1))
    f.name = "a.pdf"
    resp = clerk_client.post(
        f"/docs/sessions/{committee.session.pk}/upload/",
        {"files": [f], "titles": [str(n) for n in range(10)]},
        HTTP_X_CSRFTOKEN=clerk_client.token,
    )
    _refused(resp, "bad_upload")


# -- c. a 0 × 0 page box -------------------------------------------------------------------


def test_a_zero_page_box_is_rendered_at_the_size_pdfium_uses(committee, clerk_client):
    doc = _accepted_and_readable(
        _upload(clerk_client, committee, "零尺寸.pdf", zero_box()), committee
    )
    assert doc.current.pages == 2
    image = _page_image(doc, 2, 800)
    assert _shaped(image, 800, 612, 792)  # US Letter, as PDFium draws it


# -- d. encrypted, no password needed ------------------------------------------------------


def test_an_encrypted_file_only_pdfium_opens_is_accepted_without_its_encryption(
    committee, clerk_client
):
    data = encrypted(key_as_written=False)
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted and not reader.decrypt("")  # pypdf alone cannot open it
    doc = _accepted_and_readable(_upload(clerk_client, committee, "附件.pdf", data), committee)
    stored = PdfReader(storage.original_path(doc.current.sha256))
    assert not stored.is_encrypted and len(stored.pages) == 2
    assert "open page 1" in stored.pages[0].extract_text()


def test_an_encrypted_file_pypdf_opens_is_stored_as_uploaded(committee, clerk_client):
    data = encrypted()
    doc = _accepted_and_readable(_upload(clerk_client, committee, "附件.pdf", data), committee)
    assert storage.original_path(doc.current.sha256).read_bytes() == data


@pytest.mark.parametrize(
    ("label", "permissions"),
    [("no copying", -1 & ~(1 << 4)), ("no printing", -1 & ~(1 << 2))],
)
@pytest.mark.parametrize("key_as_written", [True, False])
def test_an_encrypted_file_that_forbids_copying_or_printing_is_refused(
    committee, clerk_client, label, permissions, key_as_written
):
    data = encrypted(permissions=permissions, key_as_written=key_as_written)
    body = _refused(_upload(clerk_client, committee, "受限.pdf", data), "pdf_restricted")
    assert "受限.pdf" in body["message"]


def test_a_file_that_needs_a_password_is_still_refused():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with pytest.raises(DomainError) as err:
        check_pdf("密码.pdf", _write(writer))
    assert err.value.code == "pdf_encrypted"
