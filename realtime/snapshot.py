"""Full snapshots of a sitting for a (re)connecting socket.

Each feature contributes a part with ``@snapshot_part("name")``: a function of the
sitting and the socket's context returning a JSON-able dict. A part may depend on the
role (a clerk sees who has not voted) and the member (their own ballot).
"""

from __future__ import annotations

from collections.abc import Callable

from meeting.models import Sitting
from realtime.context import Context

Part = Callable[[Sitting, Context], dict]
PARTS: dict[str, Part] = {}


def snapshot_part(name: str) -> Callable[[Part], Part]:
    def wrap(fn: Part) -> Part:
        if name in PARTS:
            raise ValueError(f"snapshot part {name!r} registered twice")
        PARTS[name] = fn
        return fn

    return wrap


def build_snapshot(ctx: Context) -> tuple[int, dict]:
    """The sitting's state as this socket may see it, and the seq it is current to.

    Reads in one transaction so the parts and the seq agree.
    """
    from django.db import transaction

    from realtime.handlers import load_all

    load_all()
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
        snap = {name: part(sitting, ctx) for name, part in PARTS.items()}
        return sitting.event_seq, snap
