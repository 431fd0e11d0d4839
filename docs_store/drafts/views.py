"""HTTP side of drafts (mounted under ``docs/``): articles, comparisons, the 修改对照表.

Reading is checked exactly as for the document's page images
(``docs_store.services.access``): a draft exists only for its clerk, a recalled paper
answers ``recalled``, a confidential one is read by the roles that read its pages; a
reader other than the clerk reads the current version only. A comparison also shows the
earlier version's text, so its reader must be able to read that document as well (any
of its versions: the clerk marked them to be read together). The tables (PDF, DOCX)
are downloads: a confidential paper's table only for its clerk, as its PDF.
"""

from __future__ import annotations

import json

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import policy
from core.errors import DomainError
from core.inputs import IdField, parse
from core.models import Sitting
from core.roster import sitting_role
from docs_store.drafts import services, table
from docs_store.drafts.models import DraftComparison, DraftStructure
from docs_store.models import Document, DocumentVersion
from docs_store.services.access import Reader, get_readable, may_download_pdf, reader_for
from docs_store.views import json_errors

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _version(doc: Document, reader: Reader, number: int) -> DocumentVersion:
    """Readers see the current version only; the clerk every version (as page images)."""
    if doc.current is not None and doc.current.number == number:
        return doc.current
    version = doc.versions.filter(number=number).first()
    if version is None or not reader.is_clerk:
        raise DomainError("not_found", f"No version {number} of “{doc.title}”.")
    return version


def _comparison(request: HttpRequest, document_id: int, number: int):
    """The document, reader, version and its comparison (None if none is marked)."""
    doc, reader = get_readable(request.user, document_id)
    version = _version(doc, reader, number)
    comparison = services.comparison_for(version)
    if comparison is not None and not reader.is_clerk:
        old_doc = Document.objects.select_related("session__term", "item__sitting").get(
            pk=comparison.old_version.document_id
        )
        if old_doc.pk != doc.pk:
            reader_for(request.user, old_doc)  # raises as the old paper's pages would
    return doc, reader, version, comparison


def _structure_json(version: DocumentVersion) -> dict:
    structure = services.ensure_read(version)
    return {
        "status": structure.status,
        "title": structure.title,
        "articles": structure.articles,
        "message": structure.message,
    }


@require_GET
@json_errors
def articles(request: HttpRequest, document_id: int, version: int) -> HttpResponse:
    """The articles read from a version: ``{"status", "title", "message", "articles": [...]}``."""
    doc, reader = get_readable(request.user, document_id)
    v = _version(doc, reader, version)
    out = _structure_json(v)
    out["document"], out["version"] = doc.pk, v.number
    out["articles"] = [
        {
            "ordinal": a.ordinal,
            "number": a.number,
            "sub": a.sub,
            "label": a.label,
            "part": a.part,
            "chapter": a.chapter,
            "section": a.section,
            "text": a.text,
            "paragraphs": a.paragraphs,
            "page": a.page,
        }
        for a in services.articles_of(v)
    ]
    out["count"] = len(out["articles"])
    return JsonResponse(out)


class MarkForm(forms.Form):
    """The version to compare with: a document of the session and its version number."""

    old_document = IdField()
    old_version = IdField()


def _actor(request: HttpRequest, reader: Reader) -> policy.Acting:
    return policy.Acting(role=reader.role, user_id=request.user.pk)


@require_http_methods(["GET", "POST", "DELETE"])
@json_errors
def comparison(request: HttpRequest, document_id: int, version: int) -> HttpResponse:
    """GET: the comparison marked for this version (``{"status": "none"}`` if none).
    POST ``{"old_document": id, "old_version": n}``: the clerk marks it; DELETE: unmarks."""
    if request.method == "GET":
        doc, reader, v, found = _comparison(request, document_id, version)
        if found is None:
            return JsonResponse({"status": "none", "document": doc.pk, "version": v.number})
        return JsonResponse(_with_links(services.comparison_json(found), doc.pk, v.number))
    doc, reader = get_readable(request.user, document_id)
    v = _version(doc, reader, version)
    actor = _actor(request, reader)
    if request.method == "DELETE":
        services.unmark_comparison(actor, v)
        return JsonResponse({"status": "none", "document": doc.pk, "version": v.number})
    policy.require(actor, "drafts.compare")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise DomainError("bad_json", _("The request body is not JSON.")) from None
    if not isinstance(body, dict):
        raise DomainError("bad_json", _("The request body must be a JSON object."))
    fields = parse(MarkForm, body)
    old_doc, old_reader = get_readable(request.user, fields["old_document"])
    if not old_reader.is_clerk:
        raise DomainError("forbidden", _("Only the clerk of both papers compares them."))
    old_v = old_doc.versions.filter(number=fields["old_version"]).first()
    if old_v is None:
        raise DomainError("not_found", f"No version {fields['old_version']} of “{old_doc.title}”.")
    found = services.mark_comparison(actor, v, old_v)
    found.refresh_from_db()
    return JsonResponse(_with_links(services.comparison_json(found), doc.pk, v.number))


def _with_links(data: dict, document_id: int, number: int) -> dict:
    base = f"/docs/d/{document_id}/v/{number}/comparison"
    if data["status"] == DraftComparison.Status.READY:
        data["pdf"], data["docx"] = f"{base}.pdf", f"{base}.docx"
    return data


def _table(request: HttpRequest, document_id: int, version: int, kind: str) -> HttpResponse:
    doc, reader, v, found = _comparison(request, document_id, version)
    may_download_pdf(reader, doc)
    if found is None or found.status != DraftComparison.Status.READY:
        raise DomainError(
            "not_ready",
            found.message if found and found.message else _("There is no comparison to print."),
        )
    old_doc = found.old_version.document
    if old_doc.pk != doc.pk:
        may_download_pdf(reader_for(request.user, old_doc), old_doc)
    unchanged = request.GET.get("unchanged", "fold")
    if unchanged not in table.UNCHANGED:
        raise DomainError("invalid", f"unchanged must be one of {list(table.UNCHANGED)}.")
    data = services.comparison_json(found)
    data["title"] = doc.title
    if kind == "pdf":
        body, content_type = table.table_pdf(data, unchanged=unchanged), PDF
    else:
        body, content_type = table.table_docx(data, unchanged=unchanged), DOCX
    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(True, table.file_name(doc.title, kind))
    resp["Cache-Control"] = "private, no-store"
    return resp


@require_GET
@json_errors
def table_pdf(request: HttpRequest, document_id: int, version: int) -> HttpResponse:
    """The 修改对照表 as PDF (``?unchanged=fold|show``)."""
    return _table(request, document_id, version, "pdf")


@require_GET
@json_errors
def table_docx(request: HttpRequest, document_id: int, version: int) -> HttpResponse:
    """The 修改对照表 as DOCX (``?unchanged=fold|show``)."""
    return _table(request, document_id, version, "docx")


@require_GET
@json_errors
def sitting_drafts(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """For the clerk's console: the session's papers this clerk manages, each version
    with its reading and its comparison (``drafts.compare``)."""
    if not request.user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to compare documents.")
    sitting = Sitting.objects.select_related("session__term").filter(pk=sitting_id).first()
    role = sitting_role(request.user, sitting) if sitting else None
    if sitting is None or role is None:
        raise DomainError("not_found", f"No sitting {sitting_id}.")
    policy.require(policy.Acting(role=role, user_id=request.user.pk), "drafts.compare")
    docs = (
        Document.objects.filter(session_id=sitting.session_id)
        .select_related("session__term", "item__sitting", "current")
        .prefetch_related("versions")
        .order_by("item__sitting_id", "item__order", "order", "id")
    )
    memo: dict = {}
    out = []
    for doc in docs:
        try:
            reader = reader_for(request.user, doc, memo)
        except DomainError:
            continue
        if not reader.is_clerk:
            continue
        out.append(_doc_entry(doc, sitting))
    return JsonResponse({"documents": out})


def _doc_entry(doc: Document, sitting: Sitting) -> dict:
    versions = sorted(doc.versions.all(), key=lambda v: v.number)
    structures = {
        s.version_id: s for s in DraftStructure.objects.filter(version__in=[v.pk for v in versions])
    }
    comparisons = {
        c.new_version_id: c
        for c in DraftComparison.objects.filter(
            new_version__in=[v.pk for v in versions]
        ).select_related("old_version__document")
    }
    entries = []
    for v in versions:
        s = structures.get(v.pk) or services.ensure_read(v)  # uploaded before drafts were read
        c = comparisons.get(v.pk)
        entries.append(
            {
                "number": v.number,
                "current": doc.current_id == v.pk,
                "reading": s.status if s else DraftStructure.Status.PENDING,
                "articles": s.articles if s else 0,
                "message": s.message if s else "",
                "comparison": _with_links(services.comparison_summary(c), doc.pk, v.number)
                if c
                else None,
            }
        )
    return {
        "id": doc.pk,
        "title": doc.title,
        "state": doc.state,
        "here": doc.item_id is None or doc.item.sitting_id == sitting.pk,
        "item_title": doc.item.title if doc.item_id else None,
        "versions": entries,
    }
