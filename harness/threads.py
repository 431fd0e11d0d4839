"""Jobs released at the same moment in threads of their own, for races on the database.

Each thread has its own database connection (closed when its job ends), so what a test
races is what the server's database threads race: concurrent transactions, not one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def at_once(
    jobs: list[Callable[[], Any]], *, join_s: float = 60.0
) -> tuple[list[Any], list[BaseException]]:
    """Run every job in its own thread, all released together by a barrier.

    Returns (answers, errors) in the order the jobs ended; an error is reported, never
    swallowed. A job still running after ``join_s`` fails the caller's test.
    """
    barrier = threading.Barrier(len(jobs), timeout=30)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def one(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            answers.append(job())
        except BaseException as exc:  # reported to the caller, never swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(join_s)
    assert not any(t.is_alive() for t in threads), f"a job did not end within {join_s} s"
    return answers, errors
