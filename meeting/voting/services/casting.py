"""Casting a ballot (投票) from a member's tablet: entitled, once, counted exactly once.

A ballot holds the vote row with a *shared* lock (PostgreSQL's ``FOR SHARE``) from the
moment it checks that the round is open until it commits; the close takes the row
``FOR UPDATE``, which waits for every ballot holding it and holds off every later one.
So a ballot either lands before the close and is counted, or meets a closed round and
is refused, as when every ballot locked the row outright, but ballots no longer queue
for each other: nothing a ballot writes is on the vote row (the count is the ballots',
the audit entry is a leaf sealed at the close, a secret tally is split over shards).
Issue 27: 2,000 ballots took 22 s when each waited for the one before.

Exactly once is the database's: the ballot is inserted ``ON CONFLICT (vote, member) DO
NOTHING``, so of two sends of one ballot (a resend on another socket) one inserts and
the other finds it, whatever their timing; the idempotency receipt answers the repeat.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from core import clock
from core.errors import DomainError
from core.models import Attendance, Member, Sitting
from core.roster import sitting_roster
from meeting.voting.models import TALLY_SHARDS, Ballot, NamedChoice, Question, SecretTally, Vote
from meeting.voting.services import audit, casting_pg, progress
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


_LINES: dict[tuple, dict[str, int]] = {}  # (vote, opened at) → its ballot lines
_LINES_KEPT = 64
_LINES_LOCK = threading.Lock()  # the database threads of a process share the cache


def _lines(vote: Vote) -> dict[str, int]:
    """The ids of an open vote's ballot lines, read once per process and round.

    Lines are written with the vote (``definition.prepare``) and never changed, so a
    storm's ballots need not each read them again. Keyed by the opening time too: a
    test database that rolls back can hand the same id to another vote.
    """
    key = (vote.pk, vote.opened_at)
    lines = _LINES.get(key)
    if lines is None:
        ids = Question.objects.filter(vote=vote).values_list("pk", flat=True)
        lines = {str(pk): pk for pk in ids}
        if vote.state == Vote.State.OPEN and vote.opened_at is not None:
            with _LINES_LOCK:
                if len(_LINES) >= _LINES_KEPT:
                    _LINES.pop(next(iter(_LINES)))  # the oldest: a process sees few rounds
                _LINES[key] = lines
    return lines


def _check_answers(
    vote: Vote, answers: dict[str, str] | None, choice: str | None
) -> dict[int, str]:
    """{question id: option} for exactly the vote's questions, with known options.

    A one-line vote may be answered with a bare ``choice``.
    """
    questions = _lines(vote)
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


def _hold_open(vote: Vote) -> None:
    """Read the round's state again just before writing, and check it is still open.

    SQLite has one writer at a time, so this read sees what a close committed. (On
    PostgreSQL the round is held open ``FOR SHARE`` inside ``casting_pg.write_ballot``.)
    """
    rows = Vote.objects.filter(pk=vote.pk).values_list("state", "closes_at")
    vote.state, vote.closes_at = rows.get()
    _check_open(vote)


def _insert_ballot(vote: Vote, member_id: int, cast_at) -> int | None:
    """The ballot's row id, or None when this member's ballot is already there."""
    table = Ballot._meta.db_table
    at = connection.ops.adapt_datetimefield_value(cast_at)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (vote_id, member_id, cast_at, changed_at) "
            "VALUES (%s, %s, %s, NULL) ON CONFLICT (vote_id, member_id) DO NOTHING RETURNING id",
            [vote.pk, member_id, at],
        )
        row = cur.fetchone()
    return row[0] if row else None


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

    Who and what are checked before the round is held open (``_hold_open``); what is
    written after it touches no row another member's ballot writes, but a tally shard
    two ballots may draw at once (a row lock held for the rest of one short commit).
    """
    if connection.vendor == "postgresql":
        return _cast_on_postgresql(sitting_id, vote_id, member_id, answers, choice)
    vote = vote_in_sitting(sitting_id, vote_id, related=True)
    sitting = vote.sitting
    _check_open(vote)  # refuse early; checked again while held open
    chosen = _check_answers(vote, answers, choice)
    _check_entitled(sitting, member_id)
    _hold_open(vote)
    cast_at = clock.now()
    ballot_id = _insert_ballot(vote, member_id, cast_at)
    if ballot_id is None:
        return _already_there(vote, sitting, member_id, chosen)
    if vote.is_secret:
        for qid, option in chosen.items():
            shard = secrets.randbelow(TALLY_SHARDS)  # at random: never the member's
            SecretTally.objects.filter(question_id=qid, option=option, shard=shard).update(
                count=F("count") + 1
            )
        entry = audit.add_leaf(vote.pk, "ballot", member_id)
        choices = None
    else:
        NamedChoice.objects.bulk_create(
            NamedChoice(ballot_id=ballot_id, question_id=qid, option=opt)
            for qid, opt in chosen.items()
        )
        choices = {str(k): v for k, v in chosen.items()}
        entry = audit.add_leaf(vote.pk, "ballot", member_id, body={"choices": choices})
    _progress(vote, sitting, member_id)
    return CastReceipt(vote.pk, vote.round, cast_at.isoformat(), choices, entry.hash)


def _cast_on_postgresql(
    sitting_id: int, vote_id: int, member_id: int, answers, choice
) -> CastReceipt:
    """Two statements for a new ballot: who and what (``ballot_context``), then the
    writes (``write_ballot``); the ORM only to say precisely why a member may not."""
    found = casting_pg.ballot_context(sitting_id, vote_id, member_id)
    if found is None:
        raise DomainError("not_found", f"Vote {vote_id} is not a vote of this sitting.")
    vote, sitting = found.vote, found.sitting
    _check_open(vote)  # refuse early; checked again while held open
    chosen = _check_answers(vote, answers, choice)
    if not found.entitled:  # rare: read again with the ORM, for the precise refusal
        real = vote_in_sitting(sitting_id, vote_id, related=True)
        _check_entitled(real.sitting, member_id)
    return _cast_in_one_statement(vote, sitting, member_id, chosen)


def _cast_in_one_statement(
    vote: Vote, sitting: Sitting, member_id: int, chosen: dict[int, str]
) -> CastReceipt:
    """PostgreSQL: hold the round open and write the ballot in one round trip
    (``casting_pg``); then, only if nothing was written, say why."""
    at = clock.now()
    choices = None if vote.is_secret else {str(k): v for k, v in chosen.items()}
    body = {} if vote.is_secret else {"choices": choices}
    leaf = audit.leaf_hash(vote.pk, "ballot", member_id, body, at)
    shard = secrets.randbelow(TALLY_SHARDS)  # at random: never the member's
    written = casting_pg.write_ballot(
        vote, member_id, chosen, at=at, body=body, leaf_hash=leaf, shard=shard
    )
    vote.state, vote.closes_at = written.state, written.closes_at
    if written.ballot_id is None:
        _check_open(vote)  # closed, or the countdown ran out: nothing was written
        return _already_there(vote, sitting, member_id, chosen)
    _progress(vote, sitting, member_id, cast=written.cast_before + 1)
    return CastReceipt(vote.pk, vote.round, at.isoformat(), choices, leaf)


def _already_there(
    vote: Vote, sitting: Sitting, member_id: int, chosen: dict[int, str]
) -> CastReceipt:
    """The member's ballot was in this round already: refused, or changed where allowed."""
    ballot = Ballot.objects.get(vote=vote, member_id=member_id)
    if not vote.allow_change:
        raise _already(vote, ballot)
    return _change(vote, sitting, ballot, chosen)


def _change(vote: Vote, sitting: Sitting, ballot: Ballot, chosen: dict[int, str]) -> CastReceipt:
    for qid, option in chosen.items():
        NamedChoice.objects.filter(ballot=ballot, question_id=qid).update(option=option)
    ballot.changed_at = clock.now()
    ballot.save(update_fields=["changed_at"])
    choices = {str(k): v for k, v in chosen.items()}
    entry = audit.add_leaf(vote.pk, "change", ballot.member_id, body={"choices": choices})
    _progress(vote, sitting, ballot.member_id)
    return CastReceipt(
        vote.pk, vote.round, ballot.cast_at.isoformat(), choices, entry.hash, changed=True
    )


def _progress(vote: Vote, sitting: Sitting, member_id: int, cast: int | None = None) -> None:
    """Tell the clerks (and the wall, if counts are shown) how many have voted and who not."""
    progress.announce(vote, sitting, member_id, cast=cast)
