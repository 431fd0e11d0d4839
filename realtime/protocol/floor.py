"""Protocol messages of the floor: the speaking queue, granting, timers, the log.

Every floor event carries ``state`` — the rules, the open floors and the queue right
after the change, with ``server_time`` — so a client redraws from it alone and counts
down from ``deadline`` corrected by its offset to the server's clock.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from realtime.protocol.base import CommandData, command, event

KINDS = Literal["speech", "reply", "point_of_order"]

ERRORS: dict[str, str] = {  # installed by realtime.registration
    "already_queued": "The member already has a request in the queue.",
    "not_queued": "The member has no request waiting in the queue.",
    "request_closed": "The request was already granted, refused, withdrawn or cleared.",
    "already_speaking": "The member holds the floor now.",
    "floor_full": "As many members hold the floor as the sitting allows.",
    "queue_empty": "Nobody is waiting for the floor.",
    "wrong_mode": "The sitting's floor mode does not allow this (e.g. taking the "
    "floor directly in request mode).",
    "floor_closed": "That floor has already ended.",
    "no_limit": "That floor has no time limit (the chair's own floor).",
}


@command("floor.request", example={"kind": "speech"}, idempotent=True)
class RequestFloor(CommandData):
    """Ask for the floor (申请发言) with a kind: speech, reply to a speaker, point of order.

    A point of order goes to the head of the queue, a reply before the speeches.
    Answer: ``{"request": {...}, "position": 3}``.
    """

    kind: KINDS = "speech"


@command("floor.withdraw", example={}, idempotent=True)
class WithdrawRequest(CommandData):
    """Take back your waiting request. After a grant the answer is ``request_closed``."""


@command("floor.take", example={}, idempotent=True)
class TakeFloor(CommandData):
    """Take the floor at once: in direct mode while there is room, in override mode by
    ending the longest-running floor. The chair may always take it (never counted)."""


@command("floor.yield", example={}, idempotent=True)
class YieldFloor(CommandData):
    """The speaker ends their own floor (finished)."""


@command(
    "floor.enter",
    example={"member": 12, "kind": "speech", "note": "书面申请"},
    idempotent=True,
)
class EnterRequest(CommandData):
    """The clerk enters a member's written request (made before the sitting)."""

    member: int
    kind: KINDS = "speech"
    note: str = Field(default="", max_length=200)


@command("floor.reorder", example={"order": [31, 29, 30]})
class ReorderQueue(CommandData):
    """Put the queue in a new order; ``order`` names every waiting request once."""

    order: list[int] = Field(max_length=500)


@command("floor.grant", example={"request": 29}, idempotent=True)
class GrantFloor(CommandData):
    """Grant the floor: to ``request``, to ``member`` (on the roster), or with neither to
    the head of the queue. Two grants at once: one wins, the other gets ``floor_full``
    or ``request_closed``. Answer: ``{"speech": {...}}``."""

    request: int | None = None
    member: int | None = None


@command("floor.refuse", example={"request": 30, "note": ""}, idempotent=True)
class RefuseRequest(CommandData):
    """Refuse a waiting request; it leaves the queue, the reason is kept."""

    request: int
    note: str = Field(default="", max_length=200)


@command("floor.end", example={"speech": 7, "how": "finished"}, idempotent=True)
class EndFloor(CommandData):
    """End a floor as ``finished`` (the speech is over) or ``revoked`` (the chair takes it)."""

    speech: int
    how: Literal["finished", "revoked"] = "finished"


@command("floor.extend", example={"speech": 7, "seconds": 120}, idempotent=True)
class ExtendFloor(CommandData):
    """Give the speaker more time (only the chair's side may)."""

    speech: int
    seconds: int = Field(gt=0, le=3600)


@command("floor.priority", example={"clear_queue": False}, idempotent=True)
class ChairPriority(CommandData):
    """The chair's priority: end every member's floor at once, optionally clear the queue."""

    clear_queue: bool = False


@command("floor.rules", example={"mode": "direct", "max_floors": 2})
class SetFloorRules(CommandData):
    """Change the floor mode (request, direct, override), floors at once, or limits."""

    mode: Literal["request", "direct", "override"] | None = None
    max_floors: int | None = Field(default=None, ge=1, le=20)
    warn_before_s: int | None = Field(default=None, ge=0, le=600)
    reply_limit_s: int | None = Field(default=None, ge=10, le=3600)
    point_of_order_limit_s: int | None = Field(default=None, ge=10, le=3600)


@command("floor.log", example={})
class SpeakingLog(CommandData):
    """The sitting's speaking log: ``{"log": [{member, kind, started_at, ended_at, …}]}``."""


_SPEECH = {
    "id": 7,
    "member": 12,
    "name": "委员1",
    "seat": "002",
    "item": 3,
    "kind": "speech",
    "by_chair": False,
    "number": 1,
    "started_at": "2026-11-24T01:02:03.456000+00:00",
    "limit_s": 600,
    "extended_s": 0,
    "deadline": "2026-11-24T01:12:03.456000+00:00",
    "warned": False,
    "time_up": False,
    "ended_at": None,
    "ended_how": None,
    "duration_s": None,
}
_REQUEST = {
    "id": 29,
    "member": 12,
    "name": "委员1",
    "seat": "002",
    "kind": "speech",
    "state": "waiting",
    "written": False,
    "note": "",
    "requested_at": "2026-11-24T01:00:00+00:00",
}
_STATE = {
    "rules": {
        "mode": "request",
        "max_floors": 1,
        "warn_before_s": 60,
        "reply_limit_s": 180,
        "point_of_order_limit_s": 120,
    },
    "floors": [_SPEECH],
    "queue": [_REQUEST],
    "server_time": "2026-11-24T01:02:03.500000+00:00",
}

FLOOR_QUEUE = event(
    "floor.queue",
    "The queue changed: `reason` is requested, entered, withdrawn, refused or reordered.",
    {"reason": "requested", "request": _REQUEST, "state": _STATE},
)
FLOOR_GRANTED = event(
    "floor.granted",
    "A member got the floor; `speech.deadline` is when time runs out.",
    {"speech": _SPEECH, "state": _STATE},
)
FLOOR_RELEASED = event(
    "floor.released",
    "A floor ended; `speech.ended_how` is finished, time_limit, revoked, priority or override.",
    {
        "speech": {
            **_SPEECH,
            "ended_at": "2026-11-24T01:09:00+00:00",
            "ended_how": "finished",
            "duration_s": 416.544,
        },
        "state": {**_STATE, "floors": []},
    },
)
FLOOR_EXTENDED = event(
    "floor.extended",
    "The chair gave the speaker more time.",
    {"speech": _SPEECH, "by_s": 120, "state": _STATE},
)
FLOOR_WARNING = event(
    "floor.warning",
    "The speaker has `remaining_s` left (one minute by default).",
    {"speech": {**_SPEECH, "warned": True}, "remaining_s": 60, "state": _STATE},
)
FLOOR_TIME_UP = event(
    "floor.time_up",
    "Time ran out on a floor whose item says *warn only*; the floor stays until ended.",
    {"speech": {**_SPEECH, "time_up": True}, "state": _STATE},
)
FLOOR_RULES = event(
    "floor.rules", "The floor mode or limits changed.", {"rules": _STATE["rules"], "state": _STATE}
)
FLOOR_PRIORITY = event(
    "floor.priority",
    "The chair's priority ended every member's floor (and maybe the queue).",
    {"ended": [7], "cleared": 0, "state": {**_STATE, "floors": [], "queue": []}},
)
