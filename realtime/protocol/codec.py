"""Decoding client frames: size, JSON, envelope, type, schema — in that order.

Nothing a client sends reaches a handler without passing here; every refusal is a
``ProtocolError`` with a code from ``errors.ERROR_CODES``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _
from pydantic import ValidationError

from core.inputs import MAX_INT, bad_value
from realtime.protocol.base import REGISTRY, VERSION, CommandData, CommandSpec
from realtime.protocol.errors import ProtocolError

ENVELOPE_KEYS = {"v", "type", "id", "key", "data"}
MAX_ID_LEN = 64
MAX_KEY_LEN = 80


@dataclass(frozen=True)
class Decoded:
    spec: CommandSpec
    data: CommandData
    id: str | None
    key: str | None


def _short_id(value: object, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise ProtocolError(
            "invalid",
            _("'%(name)s' must be a string of 1–%(limit)s characters.")
            % {"name": name, "limit": limit},
        )
    return value


def valid_unicode(obj: object) -> bool:
    """True when every string (and key) in ``obj`` is encodable as UTF-8."""
    return bad_value(obj) != "unicode"


def decode(text: str | bytes, max_bytes: int) -> Decoded:
    """Turn a text frame into a validated command, or raise ``ProtocolError``."""
    if isinstance(text, bytes):
        raise ProtocolError("binary_not_supported", _("Send commands as text frames."))
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ProtocolError(
            "frame_too_large",
            _("Frame of %(size)s bytes exceeds the limit of %(limit)s bytes.")
            % {"size": size, "limit": max_bytes},
        )
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", _("Not valid JSON: %(error)s") % {"error": exc}) from None
    if not isinstance(obj, dict):
        raise ProtocolError("bad_json", _("A frame must be a JSON object."))
    bad = bad_value(obj)
    if bad == "unicode":
        raise ProtocolError(
            "invalid", _("The frame holds a string that is not valid Unicode (lone surrogate).")
        )
    if bad == "number":
        raise ProtocolError(
            "invalid",
            _("The frame holds an integer outside ±%(limit)s.") % {"limit": MAX_INT},
        )
    return decode_object(obj)


def decode_object(obj: dict) -> Decoded:
    req_id = _short_id(obj.get("id"), "id", MAX_ID_LEN)
    extra = set(obj) - ENVELOPE_KEYS
    if extra:
        raise ProtocolError(
            "invalid", _("Unknown envelope fields: %(fields)s.") % {"fields": sorted(extra)[:10]}
        )
    version = obj.get("v", VERSION)
    if version != VERSION:
        raise ProtocolError(
            "unsupported_version",
            _("Protocol version %(version)s unsupported.") % {"version": repr(version)[:40]},
        )
    type_ = obj.get("type")
    if not isinstance(type_, str):
        raise ProtocolError("invalid", _("'type' is required and must be a string."))
    spec = REGISTRY.commands.get(type_)
    if spec is None:
        raise ProtocolError(
            "unknown_type", _("Unknown command type %(type)s.") % {"type": repr(type_[:60])}
        )
    key = _short_id(obj.get("key"), "key", MAX_KEY_LEN)
    if spec.idempotent and key is None:
        raise ProtocolError(
            "invalid", _("'%(type)s' must carry an idempotency 'key'.") % {"type": type_}
        )
    data = obj.get("data", {})
    if not isinstance(data, dict):
        raise ProtocolError("invalid", _("'data' must be an object."))
    try:
        model = spec.model.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ProtocolError(
            "invalid", _("Invalid data for '%(type)s'.") % {"type": type_}, details
        ) from None
    return Decoded(spec, model, req_id, key)


def reply_ok(req_id: str | None, data: dict | None = None) -> str:
    return json.dumps(
        {"type": "reply", "id": req_id, "ok": True, "data": data or {}},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def reply_error(req_id: str | None, error: dict) -> str:
    return json.dumps(
        {"type": "reply", "id": req_id, "ok": False, "error": error},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
