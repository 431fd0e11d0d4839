"""A reader's search in a sitting's documents: results, snippets, highlight boxes.

Only documents the reader may read are searched (the same ``reader_for`` as the
page images), so a confidential paper is found only by those who may read it, and its
text leaves the server only as a short snippet and as boxes over its watermarked page
images. Refusals: ``query_empty`` (nothing searchable, e.g. only punctuation) and
``query_too_long``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pypdfium2 as pdfium

from core.errors import DomainError
from core.models import Sitting
from docs_store import storage
from docs_store.models import Document, PageText
from docs_store.search.backend import matching_pages
from docs_store.search.tokens import MAX_QUERY_CHARS, MAX_QUERY_TERMS, Term, query_terms
from docs_store.services.access import get_readable
from docs_store.services.catalog import readable, sitting_documents

MAX_RESULTS = 50
SNIPPET_CONTEXT = 24  # characters either side of the first hit
MAX_BOXES = 200


@dataclass(frozen=True)
class Hit:
    """One page on which every term occurs."""

    document: Document
    page: int
    snippet: list[tuple[str, bool]]  # (text, is_hit) segments, escaped by the client
    count: int


def parse_query(query: str) -> list[Term]:
    """The query's terms, or a precise refusal."""
    if len(query) > MAX_QUERY_CHARS:
        raise DomainError(
            "query_too_long", f"A search may be at most {MAX_QUERY_CHARS} characters long."
        )
    terms = query_terms(query)
    if not terms:
        raise DomainError("query_empty", "Type a word or characters to search for.")
    return terms[:MAX_QUERY_TERMS]


def search_sitting(user, sitting: Sitting, query: str) -> list[Hit]:
    """Pages of this sitting's documents readable by ``user`` that contain the query."""
    terms = parse_query(query)
    docs = [d for d, _ in readable(user, sitting_documents(sitting)) if d.current_id]
    by_sha: dict[str, list[Document]] = {}
    for doc in docs:
        by_sha.setdefault(doc.current.sha256, []).append(doc)
    ids = matching_pages(list(by_sha), terms, MAX_RESULTS)
    rows = {p.pk: p for p in PageText.objects.filter(pk__in=ids)}
    hits = []
    for pk in ids:
        row = rows[pk]
        snippet, count = _snippet(row.text, terms)
        hits.extend(Hit(doc, row.page, snippet, count) for doc in by_sha[row.sha256])
    order = {doc.pk: n for n, doc in enumerate(docs)}  # the sitting's reading order
    hits.sort(key=lambda h: (order[h.document.pk], h.page))
    return hits[:MAX_RESULTS]


def _pattern(terms: list[Term]) -> re.Pattern:
    return re.compile(
        "|".join(re.escape(t.text) for t in sorted(terms, key=lambda t: -len(t.text)))
    )


def _snippet(text: str, terms: list[Term]) -> tuple[list[tuple[str, bool]], int]:
    """A short window of the page's (already normalised) text around the first hit."""
    norm = text
    found = list(_pattern(terms).finditer(norm))
    if not found:
        return [(norm[: 2 * SNIPPET_CONTEXT], False)], 0
    start = max(0, found[0].start() - SNIPPET_CONTEXT)
    end = min(len(norm), found[0].end() + SNIPPET_CONTEXT)
    segments, pos = [], start
    for m in found:
        if m.start() < pos or m.end() > end:
            continue
        if m.start() > pos:
            segments.append((norm[pos : m.start()], False))
        segments.append((m.group(), True))
        pos = m.end()
    if pos < end:
        segments.append((norm[pos:end], False))
    if start > 0:
        segments.insert(0, ("…", False))
    if end < len(norm):
        segments.append(("…", False))
    return segments, len(found)


def hit_boxes(user, document_id: int, version: int, page: int, query: str) -> list[list[float]]:
    """Boxes of the query's occurrences on one page, as fractions of the page
    (x, y from the top-left, width, height), for an overlay on the page image."""
    terms = parse_query(query)
    doc, _reader = get_readable(user, document_id)
    v = doc.versions.filter(number=version).first()
    if v is None or not 1 <= page <= v.pages:
        raise DomainError("not_found", f"No page {page} in version {version}.")
    pdf = pdfium.PdfDocument(str(storage.original_path(v.sha256)))
    try:
        return _boxes(pdf[page - 1], terms)
    finally:
        pdf.close()


def _boxes(page: pdfium.PdfPage, terms: list[Term]) -> list[list[float]]:
    textpage = page.get_textpage()
    boxes: list[list[float]] = []
    to_page = _displayed(page)
    try:
        for term in terms:
            searcher = textpage.search(term.text, match_case=False)
            while len(boxes) < MAX_BOXES and (found := searcher.get_next()) is not None:
                index, count = found
                for i in range(textpage.count_rects(index, count)):
                    boxes.append(to_page(*textpage.get_rect(i)))
            searcher.close()
    finally:
        textpage.close()
        page.close()
    return boxes


def _displayed(page: pdfium.PdfPage):
    """A function from a text rectangle (PDF user space: left, bottom, right, top, as
    pdfium's text API gives it, never rotated) to a box over the page *as rendered*
    (fractions, top-left origin): the page image is drawn with the page's /Rotate
    applied, clockwise, so a rotated page's boxes are turned the same way."""
    left0, bottom0, right0, top0 = page.get_cropbox()
    w0, h0 = right0 - left0, top0 - bottom0
    rotation = page.get_rotation() % 360

    def convert(left: float, bottom: float, right: float, top: float) -> list[float]:
        # the unrotated page, top-left origin, as fractions
        u0, u1 = (left - left0) / w0, (right - left0) / w0
        v0, v1 = (top0 - top) / h0, (top0 - bottom) / h0
        if rotation == 90:  # (u, v) -> (1 - v, u)
            x0, x1, y0, y1 = 1 - v1, 1 - v0, u0, u1
        elif rotation == 180:  # (u, v) -> (1 - u, 1 - v)
            x0, x1, y0, y1 = 1 - u1, 1 - u0, 1 - v1, 1 - v0
        elif rotation == 270:  # (u, v) -> (v, 1 - u)
            x0, x1, y0, y1 = v0, v1, 1 - u1, 1 - u0
        else:
            x0, x1, y0, y1 = u0, u1, v0, v1
        return [round(x0, 5), round(y0, 5), round(x1 - x0, 5), round(y1 - y0, 5)]

    return convert
