"""Queries per connect, per resync, per flip and per ballot: pinned, each one named.

A reconnect storm multiplies these by 2,000 and a vote storm by every ballot; a new
query on one of these paths must be a decision (change the pin and its comment), never
an accident. Savepoints (the test's own transaction around the service's) are not
counted: in production the service's transaction is the outermost one.
"""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core import policy
from core.models import AuditEntry
from harness.actors import CLERK
from meeting.services import agenda
from realtime import journal, presence, snapshot
from realtime.consumers import arrive
from realtime.context import Context
from realtime.protocol import decode
from realtime.runner import run_command
from tests.meeting.voting.conftest import line, make_vote, open_vote, room  # noqa: F401

pytestmark = pytest.mark.django_db


class Queries(CaptureQueriesContext):
    def statements(self) -> list[str]:
        return [
            x["sql"]
            for x in self.captured_queries
            # transaction control, not reads or writes: savepoints, BEGIN and COMMIT, and on
            # PostgreSQL the snapshot's SET TRANSACTION ISOLATION LEVEL REPEATABLE READ
            if not x["sql"].startswith(
                ("SAVEPOINT", "RELEASE SAVEPOINT", "SET TRANSACTION", "BEGIN", "COMMIT")
            )
        ]

    def tables(self) -> list[str]:
        """The table each statement is on (its outer FROM/INTO): what the pins describe."""
        out = []
        at_of = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}
        for sql in self.statements():
            words = sql.replace('"', " ").replace("(", " ( ").replace(")", " ) ").split()
            label = verb = words[0]
            depth = 0
            for n, word in enumerate(words):
                depth += (word == "(") - (word == ")")
                if verb == "WITH" and depth == 0 and word in at_of:  # the statement after
                    verb = word  # the CTEs: "WITH <its table>"
                elif verb != "WITH" and depth == 0 and word == at_of[verb]:
                    # the outer FROM, not a subquery's (EXISTS(…) in a column)
                    out.append(f"{label} {words[n + 1]}")
                    break
        return out


def _cmd(type_: str, data: dict, key: str | None = None):
    frame = {"type": type_, "id": "q", "data": data}
    if key:
        frame["key"] = key
    return decode(json.dumps(frame), 65536)


def _ctx(committee, who, role="member") -> Context:
    return Context(
        user_id=who.user_id,
        sitting_id=committee.plenary.pk,
        role=role,
        member_id=who.pk,
        channel_name=f"test.{who.pk}",
    )


def test_connect(committee):
    member = committee.members[0]
    with Queries(connection) as q:
        code, ctx, _ = arrive(member.user, committee.plenary.pk, "test.1")
        presence.write_batch([ctx], [])  # a batch of one: a socket connecting alone
    assert code is None and ctx.role == "member"
    assert q.tables() == [
        # the sitting, joined to its session and the login's member row in the term, with
        # the login's superuser flag and whether the member clerks any sitting (subqueries)
        "SELECT meeting_sitting",
        "INSERT realtime_connection",  # presence: the batch's sockets (no look-up first)
        "SELECT realtime_connection",  # presence: live sockets per member, for the console
    ]


def test_presence_batch_is_three_statements_for_any_number_of_sockets(committee):
    """A storm's arrivals and departures of one process: one INSERT, one DELETE, one count."""
    members = committee.members[:6]
    old = [_ctx(committee, m) for m in members[:3]]
    presence.write_batch(old, [])
    new = [dataclasses.replace(c, channel_name=c.channel_name + ".new") for c in old]
    new += [_ctx(committee, m) for m in members[3:]]
    with Queries(connection) as q:
        presence.write_batch(new, old)
    assert q.tables() == [
        "INSERT realtime_connection",  # the six arrivals, in one statement
        "DELETE realtime_connection",  # the three departures, in one statement
        "SELECT realtime_connection",  # live sockets per member of the batch (GROUP BY)
    ]
    assert {r["member"]: r["sockets"] for r in presence.online(committee.plenary.pk)} == {
        m.pk: 1 for m in members
    }


def _run(ctx, cmd) -> tuple[dict, list[str]]:
    with Queries(connection) as q:
        answer = run_command(ctx, cmd)
    assert answer["ok"], answer
    return answer, q.tables()


# emit (realtime/events.py): on PostgreSQL one statement, the seq's UPDATE … RETURNING in a
# CTE feeding the INSERT of the journal row (its outer verb is the WITH's INSERT); on
# SQLite the UPDATE … RETURNING, then the INSERT.
JOURNAL = (
    ["UPDATE meeting_sitting", "INSERT realtime_sittingevent"]
    if connection.vendor == "sqlite"
    else ["WITH realtime_sittingevent"]
)

AUTHORITY = [
    # authority per command (policy): the sitting with the login's member row in its term
    # and the login's flag, one statement (core.roster.standing_and_seq)
    "SELECT meeting_sitting",
]
SHARED_READ = [  # once per batch of sockets of one role per process (realtime/snapshot.py)
    "SELECT meeting_sitting",  # the sitting, session, term and group (one join), its seq
    "SELECT meeting_agendaitem",  # agenda part: the items
    "SELECT meeting_attendance",  # attendance part: who is present
    "SELECT meeting_member",  # attendance part, quorum: the roster's size
    "SELECT meeting_member",  # attendance part, quorum: members present
    "SELECT meeting_member",  # roster part: the roster itself
    "SELECT docs_store_presenterstate",  # presenter part: document and page
    "SELECT meeting_agendaitem",  # presenter part: the current item's presenter
    "SELECT docs_store_document",  # documents part: every document (filtered per reader)
    "SELECT floor_floorrules",  # floor: rules (read only, never created here)
    "SELECT floor_speech",  # floor: open floors
    "SELECT floor_speakingrequest",  # floor: the queue
    "SELECT floor_speech",  # floor: the recent log
    "SELECT media_publisher",  # media: publishers
    "SELECT media_recording",  # media: recordings
    "SELECT voting_vote",  # votes (no open round here: no one's own ballot to read)
    "SELECT notices_notice",  # notices: the recent ones (and, when there are, who read them)
    "SELECT notices_servicecall",  # notices: the calls open or just ended
]
# per socket: nothing. Its views of the shared read (you, may_present, the documents its
# access level may read, its own ballot when a round is open) read no table: the reader's
# standing is the authority check's, the documents list the shared read's.


@pytest.mark.django_db(transaction=True)
def test_resync_snapshot(committee):
    """The first socket of a batch: the shared read, and nothing of its own."""
    snapshot.SHARED_READS.clear()
    _, tables = _run(_ctx(committee, committee.members[0]), _cmd("sync", {"last_seq": 0}))
    assert tables == AUTHORITY + SHARED_READ


@pytest.mark.django_db(transaction=True)
def test_resync_snapshot_in_a_storm(committee):
    """A socket live before the batch's shared read began: only the authority check."""
    snapshot.SHARED_READS.clear()
    first = _ctx(committee, committee.members[0])
    second = dataclasses.replace(_ctx(committee, committee.members[1]), live_since=time.monotonic())
    a, _ = _run(first, _cmd("sync", {"last_seq": 0}))
    b, tables = _run(second, _cmd("sync", {"last_seq": 0}))
    assert tables == AUTHORITY
    assert a["data"]["snapshot"]["agenda"] == b["data"]["snapshot"]["agenda"]
    assert b["data"]["snapshot"]["sitting"]["you"]["member"] == committee.members[1].pk


@pytest.mark.django_db(transaction=True)
def test_sync_right_after_connect_in_a_storm(committee):
    """A sync sent just after the connect is answered with the connect's own lookup."""
    snapshot.SHARED_READS.clear()
    _run(_ctx(committee, committee.members[0]), _cmd("sync", {"last_seq": 0}))
    member = committee.members[1]
    _, ctx, _ = arrive(member.user, committee.plenary.pk, "test.2")
    ctx = dataclasses.replace(ctx, live_since=time.monotonic() - 60)  # live before that read
    answer, tables = _run(ctx, _cmd("sync", {"last_seq": 0}))
    assert tables == []  # no query at all
    you = answer["data"]["snapshot"]["sitting"]["you"]
    assert you == {"role": "member", "member": member.pk, "may": policy.answers("member")}


def test_resync_snapshot_inside_a_transaction(committee):
    """Inside a caller's transaction nothing is shared: one read of every part."""
    _, tables = _run(_ctx(committee, committee.members[0]), _cmd("sync", {"last_seq": 0}))
    assert tables == AUTHORITY + SHARED_READ  # the same tables, in one transaction


def test_resync_replay(committee):
    agenda.step(committee.plenary.pk, 1, actor=CLERK)
    agenda.step(committee.plenary.pk, 1, actor=CLERK)
    _, tables = _run(_ctx(committee, committee.members[0]), _cmd("sync", {"last_seq": 1}))
    assert tables == AUTHORITY + [
        "SELECT meeting_sitting",  # the sitting's current seq
        "SELECT realtime_sittingevent",  # the missed events, in order
    ]


@pytest.mark.django_db(transaction=True)
def test_resync_replay_in_a_storm(committee):
    """Tablets back from one outage share one replay read (those live before it began)."""
    journal.REPLAYS.clear()
    agenda.step(committee.plenary.pk, 1, actor=CLERK)
    agenda.step(committee.plenary.pk, 1, actor=CLERK)
    first = _ctx(committee, committee.members[0])
    second = dataclasses.replace(_ctx(committee, committee.members[1]), live_since=time.monotonic())
    a, _ = _run(first, _cmd("sync", {"last_seq": 1}))
    b, tables = _run(second, _cmd("sync", {"last_seq": 1}))
    assert tables == AUTHORITY
    assert a["data"] == b["data"] and b["data"]["mode"] == "replay"
    assert [e["seq"] for e in b["data"]["events"]] == [2]
    # a socket that went live after that read began reads again: it may have missed more
    agenda.step(committee.plenary.pk, 1, actor=CLERK)
    third = dataclasses.replace(_ctx(committee, committee.members[2]), live_since=time.monotonic())
    c, tables = _run(third, _cmd("sync", {"last_seq": 1}))
    assert tables == AUTHORITY + ["SELECT meeting_sitting", "SELECT realtime_sittingevent"]
    assert [e["seq"] for e in c["data"]["events"]] == [2, 3]


def test_flip(committee):
    """The room's flip (agenda.open): six round trips on PostgreSQL, BEGIN and COMMIT included.

    Before issue 27 it took nine: the lock, the agenda's read, two UPDATEs, the journal's
    statement and the audit's INSERT each their own.
    """
    items = list(committee.plenary.agenda_items.order_by("order"))
    agenda.open_item(committee.plenary.pk, items[0].pk, actor=CLERK)
    ctx = _ctx(committee, committee.clerk, role="clerk")
    with Queries(connection) as q:
        answer = run_command(ctx, _cmd("agenda.open", {"item": items[1].pk}))
    assert answer["ok"], answer
    # authority per command (policy): the sitting, the login's member in the term, its
    # login (superuser) and whether this clerk is assigned to sittings (then it runs only
    # those), one statement, before the command's transaction
    authority = ["SELECT meeting_sitting"]
    lock = ["SELECT meeting_sitting"]  # lock the sitting row (its state and title)
    if connection.vendor == "postgresql":
        assert q.tables() == [
            *authority,
            *lock,
            # one statement, after the lock (in the locking statement PostgreSQL would
            # join an older snapshot of the items): the current item made done (a CTE,
            # guarded: not when the item to open is current already or not on this
            # agenda), and the whole agenda in order as it now is (the item, the slice)
            "WITH meeting_agendaitem",
            # emit: the seq's UPDATE … RETURNING, the new current item's UPDATE, the audit
            # entry's INSERT (the actor's name and session from the authority check) as
            # CTEs of the INSERT of the journal row: one statement
            "WITH realtime_sittingevent",
        ]
        journal = q.statements()[-1]
        assert 'UPDATE "meeting_agendaitem" SET state' in journal
        assert 'INSERT INTO "proceedings_auditentry"' in journal
    else:  # SQLite: its CTEs cannot write, so the same work in more statements
        assert q.tables() == [
            *authority,
            *lock,
            "UPDATE meeting_agendaitem",  # the current one becomes done (guarded)
            "SELECT meeting_agendaitem",  # the whole agenda, in order, as it now is
            "UPDATE meeting_agendaitem",  # emit's writes: the new one becomes current
            "INSERT proceedings_auditentry",  # the audit entry, carried by the emit
            "UPDATE meeting_sitting",  # emit: the next seq
            "INSERT realtime_sittingevent",  # emit: the journal row
        ]
    transaction_control = [x["sql"] for x in q.captured_queries if x["sql"] in ("BEGIN", "COMMIT")]
    assert len(transaction_control) <= 2  # BEGIN (where the driver logs it) and COMMIT
    states = dict(committee.plenary.agenda_items.values_list("pk", "state"))
    assert (states[items[0].pk], states[items[1].pk]) == ("done", "current")
    last = committee.plenary.events.order_by("-seq").first()
    assert last.type == "agenda.current" and last.payload["agenda"]["current"] == items[1].pk
    assert [i["state"] for i in last.payload["agenda"]["items"][:2]] == ["done", "current"]
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.actor, entry.data) == (
        "agenda.open",
        committee.clerk.full_name,
        {"item": items[1].pk},
    )


def test_flip_to_the_current_item_writes_only_its_audit_entry(committee):
    """No event to carry it: the audit entry is written on its own, nothing else changes."""
    items = list(committee.plenary.agenda_items.order_by("order"))
    agenda.open_item(committee.plenary.pk, items[0].pk, actor=CLERK)
    seq = committee.plenary.events.count()
    ctx = _ctx(committee, committee.clerk, role="clerk")
    answer, tables = _run(ctx, _cmd("agenda.open", {"item": items[0].pk}))
    assert answer["data"]["item"]["state"] == "current"
    assert tables[-1] == "INSERT proceedings_auditentry"
    # no seq taken, no journal row
    assert not [t for t in tables if t.endswith("sittingevent") or t == "UPDATE meeting_sitting"]
    states = dict(committee.plenary.agenda_items.values_list("pk", "state"))
    assert [states[i.pk] for i in items] == ["current"] + ["pending"] * (len(items) - 1)
    assert committee.plenary.events.count() == seq
    assert AuditEntry.objects.filter(action="agenda.open").count() == 1


def test_ballot(room, open_vote):  # noqa: F811
    vote = open_vote()
    first = _ctx(room, room.voters[2])  # the round's first ballot reads its lines
    assert run_command(first, _cmd("vote.cast", {"vote": vote.pk, "choice": "no"}, key="b0"))["ok"]
    member = room.voters[1]
    ctx = _ctx(room, member)
    _, tables = _run(ctx, _cmd("vote.cast", {"vote": vote.pk, "choice": "yes"}, key="b1"))
    checks = [
        "SELECT meeting_sitting",  # authority per command (policy): sitting + member, one
        "SELECT realtime_commandreceipt",  # a resend? answer from the receipt
    ]
    if connection.vendor == "postgresql":
        checks += [
            # meeting/voting/services/casting_pg.py, plain SQL: the vote, its sitting and
            # session, and whether the member is on the roster and checked in
            "SELECT voting_vote",
            # not its ballot lines: read by the round's first ballot in this process, kept
        ]
        # one statement: the round held open (FOR SHARE, shared by every ballot, waited
        # for by the close), the ballot (ON CONFLICT (vote, member) DO NOTHING), its
        # choice, its audit leaf, the count for the consoles; nothing in it writes the
        # vote row, so ballots never queue (issue 27)
        writes = ["WITH v"]
    else:
        checks += [
            "SELECT voting_vote",  # the vote, its sitting and session (no lock)
            # not its ballot lines: read by the round's first ballot in this process, kept
            "SELECT meeting_attendance",  # checked in, on the roster (by the term's id)
        ]
        writes = [  # SQLite, one writer: the same, a statement each
            "SELECT voting_vote",  # the round's state, as a close left it
            "INSERT voting_ballot",  # the ballot, ON CONFLICT (vote, member) DO NOTHING
            "INSERT voting_namedchoice",  # its choice (named vote)
            "INSERT voting_auditentry",  # the ballot's leaf in the audit record
            "SELECT voting_ballot",  # the count for the consoles and the wall (no counter)
        ]
    assert tables == [
        *checks,
        *writes,
        "INSERT realtime_commandreceipt",  # the idempotency receipt, same transaction
        # not here: the consoles' "not yet voted" list, read after the commit outside the
        # ballot's transaction and coalesced over a burst (meeting/voting/services/progress.py)
    ]


def test_an_in_memory_layer_never_shares_a_read_begun_before_the_socket_was_live():
    """With the embedded in-memory layer another process's change is never announced
    here, so a quiet hub proves nothing: only a read begun after the socket went live."""
    import time

    snapshot._changes_announced_here.cache_clear()
    try:
        assert snapshot._changes_announced_here() is False  # the test settings' layer
        now = time.monotonic()
        ctx = None  # not consulted: refused before the hub is asked
        assert snapshot.may_share(ctx, started=now - 0.1, live_since=now) is False
        assert snapshot.may_share(ctx, started=now, live_since=now - 0.1) is True
    finally:
        snapshot._changes_announced_here.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_the_flips_statements_are_prepared_on_postgresql(committee):
    """PostgreSQL parses and plans each hot statement once per connection, not per flip.

    With ``YITING_PG_PREPARE_THRESHOLD`` (2), psycopg prepares a statement on its second
    run; the server's ``pg_prepared_statements`` then lists it for this connection.
    """
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; CI's PostgreSQL pass runs this")
    if connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        pytest.skip("YITING_PG_PREPARE_THRESHOLD=none: prepared statements are off")
    items = list(committee.plenary.agenda_items.order_by("order"))
    ctx = _ctx(committee, committee.clerk, role="clerk")
    for k in range(4):
        answer = run_command(ctx, _cmd("agenda.open", {"item": items[k % 2].pk}))
        assert answer["ok"], answer
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cur.fetchall()]

    def has(fragment: str) -> bool:
        return any(fragment in text for text in prepared)

    assert has('INSERT INTO "realtime_sittingevent"')  # the journal's CTE
    assert has('FROM "meeting_sitting" s JOIN')  # the authority read
    assert has('UPDATE "meeting_agendaitem"')


@pytest.mark.django_db(transaction=True)
def test_a_command_takes_no_savepoints_inside_its_transaction(committee):
    """The services' nested ``atomic`` blocks cost no SAVEPOINT/RELEASE round trips.

    Here the runner's transaction is the outermost (as in production); a refusal inside
    a service still rolls the whole command back, and the next command goes through.
    """
    items = list(committee.plenary.agenda_items.order_by("order"))
    ctx = _ctx(committee, committee.clerk, role="clerk")
    with Queries(connection) as q:
        assert run_command(ctx, _cmd("agenda.open", {"item": items[0].pk}))["ok"]
        refused = run_command(ctx, _cmd("agenda.open", {"item": 999_999}))
        assert run_command(ctx, _cmd("agenda.open", {"item": items[1].pk}))["ok"]
    assert refused["error"]["code"] == "not_found"
    sql = [x["sql"] for x in q.captured_queries]
    assert not [s for s in sql if "SAVEPOINT" in s.upper()]
    assert sum(s.upper().startswith("ROLLBACK") for s in sql) <= 1  # the refusal, if any
    journal_types = list(committee.plenary.events.order_by("seq").values_list("type", flat=True))
    assert journal_types.count("agenda.current") == 2  # the refused one wrote nothing
    assert "_savepoint_allowed" not in vars(connections["default"])  # its own method again


@pytest.mark.django_db(transaction=True)
async def test_a_storm_shares_one_read_while_no_event_reaches_the_room(
    committee, connect, monkeypatch
):
    """Tablets back after a drop share a read begun before they were live again, while
    their groups (subscribed before it began: they linger) have had no event since it
    began (``Hub.quiet_since``); their sync is then answered on the event loop, with no
    database thread. An event to the room ends the sharing: the next sync reads again.
    Only where every process's change reaches this one as an event (a Redis layer in
    production; the test's in-memory layer is told it is one)."""
    from asgiref.sync import sync_to_async

    from realtime import consumers

    monkeypatch.setattr(snapshot, "_changes_announced_here", lambda: True)

    snapshot.SHARED_READS.clear()
    before = snapshot.SHARED_READS.reads
    threads = []
    real_run = consumers._run

    async def counting_run(ctx, cmd):
        threads.append(cmd.spec.type)
        return await real_run(ctx, cmd)

    consumers._run = counting_run
    tablet = committee.members[1].user
    try:
        await (await connect(tablet, committee.plenary.pk)).close()  # its groups linger
        first = await connect(committee.members[0].user, committee.plenary.pk)
        a = await first.request("sync", {"last_seq": 0})
        reads = snapshot.SHARED_READS.reads
        assert threads == ["sync"] and reads == before + 1
        # the tablet back, live only after that read began: shared, answered at once
        back = await connect(tablet, committee.plenary.pk)
        b = await back.request("sync", {"last_seq": 0})
        assert snapshot.SHARED_READS.reads == reads and threads == ["sync"]
        assert b["data"]["seq"] == a["data"]["seq"]
        assert b["data"]["snapshot"]["sitting"]["you"]["member"] == committee.members[1].pk
        assert b["data"]["snapshot"]["agenda"] == a["data"]["snapshot"]["agenda"]
        # an event reaches the room: the tablet back once more reads again, and is current
        await back.close()
        await sync_to_async(agenda.step)(committee.plenary.pk, 1, actor=CLERK)
        await first.event("agenda.current")
        again = await connect(tablet, committee.plenary.pk)
        c = await again.request("sync", {"last_seq": 0})
        assert snapshot.SHARED_READS.reads == reads + 1 and threads == ["sync", "sync"]
        assert c["data"]["seq"] == a["data"]["seq"] + 1
    finally:
        consumers._run = real_run
