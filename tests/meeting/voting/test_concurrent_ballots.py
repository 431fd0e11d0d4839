"""Ballots that arrive at the same moment, each member's twice, with a close racing them.

Ballots no longer take the vote row in turn (issue 27): they hold it shared, a close
takes it outright. Each ballot is then either counted once or refused as closed or
already cast; the tally, the ballots and the audit record's sealed leaves agree; and a
secret round's count is spread over random shards that sum to the ballots. Real
threads, each with its own PostgreSQL connection: SQLite has one writer and one
database thread, so CI's PostgreSQL pass runs these.
"""

from __future__ import annotations

import pytest
from django.db import connection

from core.errors import DomainError
from harness.actors import CLERK
from harness.threads import at_once
from meeting.voting import services
from meeting.voting.models import TALLY_SHARDS, AuditEntry, Ballot, SecretTally
from meeting.voting.services import audit

pytestmark = pytest.mark.django_db(transaction=True)

REFUSALS = {"already_voted", "vote_closed"}


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("one writer on SQLite: CI's PostgreSQL pass runs this")


def _cast(room, vote, member, option):
    """A member's ballot, as a job: its receipt, or the code of its refusal."""

    def job():
        try:
            return services.cast(room.plenary.pk, vote.pk, member.pk, choice=option)
        except DomainError as exc:
            return exc.code

    return job


@pytest.mark.parametrize("kind", ["named", "secret"])
def test_doubled_ballots_at_once_are_stored_once_and_all_counted(room, open_vote, kind):
    _needs_postgresql()
    vote = open_vote(kind=kind)
    options = ["yes", "no", "abstain"]
    jobs = [_cast(room, vote, m, options[i % 3]) for i, m in enumerate(room.voters) for _ in (1, 2)]
    answers, errors = at_once(jobs)
    assert errors == []
    receipts = [a for a in answers if not isinstance(a, str)]
    assert len(receipts) == len(room.voters)  # one per member; the twin was refused
    assert sorted(a for a in answers if isinstance(a, str)) == ["already_voted"] * len(room.voters)
    result = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    assert result.cast == Ballot.objects.filter(vote=vote).count() == len(room.voters)
    counts = result.questions[0]["counts"]
    assert counts == {
        o: sum(1 for i in range(len(room.voters)) if i % 3 == k) for k, o in enumerate(options)
    }
    vote.refresh_from_db()
    check = audit.verify(vote)
    assert check.intact, check
    close = AuditEntry.objects.get(vote=vote, kind="close")
    assert close.body["ballots"]["entries"] == len(room.voters)
    assert {r.receipt for r in receipts} == set(
        AuditEntry.objects.filter(vote=vote, kind="ballot").values_list("hash", flat=True)
    )
    if kind == "secret":
        rows = SecretTally.objects.filter(question__vote=vote)
        assert rows.count() == 3 * TALLY_SHARDS
        assert sum(rows.values_list("count", flat=True)) == len(room.voters)
        # no member, no time in a tally row; the shard is drawn at random, not by member
        assert {f.name for f in SecretTally._meta.fields} == {
            "id",
            "question",
            "option",
            "shard",
            "count",
        }


@pytest.mark.parametrize("kind", ["named", "secret"])
def test_a_close_racing_the_ballots_counts_each_one_it_lets_in(room, open_vote, kind):
    _needs_postgresql()
    vote = open_vote(kind=kind)
    jobs = [_cast(room, vote, m, "yes") for m in room.voters for _ in (1, 2)]
    jobs.append(lambda: services.close_vote(room.plenary.pk, vote.pk, actor=CLERK))
    answers, errors = at_once(jobs)
    assert errors == []
    refusals = [a for a in answers if isinstance(a, str)]
    assert set(refusals) <= REFUSALS, refusals
    stored = Ballot.objects.filter(vote=vote).count()
    result = type(vote).objects.get(pk=vote.pk).result  # the close's, from its thread
    # every ballot stored was counted, none after the close: the close waited for the
    # ballots holding the round open, and later ones met a closed round
    assert result.cast == stored == result.questions[0]["counts"]["yes"]
    vote.refresh_from_db()
    assert audit.verify(vote).intact
    sealed = AuditEntry.objects.get(vote=vote, kind="close").body["ballots"]["entries"]
    assert sealed == stored


def test_an_entry_edited_added_or_removed_after_the_close_is_found(room, open_vote):
    """Not concurrent, but on the same leaves: the seal names the close; a leaf its row."""
    vote = open_vote()
    for m in room.voters[:3]:
        services.cast(room.plenary.pk, vote.pk, m.pk, choice="no")
    services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    vote.refresh_from_db()
    close = AuditEntry.objects.get(vote=vote, kind="close")
    assert audit.verify(vote).intact
    leaf = AuditEntry.objects.filter(vote=vote, kind="ballot").first()
    original = leaf.body
    AuditEntry.objects.filter(pk=leaf.pk).update(body={"choices": {"1": "yes"}})
    check = audit.verify(vote)
    assert (check.intact, check.first_bad_entry, check.first_bad_seq) == (False, leaf.pk, None)
    assert check.as_dict()["first_bad_entry"] == leaf.pk
    AuditEntry.objects.filter(pk=leaf.pk).update(body=original)
    assert audit.verify(vote).intact
    # a leaf removed: every remaining leaf verifies, the seal does not
    gone = AuditEntry.objects.get(pk=leaf.pk)
    gone.delete()
    check = audit.verify(vote)
    assert (check.intact, check.first_bad_seq) == (False, close.seq)
    # put back as it was: whole again; a forged leaf added after the close: broken
    gone.save(force_insert=True)
    assert audit.verify(vote).intact
    forged = audit.add_leaf(vote.pk, "ballot", room.voters[5].pk, body={"choices": {"1": "yes"}})
    check = audit.verify(vote)
    assert (check.intact, check.first_bad_seq) == (False, close.seq)
    forged.delete()
    assert audit.verify(vote).intact
