"""Drafts read article by article, and the clerk's "compare with" (修改对照).

- ``read_version(version)`` reads the articles of a version's PDF (text with its lines,
  ``extract``; structure, ``structure.read_draft``) and stores them; a version with no
  articles is marked ``not_a_draft`` and stays an ordinary document. It runs as the
  last step of the indexing job every upload gets (``read_content``), and on demand
  (``ensure_read``: the job ``drafts.read``).
- ``mark_comparison(actor, new_version, old_version)`` is the clerk marking a version
  "compare with" an earlier one. The comparison is computed as soon as both versions
  are read (at once, or when the reading job ends); a version with no articles makes it
  ``not_comparable`` with a message saying which and why, never an empty table passed
  off as "no changes"; two files that hardly align (``compare.LOW_ALIGNMENT``) are
  compared anyway and the message warns the clerk.
- Every change of a comparison is told to the sittings of the session after commit
  (``documents.compared``), so consoles and tablets refetch it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import policy
from core.errors import DomainError
from core.events import emit
from docs_store import storage
from docs_store.drafts import compare as comparing
from docs_store.drafts.extract import pdf_pages
from docs_store.drafts.models import DraftArticle, DraftComparison, DraftStructure
from docs_store.drafts.structure import NO_TEXT, read_draft
from docs_store.models import Document, DocumentVersion
from jobs.services import enqueue

log = logging.getLogger(__name__)

COMPARED = "documents.compared"
READ_PRIORITY = 20  # after page one of every upload, before the other pages
READ_JOB = "drafts.read"


# -- reading ---------------------------------------------------------------------------------
def read_content(sha256: str) -> None:
    """Read every version with this content not read yet (the indexing job's last step:
    every upload is read in the background, once per content)."""
    for version in DocumentVersion.objects.filter(sha256=sha256).order_by("pk"):
        read_version(version)


def ensure_read(version: DocumentVersion) -> DraftStructure:
    """The version's structure; one not read yet is read in the background (queued
    here), or copied at once from a version of the same content already read."""
    structure, _created = DraftStructure.objects.get_or_create(version=version)
    if structure.status != DraftStructure.Status.PENDING:
        return structure
    if _read_sibling(version) is not None:
        return read_version(version)
    enqueue(
        READ_JOB, {"version": version.pk}, key=f"{READ_JOB}:{version.pk}", priority=READ_PRIORITY
    )
    return structure


def _read_sibling(version: DocumentVersion) -> DraftStructure | None:
    return (
        DraftStructure.objects.filter(version__sha256=version.sha256)
        .exclude(version=version)
        .exclude(status=DraftStructure.Status.PENDING)
        .select_related("version")
        .first()
    )


def read_version(version: DocumentVersion, *, again: bool = False) -> DraftStructure:
    """Read and store the articles of ``version``; a version already read is kept as it is
    (``again`` reads it anew). Comparisons waiting for it are computed after."""
    structure, _created = DraftStructure.objects.get_or_create(version=version)
    if structure.status != DraftStructure.Status.PENDING and not again:
        return structure
    sibling = None if again else _read_sibling(version)
    parsed = None
    if sibling is None:
        try:
            parsed = read_draft(pdf_pages(storage.original_path(version.sha256)))
        except Exception as exc:  # a damaged file: the document stays readable as pages
            log.warning("draft %s could not be read: %s", version.pk, exc)
    with transaction.atomic():
        DraftArticle.objects.filter(version=version).delete()
        structure.parsed_at = timezone.now()
        if sibling is not None:  # the same file uploaded again: its reading is the same
            _store(version, articles_of(sibling.version))
            for name in ("status", "title", "articles", "message"):
                setattr(structure, name, getattr(sibling, name))
        elif parsed is None:
            structure.status = DraftStructure.Status.FAILED
            structure.articles = 0
            structure.message = _("The text of this version could not be read.")
        else:
            _store(version, parsed.articles)
            structure.title = parsed.title[:300]
            structure.articles = len(parsed.articles)
            if parsed.is_draft:
                structure.status = DraftStructure.Status.PARSED
                structure.message = ""
            else:
                structure.status = DraftStructure.Status.NOT_A_DRAFT
                structure.message = _no_articles_reason(parsed.reason)
        structure.save()
    _settle_waiting(version)
    return structure


def _store(version: DocumentVersion, articles: list) -> None:
    DraftArticle.objects.bulk_create(
        DraftArticle(
            version=version,
            ordinal=n,
            number=a.number,
            sub=a.sub,
            label=a.label[:40],
            part=a.part[:200],
            chapter=a.chapter[:200],
            section=a.section[:200],
            text=a.text,
            paragraphs=a.paragraphs,
            page=a.page,
        )
        for n, a in enumerate(articles, start=1)
    )


def _no_articles_reason(reason: str) -> str:
    if reason == NO_TEXT:
        return _("This version has no text to read (a scan?), so no articles (第…条) were found.")
    return _("No articles (第…条) were found in this version: it is not a draft.")


def articles_of(version: DocumentVersion) -> list[DraftArticle]:
    """The articles read from ``version``, in its order (none before it is read)."""
    return list(DraftArticle.objects.filter(version=version).order_by("ordinal"))


def structure_of(version: DocumentVersion) -> DraftStructure | None:
    return DraftStructure.objects.filter(version=version).first()


# -- comparing -------------------------------------------------------------------------------
def comparison_for(version: DocumentVersion) -> DraftComparison | None:
    """The comparison the clerk marked for ``version`` (as the newer one), if any."""
    return (
        DraftComparison.objects.select_related("old_version__document", "new_version__document")
        .filter(new_version=version)
        .first()
    )


def mark_comparison(
    actor: policy.Actor, new_version: DocumentVersion, old_version: DocumentVersion
) -> DraftComparison:
    """Mark ``new_version`` "compare with" ``old_version`` (both of one session).

    Replaces an earlier mark of ``new_version``. Computed now when both are read,
    otherwise when their reading ends (queued here if it never was)."""
    policy.require(actor, "drafts.compare")
    new_doc, old_doc = new_version.document, old_version.document
    if new_version.pk == old_version.pk:
        raise DomainError("invalid", _("A version cannot be compared with itself."))
    if new_doc.session_id != old_doc.session_id:
        raise DomainError(
            "not_found", _("The version to compare with is not a document of this session.")
        )
    if new_doc.state == Document.State.RECALLED:
        raise DomainError(
            "recalled",
            _("“%(title)s” was recalled; it is not compared.") % {"title": new_doc.title},
        )
    with transaction.atomic():
        for version in (new_version, old_version):
            ensure_read(version)
        comparison, _created = DraftComparison.objects.update_or_create(
            new_version=new_version,
            defaults={
                "old_version": old_version,
                "status": DraftComparison.Status.PENDING,
                "pairs": [],
                "aligned_share": None,
                "message": "",
                "by_id": actor_user_id(actor),
                "at": timezone.now(),
                "computed_at": None,
            },
        )
        _compute(comparison)
        _audit(
            actor,
            "drafts.compare",
            new_doc,
            _("“%(new)s” (version %(n)s) compared with “%(old)s” (version %(m)s)")
            % {
                "new": new_doc.title,
                "n": new_version.number,
                "old": old_doc.title,
                "m": old_version.number,
            },
            {
                "document": new_doc.pk,
                "version": new_version.number,
                "old_document": old_doc.pk,
                "old_version": old_version.number,
            },
        )
        _announce(comparison)
    return comparison


def unmark_comparison(actor: policy.Actor, new_version: DocumentVersion) -> None:
    """Take the "compare with" mark off ``new_version``; nothing to take off is no error."""
    policy.require(actor, "drafts.compare")
    with transaction.atomic():
        deleted, _rows = DraftComparison.objects.filter(new_version=new_version).delete()
        if not deleted:
            return
        doc = new_version.document
        _audit(
            actor,
            "drafts.uncompare",
            doc,
            _("“%(title)s” (version %(n)s) no longer compared")
            % {"title": doc.title, "n": new_version.number},
            {"document": doc.pk, "version": new_version.number},
        )
        for sitting_id in doc.session.sittings.values_list("pk", flat=True):
            emit(
                sitting_id,
                COMPARED,
                {
                    "document": doc.pk,
                    "version": new_version.number,
                    "old_document": None,
                    "old_version": None,
                    "status": "none",
                },
            )


def actor_user_id(actor: policy.Actor) -> int:
    user_id = getattr(actor, "user_id", None)
    if user_id is None:
        raise DomainError("not_logged_in", _("Log in to compare documents."))
    return user_id


def _compute(comparison: DraftComparison) -> None:
    """Compute a comparison whose two versions are read; leave it pending otherwise."""
    old_s = structure_of(comparison.old_version)
    new_s = structure_of(comparison.new_version)
    unreadable = [
        (v, s)
        for v, s in ((comparison.new_version, new_s), (comparison.old_version, old_s))
        if s is not None
        and s.status in (DraftStructure.Status.NOT_A_DRAFT, DraftStructure.Status.FAILED)
    ]
    now = timezone.now()
    if unreadable:
        comparison.status = DraftComparison.Status.NOT_COMPARABLE
        comparison.pairs, comparison.aligned_share = [], None
        # sentences follow each other with a space in English, with none in Chinese
        gap = "" if (get_language() or "").startswith("zh") else " "
        comparison.message = gap.join(
            [
                *(
                    _("“%(title)s” (version %(n)s): %(reason)s")
                    % {"title": v.document.title, "n": v.number, "reason": s.message}
                    for v, s in unreadable
                ),
                _("It cannot be compared article by article."),
            ]
        )
        comparison.computed_at = now
        comparison.save()
        return
    if not (old_s and new_s and old_s.status == new_s.status == DraftStructure.Status.PARSED):
        return  # pending: computed when the reading ends
    result = comparing.compare(
        articles_of(comparison.old_version), articles_of(comparison.new_version)
    )
    comparison.status = DraftComparison.Status.READY
    comparison.pairs = result["pairs"]
    comparison.aligned_share = result["aligned_share"]
    comparison.message = (
        _(
            "Only %(share)s%% of the articles of the two versions correspond: they may be "
            "two different drafts. Check that the right versions are compared."
        )
        % {"share": round(result["aligned_share"] * 100)}
        if result["low_alignment"]
        else ""
    )
    comparison.computed_at = now
    comparison.save()


def _settle_waiting(version: DocumentVersion) -> None:
    """Compute the pending comparisons that waited for ``version`` to be read."""
    waiting = DraftComparison.objects.filter(status=DraftComparison.Status.PENDING).filter(
        new_version=version
    ) | DraftComparison.objects.filter(status=DraftComparison.Status.PENDING, old_version=version)
    for comparison in waiting.select_related("old_version__document", "new_version__document"):
        with transaction.atomic():
            _compute(comparison)
            if comparison.status != DraftComparison.Status.PENDING:
                _announce(comparison)


def _announce(comparison: DraftComparison) -> None:
    """Tell every sitting of the session (after commit) that the comparison changed."""
    doc = comparison.new_version.document
    payload = {
        "document": doc.pk,
        "version": comparison.new_version.number,
        "old_document": comparison.old_version.document_id,
        "old_version": comparison.old_version.number,
        "status": comparison.status,
    }
    for sitting_id in doc.session.sittings.values_list("pk", flat=True):
        emit(sitting_id, COMPARED, payload)


def _audit(actor, action: str, doc: Document, summary: str, data: dict) -> None:
    from django.contrib.auth import get_user_model

    from core.audit import record

    user = get_user_model().objects.filter(pk=getattr(actor, "user_id", None)).first()
    sitting = doc.item.sitting if doc.item_id else None
    record(
        user,
        action,
        session=doc.session,
        sitting=sitting,
        summary=summary,
        data=data,
        role=str(getattr(actor, "role", "clerk")),
    )


# -- what the views and exports show ---------------------------------------------------------
def comparison_json(comparison: DraftComparison) -> dict:
    """The comparison as ``compare.compare`` gives it, with its state and both sides."""
    old_s = structure_of(comparison.old_version)
    new_s = structure_of(comparison.new_version)
    pairs = comparison.pairs or []
    counts = {s: 0 for s in comparing.STATUSES}
    for p in pairs:
        counts[p["status"]] = counts.get(p["status"], 0) + 1
    share = comparison.aligned_share
    return {
        "status": comparison.status,
        "message": comparison.message,
        "warning": bool(share is not None and share < comparing.LOW_ALIGNMENT),
        "new": _side(comparison.new_version),
        "old": _side(comparison.old_version),
        "old_articles": old_s.articles if old_s else 0,
        "new_articles": new_s.articles if new_s else 0,
        "aligned_share": share,
        "low_alignment": bool(share is not None and share < comparing.LOW_ALIGNMENT),
        "counts": counts,
        "pairs": pairs,
        "at": comparison.at.isoformat(),
        "computed_at": comparison.computed_at.isoformat() if comparison.computed_at else None,
    }


def _side(version: DocumentVersion) -> dict:
    return {
        "document": version.document_id,
        "version": version.number,
        "title": version.document.title,
    }


def comparison_summary(comparison: DraftComparison) -> dict:
    """``comparison_json`` without the pairs (the console's line about it)."""
    out = comparison_json(comparison)
    del out["pairs"]
    return out
