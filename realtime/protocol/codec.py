"""Decoding client frames: size, JSON, envelope, type, schema — in that order.

Nothing a client sends reaches a handler without passing here; every refusal is a
``ProtocolError`` with a code from ``errors.ERROR_CODES``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

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
        raise ProtocolError("invalid", f"'{name}' must be a string of 1–{limit} characters.")
    return value


def decode(text: str | bytes, max_bytes: int) -> Decoded:
    """Turn a text frame into a validated command, or raise ``ProtocolError``."""
    if isinstance(text, bytes):
        raise ProtocolError("binary_not_supported", "Send commands as text frames.")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ProtocolError(
            "frame_too_large", f"Frame of {size} bytes exceeds the limit of {max_bytes} bytes."
        )
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"Not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("bad_json", "A frame must be a JSON object.")
    return decode_object(obj)


def decode_object(obj: dict) -> Decoded:
    req_id = _short_id(obj.get("id"), "id", MAX_ID_LEN)
    extra = set(obj) - ENVELOPE_KEYS
    if extra:
        raise ProtocolError("invalid", f"Unknown envelope fields: {sorted(extra)}.")
    version = obj.get("v", VERSION)
    if version != VERSION:
        raise ProtocolError("unsupported_version", f"Protocol version {version!r} unsupported.")
    type_ = obj.get("type")
    if not isinstance(type_, str):
        raise ProtocolError("invalid", "'type' is required and must be a string.")
    spec = REGISTRY.commands.get(type_)
    if spec is None:
        raise ProtocolError("unknown_type", f"Unknown command type {type_[:60]!r}.")
    key = _short_id(obj.get("key"), "key", MAX_KEY_LEN)
    if spec.idempotent and key is None:
        raise ProtocolError("invalid", f"'{type_}' must carry an idempotency 'key'.")
    data = obj.get("data", {})
    if not isinstance(data, dict):
        raise ProtocolError("invalid", "'data' must be an object.")
    try:
        model = spec.model.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ProtocolError("invalid", f"Invalid data for '{type_}'.", details) from None
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
