"""The threads socket commands run their database work in.

Channels' ``database_sync_to_async`` is thread-sensitive by default: every consumer of
a process shares one sync thread, so a reconnect storm (hundreds of sockets resolving
their role and taking a snapshot at once) queues behind a single database connection.
Each of our calls is a self-contained transaction with no thread-local state, so they
run in a small pool instead, each thread keeping its own persistent connection
(``DB_CONN_MAX_AGE``). A socket still runs its own commands one at a time: the consumer
awaits each before it reads the next frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections

_pool: ThreadPoolExecutor | None = None
_live_pool: ThreadPoolExecutor | None = None
LIVE_THREADS = 2


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=settings.YITING_DB_THREADS, thread_name_prefix="yiting-db"
        )
    return _pool


def _live_executor() -> ThreadPoolExecutor:
    """The chair's and clerk's own lane: their commands never queue behind the room's.

    In a vote storm 2,000 ballots wait in the main pool's queue; the clerk's
    ``vote.close`` must not wait behind them (the count locks the vote row and sees
    every ballot committed before it, so nothing is lost by going first). With one
    database thread (SQLite, one writer) there is only the one pool.
    """
    global _live_pool
    if settings.YITING_DB_THREADS <= 1:
        return _executor()
    if _live_pool is None:
        _live_pool = ThreadPoolExecutor(max_workers=LIVE_THREADS, thread_name_prefix="yiting-live")
    return _live_pool


# A connection used this recently without an error is not health-checked again
# (``CONN_HEALTH_CHECKS`` costs a ``SELECT 1`` round trip before each call otherwise: in a
# reconnect storm three per tablet). One idle longer is checked as before, and one that
# failed is closed and replaced by Django's own clean-up whatever its age.
HEALTHY_FOR_S = 1.0


def _clean_up() -> None:
    close_old_connections()
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        used = getattr(conn, "_yiting_used_ok", None)
        if conn.connection is not None and used is not None and now - used < HEALTHY_FOR_S:
            conn.health_check_done = True


def _mark_used() -> None:
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        ok = conn.connection is not None and not conn.errors_occurred
        conn._yiting_used_ok = now if ok else None


class _PoolSyncToAsync(SyncToAsync):
    """``database_sync_to_async`` with the recent-use health check above."""

    def thread_handler(self, loop, *args, **kwargs):
        _clean_up()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _mark_used()
            close_old_connections()


def in_db_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as an awaitable run in the pool, with Django's connection clean-up around it."""
    return _PoolSyncToAsync(fn, thread_sensitive=False, executor=_executor())


def in_live_db_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` in the live roles' lane (chair, clerk): see ``_live_executor``."""
    return _PoolSyncToAsync(fn, thread_sensitive=False, executor=_live_executor())
