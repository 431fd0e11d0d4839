"""The open round's progress as the server counts it, for the consoles and the wall.

Every ``vote.progress`` carries the whole slice the console shows (how many have cast,
and who present has not yet), so a console never rebuilds "not yet voted" from the
attendance it happens to have seen. For a secret ballot this says only *who* has cast
(participation is not secret), never a choice: a secret vote never shows running counts
(``definition.prepare`` refuses it), so no count can be lined up with a name.
"""

from __future__ import annotations

from meeting import events
from meeting.models import Sitting
from meeting.voting.models import Vote
from meeting.voting.services.counting import counts_by_question, not_voted


def announce(vote: Vote, sitting: Sitting, member_id: int | None = None) -> None:
    """Send the round's progress (after commit): the full list to the live roles,
    the count (and running counts, when shown) to the wall."""
    payload: dict = {"vote": vote.pk, "cast": vote.cast_count}
    if member_id is not None and not vote.is_secret:
        payload["member"] = member_id  # whose ballot this progress is for
    if vote.show_running:
        payload["counts"] = {str(k): v for k, v in counts_by_question(vote).items()}
        events.notify(events.role(sitting.pk, "display"), "vote.progress", payload, sitting.pk)
    consoles = payload | {"not_voted": not_voted(vote, sitting)}
    events.notify(events.live(sitting.pk), "vote.progress", consoles, sitting.pk)


def after_attendance(sitting: Sitting) -> None:
    """A check-in or check-out changes who may still vote in the open round."""
    vote = Vote.objects.filter(sitting=sitting, state=Vote.State.OPEN).first()
    if vote is not None:
        announce(vote, sitting)
