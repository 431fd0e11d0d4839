"""Opinions on a draft's articles (审议意见) and speeches tied to articles.

An **Opinion** is one member's written view on one article, written in the reader or
the comparison; it is the member's own (no one else sees it) until they submit it,
and then it reaches staff. A **SpeechArticle** is staff tying a recorded speech, or a
stretch of it (``start_s``–``end_s`` seconds into the clip), to an article it is
about. Both feed the brief compiled by article and the export for the drafters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AgendaItem, Member, Sitting
from docs_store.drafts.models import DraftArticle
from docs_store.models import Document


class Opinion(models.Model):
    """A member's opinion on one article, theirs until submitted."""

    class State(models.TextChoices):
        DRAFT = "draft", _("not yet submitted")
        SUBMITTED = "submitted", _("submitted")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="opinions")
    article = models.ForeignKey(DraftArticle, on_delete=models.CASCADE, related_name="opinions")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="opinions")
    sitting = models.ForeignKey(
        Sitting, on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )
    text = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    client_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article__ordinal", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "client_id"], name="one_opinion_per_client_id"
            )
        ]
        indexes = [models.Index(fields=["document", "state"])]

    def __str__(self) -> str:
        return f"{self.member} on {self.article}"


class SpeechArticle(models.Model):
    """Staff's tie of a recorded speech, or a stretch of it, to one article."""

    speech = models.ForeignKey("floor.Speech", on_delete=models.CASCADE, related_name="articles")
    article = models.ForeignKey(DraftArticle, on_delete=models.CASCADE, related_name="speeches")
    start_s = models.FloatField(null=True, blank=True)
    end_s = models.FloatField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["speech", "start_s", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["speech", "article", "start_s"], name="one_tie_per_stretch"
            )
        ]


class ArticleBrief(models.Model):
    """A brief compiled by article (按条文编排), and the draft version it follows.

    Kept beside the brief (``meeting.briefs``) rather than on it: the option is the
    opinions' way into the brief. Without a row the brief reads in speaking order.
    """

    brief = models.OneToOneField(
        "briefs.Brief", on_delete=models.CASCADE, related_name="by_article"
    )
    version = models.ForeignKey(
        "docs_store.DocumentVersion", on_delete=models.CASCADE, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"brief {self.brief_id} by the articles of version {self.version_id}"
