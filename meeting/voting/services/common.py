"""Small lookups every voting service shares."""

from __future__ import annotations

from core.errors import DomainError
from meeting.voting.models import Vote


def vote_in_sitting(
    sitting_id: int, vote_id: int, *, lock: bool = False, related: bool = False
) -> Vote:
    """The vote, only if it belongs to this sitting: a socket acts on its own sitting only.

    ``related`` reads the sitting and session in the same query (never with ``lock``:
    the sitting row must not be locked by a ballot).
    """
    qs = Vote.objects.select_for_update() if lock else Vote.objects
    if related and not lock:
        qs = qs.select_related("sitting__session")
    try:
        return qs.get(pk=vote_id, sitting_id=sitting_id)
    except Vote.DoesNotExist:
        raise DomainError("not_found", f"Vote {vote_id} is not a vote of this sitting.") from None
