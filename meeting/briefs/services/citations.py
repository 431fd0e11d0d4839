"""Which released briefs cite a clip, and whether a login may read one of them.

The fact ``core.policy.may_play_cited_clip`` needs for the rule ``clips.play_cited``:
a brief's links and QR codes open the clips it quotes, so whoever may read the released
brief (the session document it was distributed as) may play them, and only those.
"""

from __future__ import annotations

from core.errors import DomainError
from docs_store.services.access import reader_for
from media.models import Clip
from meeting.briefs.models import Brief


def cites(brief: Brief, clip: Clip) -> bool:
    """Whether the brief's content quotes this clip."""
    needle = str(clip.public_id)
    return any(sp["clip"] == needle for sec in brief.content["sections"] for sp in sec["speeches"])


def readable_brief_cites(user, clip: Clip) -> bool:
    """A released brief of the clip's session cites it, and ``user`` may read that brief."""
    released = Brief.objects.filter(
        session_id=clip.session_id, state=Brief.State.RELEASED
    ).select_related("document__session__term", "document__item")
    for brief in released:
        if brief.document is None or not cites(brief, clip):
            continue
        try:
            reader_for(user, brief.document)
        except DomainError:
            continue
        return True
    return False
