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

Every app's services use this module and never a channel-layer group name
(``meeting``, ``docs_store``, ``media``; a test walks their imports):

========================================  ===============================================
what the service says                     call
========================================  ===============================================
a change of the sitting (journalled)      ``emit(sitting_id, type, payload)`` in atomic
a notice to the whole sitting             ``notify(sitting(sid), type, payload, sid)``
a notice to one role (e.g. the wall)      ``notify(role(sid, Role.DISPLAY), ...)``
a notice to several roles                 ``notify(roles(sid, [Role.CLERK, ...]), ...)``
a notice to the consoles (chair, clerk)   ``notify(live(sid), type, payload, sid)``
a private answer to one login             ``notify(user(user_id), type, payload, sid)``
========================================  ===============================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def roles(sitting_id: int, roles_: Iterable[str]) -> tuple[Audience, ...]:
    """The sockets of several roles in a sitting, each once (``notify`` takes the tuple)."""
    return tuple(role(sitting_id, r) for r in sorted({str(r) for r in roles_}))


def live(sitting_id: int) -> tuple[Audience, ...]:
    """Those who run the sitting live: its chairs and clerks (``policy.LIVE_ROLES``).

    Progress and private results for the consoles (rendering, named votes, publishers)
    go here, so no service repeats the list of live roles.
    """
    from core import policy

    return roles(sitting_id, policy.LIVE_ROLES)


class Delivery(Protocol):
    def emit(
        self, sitting_id: int, type_: str, payload: dict, writes: Sequence[tuple[str, list]] = ()
    ) -> Any: ...

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


def emit(
    sitting_id: int, type_: str, payload: dict, writes: Sequence[tuple[str, list]] = ()
) -> Any:
    """Store a sequenced event of the sitting (in the transaction), broadcast after commit.

    ``writes``: the service's own last statements (SQL and parameters), which the
    delivery may send together with the journal's (one database round trip on a flip).
    """
    if writes:
        return _require().emit(sitting_id, type_, payload, writes)
    return _require().emit(sitting_id, type_, payload)


def notify(
    audience: Audience | Iterable[Audience], type_: str, payload: dict, sitting_id: int
) -> None:
    """Send an unsequenced notice to ``audience`` (after commit inside a transaction).

    ``audience`` is one ``Audience`` or several (``roles``/``live``); notices are not
    replayed on reconnect, so whatever they say must also be in the snapshot.
    """
    delivery = _require()
    if isinstance(audience, str):  # a channel-layer group name is the delivery's business
        raise TypeError(f"not an audience: {audience!r} (use core.events.sitting/role/user)")
    for one in (audience,) if isinstance(audience, Audience) else tuple(audience):
        if not isinstance(one, Audience):
            raise TypeError(f"not an audience: {one!r} (use core.events.sitting/role/user)")
        delivery.notify(one, type_, payload, sitting_id)
