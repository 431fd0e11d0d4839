"""Admin views of the floor: read the speaking log, adjust a sitting's floor rules.

The log is the record the recorder and the deputy record rely on, so it is read-only
here: floors change only through the services (and their events and signals).
"""

from django.contrib import admin

from meeting.floor import models


@admin.register(models.FloorRules)
class FloorRulesAdmin(admin.ModelAdmin):
    list_display = ("sitting", "mode", "max_floors", "warn_before_s")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Speech)
class SpeechAdmin(ReadOnly):
    list_display = (
        "member",
        "sitting",
        "agenda_item",
        "kind",
        "number",
        "started_at",
        "ended_at",
        "ended_how",
        "limit_s",
    )
    list_filter = ("ended_how", "kind", "sitting")
    search_fields = ("member__full_name", "member__seat")
    date_hierarchy = "started_at"


@admin.register(models.SpeakingRequest)
class SpeakingRequestAdmin(ReadOnly):
    list_display = ("member", "sitting", "kind", "state", "position", "requested_at", "written")
    list_filter = ("state", "kind", "written", "sitting")
    search_fields = ("member__full_name", "member__seat")
