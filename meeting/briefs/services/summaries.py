"""Speech summaries (发言要点): staff write the points of a speech with time-coded quotes.

A quote is ``{"at": seconds into the speech's clip, "text": what was said}``; it is
refused when the clip is missing or the second lies outside the clip. Every change is
a new version (autosave writes often, so an unchanged save writes nothing) and a row
of the audit trail, in the same transaction.
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone

from core import audit, clock, policy
from core.errors import DomainError
from media.models import Clip
from meeting.briefs.models import Summary, SummaryVersion
from meeting.floor.models import Speech

MAX_TEXT = 20_000
MAX_QUOTE = 500
MAX_QUOTES = 50


def clip_of(speech: Speech) -> Clip | None:
    """The speech's clip (deleted or not), found by its speaking-log row."""
    return Clip.objects.filter(floor_entry_id=speech.pk).order_by("-created_at").first()


def _clean_quotes(raw, clip: Clip | None) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_QUOTES:
        raise DomainError(
            "invalid", f"Quotes must be a list of at most {MAX_QUOTES}.", field="quotes"
        )
    out = []
    for n, q in enumerate(raw):
        if not isinstance(q, dict):
            raise DomainError("invalid", f"Quote {n + 1} is not an object.", field="quotes")
        text = str(q.get("text", "")).strip()
        if not text or len(text) > MAX_QUOTE:
            raise DomainError(
                "invalid", f"Quote {n + 1} needs 1–{MAX_QUOTE} characters.", field="quotes", index=n
            )
        try:
            at = float(q.get("at"))
        except (TypeError, ValueError):
            raise DomainError(
                "invalid", f"Quote {n + 1} needs a time in seconds.", field="quotes", index=n
            ) from None
        if not math.isfinite(at):
            raise DomainError("invalid", f"Quote {n + 1}: bad time.", field="quotes", index=n)
        if clip is None or clip.deleted_at is not None:
            raise DomainError("no_clip", "This speech has no playable clip to quote from.", index=n)
        if at < 0 or at > clip.duration_s:
            raise DomainError(
                "quote_past_end",
                f"Quote {n + 1} is at {at:.1f} s but the clip lasts {clip.duration_s:.1f} s.",
                index=n,
                at=at,
                duration_s=round(clip.duration_s, 2),
            )
        out.append({"at": round(at, 1), "text": text})
    out.sort(key=lambda q: q["at"])
    return out


@transaction.atomic
def save_summary(
    actor, speech: Speech, text: str, quotes=None, *, base_version: int | None = None
) -> Summary:
    """Save the points of ``speech`` as a new version; ``base_version`` guards concurrent edits."""
    policy.require_that(
        policy.reviewer_may(actor, "summaries.write"),
        "summaries.write",
        "Only staff reviewers write summaries.",
    )
    if speech.ended_at is None:
        raise DomainError("invalid", "The speech has not ended yet.", field="speech")
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError("invalid", f"At most {MAX_TEXT} characters.", field="text")
    cleaned = _clean_quotes(quotes, clip_of(speech))
    summary, _ = Summary.objects.get_or_create(speech=speech)
    summary = Summary.objects.select_for_update().get(pk=summary.pk)
    if base_version is not None and base_version != summary.version:
        raise DomainError(
            "stale_version",
            f"The summary is at version {summary.version}, not {base_version}.",
            version=summary.version,
        )
    if summary.version and summary.text == text and summary.quotes == cleaned:
        return summary  # autosave of nothing new
    summary.version += 1
    summary.text, summary.quotes = text, cleaned
    summary.updated_by, summary.updated_at = actor, clock.now()
    summary.save()
    SummaryVersion.objects.create(
        summary=summary, number=summary.version, text=text, quotes=cleaned, by=actor
    )
    audit.record(
        actor,
        "summary.save",
        sitting=speech.sitting,
        role="staff",
        summary=f"summary.save speech={speech.pk} v{summary.version} quotes={len(cleaned)}",
        data={"speech": speech.pk, "version": summary.version, "chars": len(text)},
    )
    return summary


def history(speech: Speech) -> list[dict]:
    """Every saved version of the speech's summary, newest first."""
    rows = SummaryVersion.objects.filter(summary__speech=speech).select_related("by")
    return [
        {
            "version": v.number,
            "text": v.text,
            "quotes": v.quotes,
            "by": v.by.get_username(),
            "at": timezone.localtime(v.at).isoformat(),
        }
        for v in rows.order_by("-number")
    ]
