"""``{% yiting_labels %}``: the label table as a JSON script; ``|label:"kind"`` in templates."""

from __future__ import annotations

from django import template
from django.utils.html import json_script

from frontend.labels import labels

register = template.Library()


@register.simple_tag
def yiting_labels() -> str:
    return json_script(labels(), "yiting-labels")


@register.filter
def label(value, kind: str) -> str:
    """The reader's word for a code, e.g. ``{{ r.role|label:"role" }}``; the code if none."""
    return labels().get(kind, {}).get(str(value), value)
