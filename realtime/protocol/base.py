"""Message specifications and the registries features add to.

Commands (client → server) are pydantic models registered with ``@command``; events
(server → client) are described with ``event(...)`` so ``docs/protocol.md`` can be
generated from one place and a test can check that every type is documented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from meeting import policy

VERSION = 1

# Derived from the rulebook (meeting/policy.py), never written here.
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


@dataclass
class Registry:
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    events: dict[str, EventSpec] = field(default_factory=dict)


REGISTRY = Registry()


def command(
    type_: str,
    *,
    example: dict,
    idempotent: bool = False,
) -> Callable[[type[CommandData]], type[CommandData]]:
    """Register the decorated model as the ``data`` schema of command ``type_``.

    Who may send it is the rulebook's (``meeting.policy.roles_for``): a command without
    a rule fails here, at import, rather than being open to every role.

    ``idempotent`` commands must carry an idempotency ``key`` in the envelope; the
    first answer is stored and returned again for a repeat.
    """

    def wrap(model: type[CommandData]) -> type[CommandData]:
        if type_ in REGISTRY.commands:
            raise ValueError(f"command {type_!r} registered twice")
        example_ok = model.model_validate(example)  # an example that does not validate is a bug
        del example_ok
        REGISTRY.commands[type_] = CommandSpec(
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
) -> str:
    """Describe an event type the server sends; returns the type for use as a constant."""
    if type_ in REGISTRY.events:
        raise ValueError(f"event {type_!r} registered twice")
    REGISTRY.events[type_] = EventSpec(type_, summary, example, sequenced, audience)
    return type_
