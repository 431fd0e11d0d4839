"""One way to show a time: in ``TIME_ZONE``, ``YYYY-MM-DD HH:MM`` (``:SS`` where asked).

Payloads built for JSON carry ISO strings in UTC; slicing them showed UTC on the page.
``localtime`` accepts an aware datetime or an ISO string and formats it in the
project's time zone, so templates never print a raw timestamp.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from core.durations import format_duration

register = template.Library()

FORMATS = {"minute": "%Y-%m-%d %H:%M", "second": "%Y-%m-%d %H:%M:%S", "time": "%H:%M:%S"}


def to_local(value) -> dt.datetime | None:
    """An aware datetime in TIME_ZONE, from a datetime or an ISO 8601 string."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value)


@register.filter
def localtime(value, precision: str = "minute") -> str:
    local = to_local(value)
    return local.strftime(FORMATS.get(precision, FORMATS["minute"])) if local else ""


@register.filter
def duration(seconds) -> str:
    """A length of time, one way on every page: "11 秒", "1 分 05 秒", "1 小时 02 分"
    (whole seconds; ``core.durations``, the same words as ``static/yiting/time.js``
    ``fmtDuration``)."""
    return format_duration(seconds)
