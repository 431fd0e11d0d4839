"""Message specifications and the registry they are installed into.

Commands (client → server) are pydantic models declared with ``@command``; events
(server → client) are described with ``event(...)`` so ``docs/protocol.md`` can be
generated from one place and a test can check that every type is documented.

Declaring registers nothing: the decorator attaches the ``CommandSpec`` to the model
and ``event`` returns an ``EventType`` carrying its ``EventSpec``. ``realtime.registration``
installs the declarations of the modules it lists into ``REGISTRY`` at start
(``RealtimeConfig.ready``), so what the socket serves never depends on which module
happened to be imported first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from core import policy

VERSION = 1

# Derived from the rulebook (core/policy.py), never written here.
ALL_ROLES = frozenset(str(r.value) for r in policy.SITTING_ROLES)
LIVE_ROLES = frozenset(str(r.value) for r in policy.LIVE_ROLES)


class CommandData(BaseModel):
    """Base of every command's ``data``: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)


@dataclass(frozen=True)
class CommandSpec:
    type: str
    model: type[CommandData]
    roles: frozenset[str]
    summary: str
    example: dict
    idempotent: bool = False


@dataclass(frozen=True)
class EventSpec:
    type: str
    summary: str
    example: dict
    sequenced: bool = True
    audience: str = "everyone in the sitting"


class EventType(str):
    """An event's type (compares and serialises as the string) with its ``spec``."""

    spec: EventSpec

    def __new__(cls, spec: EventSpec) -> EventType:
        self = super().__new__(cls, spec.type)
        self.spec = spec
        return self


@dataclass
class Registry:
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    events: dict[str, EventSpec] = field(default_factory=dict)

    def add_command(self, spec: CommandSpec) -> None:
        """Install a command's spec; the same spec again is a no-op, another one an error."""
        known = self.commands.get(spec.type)
        if known is not None and known is not spec:
            raise ValueError(
                f"command {spec.type!r} declared twice ({known.model.__module__}."
                f"{known.model.__name__} and {spec.model.__module__}.{spec.model.__name__})"
            )
        self.commands[spec.type] = spec

    def add_event(self, spec: EventSpec) -> None:
        known = self.events.get(spec.type)
        if known is not None and known is not spec:
            raise ValueError(f"event {spec.type!r} declared twice")
        self.events[spec.type] = spec


REGISTRY = Registry()
"""Filled by ``realtime.registration.install`` at start; empty before Django is set up."""


def command(
    type_: str,
    *,
    example: dict,
    idempotent: bool = False,
) -> Callable[[type[CommandData]], type[CommandData]]:
    """Register the decorated model as the ``data`` schema of command ``type_``.

    Who may send it is the rulebook's (``core.policy.roles_for``): a command without
    a rule fails here, at import, rather than being open to every role.

    ``idempotent`` commands must carry an idempotency ``key`` in the envelope; the
    first answer is stored and returned again for a repeat.
    """

    def wrap(model: type[CommandData]) -> type[CommandData]:
        example_ok = model.model_validate(example)  # an example that does not validate is a bug
        del example_ok
        model.__command_spec__ = CommandSpec(  # type: ignore[attr-defined]
            type_,
            model,
            policy.roles_for(type_),
            (model.__doc__ or "").strip(),
            example,
            idempotent,
        )
        return model

    return wrap


def event(
    type_: str,
    summary: str,
    example: dict,
    *,
    sequenced: bool = True,
    audience: str = "everyone in the sitting",
) -> EventType:
    """Describe an event type the server sends; returns the type for use as a constant.

    The constant must be a module-level name of a listed protocol module: that is how
    ``realtime.registration`` finds it.
    """
    return EventType(EventSpec(type_, summary, example, sequenced, audience))


def declared_command(obj: object) -> CommandSpec | None:
    """The spec ``@command`` attached to ``obj`` itself (not inherited by a subclass)."""
    if isinstance(obj, type):
        return obj.__dict__.get("__command_spec__")
    return None
