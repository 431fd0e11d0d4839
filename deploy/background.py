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


def _start_workers() -> None:
    # Imported by name, not by string: a missing worker is an error at start, not a skip.
    from jobs.runner import start_in_process
    from media.recovery import recover_on_start
    from meeting.floor.sweeper import ensure_running

    for fn in (start_in_process, ensure_running, recover_on_start):
        try:
            fn()
        except Exception:  # a failing helper must not take the web process down
            log.exception("could not start %s.%s", fn.__module__, fn.__name__)
