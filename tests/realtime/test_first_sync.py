"""The first ``sync`` of a sitting reads and never writes, so a room connecting at once
cannot race (on PostgreSQL the snapshot is REPEATABLE READ: a lazy ``get_or_create`` in
it lost to a neighbour's insert and answered ``conflict``)."""

from __future__ import annotations

import datetime as dt
import functools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Sitting
from core.roster import sitting_role
from harness.threads import at_once
from meeting.floor.models import FloorRules
from realtime.context import Context
from realtime.protocol import decode
from realtime.runner import run_command

WRITES = ("INSERT", "UPDATE", "DELETE")
SYNC = json.dumps({"type": "sync", "id": "s1", "data": {"last_seq": 0}})


def _ctx(committee, sitting, who) -> Context:
    """The socket's context as connect builds it: the login's real role in the sitting
    (the runner checks it again on every command; the committee's chair presides)."""
    role = sitting_role(who.user, sitting)
    return Context(user_id=who.user_id, sitting_id=sitting.pk, role=role, member_id=who.pk)


def _new_sitting(committee) -> Sitting:
    return Sitting.objects.create(
        session=committee.session,
        kind="plenary",
        title="新会议",
        starts_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
    )


@pytest.mark.django_db
def test_a_sitting_gets_its_floor_rules_when_created(committee):
    s = _new_sitting(committee)
    assert FloorRules.objects.filter(sitting=s).count() == 1


@pytest.mark.django_db
def test_a_snapshot_writes_nothing(committee):
    s = _new_sitting(committee)
    FloorRules.objects.filter(sitting=s).delete()  # a sitting older than the migration
    for who in (committee.members[0], committee.clerk):
        with CaptureQueriesContext(connection) as q:
            answer = run_command(_ctx(committee, s, who), decode(SYNC, 65536))
        assert answer["ok"], answer
        assert answer["data"]["snapshot"]["floor"]["rules"]["mode"] == "request"
        writes = [
            x["sql"] for x in q.captured_queries if x["sql"].lstrip().upper().startswith(WRITES)
        ]
        assert writes == []
    assert not FloorRules.objects.filter(sitting=s).exists()


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_first_syncs_all_succeed(committee):
    """24 threads, each with its own database connection, sync a new sitting at once."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serves one DB thread (YITING_DB_THREADS=1); CI's PostgreSQL pass runs this"
        )
    s = _new_sitting(committee)
    people = [committee.clerk, committee.chair, *committee.members] * 2
    people = (people * 2)[:24]
    jobs = [
        functools.partial(run_command, _ctx(committee, s, who), decode(SYNC, 65536))
        for who in people
    ]
    answers, errors = at_once(jobs)
    assert errors == []
    assert [a["ok"] for a in answers] == [True] * len(people), [a for a in answers if not a["ok"]]
    assert {a["data"]["seq"] for a in answers} == {s.event_seq}
    assert FloorRules.objects.filter(sitting=s).count() == 1
