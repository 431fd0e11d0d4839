"""The open round's progress as the server counts it, for the consoles and the wall.

Each ballot tells the live roles at once how many have cast and whose ballot it was
(a small, constant-size notice). The console's "not yet voted" list — the whole slice,
so a console never rebuilds it from the attendance it happens to have seen — follows
in a ``vote.progress`` of its own, read after commit by this process's one progress
thread, coalesced: however many ballots land while a slice is being read, the next
read sees them all, and the last slice is read after the last ballot's commit; two
reads of one vote are at least ``SLICE_EVERY_S`` apart. On
SQLite (one writer, one database thread) the slice is read right after each commit.

Before, every ballot read the list inside the vote row's lock: at 2,000 members a
vote storm was 2,000 reads of up to 2,000 rows, in series behind that lock (bench/
votes.py: ballots answered in 127 s, some given up on by their tablets).

For a secret ballot this says only *who* has cast (participation is not secret), never
a choice: a secret vote never shows running counts (``definition.prepare`` refuses
it), so no count can be lined up with a name.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection, connections, transaction

from core import events
from core.models import Sitting
from meeting.voting.models import Vote
from meeting.voting.services.counting import counts_by_question, not_voted

log = logging.getLogger(__name__)


def _count(vote: Vote, *, tally: bool = False, cast: int | None = None) -> dict:
    """The server's count of the round, with its running counts when the vote shows them
    to the room, or (``tally``, for the clerks and chairs) when it is a named vote: the
    clerk watches a named vote's tally; a secret ballot's never leaves the server.
    ``cast``: the count, when the caller has just read it."""
    payload: dict = {"vote": vote.pk, "cast": vote.cast_count if cast is None else cast}
    if vote.show_running or (tally and not vote.is_secret):
        payload["counts"] = {str(k): v for k, v in counts_by_question(vote).items()}
    return payload


def announce(
    vote: Vote, sitting: Sitting, member_id: int | None = None, *, cast: int | None = None
) -> None:
    """Send the round's progress (after commit): the count to the wall (with running
    counts, when shown; it says "已表决 N / 应到 M" for every ballot, secret or named) and
    to the live roles, then the "not yet voted" slice (with a named vote's tally) to the
    live roles. On PostgreSQL a ballot's count goes through ``COUNTS``: at once when none
    went in the last ``COUNT_EVERY_S``, else the latest count for all of them after it."""
    payload = _count(vote, cast=cast)
    wall = events.role(sitting.pk, "display")
    if member_id is None:  # the round opened, or attendance changed: the slice at once
        events.notify(wall, "vote.progress", payload, sitting.pk)
        consoles = _count(vote, tally=True) | {"not_voted": not_voted(vote, sitting)}
        events.notify(events.live(sitting.pk), "vote.progress", consoles, sitting.pk)
        return
    live = payload | ({} if vote.is_secret else {"member": member_id})  # whose ballot
    if connection.vendor == "sqlite":
        # one writer, one database thread (the embedded default): a second thread's read
        # would only contend for SQLite's lock; the slice is read right after the commit
        events.notify(wall, "vote.progress", payload, sitting.pk)
        events.notify(events.live(sitting.pk), "vote.progress", live, sitting.pk)
        transaction.on_commit(lambda: send_slice(vote.pk))
    else:
        transaction.on_commit(lambda: COUNTS.want(sitting.pk, vote.pk, payload, live))
        transaction.on_commit(lambda: SLICES.want(vote.pk))


COUNT_EVERY_S = 0.1  # the shortest time between two count notices of one vote, per process


class _Counts:
    """A ballot's count notice, coalesced per vote: at once, or the latest after a pause.

    3,000 ballots in five seconds were 6,000 notices, sent one after another by each
    process's loop; the close's ``vote.closed`` queued behind them (1.2 s to the last
    tablet, bench/votes.py, issue 27). Now a vote gets at most one count notice per
    ``COUNT_EVERY_S`` from a process: the first ballot's at once, then the highest count
    of the ballots since, when the pause is over. A notice for one ballot still names
    its member (a named vote); one for several names none (the slice lists who is left).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}  # vote → when its last notice went
        self._held: dict[int, tuple[int, dict, dict, int]] = {}  # vote → (sitting, …, n)

    def want(self, sitting_id: int, vote_id: int, wall: dict, live: dict) -> None:
        now = time.monotonic()
        with self._lock:
            held = self._held.get(vote_id)
            if held is not None:  # a notice is waiting for the pause to end: join it
                _, w, lv, n = held
                if wall["cast"] < w["cast"]:
                    wall, live = w, lv
                self._held[vote_id] = (sitting_id, wall, live, n + 1)
                return
            wait = self._last.get(vote_id, -1e9) + COUNT_EVERY_S - now
            if wait > 0:  # one went within the pause: this one waits for its end
                self._held[vote_id] = (sitting_id, wall, live, 1)
                timer = threading.Timer(wait, self._flush, (vote_id,))
                timer.daemon = True
                timer.start()
                return
            self._last[vote_id] = now
        _send_count(sitting_id, wall, live, None)

    def _flush(self, vote_id: int) -> None:
        with self._lock:
            held = self._held.pop(vote_id, None)
            self._last[vote_id] = time.monotonic()
        if held is not None:
            sitting_id, wall, live, n = held
            _send_count(sitting_id, wall, live, n)


def _send_count(sitting_id: int, wall: dict, live: dict, merged: int | None) -> None:
    try:
        events.notify(events.role(sitting_id, "display"), "vote.progress", wall, sitting_id)
        if merged and merged > 1:
            live = {k: v for k, v in live.items() if k != "member"}  # several ballots
        events.notify(events.live(sitting_id), "vote.progress", live, sitting_id)
    except Exception:  # the next notice or slice carries the count
        log.exception("could not send the count notice of sitting %s", sitting_id)


COUNTS = _Counts()


SLICE_EVERY_S = 1.0  # the shortest time between two slices of one vote from one process


class _Slices:
    """One thread per process reading "not yet voted" slices, each vote's coalesced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[int] = set()  # votes with ballots since their last slice began
        self._queued: set[int] = set()  # votes with a read queued or running
        self._pool: ThreadPoolExecutor | None = None

    def want(self, vote_id: int) -> None:
        with self._lock:
            self._dirty.add(vote_id)
            if vote_id in self._queued:
                return  # the running read's loop will see it
            self._queued.add(vote_id)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="yiting-progress")
            pool = self._pool
        pool.submit(self._run, vote_id)

    def _run(self, vote_id: int) -> None:
        last: float | None = None  # when this loop's previous read began
        try:
            while True:
                with self._lock:
                    if vote_id not in self._dirty:
                        self._queued.discard(vote_id)
                        return
                    self._dirty.discard(vote_id)
                if last is not None:
                    # a slice of 2,000 names is a read and ~100 kB of JSON: at most one a
                    # second, or this thread's Python starves the ballots' (py-spy: 64 % of
                    # the workers' CPU in a storm when slices ran back to back; 12 % at two
                    # a second in a 3,000-ballot storm, issue 27)
                    time.sleep(max(0.0, last + SLICE_EVERY_S - time.monotonic()))
                last = time.monotonic()
                close_old_connections()
                send_slice(vote_id)
        except Exception:  # the consoles keep the last slice; the next ballot sends again
            log.exception("could not send the not-voted slice of vote %s", vote_id)
            with self._lock:
                self._queued.discard(vote_id)
        finally:
            connections.close_all()  # this thread idles until the next storm: no idle session

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait (bounded) until no slice is queued: for tests."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._queued:
                    return True
            time.sleep(0.01)
        return False


SLICES = _Slices()


def send_slice(vote_id: int) -> None:
    """Read the open round's count and "not yet voted" now and send them to the consoles.

    One snapshot for all the reads (REPEATABLE READ on PostgreSQL), so the count and the
    list agree even while ballots keep committing.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        vote = Vote.objects.filter(pk=vote_id, state=Vote.State.OPEN).first()
        if vote is None:  # closed meanwhile: vote.closed has said the rest
            return
        sitting = Sitting.objects.get(pk=vote.sitting_id)
        # the counts too, when shown or named: the console shows them, a slice must not
        # blank them
        payload = _count(vote, tally=True) | {"not_voted": not_voted(vote, sitting)}
    events.notify(events.live(sitting.pk), "vote.progress", payload, sitting.pk)


def after_attendance(sitting: Sitting) -> None:
    """A check-in or check-out changes who may still vote in the open round."""
    vote = Vote.objects.filter(sitting=sitting, state=Vote.State.OPEN).first()
    if vote is not None:
        announce(vote, sitting)
