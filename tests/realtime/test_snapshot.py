"""A snapshot is one consistent read: on PostgreSQL, at REPEATABLE READ."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from realtime import snapshot
from realtime.context import Context
from realtime.protocol import decode
from realtime.runner import run_command


@pytest.fixture
def isolation_probe():
    """A temporary snapshot part that reports the transaction it is read in."""
    seen: list[dict] = []

    def probe(sitting, ctx) -> dict:
        level = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SHOW transaction_isolation")
                level = cur.fetchone()[0]
        seen.append({"atomic": connection.in_atomic_block, "level": level})
        return {}

    snapshot.register("isolation_probe", probe, snapshot.SOCKET)
    snapshot.register("isolation_probe_shared", probe, snapshot.SHARED)
    yield seen
    snapshot.unregister("isolation_probe")
    snapshot.unregister("isolation_probe_shared")


@pytest.mark.django_db(transaction=True)
def test_sync_snapshot_is_read_in_one_repeatable_transaction(committee, isolation_probe):
    member = committee.members[0]
    ctx = Context(
        user_id=member.user_id,
        sitting_id=committee.plenary.pk,
        role="member",
        member_id=member.pk,
    )
    frame = json.dumps({"type": "sync", "id": "s1", "data": {"last_seq": 0}})
    answer = run_command(ctx, decode(frame, 65536))
    assert answer["ok"], answer
    assert answer["data"]["mode"] == "snapshot"
    # the shared read and the socket's own read: each one transaction at REPEATABLE READ
    assert isolation_probe == 2 * [
        {
            "atomic": True,
            "level": "repeatable read" if connection.vendor == "postgresql" else None,
        }
    ]


def test_every_part_of_the_table_is_registered_by_ready():
    """Registered explicitly from RealtimeConfig.ready, in the table's order."""
    names = [name for name, _, _ in snapshot.TABLE]
    assert [n for n in snapshot.PARTS if n in names] == names
    assert {n: snapshot.SCOPES[n] for n in names} == {n: s for n, _, s in snapshot.TABLE}


def test_a_part_that_cannot_be_found_stops_the_start():
    from django.core.exceptions import ImproperlyConfigured

    lost = [("lost", "realtime.handlers.core.no_such_part", snapshot.SHARED)]
    with pytest.raises(ImproperlyConfigured, match="lost"):
        snapshot.register_parts(lost)
    assert "lost" not in snapshot.PARTS


@pytest.mark.django_db
def test_card_numbers_reach_the_console_never_a_tablet(committee):
    """The roster part carries card numbers (check-in at the console) to live roles only."""
    from core.models import Member
    from realtime.handlers.core import roster_part

    member = committee.members[0]
    Member.objects.filter(pk=member.pk).update(card_number="880042")
    sitting = committee.plenary
    as_member = Context(
        user_id=member.user_id, sitting_id=sitting.pk, role="member", member_id=member.pk
    )
    as_clerk = Context(
        user_id=committee.clerk.user_id, sitting_id=sitting.pk, role="clerk", member_id=None
    )
    clerk_rows = {r["id"]: r for r in roster_part(sitting, as_clerk)}
    assert clerk_rows[member.pk]["card"] == "880042"
    assert all("card" not in r for r in roster_part(sitting, as_member))
