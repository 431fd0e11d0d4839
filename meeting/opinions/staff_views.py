"""Staff pages of opinions (审议意见): submitted opinions by article, the drafters' export,
speeches tied to articles in review, and a brief's arrangement by article.

Thin: each view asks the rulebook (``core.policy.check_staff_opinions`` through the
services), calls one service and renders, or answers JSON. A page refused to a login
that is not a staff reviewer is the Chinese 403 page; a JSON call answers
``{"error": {code, message, details}}`` with 400 / 403 / 404 / 409.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import policy
from core.errors import DomainError
from core.exports import attach
from core.inputs import parse_id
from core.models import AgendaItem, DeliberationGroup, Member, Session
from docs_store.models import Document, DocumentVersion
from meeting.briefs.models import Brief
from meeting.briefs.services import by_article as brief_by_article
from meeting.floor.models import Speech
from meeting.opinions import export, staff
from meeting.opinions.models import Opinion

BAD_INPUT = {"invalid", "bad_stretch", "no_clip", "not_item_article"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _error(exc: DomainError) -> JsonResponse:
    status = 400 if exc.code in BAD_INPUT else 403 if exc.code == "forbidden" else 409
    status = 404 if exc.code == "not_found" else status
    return JsonResponse({"error": exc.as_dict()}, status=status)


def _staff(request: HttpRequest) -> None:
    if not policy.reviewer_may(request.user, "opinions.read_submitted"):
        raise PermissionDenied("staff only")  # a staff page: 403, not "no such page"


def _me(request: HttpRequest):
    return Member.objects.filter(user=request.user, term__is_current=True).first()


def _int(value) -> int | None:
    """A filter's id, or None when absent, not a number or out of the database's range."""
    try:
        return parse_id("id", value)
    except DomainError:
        return None


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Recent sessions with their drafts and how many opinions were submitted on each."""
    _staff(request)
    sessions = list(Session.objects.order_by("-starts_on", "-number")[:12])
    rows = []
    for session in sessions:
        docs = (
            Document.objects.filter(session=session, current__draft_structure__status="parsed")
            .select_related("item__sitting")
            .annotate(
                submitted=Count("opinions", filter=Q(opinions__state=Opinion.State.SUBMITTED))
            )
            .order_by("item__order", "order", "id")
        )
        if docs:
            rows.append({"session": session, "documents": list(docs)})
    return render(request, "opinions/staff/index.html", {"rows": rows, "member": _me(request)})


def _document_context(request: HttpRequest, doc: Document) -> dict:
    flt = staff.OpinionFilter(
        article=_int(request.GET.get("article")),
        member=_int(request.GET.get("member")),
        group=_int(request.GET.get("group")),
        text=request.GET.get("q", "")[:100],
    )
    rows = staff.submitted_opinions(request.user, doc, flt)
    articles = staff.document_articles(doc)
    return {
        "document": doc,
        "rows": rows,
        "filter": flt,
        "articles": articles,
        "authors": staff.authors(doc),
        "groups": DeliberationGroup.objects.filter(term_id=doc.session.term_id).order_by("order"),
        "recalled": doc.state == Document.State.RECALLED,
        "count": sum(len(r.opinions) for r in rows),
        "filtered": any((flt.article, flt.member, flt.group, flt.text.strip())),
    }


@login_required
@require_GET
def document_page(request: HttpRequest, document_id: int) -> HttpResponse:
    """The submitted opinions on one draft, by article, filterable."""
    _staff(request)
    doc = get_object_or_404(
        Document.objects.select_related("session__term", "current", "item__sitting"),
        pk=document_id,
    )
    ctx = _document_context(request, doc)
    ctx["member"] = _me(request)
    return render(request, "opinions/staff/document.html", ctx)


@login_required
@require_GET
def item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    """An agenda item's drafts: straight to the draft when it has one, else the list."""
    _staff(request)
    item = get_object_or_404(AgendaItem.objects.select_related("sitting__session"), pk=item_id)
    docs = staff.item_documents(item)
    if len(docs) == 1:
        return redirect("opinions_staff:document", document_id=docs[0].pk)
    return render(
        request,
        "opinions/staff/item.html",
        {"item": item, "documents": docs, "member": _me(request)},
    )


@login_required
@require_GET
def export_docx(request: HttpRequest, document_id: int) -> HttpResponse:
    """Every submitted opinion on the draft, by article, for the drafters (DOCX)."""
    _staff(request)
    doc = get_object_or_404(Document.objects.select_related("session", "current"), pk=document_id)
    data = export.export_opinions(request.user, doc)
    return attach(HttpResponse(data, content_type=DOCX), export.export_name(doc))


# -- ties in review (JSON) -------------------------------------------------------------------
def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DomainError("invalid", _("The body must be a JSON object."), field="body")
    return body


def _ties_answer(speech: Speech) -> JsonResponse:
    return JsonResponse(
        {"speech": speech.pk, "ties": [staff.tie_dict(t) for t in staff.ties_of(speech)]}
    )


@login_required
def speech_ties(request: HttpRequest, speech_id: int) -> JsonResponse:
    """GET the speech's ties; POST ``{articles: [id…], start_s?, end_s?}`` ties it (or the
    stretch) to each article, all or none."""
    try:
        policy.check_staff_opinions(request.user, "opinions.tie_speech")
    except DomainError as exc:
        return _error(exc)  # before the lookup: no one else learns which speeches exist
    speech = get_object_or_404(Speech, pk=speech_id)
    if request.method == "GET":
        return _ties_answer(speech)
    if request.method != "POST":
        return _error(DomainError("invalid", _("Only GET and POST are answered here.")))
    try:
        body = _body(request)
        articles = body.get("articles")
        if not isinstance(articles, list) or not articles:
            raise DomainError("invalid", _("Pick at least one article."), field="articles")
        staff.tie_many(
            request.user, speech, articles, start_s=body.get("start_s"), end_s=body.get("end_s")
        )
    except DomainError as exc:
        return _error(exc)
    return _ties_answer(speech)


@login_required
@require_POST
def untie(request: HttpRequest, tie_id: int) -> JsonResponse:
    tie = staff.SpeechArticle.objects.filter(pk=tie_id).select_related("speech").first()
    try:
        if tie is None:
            policy.check_staff_opinions(request.user, "opinions.tie_speech")
            raise DomainError("not_found", _("No such tie."))
        speech = tie.speech
        staff.untie(request.user, tie)
    except DomainError as exc:
        return _error(exc)
    return _ties_answer(speech)


# -- a brief's arrangement -------------------------------------------------------------------
@login_required
@require_POST
def brief_arrangement(request: HttpRequest, brief_id: int) -> HttpResponse:
    """按条文编排 on or off for a draft brief; back to the brief's page."""
    brief = get_object_or_404(Brief, pk=brief_id)
    version_id = _int(request.POST.get("version"))
    version = None
    if version_id is not None:
        version = get_object_or_404(
            DocumentVersion.objects.select_related("document"), pk=version_id
        )
    try:
        brief_by_article.arrange_by_article(request.user, brief, version)
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from None
        return _error(exc)
    return redirect("briefs:brief", brief_id=brief.pk)
