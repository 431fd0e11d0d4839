"""Domain events: what the committee's services tell the room, and to whom.

A service calls ``emit`` inside its transaction: the event is stored in the sitting's
journal with the next sequence number and broadcast only after the commit, so a
rolled-back change is never announced and a committed one always is. ``notify`` sends an
unsequenced notice (after the commit when inside a transaction) to an *audience*: the
whole sitting, one role in it, or one login. The domain says what and to whom; how it
travels (channel-layer groups, sockets) is the delivery's business.

The delivery is registered, not imported: ``realtime`` registers it in
``RealtimeConfig.ready()`` (``register``), so ``meeting`` imports nothing from
``realtime`` (a test walks the imports). An event with no delivery registered fails
loudly instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Audience:
    """Who receives a notice: ``kind`` is ``sitting``, ``role`` or ``user``."""

    kind: str
    sitting_id: int | None = None
    role: str | None = None
    user_id: int | None = None


def sitting(sitting_id: int) -> Audience:
    """Every socket of a sitting."""
    return Audience("sitting", sitting_id=sitting_id)


def role(sitting_id: int, role_: str) -> Audience:
    """The sockets of one role in a sitting (e.g. the clerks)."""
    return Audience("role", sitting_id=sitting_id, role=str(role_))


def user(user_id: int) -> Audience:
    """Every socket of one login (private answers)."""
    return Audience("user", user_id=user_id)


class Delivery(Protocol):
    def emit(self, sitting_id: int, type_: str, payload: dict) -> Any: ...

    def notify(self, audience: Audience, type_: str, payload: dict, sitting_id: int) -> None: ...


_delivery: Delivery | None = None


def register(delivery: Delivery) -> None:
    """Install the delivery (once per process; another one is a configuration error)."""
    global _delivery
    if _delivery is not None and _delivery is not delivery:
        raise RuntimeError("a second event delivery was registered")
    _delivery = delivery


def _require() -> Delivery:
    if _delivery is None:
        raise RuntimeError(
            "no event delivery registered: the realtime app registers it in its "
            "AppConfig.ready(); is 'realtime' in INSTALLED_APPS?"
        )
    return _delivery


def emit(sitting_id: int, type_: str, payload: dict) -> Any:
    """Store a sequenced event of the sitting (in the transaction), broadcast after commit."""
    return _require().emit(sitting_id, type_, payload)


def notify(audience: Audience, type_: str, payload: dict, sitting_id: int) -> None:
    """Send an unsequenced notice to ``audience`` (after commit inside a transaction)."""
    _require().notify(audience, type_, payload, sitting_id)
