"""Briefs (简报) in the admin, read-only: number, state, who compiled, checked, released.

A brief moves draft → checked → released only through its services (a second staff
member checks, the release files a document of the session), so the admin only lists.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.adminkit import ReadOnlyAdmin, column, name_model, titled
from meeting.briefs.models import Brief

name_model(Brief, _("brief"), _("briefs"))


@admin.register(Brief)
class BriefAdmin(ReadOnlyAdmin):
    list_display = (
        "number_",
        "title_",
        "session_",
        "state_",
        "revision_",
        "compiled_by_",
        "checked_by_",
        "released_at_",
    )
    list_display_links = ("number_", "title_")
    list_filter = (
        titled("state", _("state"), admin.ChoicesFieldListFilter),
        titled("session", _("session"), admin.RelatedFieldListFilter),
    )
    search_fields = ("title", "compiled_by__username", "checked_by__username")
    date_hierarchy = "compiled_at"
    list_select_related = ("session", "compiled_by", "checked_by")
    fields = (
        "number_",
        "title_",
        "session_",
        "sitting_",
        "item_order_",
        "state_",
        "revision_",
        "access_",
        "compiled_by_",
        "compiled_at_",
        "checked_by_",
        "checked_at_",
        "released_by_",
        "released_at_",
        "document_",
    )

    number_ = column("number", _("issue number"))
    title_ = column("title", _("title"))
    session_ = column("session", _("session"))
    sitting_ = column("sitting", _("group sitting"))
    item_order_ = column("item_order", _("agenda item (order)"))
    state_ = column("state", _("state"))
    revision_ = column("revision", _("revision"))
    access_ = column("access", _("access"))
    compiled_by_ = column("compiled_by.username", _("compiled by"))
    compiled_at_ = column("compiled_at", _("compiled at"))
    checked_by_ = column("checked_by.username", _("checked by"))
    checked_at_ = column("checked_at", _("checked at"))
    released_by_ = column("released_by.username", _("released by"))
    released_at_ = column("released_at", _("released at"))
    document_ = column("document", _("released as document"))
