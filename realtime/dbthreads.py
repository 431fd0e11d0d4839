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

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

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


def in_db_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as an awaitable run in the pool, with Django's connection clean-up around it."""
    return database_sync_to_async(fn, thread_sensitive=False, executor=_executor())


def in_live_db_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` in the live roles' lane (chair, clerk): see ``_live_executor``."""
    return database_sync_to_async(fn, thread_sensitive=False, executor=_live_executor())
