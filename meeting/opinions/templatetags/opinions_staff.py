"""What the review pages include from opinions: a speech's ties to articles (beside its
clip, on a group sitting's speaking log) and a brief's arrangement by article.

Tags, so the pages that include them (``meeting.briefs``' templates) need no change in
their views: each asks for what it shows.
"""

from __future__ import annotations

from django import template

from meeting.briefs.services import by_article
from meeting.opinions import staff

register = template.Library()


@register.simple_tag(takes_context=True)
def speech_ties(context, speech, clip=None) -> dict:
    """The drafts of the speech's item with their articles, the speech's ties, and the
    clip's length (a stretch lies within it). An item's drafts are read once per page."""
    request = context.get("request")
    memo = getattr(request, "_item_drafts", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._item_drafts = memo
    if speech.agenda_item_id not in memo:
        memo[speech.agenda_item_id] = staff.item_articles(speech.agenda_item)
    drafts = memo[speech.agenda_item_id]
    ties = staff.ties_of(speech)
    playable = clip is not None and clip.deleted_at is None
    chips = [staff.tie_dict(t) for t in ties]
    return {
        "drafts": drafts,
        "ties": chips,
        "playable": playable,
        "item": speech.agenda_item,
        "state_id": f"ties-state-{speech.pk}",
        "state": {
            "speech": speech.pk,
            "ties": chips,
            "duration": clip.duration_s if playable else None,
        },
    }


@register.simple_tag
def brief_arrangement(brief) -> dict:
    """The brief's arrangement (None: speaking order) and the drafts it may follow."""
    return {
        "current": by_article.arrangement(brief),
        "choices": by_article.versions_for_choice(brief),
    }
