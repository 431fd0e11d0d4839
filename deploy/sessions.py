"""The login session store: Django's database store, its one hot read in plain SQL.

Every tablet's socket handshake loads the login session (realtime/wsauth.py), so a
reconnect storm of 2,000 tablets is 2,000 loads at once; the ORM spent more Python
compiling ``Session.objects.get(session_key=…, expire_date__gt=now)`` than the database
spent answering it. The statement, the expiry rule and what a missing or expired
session gives (an empty session, the key dropped) are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class _Row:
    __slots__ = ("session_data",)

    def __init__(self, session_data: str) -> None:
        self.session_data = session_data


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        model = self.model
        conn = connections[router.db_for_read(model)]
        q = conn.ops.quote_name
        sql = (
            f"SELECT {q('session_data')} FROM {q(model._meta.db_table)}"
            f" WHERE {q('session_key')} = %s AND {q('expire_date')} > %s"
        )
        with conn.cursor() as cur:
            cur.execute(sql, [key, timezone.now()])
            row = cur.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Row(row[0])
