"""A brief that is not saved: what a sitting's brief would print now (for exports)."""

from __future__ import annotations

from core.errors import DomainError
from core.models import Sitting
from meeting.briefs.models import Brief
from meeting.briefs.services.content import brief_speeches


def unsaved_brief(sitting: Sitting, user_model) -> Brief:
    if sitting.kind != Sitting.Kind.GROUP:
        raise DomainError("not_group_sitting", f"“{sitting.title}” is not a group sitting.")
    compiler = user_model(username="—")
    brief = Brief(
        session=sitting.session, sitting=sitting, number=0, title=f"{sitting.title}审议情况"
    )
    brief.compiled_by = compiler
    if not brief_speeches(brief):
        raise DomainError("no_speeches", "There are no finished speeches to brief.")
    return brief
