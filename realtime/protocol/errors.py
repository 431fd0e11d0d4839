"""Error codes of the protocol: the one table clients and services share.

A reply that fails carries ``{"code": …, "message": …}``; the code is stable and is
what clients branch on, the message is for people. Close codes are used only where
there is no socket to answer on (authentication) or the socket cannot be served (a
reader too slow, no subscription).
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    # frame and envelope
    "bad_json": "The frame is not valid JSON (or not a JSON object).",
    "frame_too_large": "The frame exceeds the size limit (YITING_WS_MAX_FRAME, 64 KiB by default).",
    "binary_not_supported": "Binary frames are not part of the protocol.",
    "unknown_type": "The message type is not a command of this protocol version.",
    "invalid": "A field is missing, has the wrong type, or is not allowed; see details.",
    "unsupported_version": "The client speaks a protocol version the server does not.",
    "rate_limited": "Too many commands on this socket; slow down (token bucket per socket).",
    "forbidden": "Your role in this sitting may not send this command (core/policy.py).",
    "role_changed": "Your role in this sitting changed since the socket connected; nothing "
    "was done. The server closes the socket (4409); reconnect to get the new role.",
    "key_reused": "This idempotency key was used for a different command.",
    # state
    "not_found": "The thing named does not exist in this sitting.",
    "not_on_roster": "The member is not on the roster of this sitting.",
    "not_checked_in": "The member is not checked in.",
    "bad_layout": "A seat layout names a seat no member holds, a seat twice, or too many "
    "rows or seats; see details.",
    "sitting_ended": "The sitting has ended.",
    "no_such_item": "There is no agenda item in that direction.",
    "bad_order": "A reorder must list every agenda item exactly once.",
    "already_in_group": "The member already sits in another deliberation group.",
    "wrong_term": "The things named belong to different terms.",
    "not_component_member": "Only component members sit in groups, vote and speak.",
    "conflict": "Someone else changed this at the same moment; reload and try again.",
    "try_again": "The server could not complete the command now (database unavailable); "
    "nothing was changed. Send it again.",
    "internal_error": "The server failed; nothing was changed. The failure is logged.",
}

# WebSocket close codes (4000–4999 are application-defined).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_ACCESS = 4403
CLOSE_NO_SUCH_SITTING = 4404
CLOSE_ROLE_CHANGED = 4409
CLOSE_SLOW_READER = 4408
CLOSE_NOT_LIVE = 4503
CLOSE_CODES: dict[int, str] = {
    CLOSE_UNAUTHENTICATED: "Not logged in: the socket has no authenticated session.",
    CLOSE_NO_ACCESS: "Logged in, but with no role in this sitting.",
    CLOSE_NO_SUCH_SITTING: "No such sitting.",
    1007: "A text frame that is not valid UTF-8 (the server, realtime/server.py).",
    1009: "A frame over YITING_WS_HARD_CAP (the server, realtime/server.py).",
    CLOSE_ROLE_CHANGED: "The login's role in the sitting changed: reconnect (a login with "
    "no role left is then refused with 4403).",
    CLOSE_SLOW_READER: "The socket did not read its events: more than YITING_WS_MAX_PENDING "
    "bytes (1 MiB by default) were waiting for it. The close frame queues behind that "
    "data, so the tablet often sees 1006 instead; either way: reconnect and sync.",
    CLOSE_NOT_LIVE: "The server could not subscribe the socket to its sitting's events in "
    "time (channel layer unavailable). Reconnect.",
}


class ErrorCode(str):
    """A feature's error code (the string) with its ``meaning``, declared by ``error_code``."""

    meaning: str

    def __new__(cls, code: str, meaning: str) -> ErrorCode:
        self = super().__new__(cls, code)
        self.meaning = meaning
        return self


def error_code(code: str, meaning: str) -> ErrorCode:
    """Declare a feature's error code; ``realtime.registration`` adds it to the table.

    A feature module declares its codes as module-level ``ErrorCode`` constants or in
    one module-level ``ERRORS`` dict (code → meaning).
    """
    return ErrorCode(code, meaning)


def add_error(code: str, meaning: str, table: dict[str, str] | None = None) -> None:
    """Install one code into ``table`` (``ERROR_CODES``); two meanings for a code is a bug."""
    table = ERROR_CODES if table is None else table
    if code in table and table[code] != meaning:
        raise ValueError(f"error code {code!r} declared twice with different meanings")
    table[code] = meaning


class ProtocolError(Exception):
    """A frame was refused before any handler ran."""

    def __init__(self, code: str, message: str, details: object | None = None) -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_dict(self) -> dict:
        from realtime.protocol.messages import localize

        message, original = localize(self.code, self.message)
        out: dict = {"code": self.code, "message": message}
        if original:
            out["detail"] = original
        if self.details is not None:
            out["details"] = self.details
        return out
