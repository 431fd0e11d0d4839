"""A member's pen and highlighter strokes on document pages (手写批注).

Private like notes: only the member who drew them reads them. Every stroke is checked
whole before anything is stored (a stroke is stored entirely or not at all): a known
tool and colour, a sane width, 2–``MAX_POINTS`` points, every point on the page.
Undo/redo mark and unmark a stroke erased, so a tablet that reloads, or another tablet
of the same member, shows exactly the strokes still drawn. When a document is recalled
its strokes go with it (``purge_for_recall``, counted in the audit trail).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import policy
from core.errors import DomainError
from docs_store.models import Document, InkStroke, PageNote
from docs_store.services.access import Reader

MAX_POINTS = 5_000
MAX_STROKES_PER_PAGE = 2_000
WIDTH_RANGE = (0.0005, 0.05)  # fraction of the page's width
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def _member(reader: Reader):
    if reader.member is None or not policy.may(reader, "documents.annotate"):
        raise DomainError("not_component_member", "Only members annotate documents.")
    return reader.member


def _page(document: Document, version: int, page: int) -> None:
    current = document.current
    if current is None or version != current.number:
        raise DomainError(
            "stale_version", "The document has a newer version; reload it to annotate."
        )
    if not isinstance(page, int) or not 1 <= page <= current.pages:
        raise DomainError(
            "no_such_page", f"Page {page} does not exist; the document has {current.pages}."
        )


def _number(value, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise DomainError("invalid_stroke", f"{what} must be a number from {low} to {high}.")
    return float(value)


def _points(raw) -> list[list[float]]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_POINTS:
        raise DomainError("invalid_stroke", f"A stroke has from 2 to {MAX_POINTS} points.")
    points = []
    for point in raw:
        if not isinstance(point, list) or len(point) not in (2, 3):
            raise DomainError("invalid_stroke", "Each point is [x, y] or [x, y, pressure].")
        try:
            x, y = (_number(v, 0.0, 1.0, "x and y") for v in point[:2])
        except DomainError:
            raise DomainError(
                "stroke_out_of_page", "Every point of a stroke must lie on the page."
            ) from None
        pressure = _number(point[2], 0.0, 1.0, "pressure") if len(point) == 3 else 0.5
        points.append([round(x, 5), round(y, 5), round(pressure, 3)])
    return points


def _checked(data: dict) -> dict:
    tool, color, client_id = data.get("tool"), data.get("color"), data.get("id")
    if tool not in InkStroke.Tool.values:
        raise DomainError("invalid_stroke", "The tool is pen or highlighter.")
    if not isinstance(color, str) or not COLOR.match(color):
        raise DomainError("invalid_stroke", "The colour is #rrggbb.")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise DomainError("invalid_stroke", "A stroke needs an id of 8–40 letters or digits.")
    return {
        "client_id": client_id,
        "tool": tool,
        "color": color.lower(),
        "width": _number(data.get("width"), *WIDTH_RANGE, "width"),
        "points": _points(data.get("points")),
    }


def as_dict(stroke: InkStroke) -> dict:
    return {
        "id": stroke.client_id,
        "page": stroke.page,
        "tool": stroke.tool,
        "color": stroke.color,
        "width": stroke.width,
        "points": stroke.points,
        "erased": stroke.erased_at is not None,
    }


def strokes_of(reader: Reader, document: Document) -> list[dict]:
    """The reader's strokes still drawn on the current version, page by page."""
    member = _member(reader)
    version = document.current.number if document.current else 0
    rows = InkStroke.objects.filter(
        member=member, document=document, version=version, erased_at__isnull=True
    )
    return [as_dict(s) for s in rows]


def add_stroke(reader: Reader, document: Document, version: int, page: int, data: dict) -> dict:
    """Store one stroke (a resend of the same ``id`` answers the stored stroke)."""
    member = _member(reader)
    _page(document, version, page)
    fields = _checked(data)
    existing = InkStroke.objects.filter(member=member, client_id=fields["client_id"]).first()
    if existing is not None:
        return as_dict(existing)
    on_page = InkStroke.objects.filter(
        member=member, document=document, version=version, page=page
    ).count()
    if on_page >= MAX_STROKES_PER_PAGE:
        raise DomainError(
            "too_many_strokes", f"A page holds at most {MAX_STROKES_PER_PAGE} strokes."
        )
    try:
        with transaction.atomic():
            stroke = InkStroke.objects.create(
                member=member, document=document, version=version, page=page, **fields
            )
    except IntegrityError:  # the same id sent twice at once: the first one won
        stroke = InkStroke.objects.get(member=member, client_id=fields["client_id"])
    return as_dict(stroke)


@transaction.atomic
def set_erased(reader: Reader, document: Document, client_id: str, erased: bool) -> dict:
    """Undo (erase) or redo (restore) one of the reader's strokes on this document."""
    member = _member(reader)
    stroke = (
        InkStroke.objects.select_for_update()
        .filter(member=member, document=document, client_id=client_id)
        .first()
    )
    if stroke is None:
        raise DomainError("not_found", f"No stroke {client_id!r} on this document.")
    stroke.erased_at = timezone.now() if erased else None
    stroke.save(update_fields=["erased_at"])
    return as_dict(stroke)


def purge_for_recall(doc_ids: list[int]) -> dict[str, int]:
    """Remove members' strokes and notes on recalled documents; returns the counts."""
    strokes, _ = InkStroke.objects.filter(document_id__in=doc_ids).delete()
    notes, _ = PageNote.objects.filter(document_id__in=doc_ids).delete()
    return {"strokes": strokes, "notes": notes}
