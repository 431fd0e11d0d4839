"""The socket's login from its session cookie, read in the database pool.

Channels' ``AuthMiddleware`` reads the session and the user with a thread-sensitive
``database_sync_to_async``: every handshake of a process queues on one thread, so in a
reconnect storm 1,000 sockets' two lookups ran in series behind each other (and behind
any other thread-sensitive work). The lookup has no thread-local state, so it runs in
``realtime.dbthreads``' pool instead, in the same call as the socket's role
(``realtime.consumers.arrive_from_scope``). It is Channels' ``get_user`` (the session's user,
its password hash verified, an inactive login refused), with the user read in one
plain statement: the ORM's query compilation was most of a handshake's lookup cost.
The session itself is read by ``deploy.sessions``.
"""

from __future__ import annotations

import functools

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.utils.crypto import constant_time_compare

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@functools.cache
def _user_read(vendor: str, alias: str) -> tuple[str, list[str], list[tuple[int, list, object]]]:
    """The login row's statement, its fields' names and their converters, built once.

    The columns named, not ``*``: a prepared ``SELECT *`` fails once a migration adds a
    column ("cached plan must not change result type"). The converters are those Django's
    compiler applies (e.g. SQLite's text timestamps made aware datetimes).
    """
    model = get_user_model()
    conn = connections[alias]
    q = conn.ops.quote_name
    fields = model._meta.concrete_fields
    cols = ", ".join(q(f.column) for f in fields)
    sql = f"SELECT {cols} FROM {q(model._meta.db_table)} WHERE {q(model._meta.pk.column)} = %s"
    converting = []
    for n, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        found = conn.ops.get_db_converters(col) + f.get_db_converters(conn)
        if found:
            converting.append((n, found, col))
    return sql, [f.attname for f in fields], converting


def _user_by_id(user_id) -> object | None:
    """The login row by primary key, as a model instance, without compiling a query.

    A plain cursor and ``Model.from_db``: a ``RawQuerySet`` spent more Python resolving
    its columns from the cursor's description than the database spent on the row.
    """
    model = get_user_model()
    pk = model._meta.pk.to_python(user_id)
    sql, names, converting = _user_read(connection.vendor, connection.alias)
    with connection.cursor() as cur:
        cur.execute(sql, [pk])
        row = cur.fetchone()
    if row is None:
        return None
    if converting:
        row = list(row)
        for n, found, col in converting:
            for convert in found:
                row[n] = convert(row[n], col, connection)
    return model.from_db(connection.alias, names, row)


def socket_user(scope):
    """The login of the socket's session, or ``AnonymousUser`` (Channels' ``get_user``)."""
    session = scope["session"]
    try:
        user_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path != MODEL_BACKEND or backend_path not in settings.AUTHENTICATION_BACKENDS:
        from channels.auth import get_user

        return get_user.func(scope)  # another (or no longer allowed) backend: Channels' own
    user = _user_by_id(user_id)
    if user is None or not getattr(user, "is_active", True):
        return AnonymousUser()
    verified = constant_time_compare(
        session.get(HASH_SESSION_KEY) or "", user.get_session_auth_hash()
    )
    if not verified:
        session.flush()
        return AnonymousUser()
    return user


def resolve_user(scope):
    """Read the socket's login (``socket_user``) into the scope's lazy user; return it.

    Called inside the connect's own database call (realtime/consumers.py), so a
    handshake costs one trip to the pool, not one for the login and one for the role.
    """
    user = socket_user(scope)
    scope["user"]._wrapped = user
    return user


class SocketAuthMiddleware(AuthMiddleware):
    """``AuthMiddleware`` that leaves the scope's user to be read by the consumer.

    The scope gets Channels' lazy user as usual; touching it before the consumer's
    connect has read it raises (Channels' "not ready" error) rather than querying.
    """

    async def resolve_scope(self, scope) -> None:
        return None


def SocketAuthMiddlewareStack(inner):  # noqa: N802 (named like Channels' AuthMiddlewareStack)
    return CookieMiddleware(SessionMiddleware(SocketAuthMiddleware(inner)))
