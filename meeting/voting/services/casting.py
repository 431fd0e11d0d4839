"""Casting a ballot (投票) from a member's tablet: entitled, once, counted exactly once.

The vote row is locked for the length of the cast, so a ballot and a close can never
interleave: a ballot either lands before the close and is counted, or meets a closed
vote and is refused. The unique ``(vote, member)`` of ``Ballot`` is the last guard
against a double, whatever path a repeat takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from core import clock
from core.errors import DomainError
from core.models import Attendance, Member, Sitting
from core.roster import sitting_roster
from meeting.voting.models import Ballot, NamedChoice, Question, SecretTally, Vote
from meeting.voting.services import audit, progress
from meeting.voting.services.common import vote_in_sitting


@dataclass(frozen=True)
class CastReceipt:
    """What the tablet is told back. For a secret vote: that it took part, nothing more."""

    vote_id: int
    round: int
    cast_at: str
    choices: dict[str, str] | None
    receipt: str
    changed: bool = False

    def as_dict(self) -> dict:
        out = {"vote": self.vote_id, "round": self.round, "cast_at": self.cast_at}
        out.update({"receipt": self.receipt, "changed": self.changed})
        if self.choices is not None:
            out["choices"] = self.choices
        return out


def _check_open(vote: Vote) -> None:
    if vote.state in (Vote.State.CLOSED, Vote.State.ANNOUNCED):
        raise DomainError("vote_closed", "Voting has closed; the ballot was not counted.")
    if vote.state != Vote.State.OPEN:
        raise DomainError("vote_not_open", f"This vote is {vote.state}, not open.")
    if vote.closes_at and clock.now() > vote.closes_at:
        raise DomainError("vote_time_up", "The countdown has run out; the ballot was not counted.")


def _check_entitled(sitting: Sitting, member_id: int) -> None:
    """On the roster and checked in: one query when it holds, two more to say why not."""
    roster = sitting_roster(sitting)
    ok = Attendance.objects.filter(
        sitting=sitting, member_id=member_id, checked_out_at__isnull=True, member__in=roster
    ).exists()
    if ok:
        return
    if not roster.filter(pk=member_id).exists():
        member = Member.objects.filter(pk=member_id).first()
        raise DomainError("not_on_roster", f"{member} is not on the roster of {sitting}.")
    raise DomainError("not_checked_in", "Check in (签到) before voting.")


def _check_answers(
    vote: Vote, answers: dict[str, str] | None, choice: str | None
) -> dict[int, str]:
    """{question id: option} for exactly the vote's questions, with known options.

    A one-line vote may be answered with a bare ``choice``.
    """
    questions = {
        str(pk): pk for pk in Question.objects.filter(vote=vote).values_list("pk", flat=True)
    }
    if (answers is None) == (choice is None):
        raise DomainError("incomplete_ballot", "Send either 'choice' or 'choices'.")
    if choice is not None:
        if len(questions) != 1:
            raise DomainError("incomplete_ballot", "This ballot has several lines; send 'choices'.")
        answers = {next(iter(questions)): choice}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise DomainError("unknown_question", "No such line on this ballot.", questions=unknown)
    missing = sorted(set(questions) - set(answers))
    if missing:
        raise DomainError("incomplete_ballot", "Answer every line.", missing=missing)
    bad = sorted({o for o in answers.values() if o not in vote.option_keys})
    if bad:
        raise DomainError(
            "unknown_option", f"Not an option of this vote: {', '.join(bad)}.", options=bad
        )
    return {questions[k]: v for k, v in answers.items()}


def _already(vote: Vote, ballot: Ballot) -> DomainError:
    details: dict = {"vote": vote.pk, "cast_at": ballot.cast_at.isoformat()}
    if not vote.is_secret:
        details["choices"] = own_choices(ballot)
    return DomainError("already_voted", "You have already voted in this round.", **details)


def own_choices(ballot: Ballot) -> dict[str, str]:
    return {str(c.question_id): c.option for c in ballot.choices.all()}


@transaction.atomic
def cast(
    sitting_id: int,
    vote_id: int,
    member_id: int,
    answers: dict[str, str] | None = None,
    *,
    choice: str | None = None,
) -> CastReceipt:
    """Record one member's ballot in an open round (or change it, where allowed).

    Everything that does not depend on the round's state (who, what) is checked before
    the vote row is locked, so the lock, which serialises the ballots of a round, is
    held only for the few writes that must not interleave with a close.
    """
    vote = vote_in_sitting(sitting_id, vote_id, related=True)
    sitting = vote.sitting
    _check_open(vote)  # refuse early; checked again under the lock
    chosen = _check_answers(vote, answers, choice)
    _check_entitled(sitting, member_id)
    vote = vote_in_sitting(sitting_id, vote_id, lock=True)
    _check_open(vote)
    ballot = Ballot.objects.filter(vote=vote, member_id=member_id).first()
    if ballot is not None:
        if not vote.allow_change:
            raise _already(vote, ballot)
        return _change(vote, sitting, ballot, chosen)
    # No savepoint: the vote row lock makes a concurrent double impossible here; if a
    # database without row locks let one through, the unique (vote, member) refuses it.
    ballot = Ballot.objects.create(vote=vote, member_id=member_id, cast_at=clock.now())
    counted = {"cast_count": F("cast_count") + 1}
    if vote.is_secret:
        for qid, option in chosen.items():
            SecretTally.objects.filter(question_id=qid, option=option).update(count=F("count") + 1)
        entry = audit.append(vote, "ballot", member_id=member_id, also=counted)
        choices = None
    else:
        NamedChoice.objects.bulk_create(
            NamedChoice(ballot=ballot, question_id=qid, option=opt) for qid, opt in chosen.items()
        )
        choices = {str(k): v for k, v in chosen.items()}
        entry = audit.append(
            vote, "ballot", member_id=member_id, body={"choices": choices}, also=counted
        )
    vote.cast_count += 1
    _progress(vote, sitting, member_id)
    return CastReceipt(vote.pk, vote.round, ballot.cast_at.isoformat(), choices, entry.hash)


def _change(vote: Vote, sitting: Sitting, ballot: Ballot, chosen: dict[int, str]) -> CastReceipt:
    for qid, option in chosen.items():
        NamedChoice.objects.filter(ballot=ballot, question_id=qid).update(option=option)
    ballot.changed_at = clock.now()
    ballot.save(update_fields=["changed_at"])
    choices = {str(k): v for k, v in chosen.items()}
    entry = audit.append(vote, "change", member_id=ballot.member_id, body={"choices": choices})
    _progress(vote, sitting, ballot.member_id)
    return CastReceipt(
        vote.pk, vote.round, ballot.cast_at.isoformat(), choices, entry.hash, changed=True
    )


def _progress(vote: Vote, sitting: Sitting, member_id: int) -> None:
    """Tell the clerks (and the wall, if counts are shown) how many have voted and who not."""
    progress.announce(vote, sitting, member_id)
