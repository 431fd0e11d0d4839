"""Full snapshots of a sitting for a (re)connecting socket.

Each feature contributes a *part*: a function of the sitting and the socket's context
returning a JSON-able dict. The parts are listed in ``TABLE`` below and registered by
``register_parts()`` from ``RealtimeConfig.ready`` (a part that cannot be found stops
the process), not by the side effect of importing a module.

A part is either
- ``SHARED``: the same for every socket of one role in the sitting (the agenda, the
  roster, the floor …). It may depend on the sitting and ``ctx.role``, never on the
  member or the login; or
- ``SOCKET``: it depends on who asks (their own ballot, the documents their access
  level may read, whether they may present).

When the whole room connects at once (a sitting starting, a Wi-Fi outage ending), every
socket of a process wants the same shared parts at the same sequence number. They are
read once per batch (``_Shared``) and each socket reads only its own parts, checking
that both reads describe the same ``event_seq``; otherwise it reads everything in one
transaction as before. A shared read is reused only by sockets that were already live
(their hub subscriptions effective) when that read began: whatever changed after it
began reaches them as an event or a notice, exactly as if they had read it themselves.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from meeting.models import Sitting
from realtime.context import Context

Part = Callable[[Sitting, Context], dict]
SHARED = "shared"
SOCKET = "socket"

# name, the function (dotted path), scope. The order is the order of the snapshot's keys.
TABLE: tuple[tuple[str, str, str], ...] = (
    ("sitting", "realtime.handlers.core.sitting_part", SOCKET),  # "you": role and member
    ("agenda", "realtime.handlers.core.agenda_part", SHARED),
    ("attendance", "realtime.handlers.core.attendance_part", SHARED),
    ("presence", "realtime.handlers.core.presence_part", SOCKET),  # live roles only
    ("roster", "realtime.handlers.core.roster_part", SHARED),
    ("seating", "realtime.handlers.core.seating_part", SHARED),  # live roles only
    ("presenter", "realtime.handlers.documents.presenter_part", SOCKET),  # may_present
    ("documents", "realtime.handlers.documents.documents_part", SOCKET),  # access level
    ("floor", "realtime.handlers.floor.floor_part", SHARED),
    ("media", "realtime.handlers.media.media_part", SHARED),
    ("votes", "realtime.handlers.votes.votes_part", SOCKET),  # own ballot, who has not voted
)

PARTS: dict[str, Part] = {}
SCOPES: dict[str, str] = {}
SHARED_WAIT_S = 5.0  # a socket waits at most this long for another thread's shared read


def register(name: str, fn: Part, scope: str = SOCKET) -> None:
    """Add one part (tests add probes this way; features are listed in ``TABLE``)."""
    if name in PARTS:
        raise ValueError(f"snapshot part {name!r} registered twice")
    if scope not in (SHARED, SOCKET):
        raise ValueError(f"snapshot part {name!r}: unknown scope {scope!r}")
    PARTS[name] = fn
    SCOPES[name] = scope


def unregister(name: str) -> None:
    PARTS.pop(name, None)
    SCOPES.pop(name, None)


def register_parts(table: Iterable[tuple[str, str, str]] = TABLE) -> None:
    """Register every part of ``table``; called once from ``RealtimeConfig.ready``.

    A part whose function is missing (renamed, moved, a module that fails to import)
    raises ``ImproperlyConfigured``: a snapshot without it would leave every tablet
    that resyncs blind to that feature, silently.
    """
    for name, path, scope in table:
        if name in PARTS:
            continue  # ready() ran before in this process (tests)
        try:
            fn = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"snapshot part {name!r}: cannot load {path}: {exc}"
            ) from exc
        if not callable(fn):
            raise ImproperlyConfigured(f"snapshot part {name!r}: {path} is not callable")
        register(name, fn, scope)


def _normal(data: object) -> object:
    """The part's data as the wire will carry it (dates as strings), copied once."""
    return json.loads(json.dumps(data, default=str))


def _read(ctx: Context, names: list[str]) -> tuple[int, dict]:
    """``names``' parts and the seq they are current to, in one transaction."""
    from django.db import transaction

    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        # PostgreSQL takes the isolation level only before a transaction's first query,
        # so it can be set only when this is the outermost transaction: the runner runs
        # `sync` outside its own transaction for this reason (handles(own_transaction=True)).
        if transaction.get_connection().vendor == "postgresql" and outermost:
            # One consistent view: the parts and event_seq must describe the same moment.
            with transaction.get_connection().cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        sitting = Sitting.objects.select_related("session__term", "group").get(pk=ctx.sitting_id)
        return sitting.event_seq, {name: _normal(PARTS[name](sitting, ctx)) for name in names}


@dataclass
class _Read:
    """One shared read: begun at ``started`` (monotonic), done when ``done`` is set."""

    started: float
    done: threading.Event = field(default_factory=threading.Event)
    seq: int = -1
    parts: dict | None = None  # None: the read failed


class _Shared:
    """The latest shared read per (sitting, role) of this process, one at a time each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[tuple[int, str], _Read] = {}
        self.reads = 0  # shared reads made (tests)

    def get(self, ctx: Context, names: list[str], live_since: float) -> _Read | None:
        key = (ctx.sitting_id, ctx.role)
        with self._lock:
            entry = self._latest.get(key)
            mine = entry is None or entry.started < live_since
            if mine:
                entry = self._latest[key] = _Read(started=time.monotonic())
        if mine:
            self.reads += 1
            try:
                entry.seq, entry.parts = _read(ctx, names)
            finally:
                entry.done.set()
        elif not entry.done.wait(SHARED_WAIT_S):
            return None
        return entry if entry.parts is not None else None

    def clear(self) -> None:
        with self._lock:
            self._latest.clear()


SHARED_READS = _Shared()


def build_snapshot(ctx: Context) -> tuple[int, dict]:
    """The sitting's state as this socket may see it, and the seq it is current to.

    The shared parts come from a read of this process begun after the socket went live
    (``ctx.live_since``; now, when it is not known), the socket's own parts from its own
    read; when the two are not at the same seq (an event in between) everything is
    read again in one transaction. Queries pinned in tests/realtime/test_query_budget.py.
    """
    from django.db import transaction

    names = list(PARTS)
    shared = [n for n in names if SCOPES[n] == SHARED]
    own = [n for n in names if SCOPES[n] != SHARED]
    if not shared or transaction.get_connection().in_atomic_block:
        return _read(ctx, names)  # inside a caller's transaction: its view, one read
    live_since = ctx.live_since if ctx.live_since is not None else time.monotonic()
    common = SHARED_READS.get(ctx, shared, live_since)
    if common is not None:
        seq, mine = _read(ctx, own)
        if seq == common.seq:
            return seq, {n: mine[n] if n in mine else common.parts[n] for n in names}
    return _read(ctx, names)
