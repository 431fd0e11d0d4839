"""Migrations are complete and apply on SQLite and on the PostgreSQL server."""

from __future__ import annotations

import pytest

from harness.servers import Stack, create_pg_database


def test_no_model_change_lacks_a_migration(tmp_path):
    stack = Stack(tmp_path)
    stack.manage("makemigrations", "--check", "--dry-run")


def test_migrate_on_sqlite(tmp_path):
    stack = Stack(tmp_path)
    stack.manage("migrate", "--noinput", "-v0")
    tables = stack.python(
        "from django.db import connection\nresult = connection.introspection.table_names()"
    )
    assert {"meeting_sitting", "meeting_attendance", "realtime_sittingevent"} <= set(tables)


@pytest.mark.postgres
def test_migrate_and_demo_on_postgresql(tmp_path, pg_url):
    url, drop = create_pg_database(pg_url)
    try:
        stack = Stack(tmp_path, database_url=url)
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("demo", "--members", "12", "--no-documents")
        got = stack.python(
            "from django.db import connection\n"
            "from core.models import Member, Sitting\n"
            "result = [connection.vendor, Member.objects.count(), Sitting.objects.count()]"
        )
        assert got == ["postgresql", 15, 5]  # 12 seats + clerk, staff, display
    finally:
        drop()
