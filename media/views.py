"""HTTP side of the archive: clip files and pages, the review list, the deputy record.

Thin by rule: each view checks who asks (``media.services.access``), calls one service
and renders. Clips not visible to the login answer 404 (they do not exist for them),
a deleted clip answers 410 Gone with the recorded reason.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.exports import FileName, attach, clip_name
from core.models import Member
from media import ranges, record_page
from media.models import Clip
from media.services import access, archive, paths


def _clip_for(request: HttpRequest, public_id) -> Clip:
    clip = get_object_or_404(archive.with_related(Clip.objects.all()), public_id=public_id)
    if not (access.is_archive_staff(request.user) or clip.member.user_id == request.user.pk):
        raise Http404("no such clip")
    return clip


def _gone(clip: Clip) -> HttpResponse:
    return JsonResponse(
        {
            "error": {
                "code": "gone",
                "message": "This clip was deleted.",
                "deleted_at": clip.deleted_at.isoformat(),
                "reason": clip.delete_reason,
            }
        },
        status=410,
    )


def _error(exc: DomainError, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": exc.as_dict()}, status=status)


@login_required
@require_GET
def clip_page(request: HttpRequest, public_id) -> HttpResponse:
    clip = _clip_for(request, public_id)
    if clip.deleted_at:
        return _gone(clip)
    return render(
        request,
        "media/clip.html",
        {
            "clip": clip,
            "row": archive.clip_row(clip),
            "can_download": access.can_download(request.user, clip),
            "can_delete": access.is_archive_staff(request.user),
            # the top bar names who is reading (their name, not the login)
            "member": Member.objects.filter(user=request.user, term_id=clip.term_id).first(),
        },
    )


@login_required
@require_GET
def clip_file(request: HttpRequest, public_id) -> HttpResponse:
    clip = _clip_for(request, public_id)
    if clip.deleted_at:
        return _gone(clip)
    download = bool(request.GET.get("download"))
    if download and not access.can_download(request.user, clip):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": "Download is not allowed."}}, status=403
        )
    webm = clip.path.endswith(".webm")  # recorded as it arrived (media.passthrough)
    kind = "video/webm" if webm else "video/mp4"
    resp = ranges.serve(request, paths.absolute(clip.path), clip.path, kind)
    if download:
        name = clip_name(clip.member_id, clip.member.full_name, clip.started_at)
        if webm:
            name = FileName(*(n.removesuffix(".mp4") + ".webm" for n in name))
        attach(resp, name)
    return resp


@login_required
@require_GET
def clip_poster(request: HttpRequest, public_id) -> HttpResponse:
    clip = _clip_for(request, public_id)
    if clip.deleted_at or not clip.poster_path:
        raise Http404("no poster")
    return ranges.serve(request, paths.absolute(clip.poster_path), clip.poster_path, "image/jpeg")


@login_required
@require_POST
def clip_delete(request: HttpRequest, public_id) -> HttpResponse:
    clip = _clip_for(request, public_id)
    if not access.is_archive_staff(request.user):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": "Only staff delete clips."}}, status=403
        )
    try:
        clip = archive.delete_clip(clip, request.user, request.POST.get("reason", ""))
    except DomainError as exc:
        return _error(exc, 409 if exc.code == "conflict" else 400)
    return JsonResponse(
        {
            "clip": str(clip.public_id),
            "deleted_at": clip.deleted_at.isoformat(),
            "reason": clip.delete_reason,
        }
    )


@login_required
@require_GET
def clip_list(request: HttpRequest) -> JsonResponse:
    """The review list as JSON: filters member, session, sitting, item, term, from, to."""
    try:
        qs = archive.filter_clips(access.visible_clips(request.user), request.GET)
    except DomainError as exc:
        return _error(exc)
    page = Paginator(qs.order_by("-started_at"), 50).get_page(request.GET.get("page"))
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "clips": [archive.clip_row(c) for c in page.object_list],
            "can_delete": access.is_archive_staff(request.user),
        }
    )


def _member_for(request: HttpRequest, member_id: int) -> Member:
    member = get_object_or_404(Member.objects.select_related("term"), pk=member_id)
    if not access.can_see_member(request.user, member):
        raise PermissionDenied("another member's record")  # 403: the page exists, not for them
    return member


@login_required
@require_GET
def member_speeches(request: HttpRequest, member_id: int) -> JsonResponse:
    """For the deputy-records system: a member's speeches with their stable links."""
    member = _member_for(request, member_id)
    record = archive.deputy_record(member)
    return JsonResponse(
        {"member": record["member"], "term": record["term"], "speeches": record["speeches"]}
    )


@login_required
@require_GET
def deputy_record(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member_for(request, member_id)
    record = archive.deputy_record(member)
    if request.GET.get("format") == "json":
        return JsonResponse(record)
    viewer = Member.objects.filter(user=request.user, term=member.term).first()
    record = {**record, "speeches": record_page.speech_sessions(record["speeches"])}
    return render(
        request,
        "media/deputy_record.html",
        {
            "record": record,
            "duty": record_page.attendance_summary(member),
            "subject": member,
            "member": viewer,  # the top bar names who is reading, not the username
            "is_staff": access.is_archive_staff(request.user),
        },
    )
