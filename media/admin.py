"""Recordings and clips in the admin, read-only: what was captured, how it ended, where.

A recording is finalised into a clip by a job (media/jobs.py); a clip is withdrawn
through its service, which keeps the member's file and the briefs that quote it in
step. The admin lists both, with what the network lost (``quality``), for an operator
looking into a clip that is short or missing.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.adminkit import ReadOnlyAdmin, column, name_model, shown, titled
from media.models import Clip, Recording

# How the floor ended, as the floor's log words it (meeting/floor Speech.Ended; media sits
# below meeting and keeps the codes only).
ENDED_HOW = {
    "finished": _("finished"),
    "time_limit": _("cut at the time limit"),
    "revoked": _("revoked by the chair"),
    "priority": _("ended by the chair's priority"),
    "override": _("ended by an override"),
}

name_model(Recording, _("recording (capture)"), _("recordings (captures)"))
name_model(Clip, _("speech clip"), _("speech clips"))


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "source_",
        "state_",
        "member_",
        "sitting_",
        "started_at_",
        "ended_at_",
        "ended_how_",
        "recovered_",
    )
    list_display_links = ("number", "source_")
    list_filter = (
        titled("state", _("state"), admin.ChoicesFieldListFilter),
        titled("source", _("source"), admin.ChoicesFieldListFilter),
        titled("recovered", _("finalised after a crash"), admin.BooleanFieldListFilter),
        titled("sitting", _("sitting"), admin.RelatedFieldListFilter),
    )
    search_fields = ("member__full_name", "member__seat", "server")
    date_hierarchy = "started_at"
    ordering = ("-started_at",)
    list_select_related = ("member", "sitting")
    fields = (
        "number",
        "source_",
        "state_",
        "member_",
        "sitting_",
        "agenda_item_",
        "server_",
        "started_at_",
        "ended_at_",
        "ended_how_",
        "stream_lost_at_",
        "recovered_",
        "quality_",
        "error_",
        "clip_",
    )

    number = column("pk", _("serial number"), ordering="id")
    source_ = column("source", _("source"))
    state_ = column("state", _("state"))
    member_ = column("member", _("member"))
    sitting_ = column("sitting", _("sitting"))
    agenda_item_ = column("agenda_item", _("agenda item"))
    server_ = column("server", _("server process"))
    started_at_ = column("started_at", _("started at"))
    ended_at_ = column("ended_at", _("ended at"))
    ended_how_ = column("ended_how", _("how it ended"), words=ENDED_HOW)
    stream_lost_at_ = column("stream_lost_at", _("stream lost at"))
    recovered_ = column("recovered", _("finalised after a crash"), boolean=True)
    quality_ = column("quality", _("what arrived"), ordering=None)
    error_ = column("error", _("error"))

    @admin.display(description=_("clip"))
    def clip_(self, recording: Recording) -> str:
        clip = Clip.objects.filter(recording=recording).first()
        return str(clip.public_id) if clip else self.get_empty_value_display()


@admin.register(Clip)
class ClipAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at_",
        "member_",
        "sitting_",
        "duration",
        "size_",
        "source_",
        "stream_lost_",
        "recovered_",
        "withdrawn",
    )
    list_display_links = ("started_at_", "member_")
    list_filter = (
        titled("source", _("source"), admin.ChoicesFieldListFilter),
        titled("stream_lost", _("ends where the stream stopped"), admin.BooleanFieldListFilter),
        titled("recovered", _("finalised after a crash"), admin.BooleanFieldListFilter),
        titled("deleted_at", _("withdrawn"), admin.EmptyFieldListFilter),
        titled("sitting", _("sitting"), admin.RelatedFieldListFilter),
    )
    search_fields = ("member__full_name", "member__seat", "=public_id")
    date_hierarchy = "started_at"
    list_select_related = ("member", "sitting")
    fields = (
        "public_id_",
        "member_",
        "term_",
        "session_",
        "sitting_",
        "agenda_item_",
        "source_",
        "started_at_",
        "ended_at_",
        "duration",
        "size_",
        "sha256_",
        "path_",
        "stream_lost_",
        "recovered_",
        "downloadable_",
        "quality_",
        "created_at_",
        "withdrawn",
        "deleted_by_",
        "delete_reason_",
    )

    public_id_ = column("public_id", _("link id"))
    member_ = column("member", _("member"))
    term_ = column("term", _("term"))
    session_ = column("session", _("session"))
    sitting_ = column("sitting", _("sitting"))
    agenda_item_ = column("agenda_item", _("agenda item"))
    source_ = column("source", _("source"))
    started_at_ = column("started_at", _("started at"))
    ended_at_ = column("ended_at", _("ended at"))
    size_ = column("size", _("bytes"))
    sha256_ = column("sha256", _("SHA-256"))
    path_ = column("path", _("file (under the media folder)"))
    stream_lost_ = column("stream_lost", _("ends where the stream stopped"), boolean=True)
    recovered_ = column("recovered", _("finalised after a crash"), boolean=True)
    downloadable_ = column("downloadable", _("may be downloaded"), boolean=True)
    quality_ = column("quality", _("what arrived"), ordering=None)
    created_at_ = column("created_at", _("filed at"))
    deleted_by_ = column("deleted_by.username", _("withdrawn by"))
    delete_reason_ = column("delete_reason", _("reason for withdrawing"))

    @admin.display(description=_("duration"), ordering="duration_s")
    def duration(self, clip: Clip) -> str:
        minutes, seconds = divmod(round(clip.duration_s), 60)
        return f"{minutes}:{seconds:02d}"

    @admin.display(description=_("withdrawn at"), ordering="deleted_at")
    def withdrawn(self, clip: Clip) -> str:
        return shown(clip.deleted_at) if clip.deleted_at else self.get_empty_value_display()
