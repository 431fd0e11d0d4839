"""What the room is told about a vote: one place decides which fields leave the server.

Secrecy is enforced here as much as in the tables: nothing built in this module for a
secret vote mentions a member next to a choice.
"""

from __future__ import annotations

from core import policy
from meeting.voting.models import Result, Vote


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def rule_payload(vote: Vote) -> dict:
    rule = vote.rule
    return {
        **rule.as_dict(),
        "words": rule.threshold_words,
        "words_zh": rule.threshold_words_zh,
        "label": rule.label,
        "label_zh": rule.label_zh,
    }


def vote_payload(vote: Vote) -> dict:
    """The vote's definition and state, the same for every role."""
    return {
        "id": vote.pk,
        "item": vote.item_id,
        "question": vote.question,
        "kind": vote.kind,
        "options": vote.options,
        "questions": [{"id": q.pk, "order": q.order, "text": q.text} for q in vote.questions.all()],
        "rule": rule_payload(vote),
        "duration_s": vote.duration_s,
        "allow_change": vote.allow_change,
        "show_running": vote.show_running,
        "choices_visible": vote.choices_visible,
        "state": vote.state,
        "round": vote.round,
        "previous": vote.previous_id,
        "opened_at": _iso(vote.opened_at),
        "closes_at": _iso(vote.closes_at),
        "closed_at": _iso(vote.closed_at),
        "announced_at": _iso(vote.announced_at),
        "cancel_reason": vote.cancel_reason,
    }


def result_payload(result: Result, *, with_named: bool) -> dict:
    """Counts and outcome; the per-member list only when this audience may see it."""
    out = {
        "vote": result.vote_id,
        "roster_size": result.roster_size,
        "present": result.present,
        "cast": result.cast,
        "did_not_vote": result.did_not_vote,
        "absent": result.absent,
        "passed": result.passed,
        "questions": result.questions,
        "closed_at": _iso(result.closed_at),
    }
    if with_named and result.named is not None:
        out["named"] = result.named
    return out


def may_see_named(vote: Vote, role: str) -> bool:
    """Who may read each member's choice once the vote is closed."""
    if vote.is_secret:
        return False
    return policy.may_see_named(role, vote.choices_visible)
