"""Floor services: the queue, the floor, timers and the speaking log.

Each changing function locks the sitting row, writes in one transaction, records a
sequenced event with ``core.events.emit`` and sends the floor signals after the
commit. Times come from ``core.clock``.
"""

from meeting.floor.services.floor import end, extend, grant, priority, take
from meeting.floor.services.queue import enter, refuse, reorder, request, set_rules, withdraw
from meeting.floor.services.state import floor_state, queue, rules_for
from meeting.floor.services.timers import sweep_once

__all__ = [
    "end",
    "enter",
    "extend",
    "floor_state",
    "grant",
    "priority",
    "queue",
    "refuse",
    "reorder",
    "request",
    "rules_for",
    "set_rules",
    "sweep_once",
    "take",
    "withdraw",
]
