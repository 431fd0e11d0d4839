"""Protocol messages of 会务通知 (notices to the tablets) and 呼叫服务 (service calls).

The clerk or the chair sends a notice to every seat of the sitting or to one member
(``notice.send``); a member dismisses it (``notice.dismiss``). A member calls for tea,
technical support or other service (``service.call``); the clerk takes it (``service.take``,
受理) and marks it done (``service.done``); the member may withdraw it. Notices and
calls are stored before they are announced; the snapshot's ``notices`` part carries
what is still unread and the open calls, and ``notice.inbox`` reads the same again
(a tablet back from a replay resync asks it, as unsequenced notices are not replayed).

Text limits are the service's (a precise error, ``notice_too_long``), not the schema's:
the schema only caps what a frame may carry at all.
"""

from __future__ import annotations

from pydantic import Field

from realtime.protocol.base import CommandData, command, event

ERRORS: dict[str, str] = {  # installed by realtime.registration
    "notice_empty": "The notice has no text.",
    "notice_too_long": "The notice is longer than 200 characters; details give limit and length.",
    "unknown_service_kind": "No such service: the kinds are tea, tech and other.",
    "call_note_too_long": "A call's note is longer than 60 characters.",
    "call_already_open": "The member already has a call of this kind waiting or taken; "
    "details name it.",
    "call_not_waiting": "The call was already taken, done or withdrawn.",
    "call_closed": "The call is already done or withdrawn.",
    "calls_too_often": "Too many service calls from this login in a short time; wait a minute.",
}


@command("notice.send", example={"text": "请各位委员回到座位", "member": None}, idempotent=True)
class SendNotice(CommandData):
    """Send a notice (会务通知) to every seat of the sitting, or with ``member`` to one
    member on its roster. Answer: ``{"notice": {...}}``."""

    text: str = Field(max_length=2000)
    member: int | None = None


@command("notice.dismiss", example={"notice": 4}, idempotent=True)
class DismissNotice(CommandData):
    """The member has read a notice (知道了); repeating it changes nothing."""

    notice: int


@command("notice.inbox", example={})
class NoticeInbox(CommandData):
    """The ``notices`` part of the snapshot, read now: ``{"notices": [...], "calls": [...]}``."""


@command("service.call", example={"kind": "tea", "note": ""}, idempotent=True)
class CallService(CommandData):
    """Call for service (呼叫服务) from your seat: ``kind`` tea (茶水), tech (技术支持) or
    other (其他) with an optional ``note``. Answer: ``{"call": {...}}``."""

    kind: str = Field(max_length=40)
    note: str = Field(default="", max_length=1000)


@command("service.withdraw", example={"call": 9}, idempotent=True)
class WithdrawCall(CommandData):
    """Take back your own call while it is waiting or taken."""

    call: int


@command("service.take", example={"call": 9}, idempotent=True)
class TakeCall(CommandData):
    """The clerk takes a waiting call (受理); the member's tablet shows the time."""

    call: int


@command("service.done", example={"call": 9}, idempotent=True)
class FinishCall(CommandData):
    """The clerk marks a waiting or taken call done."""

    call: int


_NOTICE = {
    "id": 4,
    "text": "请各位委员回到座位",
    "to": None,
    "to_name": None,
    "sent_at": "2026-11-24T01:02:03+00:00",
}
_CALL = {
    "id": 9,
    "member": 12,
    "name": "委员1",
    "seat": "002",
    "kind": "tea",
    "note": "",
    "state": "taken",
    "called_at": "2026-11-24T01:02:03+00:00",
    "taken_at": "2026-11-24T01:03:00+00:00",
    "ended_at": None,
}

NOTICE_SENT = event(
    "notice.sent",
    "A notice (会务通知): to every seat (`to` null) or to one member (`to` their id).",
    {"notice": _NOTICE},
    sequenced=False,
    audience="a notice to all: members, chairs and clerks; to one member: that member's "
    "login and the consoles",
)
NOTICE_READ = event(
    "notice.read",
    "A member dismissed a notice; `reads` is how many members have.",
    {"notice": 4, "member": 12, "read_at": "2026-11-24T01:04:00+00:00", "reads": 31},
    sequenced=False,
    audience="that member's login (their other tablets) and the consoles",
)
SERVICE_CHANGED = event(
    "service.changed",
    "A service call was made, taken, done or withdrawn (`reason`); `call` as it is now.",
    {"reason": "taken", "call": _CALL},
    sequenced=False,
    audience="the consoles (chair, clerk) and the calling member's login",
)
