"""The agenda (议程): ordered items, exactly one current at a time."""

from __future__ import annotations

import functools

from django.db import connection, transaction
from django.db.models import Max

from core import policy
from core.errors import DomainError
from core.events import emit
from core.models import AgendaItem, Sitting


def item_payload(item: AgendaItem | None) -> dict | None:
    if item is None:
        return None
    return {
        "id": item.pk,
        "order": item.order,
        "title": item.title,
        "state": item.state,
        "presenter": item.presenter_id,
        "first_speech_limit_s": item.first_speech_limit_s,
        "second_speech_limit_s": item.second_speech_limit_s,
    }


@transaction.atomic
def add_item(sitting: Sitting, title: str, **fields) -> AgendaItem:
    """Append an item at the end of the sitting's agenda."""
    Sitting.objects.select_for_update().get(pk=sitting.pk)
    last = sitting.agenda_items.aggregate(m=Max("order"))["m"] or 0
    return AgendaItem.objects.create(sitting=sitting, order=last + 1, title=title, **fields)


@transaction.atomic
def reorder(sitting: Sitting, item_ids: list[int]) -> list[AgendaItem]:
    """Give the items the order of ``item_ids``, which must name every item exactly once."""
    Sitting.objects.select_for_update().get(pk=sitting.pk)
    items = {i.pk: i for i in sitting.agenda_items.all()}
    if sorted(item_ids) != sorted(items):
        raise DomainError("bad_order", "The new order must list every agenda item once.")
    offset = len(items) + 1000  # step aside first: (sitting, order) is unique
    for n, pk in enumerate(item_ids, start=1):
        AgendaItem.objects.filter(pk=pk).update(order=offset + n)
    for n, pk in enumerate(item_ids, start=1):
        AgendaItem.objects.filter(pk=pk).update(order=n)
    ordered = list(sitting.agenda_items.order_by("order"))
    emit(sitting.pk, "agenda.changed", {"order": item_ids, "agenda": agenda_of(ordered)})
    return ordered


def current_item(sitting: Sitting) -> AgendaItem | None:
    return sitting.agenda_items.filter(state=AgendaItem.State.CURRENT).first()


@transaction.atomic
def open_item(sitting_id: int, item_id: int, *, actor: policy.Actor) -> AgendaItem:
    """Make an item current; the previous current item is done.

    The flip of the room, so its statements are few (tests/realtime/test_query_budget.py
    names each): the sitting's lock; the whole agenda read with the previous current
    item made done (PostgreSQL: one statement); the new current item written in the
    journal's own statement (``emit``'s ``writes``).
    """
    policy.require(actor, "agenda.open")
    conn = transaction.get_connection()
    state, title = _lock_sitting(conn, sitting_id)
    if state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{title} has ended.")
    # The whole agenda, in the server's order, read once *after* the sitting's lock (not
    # in the locking statement: on PostgreSQL a join waiting for the lock keeps its older
    # snapshot of the items, and a flip queued behind another broadcast stale states):
    # the item to open is in it, and the event carries the whole slice after the change,
    # so the browser never re-derives which item is done or where an item stands.
    items, was_current = _close_current_and_read(conn, sitting_id, item_id)
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise DomainError("not_found", f"Agenda item {item_id} is not on this sitting's agenda.")
    if was_current:
        return item  # nothing was changed (the statement's guard)
    item.state = AgendaItem.State.CURRENT
    if state == Sitting.State.PLANNED:
        Sitting.objects.filter(pk=sitting_id).update(state=Sitting.State.LIVE)  # once a sitting
    emit(
        sitting_id,
        "agenda.current",
        {"item": item_payload(item), "agenda": agenda_of(items)},
        writes=[(_sql("make_current"), [AgendaItem.State.CURRENT.value, item.pk])],
    )
    return item


# what the event and the reply say of an item (``item_payload``), besides its state
_ITEM_COLUMNS = (
    "id",
    "order",
    "title",
    "presenter_id",
    "first_speech_limit_s",
    "second_speech_limit_s",
)


@functools.cache
def _sql(name: str) -> str:
    """The flip's statements, written once from the models' tables (the ORM spent more
    time compiling them than the database running them)."""
    q = connection.ops.quote_name
    sit, ag = q(Sitting._meta.db_table), q(AgendaItem._meta.db_table)
    cols = ", ".join(f"i.{q(c)}" for c in _ITEM_COLUMNS)
    # the current item, in this sitting, unless it is the one to open (then: no change)
    close = (
        f"UPDATE {ag} SET state = %s WHERE sitting_id = %s AND state = %s"
        f" AND EXISTS (SELECT 1 FROM {ag} t WHERE t.id = %s AND t.sitting_id = %s"
        " AND t.state <> %s)"
    )
    return {
        "lock": f"SELECT state, title FROM {sit} WHERE id = %s"
        + (" FOR UPDATE" if connection.features.has_select_for_update else ""),
        # PostgreSQL: the UPDATE in a CTE beside the read, whose own scan sees the rows
        # as before it: the state is the UPDATE's where it changed one
        "close_and_read": f"WITH c AS ({close} RETURNING id, state)"
        f" SELECT {cols}, i.state, c.state FROM {ag} i LEFT JOIN c ON c.id = i.id"
        f" WHERE i.sitting_id = %s ORDER BY i.{q('order')}",
        "close": close,
        "read": f"SELECT {cols}, i.state, NULL FROM {ag} i WHERE i.sitting_id = %s"
        f" ORDER BY i.{q('order')}",
        # the new current item: after the close, in another statement (the one-current
        # index is checked row by row, so both in one UPDATE could trip it)
        "make_current": f"UPDATE {ag} SET state = %s WHERE id = %s",
    }[name]


def _lock_sitting(conn, sitting_id: int) -> tuple[str, str]:
    with conn.cursor() as cur:
        cur.execute(_sql("lock"), [sitting_id])
        row = cur.fetchone()
    if row is None:
        raise Sitting.DoesNotExist(f"no sitting {sitting_id}")
    return row[0], row[1]


def _close_current_and_read(conn, sitting_id: int, item_id: int) -> tuple[list[AgendaItem], bool]:
    """The previous current item made done (unless ``item_id`` is current or not in this
    sitting), then the agenda as it now is; and whether ``item_id`` was current already."""
    done, current = AgendaItem.State.DONE.value, AgendaItem.State.CURRENT.value
    close_params = [done, sitting_id, current, item_id, sitting_id, current]
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(_sql("close_and_read"), [*close_params, sitting_id])
        else:  # SQLite's CTEs cannot write: the UPDATE, then the read
            cur.execute(_sql("close"), close_params)
            cur.execute(_sql("read"), [sitting_id])
        rows = cur.fetchall()
    items, was_current = [], False
    for *values, before, changed in rows:
        item = AgendaItem(**dict(zip(_ITEM_COLUMNS, values, strict=True)), sitting_id=sitting_id)
        item.state = changed or before
        was_current = was_current or (item.pk == item_id and before == current)
        items.append(item)
    return items, was_current


@transaction.atomic
def step(sitting_id: int, direction: int, *, actor: policy.Actor) -> AgendaItem:
    """Open the next (+1) or previous (-1) item relative to the current one."""
    policy.require(actor, "agenda.step")
    sitting = Sitting.objects.get(pk=sitting_id)
    items = list(sitting.agenda_items.order_by("order"))
    if not items:
        raise DomainError("not_found", "This sitting has no agenda items.")
    cur = next((n for n, i in enumerate(items) if i.state == AgendaItem.State.CURRENT), None)
    target = 0 if cur is None else cur + direction
    if not 0 <= target < len(items):
        raise DomainError("no_such_item", "There is no item in that direction.")
    return open_item(sitting_id, items[target].pk, actor=actor)


def agenda_of(items: list[AgendaItem]) -> dict:
    """The agenda slice every page renders: the items in order, and the current one."""
    cur = next((i for i in items if i.state == AgendaItem.State.CURRENT), None)
    return {"items": [item_payload(i) for i in items], "current": cur.pk if cur else None}


def agenda_snapshot(sitting: Sitting) -> dict:
    return agenda_of(list(sitting.agenda_items.order_by("order")))
