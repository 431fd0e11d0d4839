"""Who may see, download and delete clips: members their own, staff reviewers all.

The rule is ``core.policy`` (``clips.review``/``clips.delete``): the reviewer role
(机关工作人员), not Django's ``is_staff`` flag, which the clerk's login carries only to
enter the admin site. A clip is a member's personal archive; see docs/policy.md.
"""

from __future__ import annotations

from core import policy
from core.models import Member
from media.models import Clip


def is_archive_staff(user) -> bool:
    """Staff reviewers (机关工作人员) of any term, and superusers (``clips.review``)."""
    return policy.may_review_clips(user)


def visible_clips(user):
    """The clips this login may list: every clip for staff, one's own for a member."""
    qs = Clip.objects.filter(deleted_at=None)
    if is_archive_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(member__user=user)


def can_see_member(user, member: Member) -> bool:
    """The deputy record: the member themself and staff."""
    return is_archive_staff(user) or (user.is_authenticated and member.user_id == user.pk)


def can_download(user, clip: Clip) -> bool:
    return clip.downloadable and visible_clips(user).filter(pk=clip.pk).exists()
