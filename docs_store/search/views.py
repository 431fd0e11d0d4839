"""HTTP side of search: results for a sitting, highlight boxes for one page (JSON)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.errors import DomainError
from core.models import Sitting
from core.roster import sitting_role
from docs_store.search import services
from docs_store.services.catalog import item_here
from docs_store.views import json_errors


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "")


@require_GET
@json_errors
def sitting_search(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """``?q=`` → ``{"results": [{document, title, version, page, snippet, count, …}]}``."""
    if not request.user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to search documents.")
    sitting = Sitting.objects.select_related("session__term").filter(pk=sitting_id).first()
    if sitting is None or sitting_role(request.user, sitting) is None:
        raise DomainError("not_found", f"No sitting {sitting_id}.")
    hits = services.search_sitting(request.user, sitting, _query(request))
    return JsonResponse({"results": [_hit(h) for h in hits]})


def _hit(hit: services.Hit) -> dict:
    v = hit.document.current
    return {
        "document": hit.document.pk,
        "title": hit.document.title,
        "item_title": item_here(hit.document)[1],  # placed here: the item it is placed on
        "access": hit.document.access,
        "version": v.number,
        "page": hit.page,
        "count": hit.count,
        "snippet": [{"text": text, "hit": is_hit} for text, is_hit in hit.snippet],
        "boxes_url": reverse("docs:hits", args=[hit.document.pk, v.number, hit.page]),
    }


@require_GET
@json_errors
def page_hits(request: HttpRequest, document_id: int, version: int, page: int) -> HttpResponse:
    """``?q=`` → ``{"boxes": [[x, y, w, h], …]}`` as fractions of the page."""
    boxes = services.hit_boxes(request.user, document_id, version, page, _query(request))
    return JsonResponse({"boxes": boxes})
