"""Presence: which tablets are online per sitting, across every server process.

Stored as ``Connection`` rows (one per socket) so a clerk connected to process A sees
tablets connected to process B. A row not refreshed for ``STALE_AFTER`` seconds (its
process died) no longer counts.

Rows are written by group commit (``arrived``/``left``): the sockets of a process that
connect or drop while a write is under way go together in the next one, so a reconnect
storm's 2,000 arrivals and 2,000 departures are a few INSERTs, DELETEs and counts rather
than 8,000 statements. Each socket still waits for the write that carries it, so a
``welcome`` is only sent once the socket's row is there.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core import policy
from core.process import SERVER_ID
from realtime.context import Context
from realtime.events import notify, role_group
from realtime.models import Connection

STALE_AFTER = timedelta(seconds=90)
# sockets whose page is not a secure context (plain HTTP at a LAN address: no camera,
# no offline reading), counted beside all sockets in the same statement
_INSECURE = Count("id", filter=Q(secure=False))
TABLET_ROLES = tuple(str(r.value) for r in policy.TABLET_ROLES)


def server_seen(server: str) -> bool:
    """Did a socket of ``server`` (``host:pid``) refresh its row within ``STALE_AFTER``?"""
    fresh = timezone.now() - STALE_AFTER
    return Connection.objects.filter(server=server, last_seen__gte=fresh).exists()


def live_connections(sitting_id: int):
    return Connection.objects.filter(
        sitting_id=sitting_id, last_seen__gte=timezone.now() - STALE_AFTER
    )


def _tell(sitting_id: int, member_id: int, n: int, insecure: int = 0) -> None:
    payload = {"member": member_id, "online": n > 0, "sockets": n, "insecure": insecure}
    for role in policy.LIVE_ROLES:
        notify(role_group(sitting_id, role), "presence.changed", payload, sitting_id)


@transaction.atomic
def write_batch(arrived: list[Context], left: list[Context]) -> None:
    """Sockets that connected and sockets that dropped, in one transaction.

    One INSERT for the arrivals (a socket that also left in the batch is not written),
    one DELETE for the departures, one count of the live sockets of every member
    concerned, then one ``presence.changed`` per member to the live roles.
    """
    gone = {c.channel_name for c in left}
    now = timezone.now()
    rows = [
        Connection(
            channel_name=c.channel_name,
            sitting_id=c.sitting_id,
            user_id=c.user_id,
            member_id=c.member_id,
            role=c.role,
            server=SERVER_ID,
            secure=c.secure,
            last_seen=now,
        )
        for c in arrived
        if c.channel_name not in gone
    ]
    if rows:
        Connection.objects.bulk_create(rows)
    if gone:
        Connection.objects.filter(channel_name__in=gone).delete()
    members = {
        (c.sitting_id, c.member_id)
        for c in (*arrived, *left)
        if c.member_id is not None and c.role in TABLET_ROLES
    }
    if not members:
        return
    counts = dict.fromkeys(members, (0, 0))
    rows = (
        Connection.objects.filter(
            sitting_id__in={s for s, _ in members},
            member_id__in={m for _, m in members},
            last_seen__gte=now - STALE_AFTER,
        )
        .values_list("sitting_id", "member_id")
        .annotate(n=Count("id"), insecure=_INSECURE)
        .order_by()
    )
    for sitting_id, member_id, n, insecure in rows:
        if (sitting_id, member_id) in counts:
            counts[(sitting_id, member_id)] = (n, insecure)
    for (sitting_id, member_id), (n, insecure) in sorted(counts.items()):
        _tell(sitting_id, member_id, n, insecure)


class _Writer:
    """Group commit of presence rows for one event loop (one per Daphne process)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[tuple[bool, Context, asyncio.Future]] = []
        self.running = False

    async def submit(self, arriving: bool, ctx: Context) -> None:
        fut = self.loop.create_future()
        self.pending.append((arriving, ctx, fut))
        if not self.running:
            self.running = True
            asyncio.ensure_future(self._drain())
        await fut

    async def _drain(self) -> None:
        from realtime.dbthreads import in_db_thread

        try:
            while self.pending:
                batch, self.pending = self.pending, []
                arrived = [c for a, c, _ in batch if a]
                left = [c for a, c, _ in batch if not a]
                try:
                    await in_db_thread(write_batch)(arrived, left)
                except Exception as exc:  # each socket sees its write fail, as before
                    for _, _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                else:
                    for _, _, fut in batch:
                        if not fut.done():
                            fut.set_result(None)
        finally:
            self.running = False


_writer: _Writer | None = None


def _current_writer() -> _Writer:
    global _writer
    loop = asyncio.get_running_loop()
    if _writer is None or _writer.loop is not loop:
        _writer = _Writer(loop)
    return _writer


async def arrived(ctx: Context) -> None:
    """Record a socket that is live; returns once its row is written (group commit)."""
    await _current_writer().submit(True, ctx)


async def left(ctx: Context) -> None:
    """Remove a socket's row; returns once it is gone (group commit)."""
    await _current_writer().submit(False, ctx)


def seen(ctx: Context) -> None:
    Connection.objects.filter(channel_name=ctx.channel_name).update(last_seen=timezone.now())


def online(sitting_id: int) -> list[dict]:
    rows = (
        live_connections(sitting_id)
        .filter(role__in=TABLET_ROLES)
        .exclude(member_id=None)
        .values("member_id")
        .annotate(n=Count("id"), insecure=_INSECURE)
        .order_by("member_id")
    )
    return [{"member": r["member_id"], "sockets": r["n"], "insecure": r["insecure"]} for r in rows]
