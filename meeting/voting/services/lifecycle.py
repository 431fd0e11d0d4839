"""A round's life: prepared → open → closed → announced, or cancelled.

Every step locks the vote row first, so two clerks pressing "close" at once produce
one close and one clear refusal, and no ballot can slip in between the close and the
count (casting locks the same row).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from core import clock, events, policy
from core.errors import DomainError
from core.events import emit
from core.models import Sitting
from meeting.services.quorum import quorum
from meeting.voting.models import TALLY_SHARDS, Question, SecretTally, Vote
from meeting.voting.services import audit, progress
from meeting.voting.services.common import vote_in_sitting
from meeting.voting.services.counting import count
from meeting.voting.services.payloads import result_payload, vote_payload


def _refuse_state(vote: Vote, wanted: str) -> DomainError:
    if vote.state in (Vote.State.CLOSED, Vote.State.ANNOUNCED):
        return DomainError("vote_closed", f"This round is already {vote.state}.", state=vote.state)
    return DomainError(
        "vote_not_open" if wanted == Vote.State.OPEN else "bad_state",
        f"This round is {vote.state}; it must be {wanted}.",
        state=vote.state,
    )


@transaction.atomic
def open_vote(sitting_id: int, vote_id: int, *, actor: policy.Actor) -> Vote:
    """Open a prepared round; refused without a quorum of the roster present."""
    policy.require(actor, "vote.open")
    vote = vote_in_sitting(sitting_id, vote_id, lock=True)
    if vote.state != Vote.State.PREPARED:
        raise DomainError(
            "vote_not_prepared", f"Only a prepared round opens; this one is {vote.state}."
        )
    sitting = Sitting.objects.select_related("session__term").get(pk=sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    status = quorum(sitting)
    if not status.reached:
        raise DomainError("no_quorum", f"No quorum: {status.explanation}.", **status.as_dict())
    other = Vote.objects.filter(sitting_id=sitting_id, state=Vote.State.OPEN).first()
    if other is not None:
        raise DomainError("vote_already_open", f"Close '{other.question}' first.", vote=other.pk)
    now = clock.now()
    vote.state, vote.opened_at = Vote.State.OPEN, now
    vote.closes_at = now + dt.timedelta(seconds=vote.duration_s) if vote.duration_s else None
    vote.save(update_fields=["state", "opened_at", "closes_at"])
    if vote.is_secret:
        SecretTally.objects.bulk_create(
            SecretTally(question=q, option=key, shard=shard)
            for q in Question.objects.filter(vote=vote)
            for key in vote.option_keys
            for shard in range(TALLY_SHARDS)
        )
    audit.append(vote, "open", body={"quorum": status.as_dict(), "rule": vote.rule.as_dict()})
    emit(sitting_id, "vote.opened", {"vote": vote_payload(vote), "quorum": status.as_dict()})
    progress.announce(vote, sitting)  # the consoles' "not yet voted", from the server
    return vote


@transaction.atomic
def close_vote(sitting_id: int, vote_id: int, *, actor: policy.Actor):
    """Close an open round, count it, store and announce the result to the room."""
    policy.require(actor, "vote.close")
    vote = vote_in_sitting(sitting_id, vote_id, lock=True)
    if vote.state != Vote.State.OPEN:
        raise _refuse_state(vote, Vote.State.OPEN)
    vote.state, vote.closed_at = Vote.State.CLOSED, clock.now()
    vote.save(update_fields=["state", "closed_at"])
    result = count(vote)
    audit.append(
        vote,
        "close",
        body={
            "cast": result.cast,
            "present": result.present,
            "counts": {str(q["id"]): q["counts"] for q in result.questions},
            "passed": result.passed,
        },
    )
    # Every screen gets counts and outcome at once; the per-member list of a named vote
    # (150 kB at 2,000 members) goes to the consoles, and tablets fetch it when opened.
    public = result_payload(result, with_named=False)
    public["named_available"] = vote.choices_visible == Vote.Visibility.ALL
    emit(sitting_id, "vote.closed", {"vote": vote_payload(vote), "result": public})
    if not vote.is_secret:
        payload = {"vote": vote.pk, "named": result.named}
        events.notify(events.live(sitting_id), "vote.named_result", payload, sitting_id)
    return result


@transaction.atomic
def announce(sitting_id: int, vote_id: int, *, actor: policy.Actor) -> Vote:
    """The chair announces the result (宣布表决结果); the wall display shows it as final."""
    policy.require(actor, "vote.announce")
    vote = vote_in_sitting(sitting_id, vote_id, lock=True)
    if vote.state != Vote.State.CLOSED:
        raise DomainError(
            "bad_state", f"Only a closed round is announced; this one is {vote.state}."
        )
    vote.state, vote.announced_at = Vote.State.ANNOUNCED, clock.now()
    vote.save(update_fields=["state", "announced_at"])
    audit.append(vote, "announce")
    emit(sitting_id, "vote.announced", {"vote": vote_payload(vote), "passed": vote.result.passed})
    return vote


@transaction.atomic
def cancel(sitting_id: int, vote_id: int, reason: str, *, actor: policy.Actor) -> Vote:
    """Cancel a prepared or open round; its ballots stay on record, uncounted."""
    policy.require(actor, "vote.cancel")
    vote = vote_in_sitting(sitting_id, vote_id, lock=True)
    if vote.state not in (Vote.State.PREPARED, Vote.State.OPEN):
        raise _refuse_state(vote, "prepared or open")
    if not reason.strip():
        raise DomainError("bad_vote", "Say why the round is cancelled; it goes on record.")
    was_open = vote.state == Vote.State.OPEN
    vote.state, vote.cancelled_at = Vote.State.CANCELLED, clock.now()
    vote.cancel_reason = reason.strip()[:300]
    vote.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    if was_open:
        audit.append(vote, "cancel", body={"reason": vote.cancel_reason})
    emit(sitting_id, "vote.cancelled", {"vote": vote_payload(vote)})
    return vote
