"""会务通知 (a notice from the clerk to the tablets) and 呼叫服务 (a member's call for service).

A ``Notice`` goes to every seat of a sitting (``to_member`` empty) or to one member; a
member dismissing it leaves a ``NoticeRead``, so a tablet that reconnects (or a second
tablet of the same login) shows only what is still unread. A ``ServiceCall`` is one
call from a seat (tea, technical support, other) that the clerk takes (受理) and
completes; the member sees when it was taken. Rules live in ``meeting.notices.services``;
the constraint below keeps one call of a kind per member waiting or in hand, even
under a race.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import Member, Sitting

NOTICE_MAX_CHARS = 200  # what fits a tablet's banner in two lines, read at a glance
CALL_NOTE_MAX_CHARS = 60


class Notice(models.Model):
    """A notice to the tablets of a sitting, or to one member of it (会务通知)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="notices")
    to_member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    text = models.CharField(_("notice"), max_length=NOTICE_MAX_CHARS)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sitting", "-sent_at", "-id"]
        indexes = [models.Index(fields=["sitting", "-sent_at"], name="notice_sitting_recent")]
        verbose_name = _("notice")

    def __str__(self) -> str:
        return self.text


class NoticeRead(models.Model):
    """A member dismissed a notice (知道了): it is no longer shown on their tablets."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "member"], name="notice_read_once")
        ]


class ServiceKind(models.TextChoices):
    TEA = "tea", _("tea")
    TECH = "tech", _("technical support")
    OTHER = "other", _("other service")


class CallState(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("service call", "waiting")
    TAKEN = "taken", pgettext_lazy("service call", "taken")
    DONE = "done", pgettext_lazy("service call", "done")
    WITHDRAWN = "withdrawn", pgettext_lazy("service call", "withdrawn")


OPEN_STATES = (CallState.WAITING, CallState.TAKEN)


class ServiceCall(models.Model):
    """A member's call for service from their seat (呼叫服务)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="service_calls")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="service_calls")
    kind = models.CharField(_("service"), max_length=10, choices=ServiceKind.choices)
    note = models.CharField(_("note"), max_length=CALL_NOTE_MAX_CHARS, blank=True, default="")
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.WAITING)
    called_at = models.DateTimeField(default=timezone.now)
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sitting", "called_at", "id"]
        indexes = [models.Index(fields=["sitting", "state"], name="call_sitting_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "member", "kind"],
                condition=Q(state__in=["waiting", "taken"]),
                name="one_open_call_per_kind",
            )
        ]
        verbose_name = _("service call")
