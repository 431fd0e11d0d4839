"""``{% yiting_labels %}`` / ``{% yiting_errors %}``: the label table and the error sentences as
JSON scripts; ``|label:"kind"`` in templates."""

from __future__ import annotations

from django import template
from django.utils.html import json_script

from frontend.labels import labels

register = template.Library()


@register.simple_tag
def yiting_labels() -> str:
    return json_script(labels(), "yiting-labels")


@register.simple_tag
def yiting_errors() -> str:
    """The Chinese sentence for every error code (realtime/protocol/messages.py)."""
    from realtime.protocol.messages import page_table

    return json_script(page_table(), "yiting-errors")


@register.filter
def label(value, kind: str) -> str:
    """The reader's word for a code, e.g. ``{{ r.role|label:"role" }}``; the code if none."""
    return labels().get(kind, {}).get(str(value), value)
