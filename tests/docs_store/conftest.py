"""Documents fixtures: small PDFs made with reportlab, and uploaded documents."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from harness.actors import CLERK

SHARED_PDFS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "pdfs"
if not SHARED_PDFS.exists():
    SHARED_PDFS = Path("/work/shared/testdata/pdfs")


def make_pdf(pages: int = 3, label: str = "doc", size=A4) -> bytes:
    """A small PDF whose page n says "<label> page n" in large type (and a dark bar)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    c.setTitle(label)
    w, h = size
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 48)
        c.drawCentredString(w / 2, h / 2, f"{label} page {n}")
        c.rect(40, 40, 60 * n % (w - 80) + 20, 30, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture
def pdf_bytes():
    return make_pdf


@pytest.fixture
def shared_pdf():
    def read(name: str) -> bytes:
        path = SHARED_PDFS / name
        assert path.exists(), f"test PDF missing: {path}"
        return path.read_bytes()

    return read


@pytest.fixture
def upload(committee):
    """Upload PDFs through the service as the clerk; returns the documents."""
    from docs_store.services.upload import Upload, upload_documents

    def _upload(*files: tuple[str, bytes], item=None, access="committee", distribute=False):
        docs = upload_documents(
            committee.session,
            [Upload(name, data) for name, data in files],
            by=committee.clerk.user,
            item=item,
            access=access,
        )
        if distribute:
            from docs_store.services.distribution import distribute as dist

            dist(committee.session, actor=CLERK, by=committee.clerk.user, ids=[d.pk for d in docs])
            for d in docs:
                d.refresh_from_db()
        return docs

    return _upload


@pytest.fixture
def rendered():
    """Run the queued rendering jobs now (what the worker does in the background)."""
    from jobs.runner import run_until_idle

    return run_until_idle


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The committee fixture makes 13 logins; PBKDF2 would dominate these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


from tests.realtime.conftest import connect  # noqa: E402,F401  (the socket fixture)


@pytest.fixture
def docs(committee, upload, pdf_bytes, rendered):
    """Distributed: session-wide committee paper, group A item (committee and confidential),
    a public paper; a draft; a recalled paper."""
    item_a = committee.group_a_sitting.agenda_items.get(order=1)
    ns = type("Docs", (), {})()
    [ns.session_doc] = upload(("s.pdf", pdf_bytes(2, "s")), distribute=True)
    [ns.group_doc] = upload(("g.pdf", pdf_bytes(2, "g")), item=item_a, distribute=True)
    [ns.secret] = upload(
        ("c.pdf", pdf_bytes(2, "c")), item=item_a, access="confidential", distribute=True
    )
    [ns.public] = upload(("p.pdf", pdf_bytes(2, "p")), access="public", distribute=True)
    [ns.draft] = upload(("d.pdf", pdf_bytes(2, "d")))
    [ns.gone] = upload(("r.pdf", pdf_bytes(2, "r")), distribute=True)
    from docs_store.services.distribution import recall

    recall(committee.session, by=committee.clerk.user, ids=[ns.gone.pk], actor=CLERK)
    rendered()
    return ns
