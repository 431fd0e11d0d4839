"""The one message protocol of Yiting's WebSocket (see docs/protocol.md).

Client → server frames: ``{"v": 1, "type": "<command>", "id": "<request id>",
"key": "<idempotency key>", "data": {...}}``. The server answers each with
``{"type": "reply", "id": …, "ok": true, "data": {...}}`` or ``{"type": "reply", "id": …,
"ok": false, "error": {"code": …, "message": …}}``.

Server → client events: ``{"type": "<event>", "seq": N | null, "sitting": S, "data": {...}}``;
``seq`` is the sitting's gapless sequence number, null for unsequenced notices.

Feature modules register their own commands, events and error codes by importing
``command``/``event``/``register_error``; importing this package loads them all.
"""

# Feature protocols (documents, votes, floor, media) register on import:
from realtime.protocol import (  # noqa: E402,F401,I001
    core,  # noqa: F401  (registers the core messages)
    documents,
    floor,
    media,
    votes,
)
from realtime.protocol.base import REGISTRY, VERSION, CommandData, command, event
from realtime.protocol.codec import Decoded, decode, reply_error, reply_ok
from realtime.protocol.errors import ERROR_CODES, ProtocolError, register_error

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
    "register_error",
]
