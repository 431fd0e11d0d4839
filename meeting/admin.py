from django.contrib import admin
from django.db import models as models_

from core import models


class SafeInitialMixin:
    """Initial values from the add page's query string, minus date-times.

    The admin hands ``?starts_at=…`` to the split date-time widget as a string, which
    then fails with a traceback; a date-time is never pre-filled from the address.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        datetimes = {
            f.name for f in self.model._meta.get_fields() if isinstance(f, models_.DateTimeField)
        }
        return {k: v for k, v in initial.items() if k not in datetimes}


@admin.register(models.Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name")


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "committee", "starts_on", "is_current")


@admin.register(models.DeliberationGroup)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "term", "order")


@admin.register(models.Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("full_name", "seat", "role", "group", "term", "active")
    list_filter = ("role", "group", "term", "active")
    search_fields = ("full_name", "seat", "user__username")


class SittingInline(admin.TabularInline):
    model = models.Sitting
    extra = 0
    fields = ("kind", "group", "title", "room", "starts_at", "state", "chair", "clerk")


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "term", "starts_on", "state")
    inlines = [SittingInline]


class AgendaInline(admin.TabularInline):
    model = models.AgendaItem
    extra = 0


@admin.register(models.Sitting)
class SittingAdmin(SafeInitialMixin, admin.ModelAdmin):
    list_display = ("title", "session", "kind", "group", "starts_at", "state")
    list_filter = ("kind", "state", "session")
    inlines = [AgendaInline]


@admin.register(models.Attendance)
class AttendanceAdmin(SafeInitialMixin, admin.ModelAdmin):
    list_display = ("sitting", "member", "checked_in_at", "checked_out_at", "method")
    list_filter = ("sitting", "method")
