"""What the socket serves, installed in one place at start (``RealtimeConfig.ready``).

The protocol's feature modules declare commands (with their schema), events and error
codes; the handler modules declare one handler per command. Declaring registers
nothing. ``install`` takes the modules listed here (``protocol_modules``,
``handler_modules``), puts what they declare into ``REGISTRY``, ``ERROR_CODES`` and
``HANDLERS``, and raises ``ImproperlyConfigured`` when

- a command has no handler (the socket would answer ``unknown_type`` for it),
- a handler names a command no module declares (it has no schema),
- a command, an event or a handler is declared twice, or an error code with two meanings,

so a process with an incomplete protocol does not start. A new feature adds its two
modules to the lists below; forgetting one of them is one of the errors above.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

from realtime.handlers import HANDLERS, OWN_TRANSACTION, Handler, declared_handler
from realtime.protocol.base import REGISTRY, EventType, Registry, declared_command
from realtime.protocol.errors import ERROR_CODES, ErrorCode, add_error

_installed = False


def protocol_modules() -> tuple[ModuleType, ...]:
    """Every module declaring protocol messages (realtime/protocol/)."""
    from realtime.protocol import core, documents, floor, media, notices, opinions, votes

    return (core, documents, floor, media, votes, notices, opinions)  # opinions: HTTP codes


def handler_modules() -> tuple[ModuleType, ...]:
    """Every module declaring command handlers (realtime/handlers/).

    ``realtime.handlers.media`` imports no WebRTC library: aiortc is loaded by the
    first ``media.publish`` (see that module), not by every ``manage.py`` command.
    """
    from realtime.handlers import core, documents, floor, media, notices, votes

    return (core, documents, floor, media, votes, notices)


def install(
    protocol: Iterable[ModuleType] | None = None,
    handlers: Iterable[ModuleType] | None = None,
    *,
    registry: Registry = REGISTRY,
    errors: dict[str, str] = ERROR_CODES,
    table: dict[str, Handler] = HANDLERS,
    own_transaction: set[str] = OWN_TRANSACTION,
) -> None:
    """Install the declarations of ``protocol`` and ``handlers`` (the lists above).

    Installing the same declarations again changes nothing; the keyword arguments are
    the tables (tests pass fresh ones).
    """
    global _installed
    try:
        for module in protocol_modules() if protocol is None else protocol:
            _install_protocol(module, registry, errors)
        found: dict[str, tuple[Handler, bool]] = {}
        for module in handler_modules() if handlers is None else handlers:
            _collect_handlers(module, found, table)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    no_schema = sorted(set(found) - set(registry.commands))
    if no_schema:
        raise ImproperlyConfigured(
            f"handlers for commands the protocol does not declare: {no_schema}"
        )
    missing = sorted(set(registry.commands) - set(found) - set(table))
    if missing:
        raise ImproperlyConfigured(f"protocol commands without a handler: {missing}")
    for type_, (fn, own) in found.items():
        table[type_] = fn
        if own:
            own_transaction.add(type_)
    if registry is REGISTRY and table is HANDLERS:
        _installed = True


def _install_protocol(module: ModuleType, registry: Registry, errors: dict[str, str]) -> None:
    for code, meaning in getattr(module, "ERRORS", {}).items():
        add_error(code, meaning, errors)
    for value in vars(module).values():
        if isinstance(value, ErrorCode):
            add_error(str(value), value.meaning, errors)
        elif isinstance(value, EventType):
            registry.add_event(value.spec)
        elif (spec := declared_command(value)) is not None:
            registry.add_command(spec)


def _collect_handlers(
    module: ModuleType, found: dict[str, tuple[Handler, bool]], table: dict[str, Handler]
) -> None:
    for value in vars(module).values():
        declared = declared_handler(value)
        if declared is None:
            continue
        type_, own = declared
        known = found.get(type_, (table.get(type_), own))[0]
        if known is not None and known is not value:
            raise ValueError(
                f"two handlers for {type_!r}: {known.__module__}.{known.__name__} and "
                f"{value.__module__}.{value.__name__}"
            )
        found[type_] = (value, own)


def require_installed() -> None:
    """Raise unless ``install`` ran for the process's tables (Django is set up)."""
    if not _installed:
        raise ImproperlyConfigured(
            "the realtime protocol is not installed: RealtimeConfig.ready() installs it; "
            "call django.setup() first"
        )
