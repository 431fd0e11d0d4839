"""``{% roster_help %}``: the roster import's help, from the importer's own tables.

The columns and the header names each answers to (Chinese and English) come from
``meeting.proceedings.roster_import.COLUMNS``, so the help cannot drift from what the
importer accepts.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from meeting.proceedings import roster_import

register = template.Library()


@register.inclusion_tag("proceedings/roster_help.html")
def roster_help() -> dict:
    return {
        "columns": roster_import.help_columns(),
        "roles": roster_import.help_roles(),
        "max_rows": roster_import.MAX_ROWS,
        "fmt_xlsx": mark_safe("<code>.xlsx</code>"),  # file formats are literals, not prose
        "fmt_encodings": mark_safe("<code>UTF-8</code> / <code>GB18030</code>"),
    }
