"""A new ballot on PostgreSQL in one statement: held open, inserted, counted, recorded.

What ``casting.cast`` does after its checks, as one round trip instead of five (hold
the round open, insert the ballot, its choices or its tally, its audit leaf, count the
ballots for the consoles). In a storm of 3,000 ballots every statement is paid 3,000
times, by the workers' Python and by the database alike (issue 27).

The statement's parts, in the order PostgreSQL runs them (each reads the one before):

- ``v`` holds the vote row ``FOR SHARE`` — a close (``FOR UPDATE``) waits for the
  ballot, and a ballot that waited for a close reads the row as the close left it;
- ``ok`` is that row when the round is open and its countdown has not run out;
- ``b`` inserts the ballot, ``ON CONFLICT (vote, member) DO NOTHING``: no row when the
  member's ballot is already there (a twin on another socket waits for it, then finds it);
- ``c`` inserts a named ballot's choices, or ``t`` adds one to a secret ballot's tally
  shard (drawn at random by the caller), only when ``b`` inserted;
- ``a`` inserts the ballot's audit leaf, only when ``b`` inserted;
- the result: the state and countdown as held, the ballot's id (or none), and the
  count of ballots as this statement's snapshot saw them, before its own.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from core.models import COMPONENT_ROLES, Attendance, Member, Session, Sitting
from meeting.voting.models import AuditEntry, Ballot, NamedChoice, SecretTally, Vote


@dataclass(frozen=True)
class Written:
    state: str
    closes_at: datetime | None
    ballot_id: int | None  # None: this member's ballot was already there, nothing written
    cast_before: int  # ballots counted by this statement's snapshot, without its own


_VOTE_FIELDS = (
    "id",
    "sitting_id",
    "state",
    "closes_at",
    "options",
    "kind",
    "allow_change",
    "show_running",
    "round",
    "opened_at",
)


@functools.cache
def _context_sql() -> str:
    """The vote, its sitting, and whether the member may cast: one statement.

    What ``vote_in_sitting(related=True)`` and ``_check_entitled`` read with the ORM, in
    plain SQL: in a storm the ORM's building of those two queries was a third of the
    workers' CPU per ballot (py-spy --gil, issue 27).
    """
    vote, sitting, session = Vote._meta.db_table, Sitting._meta.db_table, Session._meta.db_table
    attendance, member = Attendance._meta.db_table, Member._meta.db_table
    roles = ", ".join("'" + r.replace("'", "") + "'" for r in sorted(COMPONENT_ROLES))
    columns = ", ".join(f"v.{c}" for c in _VOTE_FIELDS)
    return f"""SELECT {columns}, s.kind, s.group_id, s.session_id, ss.term_id,
  EXISTS (
    SELECT 1 FROM {attendance} a JOIN {member} m ON m.id = a.member_id
    WHERE a.sitting_id = s.id AND a.member_id = %(member)s AND a.checked_out_at IS NULL
      AND m.term_id = ss.term_id AND m.active AND m.role IN ({roles})
      AND (s.kind <> 'group' OR m.group_id = s.group_id)
  )
FROM {vote} v JOIN {sitting} s ON s.id = v.sitting_id JOIN {session} ss ON ss.id = s.session_id
WHERE v.id = %(vote)s AND v.sitting_id = %(sitting)s"""


@dataclass(frozen=True)
class Context:
    vote: Vote  # the fields a ballot reads (``_VOTE_FIELDS``); never saved
    sitting: Sitting  # id, kind, group, session; never saved
    entitled: bool  # on the sitting's roster and checked in


def ballot_context(sitting_id: int, vote_id: int, member_id: int) -> Context | None:
    """The vote of this sitting and the member's entitlement, or None: no such vote."""
    with connection.cursor() as cur:
        cur.execute(_context_sql(), {"vote": vote_id, "sitting": sitting_id, "member": member_id})
        row = cur.fetchone()
    if row is None:
        return None
    fields = dict(zip(_VOTE_FIELDS, row[: len(_VOTE_FIELDS)], strict=True))
    if isinstance(fields["options"], str):  # Django reads jsonb as text
        fields["options"] = json.loads(fields["options"])
    kind, group_id, session_id, term_id, entitled = row[len(_VOTE_FIELDS) :]
    sitting = Sitting(id=sitting_id, kind=kind, group_id=group_id, session_id=session_id)
    return Context(Vote(**fields), sitting, bool(entitled))


def _sql(secret: bool) -> str:
    vote, ballot = Vote._meta.db_table, Ballot._meta.db_table
    choice, tally, entry = (
        NamedChoice._meta.db_table,
        SecretTally._meta.db_table,
        AuditEntry._meta.db_table,
    )
    chosen = "unnest(%(questions)s::bigint[], %(options)s::text[]) AS x(question, option)"
    if secret:
        lines = f"""t AS (
  UPDATE {tally} SET count = count + 1
  WHERE shard = %(shard)s AND EXISTS (SELECT 1 FROM b)
    AND (question_id, option) IN (SELECT question, option FROM {chosen})
),"""
    else:
        lines = f"""c AS (
  INSERT INTO {choice} (ballot_id, question_id, option)
  SELECT b.id, x.question, x.option FROM b, {chosen}
),"""
    return f"""WITH v AS (
  SELECT state, closes_at FROM {vote} WHERE id = %(vote)s FOR SHARE
), ok AS (
  SELECT 1 FROM v WHERE state = 'open' AND (closes_at IS NULL OR closes_at >= %(at)s)
), b AS (
  INSERT INTO {ballot} (vote_id, member_id, cast_at, changed_at)
  SELECT %(vote)s, %(member)s, %(at)s, NULL FROM ok
  ON CONFLICT (vote_id, member_id) DO NOTHING
  RETURNING id
), {lines} a AS (
  INSERT INTO {entry} (vote_id, seq, kind, member_id, body, at, prev_hash, hash)
  SELECT %(vote)s, NULL, 'ballot', %(member)s, %(body)s::jsonb, %(at)s, '', %(hash)s FROM b
)
SELECT v.state, v.closes_at, (SELECT id FROM b),
  (SELECT count(*) FROM {ballot} WHERE vote_id = %(vote)s)
FROM v"""


_STATEMENTS = {secret: _sql(secret) for secret in (False, True)}


def write_ballot(
    vote: Vote,
    member_id: int,
    chosen: dict[int, str],
    *,
    at: datetime,
    body: dict,
    leaf_hash: str,
    shard: int,
) -> Written:
    """Run the one statement; nothing is written unless the round is open and the
    member has no ballot in it yet."""
    params = {
        "vote": vote.pk,
        "member": member_id,
        "at": at,
        "questions": list(chosen),
        "options": list(chosen.values()),
        "body": json.dumps(body, ensure_ascii=False),
        "hash": leaf_hash,
        "shard": shard,
    }
    with connection.cursor() as cur:
        cur.execute(_STATEMENTS[vote.is_secret], params)
        state, closes_at, ballot_id, cast_before = cur.fetchone()
    return Written(state, closes_at, ballot_id, cast_before)
