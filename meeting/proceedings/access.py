"""Who may use the proceedings pages: ``core.policy`` asked with the login's role.

Preparing and closing sessions is ``sessions.prepare``: the session clerk (a clerk
assigned to no single sitting) and superusers. The record (minutes, audit trail) is
``record.read``: staff reviewers and the session clerk; a session's minutes also the
clerk of one of its sittings (``core.roster.session_role``). See docs/policy.md.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from core import policy
from core.models import Member, Session, Term
from core.roster import session_role, term_role


def _member(user, term: Term | None) -> Member | None:
    rows = Member.objects.filter(user=user, active=True)
    rows = rows.filter(term=term) if term else rows.filter(term__is_current=True)
    return rows.first()


def _term_role(user, term: Term | None) -> str | None:
    if not user.is_authenticated:
        return None
    member = _member(user, term)
    if term is None:
        term = member.term if member else Term.objects.filter(is_current=True).first()
    return term_role(user, term, member) if term is not None else None


def is_session_clerk(user, term: Term | None = None) -> bool:
    return policy.may(_term_role(user, term), "sessions.prepare")


def may_read_record(user, term: Term | None = None, session: Session | None = None) -> bool:
    """The term's record; with ``session``, that session's (its sittings' clerks too)."""
    if not user.is_authenticated:
        return False
    if session is not None:
        return policy.may(session_role(user, session), "record.read")
    return policy.may(_term_role(user, term), "record.read")


def require_session_clerk(user, term: Term | None = None) -> None:
    if not is_session_clerk(user, term):
        raise PermissionDenied("Only the session clerk prepares and closes sessions.")


def require_reader(user, term: Term | None = None, session: Session | None = None) -> None:
    if not may_read_record(user, term, session):
        raise PermissionDenied("Only the session clerk and staff reviewers read the record.")
