"""Who may use the proceedings pages, from the database alone.

The session clerk (a clerk assigned to no single sitting) and superusers prepare and
close sessions; any clerk and the staff reviewers read the minutes and the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from core import policy
from core.models import Member, Role, Term


def _member(user, term: Term | None) -> Member | None:
    rows = Member.objects.filter(user=user, active=True)
    rows = rows.filter(term=term) if term else rows.filter(term__is_current=True)
    return rows.first()


def is_session_clerk(user, term: Term | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    m = _member(user, term)
    return m is not None and policy.is_clerk(m.role) and not m.clerked_sittings.exists()


def may_read_record(user, term: Term | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    m = _member(user, term)
    return m is not None and m.role in (Role.CLERK, Role.STAFF)


def require_session_clerk(user, term: Term | None = None) -> None:
    if not is_session_clerk(user, term):
        raise PermissionDenied("Only the session clerk prepares and closes sessions.")


def require_reader(user, term: Term | None = None) -> None:
    if not may_read_record(user, term):
        raise PermissionDenied("Only clerks and staff reviewers read the record.")
