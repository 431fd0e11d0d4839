"""Command handlers: one sync function per command type, run in a DB thread.

A handler receives the socket's ``Context`` and the validated command data, calls one
domain service, and returns the reply's ``data`` dict. It raises ``DomainError`` to
refuse. Feature modules register theirs with ``@handles("type")``.
"""

from __future__ import annotations

from collections.abc import Callable

from realtime.context import Context
from realtime.protocol import REGISTRY, CommandData

Handler = Callable[[Context, CommandData], dict]
HANDLERS: dict[str, Handler] = {}


def handles(type_: str) -> Callable[[Handler], Handler]:
    if type_ not in REGISTRY.commands:
        raise ValueError(f"no command {type_!r} in the protocol")

    def wrap(fn: Handler) -> Handler:
        if type_ in HANDLERS:
            raise ValueError(f"two handlers for {type_!r}")
        HANDLERS[type_] = fn
        return fn

    return wrap


def load_all() -> None:
    """Import every handler module so the table is complete."""
    from realtime.handlers import core, documents, floor, media, votes  # noqa: F401
