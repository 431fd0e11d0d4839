"""What Yiting reads from a draft's text, stored with the document version.

A **DraftStructure** says whether a version is a draft at all (a report or a scan without
text is not, and stays an ordinary document) and when it was read. Its **DraftArticle**
rows are the articles (条) in the version's order, with the part (编), chapter (章) and
section (节) they stand in. A **DraftComparison** is the clerk's "compare with": a newer
version read beside an earlier one (修改对照), its article pairs computed once and kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docs_store.models import DocumentVersion


class DraftStructure(models.Model):
    """Whether one version was read as a draft, and what came of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being read")
        PARSED = "parsed", _("articles read")
        NOT_A_DRAFT = "not_a_draft", _("no articles found")
        FAILED = "failed", _("could not be read")

    version = models.OneToOneField(
        DocumentVersion, on_delete=models.CASCADE, related_name="draft_structure"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=300, blank=True, default="")
    articles = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    parsed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.version}: {self.status}"


class DraftArticle(models.Model):
    """One article (条) of a draft version, e.g. 第十二条之一 in 第二章.

    ``ordinal`` is its place in the version (1, 2, …); ``number``/``sub`` its own number
    (12 and 1 for 第十二条之一), which a renumbering changes. ``text`` is the article
    without its label, paragraphs (款) joined by newlines; ``paragraphs`` keeps each
    paragraph with its items (项, （一）…) for the reader.
    """

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="draft_articles"
    )
    ordinal = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    sub = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=40)
    part = models.CharField(max_length=200, blank=True, default="")
    chapter = models.CharField(max_length=200, blank=True, default="")
    section = models.CharField(max_length=200, blank=True, default="")
    text = models.TextField()
    paragraphs = models.JSONField(default=list)
    page = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["version", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ordinal"], name="one_article_per_place")
        ]

    def __str__(self) -> str:
        return self.label


class DraftComparison(models.Model):
    """A newer version compared with an earlier one (修改对照), as the clerk marked it.

    ``pairs`` is the comparison's JSON (``docs_store.drafts.compare``): in the new
    version's order, deleted articles where they stood, each ``{"old", "new", "status",
    "ops"}``. ``aligned_share`` is the share of articles that found a partner; a low
    share means two different drafts were compared, and the clerk is warned.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being compared")
        READY = "ready", _("ready")
        NOT_COMPARABLE = "not_comparable", _("cannot be compared")

    new_version = models.OneToOneField(
        DocumentVersion, on_delete=models.CASCADE, related_name="comparison"
    )
    old_version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    pairs = models.JSONField(default=list)
    aligned_share = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.new_version} ↔ {self.old_version}"
