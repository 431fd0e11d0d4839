"""Recording and broadcasting sitting events: the journal every tablet follows.

``emit`` is the only way a service tells the room something changed. It must be called
inside the service's transaction: it takes the next sequence number of the sitting
(locking the sitting row), stores the event, and schedules the broadcast for after the
commit, so a rolled-back change is never announced and a committed one always is.

The event is serialised to JSON text once; each process's hub (``realtime.hub``)
receives it once per group and writes that same text to every local socket.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import models, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from core.models import Sitting
from realtime import outbox
from realtime.models import SittingEvent

log = logging.getLogger(__name__)

# The event loop serving this process's sockets (set by the consumer on connect).
_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Broadcasts from plain threads (job worker, floor sweeper) must run on this loop.

    ``async_to_sync`` from a thread it did not create runs the send on a new event loop;
    the in-memory layer's queues belong to the server's loop, so a waiting socket was not
    woken until some other I/O happened (seconds late), and a Redis layer opened a new
    connection per event.
    """
    global _server_loop
    _server_loop = loop


def sitting_group(sitting_id: int) -> str:
    """Channel-layer group of every socket of a sitting."""
    return f"sitting.{sitting_id}"


def role_group(sitting_id: int, role: str) -> str:
    """Channel-layer group of the sockets of one role (e.g. clerks) in a sitting."""
    return f"sitting.{sitting_id}.{role}"


def user_group(user_id: int) -> str:
    """Channel-layer group of every socket of one login (private notices)."""
    return f"user.{user_id}"


@dataclass(frozen=True)
class Emitted:
    sitting_id: int
    seq: int
    type: str
    text: str


def encode_event(seq: int | None, type_: str, payload: dict, sitting_id: int) -> str:
    """The wire form of an event, identical for every receiver."""
    body = {"type": type_, "seq": seq, "sitting": sitting_id, "data": payload}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def emit(
    sitting_id: int, type_: str, payload: dict, writes: Sequence[tuple[str, list]] = ()
) -> Emitted:
    """Store a sequenced event of the sitting and broadcast it after commit.

    Must run inside ``transaction.atomic``; raises if not, because an event outside a
    transaction could be announced for a change that is then lost. ``writes``: the
    service's last statements (``INSERT``/``UPDATE``/``DELETE`` with their parameters),
    sent in the journal's own statement on PostgreSQL (one round trip for the change and
    its event), before it elsewhere; so is a row staged with ``carrying`` (the command's
    audit entry, realtime/runner.py).
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("emit() must be called inside transaction.atomic()")
    seq = _journal(conn, sitting_id, type_, payload, [*writes, *_take_carried(conn)])
    text = encode_event(seq, type_, payload, sitting_id)
    transaction.on_commit(lambda: broadcast_text(sitting_group(sitting_id), text, wait=True))
    return Emitted(sitting_id, seq, type_, text)


# -- rows that ride with the next journal write of the transaction ------------------------
_CARRIED = "_yiting_carried"  # on the connection object (one per thread): its unsaved rows


@contextmanager
def carrying(make: Callable[[], models.Model | None]) -> Iterator[None]:
    """Inside the block, the first ``emit`` inserts the row ``make()`` returns in its own
    statement.

    For the socket runner's audit entry of a command: written in the same transaction
    either way — with the command's first event (no round trip of its own), or after
    the block when the command emitted nothing. ``make`` runs when the row is written
    (after the service's changes, as the trail's times expect: the entry of a grant
    is a moment after the speech it started); not at all when the block raises (the
    transaction rolls back anyway). ``make`` returning None: nothing is written.
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("carrying() must be used inside transaction.atomic()")
    setattr(conn, _CARRIED, [make])
    try:
        yield
    except BaseException:
        conn.__dict__.pop(_CARRIED, None)
        raise
    for pending in conn.__dict__.pop(_CARRIED, None) or ():
        row = pending()
        if row is not None:
            row.save(force_insert=True)


def _take_carried(conn) -> list[tuple[str, list]]:
    rows = [make() for make in conn.__dict__.pop(_CARRIED, None) or ()]
    return [insert_statement(conn, row) for row in rows if row is not None]


def insert_statement(conn, obj: models.Model) -> tuple[str, list]:
    """The ``INSERT`` of an unsaved row with its parameters (defaults, ``auto_now_add`` and
    JSON prepared as ``save`` would), returning nothing: to run inside another statement."""
    opts = obj._meta
    fields = [f for f in opts.local_concrete_fields if not f.generated]
    if obj.pk is None:
        fields = [f for f in fields if f is not opts.auto_field]
    query = InsertQuery(obj.__class__)
    query.insert_values(fields, [obj])
    ((sql, params),) = query.get_compiler(connection=conn).as_sql()
    return sql, list(params)


def _journal(conn, sitting_id: int, type_: str, payload: dict, writes: list) -> int:
    """Take the sitting's next seq and store the event under it; returns the seq.

    PostgreSQL: one statement (the ``UPDATE … RETURNING`` in a CTE feeding the
    ``INSERT``, the ``writes`` as CTEs beside it), one round trip for all on every flip
    and ballot. Elsewhere (SQLite, whose CTEs cannot write): the writes, the increment,
    then the row.
    """
    if conn.vendor != "postgresql":
        with conn.cursor() as cur:
            for sql, params in writes:
                cur.execute(sql, params)
        seq = _next_seq(conn, sitting_id)
        SittingEvent.objects.create(sitting_id=sitting_id, seq=seq, type=type_, payload=payload)
        return seq
    field = SittingEvent._meta.get_field("payload")
    sql = _journal_sql()
    params: list = [sitting_id]
    if writes:
        # data-modifying CTEs run once and to completion whether or not anything reads
        # them; each write is on another table than the journal's two, or another row
        ctes = "".join(f" w{n} AS ({w_sql})," for n, (w_sql, _) in enumerate(writes))
        sql = sql.replace(" RETURNING id, event_seq)", " RETURNING id, event_seq)," + ctes[:-1], 1)
        for _, w_params in writes:
            params.extend(w_params)
    params += [type_, field.get_db_prep_save(payload, conn), timezone.now()]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        raise Sitting.DoesNotExist(f"no sitting {sitting_id}")
    return row[0]


@functools.cache
def _journal_sql() -> str:
    q = transaction.get_connection().ops.quote_name
    sit, ev = q(Sitting._meta.db_table), q(SittingEvent._meta.db_table)
    return (
        f"WITH s AS (UPDATE {sit} SET event_seq = event_seq + 1 WHERE id = %s"
        " RETURNING id, event_seq)"
        f" INSERT INTO {ev} (sitting_id, seq, type, payload, created_at)"
        " SELECT s.id, s.event_seq, %s, %s, %s FROM s RETURNING seq"
    )


def _next_seq(conn, sitting_id: int) -> int:
    """The sitting's next sequence number, in one statement (it locks the row).

    ``UPDATE … RETURNING`` (PostgreSQL; SQLite ≥ 3.35): the increment and its value in one
    round trip instead of an UPDATE and a SELECT.
    """
    table = conn.ops.quote_name(Sitting._meta.db_table)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET event_seq = event_seq + 1 WHERE id = %s RETURNING event_seq",
            [sitting_id],
        )
        row = cur.fetchone()
    if row is None:
        raise Sitting.DoesNotExist(f"no sitting {sitting_id}")
    return row[0]


def notify(group: str, type_: str, payload: dict, sitting_id: int) -> None:
    """Send an unsequenced notice (presence, timers, private answers) after commit.

    Notices are not replayed on reconnect: whatever they say is also in the snapshot.
    """
    text = encode_event(None, type_, payload, sitting_id)
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        transaction.on_commit(lambda: broadcast_text(group, text, wait=False))
    else:
        broadcast_text(group, text, wait=False)


def broadcast_text(group: str, text: str, *, wait: bool = True) -> None:
    """Hand pre-serialised event text to the channel layer for every socket in ``group``.

    From a database thread it goes through the loop's outbox (``realtime.outbox``), in
    order with every other broadcast of this process; ``wait`` (a sequenced event)
    waits for its own send, a notice does not.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "event.text", "text": text, "group": group}  # group: for the hub
    try:
        loop = _server_loop
        if loop is not None and loop.is_running() and not _on_loop(loop):
            sent = outbox.put(loop, lambda: layer.group_send(group, message), group)
            if wait:
                sent.result(outbox.SEND_TIMEOUT_S + 1)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # the event is in the journal; tablets resync from it
        log.exception("broadcast to %s failed; clients will resync from the journal", group)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


# -- the delivery of core.events (registered in RealtimeConfig.ready) -------------------
def group_for(audience) -> str:
    """The channel-layer group of a domain audience (``core.events.Audience``)."""
    if audience.kind == "sitting":
        return sitting_group(audience.sitting_id)
    if audience.kind == "role":
        return role_group(audience.sitting_id, audience.role)
    if audience.kind == "user":
        return user_group(audience.user_id)
    raise ValueError(f"unknown audience {audience!r}")


class _Delivery:
    """``core.events`` → this module: the journal and the groups; looked up per call."""

    def emit(self, sitting_id: int, type_: str, payload: dict, writes=()) -> Emitted:
        return emit(sitting_id, type_, payload, writes)

    def notify(self, audience, type_: str, payload: dict, sitting_id: int) -> None:
        notify(group_for(audience), type_, payload, sitting_id)


DELIVERY = _Delivery()
