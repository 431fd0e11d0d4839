"""Presence: which tablets are online per sitting, across every server process.

Stored as ``Connection`` rows (one per socket) so a clerk connected to process A sees
tablets connected to process B. A row not refreshed for ``STALE_AFTER`` seconds (its
process died) no longer counts.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from meeting import policy
from realtime.context import Context
from realtime.events import notify, role_group
from realtime.models import Connection

STALE_AFTER = timedelta(seconds=90)
TABLET_ROLES = tuple(str(r.value) for r in policy.TABLET_ROLES)
SERVER_ID = f"{socket.gethostname()}:{os.getpid()}"


def _member_sockets(sitting_id: int, member_id: int) -> int:
    return live_connections(sitting_id).filter(member_id=member_id).count()


def live_connections(sitting_id: int):
    return Connection.objects.filter(
        sitting_id=sitting_id, last_seen__gte=timezone.now() - STALE_AFTER
    )


def _announce(ctx: Context) -> None:
    if ctx.member_id is None or ctx.role not in TABLET_ROLES:
        return
    n = _member_sockets(ctx.sitting_id, ctx.member_id)
    payload = {"member": ctx.member_id, "online": n > 0, "sockets": n}
    for role in policy.LIVE_ROLES:
        notify(role_group(ctx.sitting_id, role), "presence.changed", payload, ctx.sitting_id)


@transaction.atomic
def connected(ctx: Context) -> None:
    # a channel name is new for every socket: one INSERT, no look-up first
    Connection.objects.create(
        channel_name=ctx.channel_name,
        sitting_id=ctx.sitting_id,
        user_id=ctx.user_id,
        member_id=ctx.member_id,
        role=ctx.role,
        server=SERVER_ID,
        last_seen=timezone.now(),
    )
    _announce(ctx)


@transaction.atomic
def disconnected(ctx: Context) -> None:
    Connection.objects.filter(channel_name=ctx.channel_name).delete()
    _announce(ctx)


def seen(ctx: Context) -> None:
    Connection.objects.filter(channel_name=ctx.channel_name).update(last_seen=timezone.now())


def online(sitting_id: int) -> list[dict]:
    rows = (
        live_connections(sitting_id)
        .filter(role__in=TABLET_ROLES)
        .exclude(member_id=None)
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("member_id")
    )
    return [{"member": r["member_id"], "sockets": r["n"]} for r in rows]
