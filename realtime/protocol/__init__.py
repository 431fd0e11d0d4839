"""The one message protocol of Yiting's WebSocket (see docs/protocol.md).

Client → server frames: ``{"v": 1, "type": "<command>", "id": "<request id>",
"key": "<idempotency key>", "data": {...}}``. The server answers each with
``{"type": "reply", "id": …, "ok": true, "data": {...}}`` or ``{"type": "reply", "id": …,
"ok": false, "error": {"code": …, "message": …}}``.

Server → client events: ``{"type": "<event>", "seq": N | null, "sitting": S, "data": {...}}``;
``seq`` is the sitting's gapless sequence number, null for unsequenced notices.

Feature modules (``core``, ``documents``, ``floor``, ``media``, ``votes``) *declare* their
commands, events and error codes with ``command``/``event``/``error_code``; importing
them registers nothing. ``realtime.registration`` lists them and installs their
declarations into ``REGISTRY``/``ERROR_CODES`` at start (``RealtimeConfig.ready``).
"""

from realtime.protocol.base import REGISTRY, VERSION, CommandData, command, event
from realtime.protocol.codec import Decoded, decode, reply_error, reply_ok
from realtime.protocol.errors import ERROR_CODES, ProtocolError, error_code

__all__ = [
    "REGISTRY",
    "VERSION",
    "CommandData",
    "command",
    "event",
    "Decoded",
    "decode",
    "reply_error",
    "reply_ok",
    "ERROR_CODES",
    "ProtocolError",
    "error_code",
]
