"""Review pages of the briefs: speaking log with players and the summary editor, briefs
with check and release, the clip at a quoted second, and the books.

Thin: each view checks who asks (``core.policy``), calls one service and
renders or answers JSON. A refusal answers ``{"error": {code, message, details}}``
with 400 (bad input), 403 (not allowed), 404 or 409 (a rule refused); nothing changed.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import policy
from core.errors import DomainError
from core.exports import attach, brief_name, member_book_name, term_book_name
from core.models import Member, Session, Sitting, Term
from docs_store.models import Access
from docs_store.services.access import reader_for
from jobs.models import Job
from jobs.services import enqueue
from media import ranges
from media.models import Clip
from media.services import paths
from meeting.briefs import overview
from meeting.briefs.errors import ERROR_CODES
from meeting.briefs.jobs import TERM_BOOK_JOB
from meeting.briefs.models import Brief, Summary
from meeting.briefs.services import books, briefs, citations, exports, summaries
from meeting.briefs.services.content import clip_states
from meeting.floor.models import Speech

BAD_INPUT = {"invalid", "quote_past_end", "no_clip", "bad_access"}


def _error(exc: DomainError) -> JsonResponse:
    status = 400 if exc.code in BAD_INPUT else 403 if exc.code == "forbidden" else 409
    status = 404 if exc.code == "not_found" else status
    return JsonResponse({"error": exc.as_dict()}, status=status)


def _staff(request: HttpRequest) -> None:
    if not policy.reviewer_may(request.user, "briefs.read_draft"):
        raise PermissionDenied("staff only")  # a staff page: 403, not "no such page"


def _me(request: HttpRequest):
    return Member.objects.filter(user=request.user, term__is_current=True).first()


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Sessions with their group sittings, briefs and the term's book (staff)."""
    _staff(request)
    sessions = Session.objects.select_related("term").prefetch_related(
        "sittings__group", "sittings__agenda_items"
    )
    rows = []
    for s in sessions.order_by("-starts_on", "-number")[:20]:
        rows.append(
            {
                "session": s,
                "sittings": [x for x in s.sittings.all() if x.kind == Sitting.Kind.GROUP],
                "briefs": list(s.briefs.select_related("sitting").order_by("number")),
                "items": sorted(
                    {
                        (i.order, i.title)
                        for x in s.sittings.all()
                        if x.kind == Sitting.Kind.GROUP
                        for i in x.agenda_items.all()
                    }
                ),
            }
        )
    counts = overview.summary_counts([x.pk for r in rows for x in r["sittings"]])
    for r in rows:
        r["sittings"] = [{"sitting": x, **counts[x.pk]} for x in r["sittings"]]
    terms = list(Term.objects.order_by("-starts_on"))
    books_done = overview.last_term_books([t.pk for t in terms])
    for t in terms:
        t.last_book = books_done.get(t.pk)
    return render(
        request, "briefs/index.html", {"rows": rows, "terms": terms, "member": _me(request)}
    )


def _speech_rows(sitting: Sitting) -> list[dict]:
    speeches = list(
        Speech.objects.filter(sitting=sitting)
        .exclude(ended_at=None)
        .select_related("member", "agenda_item")
        .order_by("started_at", "id")
    )
    clips = {
        c.floor_entry_id: c
        for c in Clip.objects.filter(floor_entry_id__in=[s.pk for s in speeches])
    }
    sums = {s.speech_id: s for s in Summary.objects.filter(speech__in=speeches)}
    rows = []
    for sp in speeches:
        clip, summary = clips.get(sp.pk), sums.get(sp.pk)
        rows.append(
            {
                "speech": sp,
                "clip": clip,
                "summary": summary,
                "state": json.dumps(
                    {
                        "speech": sp.pk,
                        "version": summary.version if summary else 0,
                        "text": summary.text if summary else "",
                        "quotes": summary.quotes if summary else [],
                        "duration": clip.duration_s if clip and not clip.deleted_at else None,
                    },
                    ensure_ascii=False,
                ),
            }
        )
    return rows


@login_required
@require_GET
def sitting_log(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """A group sitting's speaking log: each speech's clip beside its summary editor."""
    _staff(request)
    sitting = get_object_or_404(Sitting.objects.select_related("session", "group"), pk=sitting_id)
    return render(
        request,
        "briefs/sitting.html",
        {
            "sitting": sitting,
            "rows": _speech_rows(sitting),
            "briefs": sitting.briefs.order_by("number"),
            "member": _me(request),
        },
    )


@login_required
@require_POST
def save_summary(request: HttpRequest, speech_id: int) -> JsonResponse:
    speech = get_object_or_404(Speech.objects.select_related("sitting__session"), pk=speech_id)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return _error(DomainError("invalid", "The body must be a JSON object.", field="body"))
    base = body.get("version")
    try:
        s = summaries.save_summary(
            request.user,
            speech,
            body.get("text", ""),
            body.get("quotes", []),
            base_version=int(base) if base is not None else None,
        )
    except DomainError as exc:
        return _error(exc)
    except (TypeError, ValueError):
        return _error(DomainError("invalid", "version must be a number.", field="version"))
    return JsonResponse(
        {
            "speech": speech.pk,
            "version": s.version,
            "quotes": s.quotes,
            "saved_at": timezone.localtime(s.updated_at).strftime("%H:%M:%S"),
        }
    )


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("sitting"):
            sitting = get_object_or_404(Sitting, pk=int(request.POST["sitting"]))
            brief = briefs.create_brief(request.user, sitting=sitting)
        else:
            session = get_object_or_404(Session, pk=int(request.POST.get("session", 0)))
            brief = briefs.create_brief(
                request.user, session=session, item_order=int(request.POST.get("item", 0))
            )
    except DomainError as exc:
        return _error(exc)
    except ValueError:
        return _error(DomainError("invalid", "sitting, session and item are numbers."))
    return redirect("briefs:brief", brief_id=brief.pk)


def _brief_for(request: HttpRequest, brief_id: int) -> Brief:
    brief = get_object_or_404(
        Brief.objects.select_related("session__term__committee", "sitting__group", "document"),
        pk=brief_id,
    )
    if policy.reviewer_may(request.user, "briefs.read_draft"):
        return brief
    if brief.state == Brief.State.RELEASED and brief.document is not None:
        try:
            reader_for(request.user, brief.document)
            return brief
        except DomainError:
            pass
    raise PermissionDenied("a draft brief is staff work")


@login_required
@require_GET
def brief_page(request: HttpRequest, brief_id: int) -> HttpResponse:
    brief = _brief_for(request, brief_id)
    content = briefs.content_for_display(brief)
    states = clip_states(content)
    for sec in content["sections"]:
        for sp in sec["speeches"]:
            sp["state"] = states.get(sp["clip"] or "")
            sp["local"] = timezone.localtime(timezone.datetime.fromisoformat(sp["started_at"]))
    staff = policy.reviewer_may(request.user, "briefs.read_draft")
    return render(
        request,
        "briefs/brief.html",
        {
            "brief": brief,
            "content": content,
            "staff": staff,
            "may_check": staff and policy.may_check_brief(request.user, brief),
            "access_levels": Access.choices,
            "member": _me(request),
        },
    )


def _step(request: HttpRequest, brief_id: int, fn, *args) -> HttpResponse:
    brief = _brief_for(request, brief_id)
    try:
        fn(request.user, brief, *args)
    except DomainError as exc:
        return _error(exc)
    return redirect("briefs:brief", brief_id=brief.pk)


@login_required
@require_POST
def check(request: HttpRequest, brief_id: int) -> HttpResponse:
    return _step(request, brief_id, briefs.check_brief)


@login_required
@require_POST
def release(request: HttpRequest, brief_id: int) -> HttpResponse:
    return _step(request, brief_id, briefs.release_brief, request.POST.get("access", ""))


@login_required
@require_POST
def revise(request: HttpRequest, brief_id: int) -> HttpResponse:
    return _step(request, brief_id, briefs.revise_brief)


@login_required
@require_GET
def export(request: HttpRequest, brief_id: int, fmt: str) -> HttpResponse:
    brief = _brief_for(request, brief_id)
    if not policy.reviewer_may(request.user, "briefs.read_draft"):
        raise PermissionDenied("members read the released document")
    try:
        data = exports.export_brief(brief, fmt)
    except DomainError as exc:
        return _error(exc)
    resp = HttpResponse(data, content_type=exports.FORMATS[fmt])
    return attach(resp, brief_name(brief.number, fmt))


def _cited_clip(request: HttpRequest, public_id) -> Clip:
    """The clip behind a brief's link, for whoever ``clips.play_cited`` allows (else 404)."""
    clip = get_object_or_404(Clip.objects.select_related("member", "session"), public_id=public_id)
    allowed = policy.may_play_cited_clip(
        request.user,
        speaker_user_id=clip.member.user_id,
        cited_in_readable_brief=lambda: citations.readable_brief_cites(request.user, clip),
    )
    if not allowed:
        raise Http404("no such clip")
    return clip


@login_required
@require_GET
def moment(request: HttpRequest, public_id, seconds: int) -> HttpResponse:
    """The clip at a quoted second (the target of a brief's link and QR code)."""
    clip = _cited_clip(request, public_id)
    status = 410 if clip.deleted_at else 200
    return render(
        request,
        "briefs/moment.html",
        {
            "clip": clip,
            "at": min(seconds, int(clip.duration_s)),
            "deleted_at": timezone.localtime(clip.deleted_at) if clip.deleted_at else None,
            "member": _me(request),
        },
        status=status,
    )


@login_required
@require_GET
def moment_file(request: HttpRequest, public_id) -> HttpResponse:
    clip = _cited_clip(request, public_id)
    if clip.deleted_at:
        raise Http404("deleted")
    return ranges.serve(request, paths.absolute(clip.path), clip.path, "video/mp4", None)


@login_required
@require_GET
def member_book(request: HttpRequest, member_id: int) -> HttpResponse:
    """一人一册 of one member: the member themself or staff."""
    member = get_object_or_404(Member.objects.select_related("term"), pk=member_id)
    if not policy.may_read_book(request.user, member):
        raise PermissionDenied("another member's book")
    try:
        path = books.write_member_book_file(member.pk)
    except DomainError as exc:
        return _error(exc)
    name = member_book_name(member.pk, member.full_name)
    return attach(FileResponse(open(path, "rb"), content_type="application/pdf"), name, inline=True)


@login_required
@require_POST
def term_book_start(request: HttpRequest, term_id: int) -> JsonResponse:
    """Queue 一届一本 as a background job; answers the job to poll."""
    if not policy.reviewer_may(request.user, "books.read_term"):
        return _error(DomainError("forbidden", "Only staff reviewers make the term book."))
    term = get_object_or_404(Term, pk=term_id)
    try:
        books.collect_term_check(term)
    except DomainError as exc:
        return _error(exc)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    job = enqueue(TERM_BOOK_JOB, {"term": term.pk}, key=f"{TERM_BOOK_JOB}:{term.pk}:{stamp}")
    return JsonResponse({"job": job.as_dict(), "status": f"/briefs/jobs/{job.pk}"})


@login_required
@require_GET
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    if not policy.reviewer_may(request.user, "books.read_term"):
        raise PermissionDenied("staff only")
    job = get_object_or_404(Job, pk=job_id, kind=TERM_BOOK_JOB)
    if request.GET.get("file"):
        if job.state != Job.State.DONE:
            return _error(DomainError("bad_state", "The book is not ready yet."))
        term = Term.objects.filter(pk=job.payload.get("term")).first()
        name = term_book_name(term.name if term else "")
        file = open(job.result["file"], "rb")  # noqa: SIM115 (the response closes it)
        return attach(FileResponse(file, content_type="application/pdf"), name, inline=True)
    out = job.as_dict()
    out["file"] = f"/briefs/jobs/{job.pk}?file=1" if job.state == Job.State.DONE else None
    return JsonResponse(out)


@require_GET
def error_codes(request: HttpRequest) -> JsonResponse:
    return JsonResponse(ERROR_CODES)
