"""Read receipts (阅读记录): who opened which document and for how long, for the deputy record.

Tablets report reading in slices: an ``opened`` report when the document is shown and
a slice of seconds (at most ``MAX_SLICE_S``) every so often while it stays on screen,
so a dropped connection loses at most one slice and no tablet can claim hours at once.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from core import clock, policy
from core.errors import DomainError
from docs_store.models import Document, ReadReceipt
from docs_store.services.access import Reader

MAX_SLICE_S = 120


@transaction.atomic
def record_reading(reader: Reader, document: Document, *, seconds: int, opened: bool) -> dict:
    """Add a reading slice to the member's receipt for ``document``."""
    if reader.member is None or not policy.may(reader, "documents.read_receipt"):
        return {"recorded": False}  # clerks and staff reading are not deputy duties
    if not 0 <= seconds <= MAX_SLICE_S:
        raise DomainError("invalid", f"A reading slice is 0–{MAX_SLICE_S} seconds; got {seconds}.")
    now = clock.now()
    receipt, _ = ReadReceipt.objects.get_or_create(
        member=reader.member, document=document, defaults={"first_opened_at": now}
    )
    ReadReceipt.objects.filter(pk=receipt.pk).update(
        opens=F("opens") + (1 if opened else 0), seconds=F("seconds") + seconds, last_read_at=now
    )
    receipt.refresh_from_db()
    return {"recorded": True, "opens": receipt.opens, "seconds": receipt.seconds}
