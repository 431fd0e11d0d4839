"""How a brief names a speaker: the name, then the title ("王建国主任", "李玉兰委员").

Its own module because the brief's content, the brief by article, the books and the
opinions export all name speakers, and none of them should import another for it.
"""

from __future__ import annotations

from core.models import Member, Role

TITLES = {Role.CHAIR: "主任", Role.VICE_CHAIR: "副主任", Role.MEMBER: "委员"}


def speaker_title(member: Member) -> str:
    return TITLES.get(member.role, "委员")


def speaker_name(member: Member) -> str:
    """The name without a leading title ("主任 王建国" → "王建国"): the title follows it."""
    title = speaker_title(member)
    name = member.full_name.strip()
    return name[len(title) :].strip() if name.startswith(title + " ") else name
