"""Documents of a session (阅文): versions, renderings, presenter state, notes, read receipts.

A **Document** is what the clerk attaches to a session or an agenda item; each upload
of its file is a **DocumentVersion** (the newest is current, the others are history).
Page images are cached on disk by the PDF's content hash (a **Rendition**), so the
same file uploaded twice is rendered once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import AgendaItem, Member, Session, Sitting


class Access(models.TextChoices):
    PUBLIC = "public", _("public")
    COMMITTEE = "committee", pgettext_lazy("access level", "committee")
    CONFIDENTIAL = "confidential", _("confidential")


class Document(models.Model):
    """A paper of the session (会议文件), read on tablets; draft → distributed → recalled."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        DISTRIBUTED = "distributed", _("distributed")
        RECALLED = "recalled", _("recalled")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    access = models.CharField(
        _("access level"), max_length=12, choices=Access.choices, default=Access.COMMITTEE
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    current = models.ForeignKey(
        "DocumentVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "item__order", "order", "id"]
        verbose_name = _("document")

    def __str__(self) -> str:
        return self.title


class Rendition(models.Model):
    """Rendering progress of one PDF content (by hash): pages are ready in order."""

    sha256 = models.CharField(max_length=64, unique=True)
    pages = models.PositiveIntegerField()
    pages_ready = models.PositiveIntegerField(default=0)
    failed = models.TextField(blank=True, default="")
    job_id = models.BigIntegerField(null=True, blank=True)

    @property
    def ready(self) -> bool:
        return self.pages_ready >= self.pages


class DocumentVersion(models.Model):
    """One uploaded file of a document; kept when a newer version replaces it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    pages = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="doc_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class DocumentAction(models.Model):
    """The record of who did what to a document and when (upload, distribution, recall)."""

    class Kind(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        NEW_VERSION = "new_version", _("new version")
        DISTRIBUTED = "distributed", _("distributed")
        RECALLED = "recalled", _("recalled")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]


class PresenterState(models.Model):
    """Which document page everyone following in a sitting sees (主讲翻页)."""

    sitting = models.OneToOneField(Sitting, on_delete=models.CASCADE, related_name="presenter")
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True)
    version = models.ForeignKey(DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True)
    page = models.PositiveIntegerField(default=1)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)


class PageNote(models.Model):
    """A member's private note on a page (批注), seen by no one else."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="page_notes")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notes")
    page = models.PositiveIntegerField()
    text = models.TextField(max_length=10_000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "document", "page"], name="one_note_per_page")
        ]


class ReadReceipt(models.Model):
    """Which member opened which document, how often and for how long (for the deputy record)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="read_receipts")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="receipts")
    first_opened_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(default=timezone.now)
    opens = models.PositiveIntegerField(default=0)
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "document"], name="one_receipt_per_reader")
        ]


class PageText(models.Model):
    """The text of one page of one PDF content, with its index columns (检索索引).

    Keyed by content hash like ``Rendition``: the same file in two sessions is
    extracted once. ``text`` is stored normalised (``tokens.normalise``), as snippets
    show it. ``uni``/``bi`` are the token columns of ``docs_store.search.tokens``;
    the full-text index over them is created by migration 0002 per database.
    """

    sha256 = models.CharField(max_length=64)
    page = models.PositiveIntegerField()
    text = models.TextField(blank=True, default="")
    uni = models.TextField(blank=True, default="")
    bi = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sha256", "page"], name="one_text_per_page")]


class InkStroke(models.Model):
    """One pen or highlighter stroke a member drew on a page (手写批注), private to them.

    Points are fractions of the page (x, y from the top-left, pressure 0–1), so a stroke
    lands on the same words at any zoom and on any tablet. Undo marks a stroke erased
    (``erased_at``) and redo clears the mark; ``client_id`` makes a resent stroke count
    once. Strokes belong to the version they were drawn on: a new version's pages differ.
    """

    class Tool(models.TextChoices):
        PEN = "pen", _("pen")
        HIGHLIGHTER = "highlighter", _("highlighter")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ink_strokes")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="ink")
    version = models.PositiveIntegerField()
    page = models.PositiveIntegerField()
    client_id = models.CharField(max_length=40)
    tool = models.CharField(max_length=12, choices=Tool.choices)
    color = models.CharField(max_length=7)
    width = models.FloatField()
    points = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["page", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "client_id"], name="one_stroke_per_client_id")
        ]
        indexes = [models.Index(fields=["member", "document", "version"])]


class DocumentPlacement(models.Model):
    """The document is also on an agenda item of another sitting of its session (同时列入).

    A bill deliberated at the plenary and again in the group sittings has one paper: the
    clerk places it on each group sitting's item instead of uploading it again. The
    document keeps its own sitting, state, access level and versions; a placement only
    adds where it is read (``docs_store.services.placement``). ``sitting`` is the item's,
    kept here so that a sitting's listing finds its placements in the same statement and
    a document sits at most once in one sitting. Removing a placement keeps the document.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="placements")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="placements")
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="placements")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "sitting"], name="one_placement_per_sitting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.item}"
