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
# Read-only handlers that open their own transaction (a snapshot needs REPEATABLE READ on
# PostgreSQL, which can only be set at the start of the outermost transaction).
OWN_TRANSACTION: set[str] = set()


def handles(type_: str, *, own_transaction: bool = False) -> Callable[[Handler], Handler]:
    if type_ not in REGISTRY.commands:
        raise ValueError(f"no command {type_!r} in the protocol")

    def wrap(fn: Handler) -> Handler:
        if type_ in HANDLERS:
            raise ValueError(f"two handlers for {type_!r}")
        HANDLERS[type_] = fn
        if own_transaction:
            OWN_TRANSACTION.add(type_)
        return fn

    return wrap


def load_all() -> None:
    """Import every handler module so the table is complete."""
    from realtime.handlers import core, documents, floor, media, votes  # noqa: F401
