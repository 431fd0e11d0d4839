"""What each role sees of the sitting's votes: the snapshot part and the result sheet.

A reconnecting tablet must show exactly what the room shows: the open round, and its
own member's ballot state (for a secret vote only *that* it voted). The clerk's view
adds how many have voted and who has not (for a secret vote too, never a choice).
"""

from __future__ import annotations

from core import policy
from core.models import Sitting
from meeting.voting.models import Ballot, Vote
from meeting.voting.services.casting import own_choices
from meeting.voting.services.counting import counts_by_question, not_voted
from meeting.voting.services.payloads import may_see_named, result_payload, vote_payload


def mine(vote: Vote, member_id: int | None) -> dict | None:
    """The member's own ballot in this round, as far as the vote lets the server know."""
    if member_id is None:
        return None
    ballot = Ballot.objects.filter(vote=vote, member_id=member_id).first()
    if ballot is None:
        return {"cast": False}
    out: dict = {"cast": True, "cast_at": ballot.cast_at.isoformat()}
    if not vote.is_secret:
        out["choices"] = own_choices(ballot)
    return out


def progress(vote: Vote, sitting: Sitting) -> dict:
    """As ``vote.progress`` carries it: the count and who present has not cast (for a
    secret ballot too: who took part is not secret, the choice is), and a named vote's
    running tally (the clerk's; never a secret ballot's)."""
    out: dict = {"cast": vote.cast_count, "not_voted": not_voted(vote, sitting)}
    if not vote.is_secret:
        out["counts"] = {str(k): v for k, v in counts_by_question(vote).items()}
    return out


def wall_progress(vote: Vote) -> dict:
    """What the wall shows of an open round: how many have cast (every ballot, secret or
    named), and the running counts only when the vote shows them to the room."""
    out: dict = {"cast": vote.cast_count}
    if vote.show_running:
        out["counts"] = {str(k): v for k, v in counts_by_question(vote).items()}
    return out


def vote_view(vote: Vote, sitting: Sitting, role: str, member_id: int | None) -> dict:
    out: dict = {"vote": vote_payload(vote)}
    if vote.state == Vote.State.OPEN:
        out["mine"] = mine(vote, member_id)
        if policy.may(role, "vote.follow_progress"):
            out["progress"] = progress(vote, sitting)
        elif policy.may(role, "vote.wall_count"):
            out["progress"] = wall_progress(vote)
    if hasattr(vote, "result") and vote.state in (Vote.State.CLOSED, Vote.State.ANNOUNCED):
        # Tablets fetch the per-member list when they open it (see close_vote).
        with_named = may_see_named(vote, role) and policy.may(role, "vote.history")
        out["result"] = result_payload(vote.result, with_named=with_named)
        out["result"]["named_available"] = may_see_named(vote, role)
        out["mine"] = mine(vote, member_id)
    return out


def with_mine(data: dict, rounds: dict[str, Vote], member_id: int | None) -> dict:
    """``votes_shared``'s view with this member's own ballot in each round shown.

    Reads nothing when there is no such round or no member: a copy only where it differs.
    """
    if member_id is None or not rounds:
        return data
    out = dict(data)
    for key, vote in rounds.items():
        out[key] = {**data[key], "mine": mine(vote, member_id)}
    return out


def votes_shared(sitting: Sitting, role: str) -> tuple[dict, dict[str, Vote]]:
    """What every socket of ``role`` sees of the votes (no one's own ballot), and the
    rounds (``open``, ``latest``) whose view carries the reader's own ballot."""
    data = _votes(sitting, role)
    rounds = {k: data.pop(f"_{k}") for k in ("open", "latest")}
    return data, {k: v for k, v in rounds.items() if v is not None and "mine" in data[k]}


def _votes(sitting: Sitting, role: str) -> dict:
    member_id = None  # the shared view: every reader's own ballot is added by with_mine
    votes = list(
        Vote.objects.filter(sitting=sitting)
        .select_related("result")
        .prefetch_related("questions")
        .order_by("id")
    )
    current = next((v for v in votes if v.state == Vote.State.OPEN), None)
    done = [v for v in votes if v.state in (Vote.State.CLOSED, Vote.State.ANNOUNCED)]
    out: dict = {
        "open": vote_view(current, sitting, role, member_id) if current else None,
        "latest": vote_view(done[-1], sitting, role, member_id) if done else None,
        "_open": current,
        "_latest": done[-1] if done else None,
    }
    if policy.may(role, "vote.history"):
        out["history"] = [
            {
                "id": v.pk,
                "item": v.item_id,
                "question": v.question,
                "kind": v.kind,
                "state": v.state,
                "round": v.round,
                "previous": v.previous_id,
                "passed": v.result.passed if hasattr(v, "result") else None,
            }
            for v in votes
        ]
        out["prepared"] = [vote_payload(v) for v in votes if v.state == Vote.State.PREPARED]
    return out
