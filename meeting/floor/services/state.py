"""Reading the floor: rules, the queue, open floors, and their wire form."""

from __future__ import annotations

from django.db.models import QuerySet

from core import clock
from core.errors import DomainError
from core.models import AgendaItem, Sitting
from meeting.floor.models import FloorRules, Kind, SpeakingRequest, Speech


def rules_for(sitting: Sitting | int) -> FloorRules:
    """The sitting's floor rules (read only).

    The row is created with the sitting (``meeting.floor.apps``) and by migration for
    older sittings. Reading never writes: a lazy ``get_or_create`` here ran inside the
    REPEATABLE READ snapshot, so concurrent first syncs raced on the unique key and the
    losers could not see the winner's row. Should a row still be missing (rows made with
    ``bulk_create``), the defaults are returned unsaved; ``set_rules`` saves them.
    """
    sitting_id = sitting if isinstance(sitting, int) else sitting.pk
    rules = FloorRules.objects.filter(sitting_id=sitting_id).first()
    return rules if rules is not None else FloorRules(sitting_id=sitting_id)


def ensure_rules(sitting_id: int) -> FloorRules:
    """The sitting's rules row, created with the defaults if missing (write paths only)."""
    rules, _ = FloorRules.objects.get_or_create(sitting_id=sitting_id)
    return rules


def lock_sitting(sitting_id: int, *, allow_ended: bool = False) -> Sitting:
    """Lock the sitting row: every floor change of one sitting happens one at a time.

    An ended sitting takes no new requests or grants, but a floor left open may still be
    ended (``allow_ended``) so the log closes cleanly.
    """
    sitting = Sitting.objects.select_for_update().select_related("session").get(pk=sitting_id)
    if sitting.state == Sitting.State.ENDED and not allow_ended:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    return sitting


def queue(sitting_id: int) -> QuerySet[SpeakingRequest]:
    return (
        SpeakingRequest.objects.filter(sitting_id=sitting_id, state=SpeakingRequest.State.WAITING)
        .select_related("member")
        .order_by("position", "id")
    )


def open_speeches(sitting_id: int) -> QuerySet[Speech]:
    return (
        Speech.objects.filter(sitting_id=sitting_id, ended_at__isnull=True)
        .select_related("member")
        .order_by("started_at", "id")
    )


def current_item(sitting_id: int) -> AgendaItem | None:
    return AgendaItem.objects.filter(sitting_id=sitting_id, state=AgendaItem.State.CURRENT).first()


def rules_payload(rules: FloorRules) -> dict:
    return {
        "mode": rules.mode,
        "max_floors": rules.max_floors,
        "warn_before_s": rules.warn_before_s,
        "reply_limit_s": rules.reply_limit_s,
        "point_of_order_limit_s": rules.point_of_order_limit_s,
    }


def request_payload(req: SpeakingRequest) -> dict:
    return {
        "id": req.pk,
        "member": req.member_id,
        "name": req.member.full_name,
        "seat": req.member.seat,
        "kind": req.kind,
        "state": req.state,
        "written": req.written,
        "note": req.note,
        "requested_at": req.requested_at.isoformat(),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def speech_payload(sp: Speech) -> dict:
    return {
        "id": sp.pk,
        "member": sp.member_id,
        "name": sp.member.full_name,
        "seat": sp.member.seat,
        "item": sp.agenda_item_id,
        "kind": sp.kind,
        "by_chair": sp.by_chair,
        "number": sp.number,
        "started_at": sp.started_at.isoformat(),
        "limit_s": sp.limit_s,
        "extended_s": sp.extended_s,
        "deadline": _iso(sp.deadline),
        "warned": sp.warned_at is not None,
        "time_up": sp.time_up_at is not None,
        "ended_at": _iso(sp.ended_at),
        "ended_how": sp.ended_how or None,
        "duration_s": sp.duration_s,
    }


def floor_state(sitting_id: int) -> dict:
    """Everything a tablet, the console or the wall needs to draw the floor.

    ``server_time`` lets a client correct its own clock before counting down.
    """
    return {
        "rules": rules_payload(rules_for(sitting_id)),
        "floors": [speech_payload(s) for s in open_speeches(sitting_id)],
        "queue": [request_payload(r) for r in queue(sitting_id)],
        "server_time": clock.now().isoformat(),
    }


def recent_log(sitting_id: int, limit: int = 50) -> list[dict]:
    """The sitting's ended floors, newest first (the console's speaking log)."""
    rows = (
        Speech.objects.filter(sitting_id=sitting_id, ended_at__isnull=False)
        .select_related("member")
        .order_by("-ended_at", "-id")[:limit]
    )
    return [speech_payload(s) for s in rows]


KIND_RANK = {Kind.POINT_OF_ORDER: 0, Kind.REPLY: 1, Kind.SPEECH: 2}
