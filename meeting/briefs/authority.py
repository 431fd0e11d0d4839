"""Who may do what with summaries, briefs and books: one small function per decision.

Kept apart so the committee's one rulebook (``meeting/policy.py``, being written on
another branch) can take them over unchanged. Each uses the existing role checks.
"""

from __future__ import annotations

from core.errors import DomainError
from core.models import Member
from media.services.access import is_archive_staff


def may_write_summary(user) -> bool:
    """Staff reviewers (机关工作人员) write the points of speeches."""
    return is_archive_staff(user)


def may_compile_brief(user) -> bool:
    return is_archive_staff(user)


def may_check_brief(user, brief) -> bool:
    """A second staff member: any staff reviewer except the brief's compiler."""
    return is_archive_staff(user) and user.pk != brief.compiled_by_id


def may_release_brief(user) -> bool:
    return is_archive_staff(user)


def may_read_draft_brief(user) -> bool:
    """Drafts and checked briefs are staff work; others read only the released document."""
    return is_archive_staff(user)


def may_read_book(user, member: Member) -> bool:
    """一人一册: the member their own book, staff every book."""
    return is_archive_staff(user) or (user.is_authenticated and member.user_id == user.pk)


def may_read_term_book(user) -> bool:
    """一届一本 holds every member: staff only."""
    return is_archive_staff(user)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise DomainError("forbidden", message)
