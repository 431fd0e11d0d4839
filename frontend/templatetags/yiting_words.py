"""The marks around words in the page's language, and who is reading (issue 25, item 11).

``{% colon %}`` is "：" on a Chinese page and ": " otherwise ("名称：…", not "名称: …");
``{% aside_open %}…{% aside_close %}`` are "（" / "）" or " (" / ")" around an aside such
as a count. The same rule as ``static/yiting/words.js`` for text the browser writes.

``{% reader_name %}`` is the name the top bar shows for the login: the person's name
(their membership's ``full_name``, else the user's ``get_full_name()``), the login name
only when nothing else exists. Pages that already have the reader's ``member`` pass it
in the context; a refusal page or another term's clip does not, and showed ``m018``.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


def _zh() -> bool:
    return (get_language() or "zh").lower().startswith("zh")


@register.simple_tag
def colon() -> str:
    return "：" if _zh() else ": "


@register.simple_tag
def aside_open() -> str:
    return "（" if _zh() else " ("


@register.simple_tag
def aside_close() -> str:
    return "）" if _zh() else ")"


def person_name(user, member=None) -> str:
    """The reader's name: ``member`` (when it is this user's), else their membership in
    the current term (or the latest one), else ``get_full_name()``, else the login."""
    from core.models import Member

    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if isinstance(member, Member) and member.user_id == user.pk and member.full_name:
        return member.full_name
    name = (
        Member.objects.filter(user=user)
        .exclude(full_name="")
        .order_by("-term__is_current", "-active", "-term__starts_on", "-pk")
        .values_list("full_name", flat=True)
        .first()
    )
    return name or user.get_full_name() or user.get_username()


@register.simple_tag(takes_context=True)
def reader_name(context) -> str:
    return person_name(context.get("user"), context.get("member"))
