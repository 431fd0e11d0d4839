"""Demo documents: the bill PDFs of ``meeting.demo`` attached to every sitting's agenda items.

Each generated PDF goes to agenda item *n* of the plenary and of every group sitting
(the same content, so it is rendered once), distributed, so ``./yiting run`` shows
rendered pages on the tablets once the in-process worker has run. The second paper is
confidential to show the watermarked reading. Idempotent like the rest of the demo.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from core.models import AgendaItem, Role
from core.policy import Acting
from docs_store.models import Access, Document
from docs_store.services.distribution import distribute
from docs_store.services.upload import Upload, upload_documents

ACCESS_BY_ITEM = {1: Access.COMMITTEE, 2: Access.CONFIDENTIAL, 3: Access.PUBLIC}


def attach_demo_documents(out, titles: list[str]) -> list[Document]:
    """Attach ``out.documents`` (one PDF per agenda item order) and distribute them.

    ``titles`` are the papers' titles by agenda item order; a PDF past them keeps its file name.
    """
    if out.session is None or not out.documents:
        return []
    clerk = get_user_model().objects.get(username=out.logins.get("clerk", "clerk"))
    added: list[Document] = []
    for order, path in enumerate(out.documents, start=1):
        title = titles[order - 1] if order <= len(titles) else path.stem
        data = path.read_bytes()
        items = AgendaItem.objects.filter(sitting__session=out.session, order=order)
        for item in items.select_related("sitting"):
            if Document.objects.filter(item=item, title=title).exists():
                continue
            added += upload_documents(
                out.session,
                [Upload(path.name, data, title)],
                by=clerk,
                item=item,
                access=ACCESS_BY_ITEM.get(order, Access.COMMITTEE),
            )
    if added:
        distribute(out.session, actor=Acting(role=Role.CLERK), by=clerk, ids=[d.pk for d in added])
    return added
