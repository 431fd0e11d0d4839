"""Command handlers: one sync function per command type, run in a DB thread.

A handler receives the socket's ``Context`` and the validated command data, calls one
domain service, and returns the reply's ``data`` dict. It raises ``DomainError`` to
refuse. Feature modules declare theirs with ``@handles("type")``; declaring registers
nothing: ``realtime.registration`` installs the handlers of the modules it lists into
``HANDLERS`` at start and refuses to start when a command has none (or a handler names
a command the protocol does not have).
"""

from __future__ import annotations

from collections.abc import Callable

from realtime.context import Context
from realtime.protocol import CommandData

Handler = Callable[[Context, CommandData], dict]
HANDLERS: dict[str, Handler] = {}
# Read-only handlers that open their own transaction (a snapshot needs REPEATABLE READ on
# PostgreSQL, which can only be set at the start of the outermost transaction).
OWN_TRANSACTION: set[str] = set()


def handles(type_: str, *, own_transaction: bool = False) -> Callable[[Handler], Handler]:
    """Declare the decorated function the handler of command ``type_``."""

    def wrap(fn: Handler) -> Handler:
        fn.__handles__ = (type_, own_transaction)  # type: ignore[attr-defined]
        return fn

    return wrap


def declared_handler(obj: object) -> tuple[str, bool] | None:
    """``(command type, own transaction)`` if ``obj`` was declared with ``@handles``."""
    return getattr(obj, "__dict__", {}).get("__handles__") if callable(obj) else None
