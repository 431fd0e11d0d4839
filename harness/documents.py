"""Documents on a running stack: upload and distribute in one call.

Browser tests set their sitting up with ``Stack.python(code)``; that code imports this
module (the stack's PYTHONPATH is the repository), e.g.::

    from harness.documents import distributed
    doc = distributed(sitting, pdf, "条例草案", item=item)
"""

from __future__ import annotations


def distributed(sitting, pdf: bytes, title: str, *, item=None, access=None, filename="bill.pdf"):
    """Upload ``pdf`` as the clerk to ``sitting``'s session (under ``item``) and
    distribute the session's drafts; the new Document."""
    from django.contrib.auth import get_user_model

    from core.policy import Acting
    from docs_store.models import Access
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents

    clerk = get_user_model().objects.get(username="clerk")
    [doc] = upload_documents(
        sitting.session,
        [Upload(filename, pdf, title)],
        by=clerk,
        item=item,
        access=access or Access.COMMITTEE,
    )
    distribute(sitting.session, actor=Acting(role="clerk"), by=clerk, ids=[doc.pk])
    return doc


def numbered_pdf(pages: int) -> bytes:
    """A Latin PDF whose page n says "PAGE n" in large letters."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 60)
        c.drawCentredString(300, 420, f"PAGE {n}")
        c.showPage()
    c.save()
    return buf.getvalue()
