"""The agenda (议程): ordered items, exactly one current at a time."""

from __future__ import annotations

from django.db import transaction
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
    """Make an item current; the previous current item is done."""
    policy.require(actor, "agenda.open")
    sitting = Sitting.objects.select_for_update().get(pk=sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    # The whole agenda, in the server's order, read once *after* the sitting's lock (not
    # in the locking statement: on PostgreSQL a join waiting for the lock keeps its older
    # snapshot of the items, and a flip queued behind another broadcast stale states):
    # the item to open is in it, and the event carries the whole slice after the change,
    # so the browser never re-derives which item is done or where an item stands.
    items = list(sitting.agenda_items.order_by("order"))
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise DomainError("not_found", f"Agenda item {item_id} is not on this sitting's agenda.")
    if item.state == AgendaItem.State.CURRENT:
        return item
    sitting.agenda_items.filter(state=AgendaItem.State.CURRENT).update(state=AgendaItem.State.DONE)
    for other in items:  # what that UPDATE did, on the list in hand
        if other.state == AgendaItem.State.CURRENT:
            other.state = AgendaItem.State.DONE
    item.state = AgendaItem.State.CURRENT
    item.save(update_fields=["state"])
    if sitting.state == Sitting.State.PLANNED:
        sitting.state = Sitting.State.LIVE
        sitting.save(update_fields=["state"])
    emit(sitting.pk, "agenda.current", {"item": item_payload(item), "agenda": agenda_of(items)})
    return item


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
