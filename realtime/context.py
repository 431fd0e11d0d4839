"""Who is asking: the socket's login, member and role in the sitting, from the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.roster import Standing


@dataclass(frozen=True)
class Context:
    """Identity of a socket, resolved once at connect from the database (never the client)."""

    user_id: int
    sitting_id: int
    role: str  # member | chair | clerk | staff | display
    member_id: int | None
    channel_name: str = ""
    # the page's isSecureContext, as the client reported it on connect (``?secure=0``)
    secure: bool = True
    # when the socket's hub subscriptions became effective (time.monotonic); None: unknown,
    # taken as "now" (realtime/snapshot.py shares a read only with sockets live before it)
    live_since: float | None = None
    # what the last lookup of this login found (connect's resolve, then each command's
    # authority check: core.roster.Standing) and when (time.monotonic)
    standing: Standing | None = None
    standing_at: float | None = None

    def groups(self) -> list[str]:
        """The hub groups this socket joins: its sitting, its role in it, its login."""
        from realtime.events import role_group, sitting_group, user_group

        return [
            sitting_group(self.sitting_id),
            role_group(self.sitting_id, self.role),
            user_group(self.user_id),
        ]

    @property
    def is_live_role(self) -> bool:
        from core import policy

        return policy.is_live(self.role)
