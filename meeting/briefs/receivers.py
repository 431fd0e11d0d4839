"""A clip deleted after a brief cited it: reprint the released brief, which then says so.

The brief keeps its text; the reprint (a new version of its document, in a background
job after the deletion commits) replaces the clip's link and QR code by a note with
when and why the clip was removed.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from media.models import Clip


def citing_briefs(clip: Clip) -> list[int]:
    from meeting.briefs.models import Brief

    needle = str(clip.public_id)
    rows = Brief.objects.filter(
        session_id=clip.session_id, state=Brief.State.RELEASED, content__isnull=False
    ).values_list("pk", "content")
    return [
        pk
        for pk, content in rows
        if any(sp.get("clip") == needle for sec in content["sections"] for sp in sec["speeches"])
    ]


@receiver(post_save, sender=Clip, dispatch_uid="briefs.clip_deleted")
def clip_saved(sender, instance: Clip, update_fields=None, **kwargs) -> None:
    if instance.deleted_at is None or not update_fields or "deleted_at" not in update_fields:
        return
    from jobs.services import enqueue

    for brief_id in citing_briefs(instance):
        enqueue(
            "briefs.reprint",
            {"brief": brief_id, "reason": f"clip {instance.public_id} deleted"},
            key=f"briefs.reprint:{brief_id}:{instance.public_id}",
        )
