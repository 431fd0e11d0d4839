"""Counting a closed round (计票): per-question counts, who did not vote, the outcome."""

from __future__ import annotations

from django.db.models import Count, Sum

from core import clock
from core.models import Sitting
from core.roster import component_members, sitting_roster
from meeting.rules import decide
from meeting.services.quorum import present_members, quorum
from meeting.voting.models import Ballot, NamedChoice, Result, SecretTally, Vote


def counts_by_question(vote: Vote) -> dict[int, dict[str, int]]:
    """{question id: {option: votes}} with every option present, zeros included."""
    out = {q.pk: dict.fromkeys(vote.option_keys, 0) for q in vote.questions.all()}
    if vote.is_secret:
        rows = (  # an option's count is the sum of its shards
            SecretTally.objects.filter(question__vote=vote)
            .values("question_id", "option")
            .annotate(n=Sum("count"))
            .values_list("question_id", "option", "n")
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


def _named_rows(vote: Vote) -> list[tuple]:
    """(member, name, seat, question, option) of every named choice, in seat order.

    One query of plain tuples: at 2,000 members building model objects costs more
    than the count itself.
    """
    return list(
        NamedChoice.objects.filter(ballot__vote=vote)
        .order_by("ballot__member__seat", "ballot__member_id", "question__order")
        .values_list(
            "ballot__member_id",
            "ballot__member__full_name",
            "ballot__member__seat",
            "question_id",
            "option",
        )
    )


def _named_list(rows: list[tuple]) -> list[dict]:
    """Each member who voted and their choice per question, in seat order."""
    by_member: dict[int, dict] = {}
    for member, name, seat, qid, option in rows:
        entry = by_member.setdefault(
            member, {"member": member, "name": name, "seat": seat, "choices": {}}
        )
        entry["choices"][str(qid)] = option
    return list(by_member.values())


def not_voted(vote: Vote, sitting: Sitting) -> list[dict]:
    """Members present who have not cast a ballot in this round (for the clerk)."""
    voted = Ballot.objects.filter(vote=vote).values("member_id")
    rows = present_members(sitting).exclude(pk__in=voted).order_by("seat", "id")
    fields = rows.values_list("pk", "full_name", "seat")  # no model rows: up to 2,000
    return [{"id": pk, "name": name, "seat": seat} for pk, name, seat in fields]


def _people(sitting: Sitting, here: set[int], voters: set[int]) -> dict[str, list[dict]]:
    """Names of who was present and did not vote, and of who was absent (seat order).

    The roster is the one the quorum counts (``quorum``): all component members at a
    plenary, the group at a group sitting. Participation only: never what anyone chose.
    """
    if sitting.kind == Sitting.Kind.PLENARY:
        roster = component_members(sitting.session.term)
    else:
        roster = sitting_roster(sitting)
    rows = roster.order_by("seat", "id").values_list("pk", "full_name", "seat")
    out: dict[str, list[dict]] = {"did_not_vote": [], "absent": []}
    for pk, name, seat in rows:
        if pk in voters:
            continue
        out["did_not_vote" if pk in here else "absent"].append(
            {"id": pk, "name": name, "seat": seat}
        )
    return out


def count(vote: Vote) -> Result:
    """Count a round that has just been closed and store its result."""
    sitting = Sitting.objects.select_related("session__term").get(pk=vote.sitting_id)
    roster_size = quorum(sitting).roster_size
    here = set(present_members(sitting).values_list("pk", flat=True))
    questions = list(vote.questions.all())
    counts = {q.pk: dict.fromkeys(vote.option_keys, 0) for q in questions}
    if vote.is_secret:
        voters = set(Ballot.objects.filter(vote=vote).values_list("member_id", flat=True))
        counts = counts_by_question(vote)
        named = None
    else:
        rows = _named_rows(vote)  # one pass gives voters, counts and the named list
        voters = {r[0] for r in rows}
        for _, _, _, qid, option in rows:
            counts[qid][option] += 1
        named = _named_list(rows)
    present = len(here | voters)  # a member who voted and then left was present for it
    lines, passed = [], True
    for q in questions:
        outcome = decide(vote.rule, roster_size, present, counts[q.pk])
        passed = passed and outcome.passed
        lines.append(
            {"id": q.pk, "text": q.text, "counts": counts[q.pk], "outcome": outcome.as_dict()}
        )
    return Result.objects.create(
        vote=vote,
        roster_size=roster_size,
        present=present,
        cast=len(voters),
        did_not_vote=len(here - voters),
        absent=max(roster_size - present, 0),
        passed=passed,
        questions=lines,
        named=named,
        people=_people(sitting, here, voters),
        closed_at=vote.closed_at or clock.now(),
    )
