"""Read-only admin pages for operators: the rows no other page shows, in Chinese.

Django's admin is the operators' window on background work and the records (jobs,
recordings, clips, briefs, votes, the audit trails). These pages only read: rows change
through the services, which keep events, audit entries and files in step with them; an
edit by hand would bypass all three. What an operator may do is an admin action that
calls a service (the jobs page's "retry").

Labels go through gettext (translations in locale/parts/operators.po). A field's
``verbose_name`` is part of its model's migration state, so the columns are labelled
here (``column``) rather than on the models. A model's own name for the admin is set
with ``name_model``: Django's migrations read a model's Meta from ``original_attrs``,
which a later assignment leaves alone, so that is no schema change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

TIME_FORMAT = "Y-m-d H:i:s"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are listed and viewed; never added, changed or deleted here.

    Subclasses list their labelled columns in ``fields`` (the view page) and
    ``list_display``; every one of them is read-only.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return tuple(self.fields or ())


def name_model(model: type[models.Model], singular, plural) -> None:
    """The model's name on the admin's pages (see the module docstring)."""
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural


def _follow(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def shown(value: Any, words: Mapping | None = None) -> Any:
    """A stored value as an operator reads it: local time, words for codes, JSON laid out."""
    if words is not None and value in words:
        return words[value]
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), TIME_FORMAT)
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)
    return value


def column(
    path: str,
    label,
    *,
    words: Mapping | None = None,
    ordering: str | None = "",
    boolean: bool = False,
) -> Callable:
    """A list column and view-page line showing ``obj.<path>`` (dots follow relations).

    Choices are shown by their (translated) label; ``words`` names codes whose model
    choices are not translated. Sorting follows the field unless ``ordering`` is None.
    """
    top = path.split(".")[0]

    def show(self, obj):
        if words is None and "." not in path and hasattr(obj, f"get_{top}_display"):
            value = getattr(obj, f"get_{top}_display")()
        else:
            value = _follow(obj, path)
        if value is None or value == "":
            return None if boolean else self.get_empty_value_display()
        return shown(value, words)

    order = path.replace(".", "__") if ordering == "" else ordering
    return admin.display(description=label, ordering=order, boolean=boolean)(show)


def titled(field: str, title, base: type[admin.FieldListFilter]) -> tuple[str, type]:
    """A ``list_filter`` entry for ``field`` (a ``base`` filter) headed ``title``."""

    class Titled(base):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    Titled.__name__ = Titled.__qualname__ = f"Titled{base.__name__}"
    return field, Titled


def words_filter(field: str, title, words: Mapping[str, Any]) -> type[admin.SimpleListFilter]:
    """A ``list_filter`` on ``field`` offering ``words`` (code → label), headed ``title``."""

    class Words(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(words.items())

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    Words.title = title
    Words.__name__ = Words.__qualname__ = f"{field.title()}WordsFilter"
    return Words
