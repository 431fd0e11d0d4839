"""Background rendering of page images (job kind ``docs_store.render``).

Two jobs per PDF content: ``first_only`` (high priority) so page one of every newly
uploaded file is viewable at once, then all pages in order. Progress goes to the
clerks and chairs of every sitting whose session has a document with this content.
"""

from __future__ import annotations

import time

from django.db.models import F

from core import events
from docs_store import rendering, storage
from docs_store.models import Document, Rendition
from jobs.registry import job

PROGRESS = "documents.progress"
ANNOUNCE_EVERY_S = 0.5


def _audience(sha256: str) -> list[tuple[int, int]]:
    """(sitting id, document id) pairs that show this content."""
    docs = Document.objects.filter(current__sha256=sha256).prefetch_related("session__sittings")
    return [(s.pk, d.pk) for d in docs for s in d.session.sittings.all()]


def _announce(audience: list[tuple[int, int]], done: int, total: int) -> None:
    for sitting_id, doc_id in audience:
        payload = {"document": doc_id, "pages_ready": done, "pages": total}
        events.notify(events.live(sitting_id), PROGRESS, payload, sitting_id)


@job("docs_store.render")
def render(job, report) -> dict:
    sha = job.payload["sha256"]
    rendition = Rendition.objects.get(sha256=sha)
    pdf = storage.original_path(sha)
    audience = _audience(sha)
    last = [0.0]

    def on_page(done: int, total: int) -> None:
        # Page files are the truth for readers; the counters are progress, so they are
        # written for the first and last page and at most twice a second in between.
        now = time.monotonic()
        if done not in (1, total) and now - last[0] < ANNOUNCE_EVERY_S:
            return
        last[0] = now
        Rendition.objects.filter(pk=rendition.pk, pages_ready__lt=done).update(pages_ready=done)
        report(done, total)
        _announce(audience, done, total)

    try:
        return _render(job, sha, rendition, pdf, on_page)
    except Exception as exc:
        if job.attempts >= job.max_attempts:  # the last try: no reader waits any longer
            mark_failed(rendition, audience, exc)
        raise


def mark_failed(rendition: Rendition, audience: list[tuple[int, int]], exc: Exception) -> None:
    """A render that will not succeed: readers get ``render_failed``, the console is told."""
    reason = f"{type(exc).__name__}: {exc}"[:500]
    Rendition.objects.filter(pk=rendition.pk).update(failed=reason)
    for sitting_id, doc_id in audience:
        payload = {
            "document": doc_id,
            "pages_ready": rendition.pages_ready,
            "pages": rendition.pages,
            "failed": True,
        }
        events.notify(events.live(sitting_id), PROGRESS, payload, sitting_id)


def _render(job, sha: str, rendition: Rendition, pdf, on_page) -> dict:
    if job.payload.get("first_only"):
        doc = rendering.pdfium.PdfDocument(str(pdf))
        try:
            rendering.render_page(doc, sha, 1)
        finally:
            doc.close()
        on_page(1, rendition.pages)
        return {"pages": 1}
    total = rendering.render_all(pdf, sha, on_page=on_page)
    Rendition.objects.filter(pk=rendition.pk).update(pages_ready=F("pages"))
    return {"pages": total}


@job("docs_store.index")
def index_text(job, report) -> dict:
    """Extract and index the text of every page (for search); resumable like rendering.
    Then read the articles of every version with this content (``docs_store.drafts``)."""
    from docs_store.search.backend import refresh_statistics
    from docs_store.search.extract import extract_all

    sha = job.payload["sha256"]
    total = extract_all(storage.original_path(sha), sha, on_batch=report)
    refresh_statistics()
    from docs_store.drafts.services import read_content  # a draft's articles, 修改对照

    read_content(sha)
    return {"pages": total}
