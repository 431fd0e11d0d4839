"""Speech recording (分组审议视频录制): publishers, recordings and the clips filed to members.

A ``Publisher`` is one WebRTC peer (a member tablet or the room camera) held by the
server process whose socket negotiated it; ``server`` and ``channel_name`` say which, so
the recorder and start-up recovery know where the media lives. A ``Recording`` is one
floor-holding being captured (or the room camera's continuous capture); a ``Clip`` is
the finished, playable file filed to the member's personal file (个人档案).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AgendaItem, Member, Session, Sitting, Term


class Publisher(models.Model):
    """A live (or ended) WebRTC peer publishing camera and microphone into a sitting."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member tablet")
        ROOM = "room", _("room camera")

    class State(models.TextChoices):
        LIVE = "live", _("live")
        ENDED = "ended", _("ended")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="publishers")
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="publishers"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    server = models.CharField(max_length=120, help_text="Process holding the aiortc peer.")
    channel_name = models.CharField(max_length=200, help_text="Socket that negotiated it.")
    state = models.CharField(max_length=8, choices=State.choices, default=State.LIVE)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["sitting", "state"], name="media_pub_live_idx")]

    def __str__(self) -> str:
        return f"publisher#{self.pk} {self.kind} ({self.state})"


class Recording(models.Model):
    """One capture in progress or being finalised: a speech, or the room camera's day."""

    class State(models.TextChoices):
        RECORDING = "recording", _("recording")
        FINALISING = "finalising", _("finalising")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Source(models.TextChoices):
        MEMBER = "member", _("member stream")
        ROOM = "room", _("room camera")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="recordings")
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="recordings"
    )
    publisher = models.ForeignKey(
        Publisher, on_delete=models.SET_NULL, null=True, blank=True, related_name="recordings"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    floor_entry_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECORDING)
    server = models.CharField(max_length=120, blank=True, default="")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_how = models.CharField(max_length=20, blank=True, default="")
    stream_lost_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member's stream stopped mid-speech."
    )
    recovered = models.BooleanField(default=False, help_text="Finalised after a crash.")
    quality = models.JSONField(
        default=dict, blank=True, help_text="What arrived: frames received/written, gaps."
    )
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["floor_entry_id"],
                condition=models.Q(floor_entry_id__isnull=False),
                name="media_one_recording_per_floor_entry",
            )
        ]

    def __str__(self) -> str:
        return f"recording#{self.pk} {self.source} ({self.state})"


class Clip(models.Model):
    """A finished speech video in the member's personal file (个人档案).

    ``public_id`` is the stable link; the file is MP4 (H.264/AAC) with the index at the
    front so Chromium plays and seeks it while it is still downloading.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recording = models.OneToOneField(Recording, on_delete=models.PROTECT, related_name="clip")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="clips")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+")
    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="clips")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="clips"
    )
    floor_entry_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Recording.Source.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    duration_s = models.FloatField()
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=500, help_text="Relative to MEDIA_ROOT.")
    poster_path = models.CharField(max_length=500, blank=True, default="")
    stream_lost = models.BooleanField(default=False, help_text="Ends where the stream stopped.")
    recovered = models.BooleanField(default=False)
    quality = models.JSONField(
        default=dict,
        blank=True,
        help_text="Frames received and written, and the gaps the network or sender caused.",
    )
    downloadable = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delete_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["member", "started_at"], name="media_clip_member_idx")]

    def __str__(self) -> str:
        return f"clip {self.public_id} of member {self.member_id}"


class RoomSegment(models.Model):
    """One file of the room camera's continuous recording, with its wall-clock span."""

    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="segments")
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
