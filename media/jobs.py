"""Background jobs of the media feature: clip finalisation runs off the request path."""

from __future__ import annotations

from jobs.registry import job
from media.services.clips import finalise


@job("media.finalise")
def finalise_job(j, report) -> dict:
    """Remux a finished recording into its clip, reporting progress to the console."""
    clip = finalise(int(j.payload["recording"]), report)
    return {"clip": str(clip.public_id) if clip else None}
