"""HTTP side of pen annotations: list, add, undo/redo, export as PDF (JSON, thin)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.exports import annotations_name, attach
from docs_store.services import ink, ink_export
from docs_store.services.access import get_readable
from docs_store.views import _body, _mark_for, json_errors


@json_errors
def strokes(request: HttpRequest, document_id: int) -> HttpResponse:
    """GET: the reader's strokes on the current version. POST ``{"version", "page",
    "stroke": {"id", "tool", "color", "width", "points"}}``: add one."""
    doc, reader = get_readable(request.user, document_id)
    if request.method == "POST":
        data = _body(request)
        stroke = data.get("stroke")
        if not isinstance(stroke, dict):
            raise DomainError("invalid_stroke", "Send one stroke as an object.")
        return JsonResponse(
            ink.add_stroke(reader, doc, data.get("version"), data.get("page"), stroke)
        )
    return JsonResponse(
        {
            "version": doc.current.number if doc.current else 0,
            "strokes": ink.strokes_of(reader, doc),
        }
    )


@require_POST
@json_errors
def erase(request: HttpRequest, document_id: int, client_id: str) -> HttpResponse:
    """``{"erased": true}`` undoes a stroke, ``{"erased": false}`` redoes it."""
    doc, reader = get_readable(request.user, document_id)
    erased = _body(request).get("erased", True)
    if not isinstance(erased, bool):
        raise DomainError("invalid", "erased must be true or false.")
    return JsonResponse(ink.set_erased(reader, doc, client_id, erased))


@require_GET
@json_errors
def export(request: HttpRequest, document_id: int) -> HttpResponse:
    doc, reader = get_readable(request.user, document_id)
    data = ink_export.annotated_pdf(reader, doc, _mark_for(request.user, reader))
    resp = HttpResponse(data, content_type="application/pdf")
    attach(resp, annotations_name(doc.pk, doc.title))
    resp["Cache-Control"] = "private, no-store"
    return resp
