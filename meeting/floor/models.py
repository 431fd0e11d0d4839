"""The speaking queue (发言排队), the floor and the speaking log (发言记录).

``FloorRules`` holds a sitting's floor mode and limits; ``SpeakingRequest`` is one
request in the queue; ``Speech`` is one holding of the floor and, once ended, a row of
the speaking log that the recorder cuts clips by. Rules live in
``meeting.floor.services``; the constraints here make the worst slips (a member twice
in the queue, a member holding two floors) impossible even under a race.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AgendaItem, Member, Sitting


class Mode(models.TextChoices):
    """How a member gets the floor, as conference systems name it."""

    REQUEST = "request", _("request (the chair grants)")
    DIRECT = "direct", _("direct (take it while there is room)")
    OVERRIDE = "override", _("override (taking it ends the longest floor)")


class Kind(models.TextChoices):
    SPEECH = "speech", _("speech")
    REPLY = "reply", _("reply to a speaker")
    POINT_OF_ORDER = "point_of_order", _("point of order")


class FloorRules(models.Model):
    """A sitting's floor mode, how many may hold the floor, and the short limits."""

    sitting = models.OneToOneField(Sitting, on_delete=models.CASCADE, related_name="floor_rules")
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.REQUEST)
    max_floors = models.PositiveSmallIntegerField(_("floors at once"), default=1)
    warn_before_s = models.PositiveIntegerField(_("warn before the end (s)"), default=60)
    reply_limit_s = models.PositiveIntegerField(_("reply limit (s)"), default=180)
    point_of_order_limit_s = models.PositiveIntegerField(_("point of order limit (s)"), default=120)

    class Meta:
        verbose_name = _("floor rules")
        verbose_name_plural = _("floor rules")
        constraints = [
            models.CheckConstraint(condition=Q(max_floors__gte=1), name="floor_rules_max_ge_1"),
        ]


class SpeakingRequest(models.Model):
    """A request to speak (发言申请), by the member's tablet or entered by the clerk."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        GRANTED = "granted", _("granted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REFUSED = "refused", _("refused")
        CLEARED = "cleared", _("cleared by the chair")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="speaking_requests")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="speaking_requests")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SPEECH)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    position = models.PositiveIntegerField(_("position"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    written = models.BooleanField(_("written request"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("speaking request")
        verbose_name_plural = _("speaking requests")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "member"],
                condition=Q(state="waiting"),
                name="floor_request_once_in_queue",
            ),
        ]


class Speech(models.Model):
    """One holding of the floor; with ``ended_at`` set it is a row of the speaking log.

    ``limit_s`` is the time allowed including extensions (None: no limit, the chair's
    own floor); ``started_at``/``ended_at`` are server times from ``core.clock``.
    """

    class Ended(models.TextChoices):
        FINISHED = "finished", _("finished")
        TIME_LIMIT = "time_limit", _("cut at the time limit")
        REVOKED = "revoked", _("revoked by the chair")
        PRIORITY = "priority", _("ended by the chair's priority")
        OVERRIDE = "override", _("ended by an override")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="speeches")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="speeches")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="speeches"
    )
    request = models.OneToOneField(
        SpeakingRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="speech"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by_chair = models.BooleanField(_("the chair's own floor"), default=False)
    number = models.PositiveSmallIntegerField(_("speech number on the item"), default=1)
    started_at = models.DateTimeField(_("started at"))
    limit_s = models.PositiveIntegerField(_("time allowed (s)"), null=True, blank=True)
    extended_s = models.PositiveIntegerField(_("extensions (s)"), default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    time_up_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_how = models.CharField(max_length=12, choices=Ended.choices, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("speech")
        verbose_name_plural = _("speaking log")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["ended_at", "sitting"], name="floor_speech_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "member"],
                condition=Q(ended_at__isnull=True),
                name="floor_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="floor_ends_after_start",
            ),
        ]

    @property
    def deadline(self) -> datetime | None:
        if self.limit_s is None:
            return None
        return self.started_at + timedelta(seconds=self.limit_s)

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()
