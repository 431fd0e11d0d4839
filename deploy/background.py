"""Background pieces a server process starts: presence clean-up, in-process workers.

Every Daphne process forgets the presence rows of its own previous life. When
``YITING_INPROCESS_WORKERS`` is true (the embedded single-process default), the job
worker (page rendering, clip finalisation, minutes) and the floor sweeper run as
threads in this process; in production they run as their own processes instead
(``manage.py worker``), started by deploy/launcher.py.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError

log = logging.getLogger(__name__)
_started = threading.Event()


def start_background() -> None:
    if _started.is_set():
        return
    _started.set()
    if not settings.START_BACKGROUND:
        # The test settings: a test imports the ASGI app to drive sockets; background
        # threads would race each test's database transaction (tests/settings.py).
        log.info("background workers not started (START_BACKGROUND is false)")
        return
    if settings.INPROCESS_WORKERS:
        _start_workers()
    from deploy.health import start_sampling

    start_sampling()  # this worker's /metrics figures, for a scrape any worker answers


def workers() -> tuple:
    """The in-process workers, in start order: imported by name, so a missing one is an
    ImportError at start, never a skip."""
    from jobs.runner import start_in_process
    from media.recovery import recover_on_start
    from meeting.floor.sweeper import ensure_running

    return (start_in_process, ensure_running, recover_on_start)


def _start_workers() -> None:
    # A worker that does not start fails the start: a server without its job worker
    # would show pages that never render and clips that never finish, and say nothing.
    # One exception: the database being away (or not migrated yet) at start. The server
    # comes up and says so in /healthz; the threads retry on their own, and recovery of
    # a dead process's recordings runs again at the next start (logged as an error).
    for fn in workers():
        try:
            fn()
        except DatabaseError:
            log.exception("%s.%s: database unavailable at start", fn.__module__, fn.__name__)
        except Exception as exc:
            raise RuntimeError(f"could not start {fn.__module__}.{fn.__name__}: {exc}") from exc
