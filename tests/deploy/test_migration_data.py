"""An upgrade keeps the record: a database of the oldest migrations, with data written
through the historical models, migrated to the head (issue 26, part 4).

Each step runs in its own process (tests/deploy/migration_data.py), as an upgrade does:
the old state is built and filled, then a fresh process with today's code migrates it.
The audit trail's model moved from app ``proceedings`` to the core (state only, same
table): a row written at ``proceedings.0001`` must be read as ``core.models.AuditEntry``.
"""

from __future__ import annotations

import pytest

from harness.servers import Stack, create_pg_database

pytestmark = [pytest.mark.e2e]

BUILD = "from tests.deploy.migration_data import build_at_oldest\nresult = build_at_oldest()"
UPGRADE = "from tests.deploy.migration_data import upgrade_and_read\nresult = upgrade_and_read()"


def upgrade(stack: Stack) -> tuple[dict, dict]:
    before = stack.python(BUILD, timeout=600)
    after = stack.python(UPGRADE, timeout=600)
    return before, after


def check(before: dict, after: dict) -> None:
    targets, written = before["targets"], before["written"]
    for app in ("meeting", "voting", "floor", "proceedings", "docs_store", "media", "realtime"):
        assert targets[app] == "0001_initial", targets
    assert "meeting.0004_auditentry" not in before["applied"]  # the old home of the trail

    assert after["members"] == written["members"] == 5
    assert after["card_numbers"] == [""]  # the field added later, defaulted
    assert after["sittings"] == sorted(written["sittings"])
    assert after["floor_rules"] == after["sittings"]  # floor.0002 gave each sitting its rules
    assert after["vote"] == written["vote"] and after["vote_state"] == "open"
    assert after["ballots"] == written["ballots"] == 3
    assert after["cast_count"] == 3  # counted from the ballots already there, not 0
    assert after["chain"] == {
        "intact": True,
        "entries": 4,
        "first_bad_seq": None,
        "head": written["audit_head"],
    }
    assert after["audit"] == {
        "action": "vote.open",
        "actor": "会务组 秘书",
        "sitting": written["sittings"][0],
        "data": {"vote": written["vote"]},
        "table": "proceedings_auditentry",
        "app": "meeting",  # core.models.AuditEntry (label "meeting"), the same row
    }
    assert after["document"][0] == written["document"] and after["document"][3] == 3
    assert after["speech"] == written["speech"] and after["requests"] == 1
    assert after["clip"] == ["clips/old/speech.mp4", 180.0, {}]  # quality: added, defaulted


def test_oldest_sqlite_database_upgrades_with_its_data(tmp_path):
    check(*upgrade(Stack(tmp_path)))


@pytest.mark.postgres
def test_oldest_postgresql_database_upgrades_with_its_data(tmp_path, pg_url):
    url, drop = create_pg_database(pg_url)
    try:
        check(*upgrade(Stack(tmp_path, database_url=url)))
    finally:
        drop()
