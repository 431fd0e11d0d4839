"""Counting a closed round (计票): per-question counts, who did not vote, the outcome."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from meeting.models import Sitting
from meeting.rules import decide
from meeting.services.quorum import present_members, quorum
from meeting.voting.models import Ballot, NamedChoice, Result, SecretTally, Vote


def counts_by_question(vote: Vote) -> dict[int, dict[str, int]]:
    """{question id: {option: votes}} with every option present, zeros included."""
    out = {q.pk: dict.fromkeys(vote.option_keys, 0) for q in vote.questions.all()}
    if vote.is_secret:
        rows = SecretTally.objects.filter(question__vote=vote).values_list(
            "question_id", "option", "count"
        )
    else:
        rows = (
            NamedChoice.objects.filter(ballot__vote=vote)
            .values("question_id", "option")
            .annotate(n=Count("id"))
            .values_list("question_id", "option", "n")
        )
    for qid, option, n in rows:
        out[qid][option] = n
    return out


def _named_list(vote: Vote) -> list[dict]:
    """Each member who voted and their choice per question, in seat order."""
    by_ballot: dict[int, dict] = {}
    rows = NamedChoice.objects.filter(ballot__vote=vote).select_related("ballot__member")
    for c in rows.order_by("ballot__member__seat", "ballot__member_id", "question__order"):
        m = c.ballot.member
        entry = by_ballot.setdefault(
            c.ballot_id, {"member": m.pk, "name": m.full_name, "seat": m.seat, "choices": {}}
        )
        entry["choices"][str(c.question_id)] = c.option
    return list(by_ballot.values())


def not_voted(vote: Vote, sitting: Sitting) -> list[dict]:
    """Members present who have not cast a ballot in this round (for the clerk)."""
    voted = Ballot.objects.filter(vote=vote).values("member_id")
    rows = present_members(sitting).exclude(pk__in=voted).order_by("seat", "id")
    return [{"id": m.pk, "name": m.full_name, "seat": m.seat} for m in rows]


def count(vote: Vote) -> Result:
    """Count a round that has just been closed and store its result."""
    sitting = Sitting.objects.select_related("session__term").get(pk=vote.sitting_id)
    status = quorum(sitting)
    voters = set(Ballot.objects.filter(vote=vote).values_list("member_id", flat=True))
    here = set(present_members(sitting).values_list("pk", flat=True))
    present = len(here | voters)  # a member who voted and then left was present for it
    questions, passed = [], True
    all_counts = counts_by_question(vote)
    for q in vote.questions.all():
        counts = all_counts[q.pk]
        outcome = decide(vote.rule, status.roster_size, present, counts)
        passed = passed and outcome.passed
        questions.append(
            {"id": q.pk, "text": q.text, "counts": counts, "outcome": outcome.as_dict()}
        )
    return Result.objects.create(
        vote=vote,
        roster_size=status.roster_size,
        present=present,
        cast=len(voters),
        did_not_vote=len(here - voters),
        absent=max(status.roster_size - present, 0),
        passed=passed,
        questions=questions,
        named=None if vote.is_secret else _named_list(vote),
        closed_at=vote.closed_at or timezone.now(),
    )
