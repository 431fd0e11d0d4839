"""The audit trail (操作日志) in the admin, read-only: who did what, when, where.

The trail is append-only (core/models.py); the admin lists and searches it and never
edits or deletes an entry. The committee's other models are in meeting/admin.py.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.adminkit import ReadOnlyAdmin, column, titled, words_filter
from core.axes_words import name_axes
from core.models import AuditEntry, Role

ROLES = dict(Role.choices)
name_axes()  # the lock-out lists sit in the same admin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at_", "actor_", "role_", "action_", "summary_", "sitting_", "source_")
    list_display_links = ("at_", "actor_")
    list_filter = (
        titled("source", _("done from"), admin.ChoicesFieldListFilter),
        words_filter("role", _("role"), ROLES),
        titled("session", _("session"), admin.RelatedFieldListFilter),
    )
    search_fields = ("actor", "action", "summary", "user__username")
    date_hierarchy = "at"
    list_select_related = ("sitting",)
    fields = (
        "at_",
        "actor_",
        "user_",
        "role_",
        "action_",
        "summary_",
        "session_",
        "sitting_",
        "source_",
        "data_",
    )

    at_ = column("at", _("at"))
    actor_ = column("actor", _("who"))
    user_ = column("user.username", _("login"))
    role_ = column("role", _("role"), words=ROLES)
    action_ = column("action", _("action"))
    summary_ = column("summary", _("what"))
    session_ = column("session", _("session"))
    sitting_ = column("sitting", _("sitting"))
    source_ = column("source", _("done from"))
    data_ = column("data", _("data as sent"), ordering=None)
