"""Quorum (法定人数): more than half of all component members present.

Computed from the committee's roster, never from who happens to be logged in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core.models import Attendance, Sitting
from core.roster import component_members, sitting_roster


@dataclass(frozen=True)
class QuorumStatus:
    roster_size: int
    present: int
    required: int
    reached: bool

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def explanation(self) -> str:
        return (
            f"{self.present} of {self.roster_size} component members present; "
            f"more than half requires {self.required}"
        )


def more_than_half(n: int) -> int:
    """The fewest that is more than half of n (exact integers)."""
    return n // 2 + 1


def present_members(sitting: Sitting):
    """Roster members checked in and not checked out."""
    ids = Attendance.objects.filter(sitting=sitting, checked_out_at__isnull=True).values(
        "member_id"
    )
    return sitting_roster(sitting).filter(pk__in=ids)


def quorum(sitting: Sitting) -> QuorumStatus:
    """Quorum of a sitting.

    A plenary needs more than half of **all** component members of the committee; a
    group sitting is measured against its group's roster.
    """
    if sitting.kind == Sitting.Kind.PLENARY:
        roster = component_members(sitting.session.term).count()
    else:
        roster = sitting_roster(sitting).count()
    present = present_members(sitting).count()
    required = more_than_half(roster)
    return QuorumStatus(roster, present, required, roster > 0 and present >= required)
