"""The socket's login from its session cookie (realtime/wsauth.py, deploy/sessions.py).

The handshake's lookups are plain SQL, not Channels' and Django's ORM calls: these
tests hold them to the same rules — the session must exist and be unexpired, the
login active, and its password unchanged since the session began.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deploy.sessions import SessionStore
from realtime.protocol.errors import CLOSE_UNAUTHENTICATED
from realtime.wsauth import socket_user
from tests.realtime.conftest import cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def _key(cookie: bytes) -> str:
    return cookie.decode().split("=", 1)[1]


async def test_a_logged_in_socket_is_welcomed_as_its_login(committee, connect):
    member = committee.members[0]
    sock = await connect(member.user, committee.plenary.pk)
    assert sock.welcome["data"]["user"] == member.user.pk


async def test_a_password_changed_since_login_closes_the_socket(committee, connect):
    """Django logs a login out everywhere when its password changes: sockets too."""
    member = committee.members[0]
    cookie = await cookie_for(member.user)

    @sync_to_async
    def change_password():
        user = get_user_model().objects.get(pk=member.user.pk)
        user.set_password("a new one, 2026")
        user.save()

    await change_password()
    comm_closed = await _connect_with(cookie, committee.plenary.pk)
    assert comm_closed == CLOSE_UNAUTHENTICATED
    # the stale session is flushed, as Django's own check does
    assert not await sync_to_async(Session.objects.filter(session_key=_key(cookie)).exists)()


async def test_an_inactive_login_is_refused(committee, connect):
    member = committee.members[0]
    cookie = await cookie_for(member.user)
    await sync_to_async(get_user_model().objects.filter(pk=member.user.pk).update)(is_active=False)
    assert await _connect_with(cookie, committee.plenary.pk) == CLOSE_UNAUTHENTICATED


async def test_an_expired_session_is_refused(committee, connect):
    member = committee.members[0]
    cookie = await cookie_for(member.user)
    past = timezone.now() - timedelta(seconds=1)
    await sync_to_async(Session.objects.filter(session_key=_key(cookie)).update)(expire_date=past)
    assert await _connect_with(cookie, committee.plenary.pk) == CLOSE_UNAUTHENTICATED


@pytest.mark.django_db
def test_the_lookup_is_two_plain_statements(committee):
    """Session row, then login row: nothing else, and no ORM-built query."""
    from django.test import Client

    client = Client()
    client.force_login(committee.members[0].user)
    scope = {"session": SessionStore(client.cookies["sessionid"].value)}
    with CaptureQueriesContext(connection) as q:
        user = socket_user(scope)
    assert user.pk == committee.members[0].user.pk
    sql = [x["sql"] for x in q.captured_queries]
    assert len(sql) == 2, sql
    assert "django_session" in sql[0] and "auth_user" in sql[1]


@pytest.mark.django_db
def test_an_unknown_session_key_loads_empty_and_drops_the_key():
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None


async def _connect_with(cookie: bytes, sitting_id: int) -> int | None:
    """The close code the socket gets right after its accept (None: it stayed open)."""
    from channels.testing import WebsocketCommunicator

    from deploy.asgi import application
    from tests.realtime.conftest import ORIGIN

    comm = WebsocketCommunicator(
        application, f"/ws/sittings/{sitting_id}/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await comm.connect(timeout=5)
    assert connected
    out = await comm.receive_output(timeout=5)
    await comm.disconnect()
    return out.get("code") if out["type"] == "websocket.close" else None


def test_the_login_read_by_hand_is_the_orms_row(committee):
    """``_user_by_id`` (a plain cursor and ``from_db``) gives what the ORM would, field by
    field: converted values (aware datetimes on SQLite too), a row from the database."""
    from realtime.wsauth import _user_by_id

    user = committee.members[0].user
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    orm = get_user_model().objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as q:
        mine = _user_by_id(str(user.pk))  # the session stores the id as text
    assert len(q.captured_queries) == 1
    for f in get_user_model()._meta.concrete_fields:
        assert getattr(mine, f.attname) == getattr(orm, f.attname), f.name
    assert mine.last_login.tzinfo is not None
    assert not mine._state.adding and mine._state.db == "default"
    assert _user_by_id(str(10**9)) is None
