"""The roles a login plays (Role), without Django models: importable before app loading.

``core.models`` re-exports them; ``core.policy`` and the protocol read them here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a login is to the committee. Only the first three are component members."""

    MEMBER = "member", _("member")
    CHAIR = "chair", _("chair")
    VICE_CHAIR = "vice_chair", _("vice-chair")
    CLERK = "clerk", _("clerk")
    STAFF = "staff", _("staff reviewer")
    DISPLAY = "display", _("wall display")


COMPONENT_ROLES = (Role.MEMBER, Role.CHAIR, Role.VICE_CHAIR)
