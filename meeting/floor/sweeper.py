"""Running the time-limit sweep: a thread in a web process, or its own worker process.

``ensure_running()`` starts one daemon thread per process (deploy/background.py calls
it in the single-process mode); ``manage.py floor_sweeper`` runs the same loop in the
foreground as a worker. Any number of them may run against one database: every action
is a conditional update, so exactly one process acts on each warning and each zero.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from meeting.floor.services.timers import next_due, sweep_once

log = logging.getLogger(__name__)
POLL_S = 0.5  # the longest a due action waits; a deadline nearer than this is slept to exactly
MAX_BACKOFF_S = 10.0  # a database that stays away is retried this often, not hammered
_thread: threading.Thread | None = None
_stop = threading.Event()
_lock = threading.Lock()


def run_forever(stop: threading.Event | None = None, poll_s: float = POLL_S) -> None:
    """Sweep until ``stop`` is set; a database failure is logged and retried next round."""
    stop = stop or _stop
    failures = 0
    while not stop.is_set():
        wait = poll_s
        try:
            close_old_connections()
            sweep_once()
            due = next_due()
            if due is not None:
                wait = min(poll_s, max(0.01, due))
            failures = 0
        except Exception:  # the database is away; the floors are in it, nothing is lost
            failures += 1
            wait = min(MAX_BACKOFF_S, poll_s * 2**failures)
            if failures == 1 or failures % 20 == 0:
                log.exception("floor sweep failed %d time(s); retrying", failures)
        stop.wait(wait)


def ensure_running(force: bool = False) -> threading.Thread | None:
    """Start the sweeper thread of this process once; later calls return the same thread.

    Not when ``settings.START_BACKGROUND`` is false (unless ``force``): the test settings,
    where tests sweep by hand on a fake clock (as ``jobs.runner`` does).
    """
    global _thread
    if not settings.START_BACKGROUND and not force:
        log.info("floor sweeper thread not started (START_BACKGROUND is false)")
        return None
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=run_forever, name="floor-sweeper", daemon=True)
            _thread.start()
        return _thread


def stop(timeout: float = 5.0) -> None:
    """Stop this process's sweeper thread (tests, shutdown)."""
    global _thread
    _stop.set()
    if _thread is not None:
        _thread.join(timeout)
    _thread = None
