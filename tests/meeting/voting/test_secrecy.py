"""Secret ballots: after a secret vote, no table row and no log line ties a member to a choice.

The test drives the real socket path (runner, receipts, the proceedings trail, the
journal), then reads every table of the database, whatever app owns it, so a table
added later by anyone is inspected too.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from tests.meeting.voting.conftest import check_in
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

pytestmark = pytest.mark.django_db(transaction=True)

OPTIONS = {"yes", "no", "abstain"}
TOKEN = re.compile(r"[A-Za-z_]+")


def _identity_columns() -> dict[str, dict[str, str]]:
    """{table: {column: 'member' | 'user'}} for every column that points at a person."""
    out: dict[str, dict[str, str]] = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            rels = connection.introspection.get_relations(cur, table)
            for column, (_, target) in rels.items():
                if target == "meeting_member":
                    out.setdefault(table, {})[column] = "member"
                elif target == "auth_user":
                    out.setdefault(table, {})[column] = "user"
    return out


def _rows() -> dict[str, list[dict]]:
    out = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            cols = [c[0] for c in cur.description]
            out[table] = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    return out


def _choice_tokens(row: dict) -> set[str]:
    found: set[str] = set()
    for value in row.values():
        if isinstance(value, (str, bytes, memoryview)):
            text = value if isinstance(value, str) else bytes(value).decode("latin-1")
            found |= OPTIONS & set(TOKEN.findall(text))
        elif isinstance(value, (dict, list)):
            found |= OPTIONS & set(TOKEN.findall(json.dumps(value)))
    return found


def _voter_in(row: dict, table: str, idcols, voters) -> bool:
    for column, kind in idcols.get(table, {}).items():
        ids = voters["member"] if kind == "member" else voters["user"]
        if row.get(column) in ids:
            return True
    text = json.dumps(row, default=str, ensure_ascii=False)
    return any(name in text for name in voters["names"])


def linking_rows(voters) -> list[tuple[str, dict]]:
    """Rows that name a voter and also carry a choice."""
    idcols = _identity_columns()
    bad = []
    for table, rows in _rows().items():
        for row in rows:
            if _choice_tokens(row) and _voter_in(row, table, idcols, voters):
                bad.append((table, row))
    return bad


def choice_rows() -> dict[str, int]:
    """How many rows of each table carry any choice word at all."""
    return {t: sum(1 for r in rows if _choice_tokens(r)) for t, rows in _rows().items()}


alinking, achoice_rows = sync_to_async(linking_rows), sync_to_async(choice_rows)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot format is still a record
            self.lines.append(str(record.msg))


async def test_no_row_or_log_line_links_a_member_to_a_secret_choice(committee, connect):  # noqa: F811
    voters = [committee.chair, *committee.members[:6]]

    @sync_to_async
    def setup() -> int:
        check_in(committee.plenary, voters)
        return committee.plenary.agenda_items.order_by("order").first().pk

    item = await setup()
    s = committee.plenary.pk
    clerk = await connect(committee.clerk.user, s)
    r = await clerk.request(
        "vote.prepare", {"item": item, "question": "人事任免", "kind": "secret"}, key="p"
    )
    vote = r["data"]["vote"]["id"]
    assert (await clerk.request("vote.open", {"vote": vote}))["ok"]
    before = await achoice_rows()

    root = logging.getLogger()
    cap, old_level = Capture(), root.level
    root.addHandler(cap)
    root.setLevel(logging.DEBUG)
    try:
        # The chair votes too: the chair's commands are the ones a trail records.
        pattern = ["yes", "no", "abstain", "yes", "no", "yes", "abstain"]
        for n, (m, choice) in enumerate(zip(voters, pattern, strict=True)):
            t = await connect(m.user, s)
            r = await t.request("vote.cast", {"vote": vote, "choice": choice}, key=f"k{n}")
            assert r["ok"], r
            # a resend after a drop, and a second ballot with another key
            await t.request("vote.cast", {"vote": vote, "choice": choice}, key=f"k{n}")
            r = await t.request("vote.cast", {"vote": vote, "choice": "no"}, key=f"x{n}")
            assert r["error"]["code"] == "already_voted"
            await t.close()
        during = await achoice_rows()
        ident = {
            "member": {m.pk for m in voters},
            "user": {m.user_id for m in voters},
            "names": {m.full_name for m in voters},
        }
        # No table grew a row carrying a choice per ballot (no ordering, no timestamp to
        # match against participation): tallies are updated in place.
        assert during == before
        assert await alinking(ident) == []
        r = await clerk.request("vote.close", {"vote": vote})
        assert r["ok"]
        counts = r["data"]["result"]["questions"][0]["counts"]
        assert counts == {"yes": 3, "no": 2, "abstain": 2}
        assert await alinking(ident) == []
    finally:
        root.removeHandler(cap)
        root.setLevel(old_level)
    names = [m.full_name for m in voters] + [m.user.username for m in voters]
    for line in cap.lines:
        words = set(TOKEN.findall(line))
        assert not (OPTIONS & words and any(n in line for n in names)), line
        assert "choice" not in line, line
