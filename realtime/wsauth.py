"""The socket's login from its session cookie, read in the database pool.

Channels' ``AuthMiddleware`` reads the session and the user with a thread-sensitive
``database_sync_to_async``: every handshake of a process queues on one thread, so in a
reconnect storm 1,000 sockets' two lookups ran in series behind each other (and behind
any other thread-sensitive work). The lookup has no thread-local state, so it runs in
``realtime.dbthreads``' pool instead: Channels' own ``get_user`` (the session's user, its
hash verified), only run by another executor.
"""

from __future__ import annotations

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

from realtime.dbthreads import in_db_thread

# the plain function behind Channels' thread-sensitive wrapper
_lookup = in_db_thread(get_user.func)


class PooledAuthMiddleware(AuthMiddleware):
    """``AuthMiddleware`` whose lookup runs in the pool, not the one sync thread."""

    async def resolve_scope(self, scope) -> None:
        scope["user"]._wrapped = await _lookup(scope)


def PooledAuthMiddlewareStack(inner):  # noqa: N802 (named like Channels' AuthMiddlewareStack)
    return CookieMiddleware(SessionMiddleware(PooledAuthMiddleware(inner)))
