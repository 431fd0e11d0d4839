"""Full snapshots of a sitting for a (re)connecting socket.

Each feature contributes a *part*. The parts are listed in ``TABLE`` below and
registered by ``register_parts()`` from ``RealtimeConfig.ready`` (a part that cannot be
found stops the process), not by the side effect of importing a module.

A part is one of
- ``SHARED``: the same for every socket of one role in the sitting (the agenda, the
  roster, the floor …): a function of the sitting and the role, never of the member or
  the login (it is given a context with neither);
- ``READER``: a ``Split``: a shared read (``shared``, as above) and a *view* of it per
  socket (``view``): who they are (``you``), whether they may present, the documents
  their access level may read (the access rules of ``docs_store.services.access``,
  applied to the shared list), their own ballot in the open round. A view may declare a
  ``key``: sockets whose keys are equal see the same view, encoded once;
- ``SOCKET``: read per socket in its own transaction (tests' probes).

When the whole room connects at once (a sitting starting, a Wi-Fi outage ending), every
socket of a process wants the same shared parts at the same sequence number. They are
read and encoded once per batch (``_Shared``); each socket adds its views (most of them
read nothing) and, if it has ``SOCKET`` parts, reads those checking that both reads
describe the same ``event_seq`` (otherwise it reads everything in one transaction as
before). A shared read is reused only by sockets that were already live (their hub
subscriptions effective) when that read began: whatever changed after it began reaches
them as an event or a notice, exactly as if they had read it themselves; a view that
reads (the own ballot, the consoles' presence) reads later still, never earlier.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.models import Sitting
from realtime.context import Context

Part = Callable[[Sitting, Context], Any]
SHARED = "shared"
READER = "reader"
SOCKET = "socket"


@dataclass(frozen=True)
class Split:
    """A ``READER`` part: ``shared(sitting, ctx)`` once per batch, ``view(data, ctx)`` per socket.

    ``key(data, ctx)``, if given, names the view: two sockets with equal keys see the
    same view (it is computed and encoded once per shared read); None: not cached.
    """

    shared: Callable[[Sitting, Context], Any]
    view: Callable[[Any, Context], Any]
    key: Callable[[Any, Context], Hashable | None] | None = None

    def __call__(self, sitting: Sitting, ctx: Context) -> Any:
        """The whole part for one socket, in one go (inside a caller's transaction)."""
        return self.view(self.shared(sitting, _anyone(ctx)), ctx)


# name, the part (dotted path), scope. The order is the order of the snapshot's keys.
TABLE: tuple[tuple[str, str, str], ...] = (
    ("sitting", "realtime.handlers.core.sitting_part", READER),  # view: "you"
    ("agenda", "realtime.handlers.core.agenda_part", SHARED),
    ("attendance", "realtime.handlers.core.attendance_part", SHARED),
    ("presence", "realtime.handlers.core.presence_part", READER),  # view: live roles read
    ("roster", "realtime.handlers.core.roster_part", SHARED),
    ("seating", "realtime.handlers.core.seating_part", SHARED),  # live roles only
    ("presenter", "realtime.handlers.documents.presenter_part", READER),  # may_present
    ("documents", "realtime.handlers.documents.documents_part", READER),  # access filter
    ("floor", "realtime.handlers.floor.floor_part", SHARED),
    ("media", "realtime.handlers.media.media_part", SHARED),
    ("votes", "realtime.handlers.votes.votes_part", READER),  # view: own ballot
    ("notices", "realtime.handlers.notices.notices_part", READER),  # view: own notices, calls
)

PARTS: dict[str, Part | Split] = {}
SCOPES: dict[str, str] = {}
SHARED_WAIT_S = 5.0  # a socket waits at most this long for another thread's shared read
# a read begun before a socket went live serves it only this soon after the read began
# (and only if the socket's groups were quiet since: ``may_share``)
SHARE_FOR_S = 2.0


def register(name: str, fn: Part | Split, scope: str = SOCKET) -> None:
    """Add one part (tests add probes this way; features are listed in ``TABLE``)."""
    if name in PARTS:
        raise ValueError(f"snapshot part {name!r} registered twice")
    if scope not in (SHARED, READER, SOCKET):
        raise ValueError(f"snapshot part {name!r}: unknown scope {scope!r}")
    if (scope == READER) != isinstance(fn, Split):
        raise ValueError(
            f"snapshot part {name!r}: a {scope} part must {'' if scope == READER else 'not '}be a Split"
        )
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
        try:
            register(name, fn, scope)
        except ValueError as exc:
            raise ImproperlyConfigured(str(exc)) from exc


def _anyone(ctx: Context) -> Context:
    """The context a shared read is given: the sitting and the role, no member or login."""
    return dataclasses.replace(ctx, user_id=0, member_id=None, channel_name="", standing=None)


def _encode(data: object) -> str:
    """The part as the wire carries it (dates as strings), encoded once."""
    return json.dumps(data, ensure_ascii=False, default=str)


class Encoded(Mapping):
    """A snapshot already encoded as JSON text (``text``); read as a mapping it is parsed.

    The reply to a ``sync`` splices ``text`` in as it is (``encode_reply``), so the
    shared parts are encoded once per batch, not once per socket.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._value: dict | None = None

    def _parsed(self) -> dict:
        if self._value is None:
            self._value = json.loads(self.text)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())


_SPLICE = "\ue000yiting.snapshot\ue000"  # a private-use placeholder no part can produce


def encode_reply(result: dict) -> str:
    """A command's reply as JSON text; an ``Encoded`` snapshot is spliced in as it is."""
    data = result.get("data")
    snap = data.get("snapshot") if isinstance(data, dict) else None
    if not isinstance(snap, Encoded):
        return json.dumps(result, ensure_ascii=False, default=str)
    text = json.dumps(
        {**result, "data": {**data, "snapshot": _SPLICE}}, ensure_ascii=False, default=str
    )
    return text.replace(json.dumps(_SPLICE, ensure_ascii=False), snap.text, 1)


def _begin(outermost: bool) -> None:
    from django.db import transaction

    # PostgreSQL takes the isolation level only before a transaction's first query,
    # so it can be set only when this is the outermost transaction: the runner runs
    # `sync` outside its own transaction for this reason (handles(own_transaction=True)).
    if transaction.get_connection().vendor == "postgresql" and outermost:
        # One consistent view: the parts and event_seq must describe the same moment.
        with transaction.get_connection().cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _sitting(ctx: Context) -> Sitting:
    return Sitting.objects.select_related("session__term", "group").get(pk=ctx.sitting_id)


def _read(ctx: Context, names: list[str]) -> tuple[int, dict]:
    """``names``' parts for this socket and the seq they are current to, in one transaction."""
    from django.db import transaction

    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        _begin(outermost)
        sitting = _sitting(ctx)
        return sitting.event_seq, {
            name: json.loads(_encode(PARTS[name](sitting, ctx))) for name in names
        }


@dataclass
class _Read:
    """One shared read: begun at ``started`` (monotonic), done when ``done`` is set."""

    started: float
    done: threading.Event = field(default_factory=threading.Event)
    seq: int = -1
    ok: bool = False
    texts: dict[str, str] = field(default_factory=dict)  # SHARED parts, encoded
    data: dict[str, Any] = field(default_factory=dict)  # READER parts' shared data
    views: dict[tuple[str, Hashable], str] = field(default_factory=dict)  # encoded views

    def fill(self, ctx: Context, names: list[str]) -> None:
        from django.db import transaction

        anyone = _anyone(ctx)
        with transaction.atomic():
            _begin(True)
            sitting = _sitting(ctx)
            for name in names:
                part = PARTS[name]
                if isinstance(part, Split):
                    self.data[name] = part.shared(sitting, anyone)
                else:
                    self.texts[name] = _encode(part(sitting, anyone))
            self.seq = sitting.event_seq
        self.ok = True

    def view(self, name: str, ctx: Context) -> str:
        """This socket's view of a READER part, encoded (once per key)."""
        part: Split = PARTS[name]  # type: ignore[assignment]
        data = self.data[name]
        key = part.key(data, ctx) if part.key is not None else None
        if key is None:
            return _encode(part.view(data, ctx))
        text = self.views.get((name, key))
        if text is None:  # two threads may both compute it: the same text
            text = self.views[(name, key)] = _encode(part.view(data, ctx))
        return text


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
            mine = entry is None or not may_share(ctx, entry.started, live_since)
            if mine:
                entry = self._latest[key] = _Read(started=time.monotonic())
        if mine:
            self.reads += 1
            try:
                entry.fill(ctx, names)
            finally:
                entry.done.set()
        elif not entry.done.wait(SHARED_WAIT_S):
            return None
        return entry if entry.ok else None

    def ready(self, ctx: Context, live_since: float) -> _Read | None:
        """The latest read for the socket's role if it is done and may serve it; no wait."""
        with self._lock:
            entry = self._latest.get((ctx.sitting_id, ctx.role))
        if entry is None or not entry.done.is_set():
            return None
        if not may_share(ctx, entry.started, live_since):
            return None
        return entry if entry.ok else None

    def clear(self) -> None:
        with self._lock:
            self._latest.clear()


SHARED_READS = _Shared()


def may_share(ctx: Context, started: float, live_since: float) -> bool:
    """May a read of the database begun at ``started`` (monotonic) serve this socket?

    Yes if it began after the socket went live (``live_since``): whatever changed since
    reaches the socket as an event. Yes too if it began at most ``SHARE_FOR_S`` earlier
    and the process's hub has handed out no event to the socket's groups since it began,
    those groups subscribed before it (``Hub.quiet_since``): a change committed after the
    read began is announced after its commit, so none was; the read is as current as one
    begun now. In a storm with no event, one read serves the whole room instead of one
    read per handful of sockets that went live while the last one ran.
    """
    if started >= live_since:
        return True
    if time.monotonic() - started > SHARE_FOR_S or not _changes_announced_here():
        return False
    from realtime.hub import current_hub

    hub = current_hub()
    return hub is not None and hub.quiet_since(ctx.groups(), started)


@functools.cache
def _changes_announced_here() -> bool:
    """Does every process's change reach this one as an event (a shared channel layer)?

    With the in-memory layer (the embedded default) a change made by another process
    (a management command, a job run elsewhere) is never announced here, so a quiet hub
    says nothing: a socket then takes only a read begun after it went live
    (tests/frontend/test_tablet_touch_browser.py: a vote closed from outside, then a
    reload, must show it).
    """
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return "InMemory" not in backend


def _join(texts: dict[str, str], names: list[str]) -> Encoded:
    return Encoded("{" + ",".join(f"{json.dumps(n)}:{texts[n]}" for n in names) + "}")


def build_snapshot(ctx: Context) -> tuple[int, Mapping]:
    """The sitting's state as this socket may see it, and the seq it is current to.

    The shared parts (and the shared data of the READER parts) come from a read of this
    process begun after the socket went live (``ctx.live_since``; now, when it is not
    known: the consumer forgets it after the socket's first sync, whose events the
    socket has applied since, so a later sync never gets an older read); the socket
    adds its views; ``SOCKET`` parts come from its own read, and when
    that is not at the shared read's seq (an event in between) everything is read again
    in one transaction. Queries pinned in tests/realtime/test_query_budget.py.
    """
    from django.db import transaction

    names = list(PARTS)
    common = [n for n in names if SCOPES[n] != SOCKET]
    own = [n for n in names if SCOPES[n] == SOCKET]
    if not common or transaction.get_connection().in_atomic_block:
        return _read(ctx, names)  # inside a caller's transaction: its view, one read
    live_since = ctx.live_since if ctx.live_since is not None else time.monotonic()
    entry = SHARED_READS.get(ctx, common, live_since)
    if entry is not None:
        texts = dict(entry.texts)
        if own:
            seq, mine = _read(ctx, own)
            if seq != entry.seq:
                return _read(ctx, names)
            texts.update({n: _encode(v) for n, v in mine.items()})
        for name in entry.data:
            texts[name] = entry.view(name, ctx)
        return entry.seq, _join(texts, names)
    return _read(ctx, names)


def snapshot_ready(ctx: Context) -> tuple[int, Encoded] | None:
    """``build_snapshot`` from a shared read already done, on the caller's thread; else None.

    For the event loop (realtime/consumers.py): in a storm most sockets' snapshots are
    that read and their views, so they need no database thread. Only a socket that was
    live before the read began (``ctx.live_since``, known: its first sync), and only when
    nothing is read per socket: no ``SOCKET`` part, and no view that reads (the own
    ballot in an open round, a console's presence). Such a view reaching for the database
    raises Django's ``SynchronousOnlyOperation`` on the loop before any query; then this
    answers None and the caller takes the database thread, as before.
    """
    from django.core.exceptions import SynchronousOnlyOperation

    if ctx.live_since is None or any(scope == SOCKET for scope in SCOPES.values()):
        return None
    entry = SHARED_READS.ready(ctx, ctx.live_since)
    if entry is None:
        return None
    names = list(PARTS)
    texts = dict(entry.texts)
    try:
        for name in entry.data:
            texts[name] = entry.view(name, ctx)
    except SynchronousOnlyOperation:
        return None
    return entry.seq, _join(texts, names)
