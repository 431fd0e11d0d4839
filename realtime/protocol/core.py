"""Core messages: session set-up, resync, presence, attendance, the agenda."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from realtime.protocol.base import CommandData, command, event


@command("sync", example={"last_seq": 41})
class Sync(CommandData):
    """Ask for what was missed since ``last_seq`` (0 = never seen anything).

    The answer is either ``{"mode": "replay", "events": [...], "seq": N}`` with every
    missed event in order, or, past the retention window, ``{"mode": "snapshot",
    "snapshot": {...}, "seq": N}``. Live events with ``seq`` ≤ N must be dropped.
    """

    last_seq: int = Field(ge=0)


@command("ping", example={})
class Ping(CommandData):
    """Keep-alive; refreshes presence. Answer: ``{"server_time": "…"}``."""


@command("attendance.check_in", example={}, idempotent=True)
class CheckIn(CommandData):
    """Check the tablet's own member in to the sitting (签到)."""


@command("attendance.check_out", example={}, idempotent=True)
class CheckOut(CommandData):
    """Check the tablet's own member out (leaving the room)."""


@command(
    "attendance.record",
    example={"member": 12, "present": True},
    idempotent=True,
)
class RecordAttendance(CommandData):
    """The clerk checks a member in or out on their behalf."""

    member: int
    present: bool


@command("seating.save", example={"rows": [["001", "002", "", "003"], ["004", "005"]]})
class SaveSeating(CommandData):
    """The clerk saves the seat layout of the sitting's room (座位图): rows front first,
    seat numbers left to right as the chair sees them, ``""`` for an aisle; no rows puts
    the room back to the default made from the roster. Answer: ``{"seating": plan}``."""

    rows: list[list[str]] = Field(max_length=40)


@command("agenda.open", example={"item": 3})
class OpenItem(CommandData):
    """Make an agenda item current (the previous one is done)."""

    item: int


@command("agenda.step", example={"direction": "next"})
class StepItem(CommandData):
    """Open the next or previous agenda item."""

    direction: Literal["next", "previous"]


@command("presence.list", example={})
class ListPresence(CommandData):
    """Which tablets are online now. Answer: ``{"online": [{"member": 12, "sockets": 1,
    "insecure": 0}]}`` (``insecure``: sockets not in a secure context)."""


WELCOME = event(
    "welcome",
    "First message on a new socket: who the server thinks you are, and the sitting's "
    "current sequence number. Reply with `sync`.",
    {"protocol": 1, "role": "member", "member": 12, "user": 30, "seq": 57, "server": "host:123"},
    sequenced=False,
    audience="the new socket",
)
ATTENDANCE_CHANGED = event(
    "attendance.changed",
    "A member checked in or out; carries the new quorum.",
    {
        "member": 12,
        "present": True,
        "method": "tablet",
        "at": "2026-11-24T09:00:03+08:00",
        "quorum": {"roster_size": 65, "present": 34, "required": 33, "reached": True},
    },
)
_ITEM = {
    "id": 3,
    "order": 1,
    "title": "审议《条例（草案）》",
    "state": "current",
    "presenter": None,
    "first_speech_limit_s": 600,
    "second_speech_limit_s": 480,
}
_AGENDA = {
    "items": [_ITEM, {**_ITEM, "id": 4, "order": 2, "title": "听取报告", "state": "pending"}],
    "current": 3,
}
AGENDA_CURRENT = event(
    "agenda.current",
    "An agenda item became current. `agenda` is the whole agenda as the server now has "
    "it (items in order with their states, and the current item): pages render it as "
    "it is and never re-derive which item is done.",
    {"item": _ITEM, "agenda": _AGENDA},
)
AGENDA_CHANGED = event(
    "agenda.changed",
    "The agenda was reordered: `order` the item ids, `agenda` the whole agenda in the "
    "new order (as in `agenda.current`).",
    {"order": [3, 4], "agenda": _AGENDA},
)
SITTING_STATE = event(
    "sitting.state",
    "The sitting ended (the session was closed): its current item is done (`agenda` is "
    "the agenda as it now is), every command is refused with `sitting_ended`, the wall "
    "shows that it has ended.",
    {
        "state": "ended",
        "at": "2026-11-24T17:30:00+08:00",
        "agenda": {"items": [{**_ITEM, "state": "done"}], "current": None},
    },
)
SEATING_PLAN = event(
    "seating.plan",
    "The seat layout of the sitting's room was saved, or a member's leave from the sitting "
    "was entered or withdrawn (the clerk's leave page): the whole plan as the snapshot's "
    "`seating` carries it (member ids by row, front first, `null` an aisle; `seats` the "
    "rows as seat numbers; `unplaced` roster members the layout does not place; `leave` "
    "members on leave).",
    {
        "room": "第一会议室",
        "saved": True,
        "rows": [[12, 13, None, 14], [15, 16]],
        "seats": [["001", "002", "", "003"], ["004", "005"]],
        "unplaced": [],
        "leave": [16],
    },
    sequenced=False,
    audience="clerks and chairs of the sitting",
)
PRESENCE_CHANGED = event(
    "presence.changed",
    "A tablet came online or went offline (sent to clerks and chairs only). `insecure`: "
    "how many of the member's sockets come from a page that is not a secure context "
    "(plain HTTP at a LAN address: no camera, no offline reading).",
    {"member": 12, "online": True, "sockets": 1, "insecure": 0},
    sequenced=False,
    audience="clerks and chairs of the sitting",
)
