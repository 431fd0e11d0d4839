"""HTTP views of the speaking log: per sitting (JSON, CSV) and per-member totals.

Staff reviewers and the session clerk read any member's totals for the deputy record; a member
reads their own. The sitting log is open to everyone with a role in the sitting but
the wall display.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404

from core import policy
from core.errors import DomainError
from core.inputs import parse_id
from core.models import Member, Session, Sitting
from core.roster import sitting_role, term_role
from meeting.floor.services.log import member_totals, sitting_log

CSV_COLUMNS = [
    "id",
    "seat",
    "name",
    "item",
    "kind",
    "number",
    "started_at",
    "ended_at",
    "duration_s",
    "ended_how",
    "limit_s",
    "extended_s",
]


def _sitting_for(request: HttpRequest, sitting_id: int) -> Sitting:
    sitting = get_object_or_404(Sitting.objects.select_related("session__term"), pk=sitting_id)
    if not policy.may(sitting_role(request.user, sitting), "floor.log"):
        raise PermissionDenied("No access to this sitting's speaking log.")
    return sitting


@login_required
def sitting_log_json(request: HttpRequest, sitting_id: int) -> JsonResponse:
    sitting = _sitting_for(request, sitting_id)
    return JsonResponse({"sitting": sitting.pk, "log": sitting_log(sitting.pk)})


@login_required
def sitting_log_csv(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """The log as a spreadsheet for the minutes (UTF-8 with BOM so Excel reads Chinese)."""
    sitting = _sitting_for(request, sitting_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="speaking-log-{sitting.pk}.csv"'
    response.write("\ufeff")
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in sitting_log(sitting.pk):
        writer.writerow(row)
    return response


def _may_read_totals(request: HttpRequest, member: Member) -> bool:
    """floor.totals: the member their own; the session clerk and staff reviewers any."""
    if member.user_id == request.user.pk:
        return True
    return policy.may(term_role(request.user, member.term), "floor.totals")


@login_required
def member_totals_json(request: HttpRequest, member_id: int) -> JsonResponse:
    """A member's speeches and speaking time, per item and per session (``?session=``)."""
    member = get_object_or_404(Member.objects.select_related("term"), pk=member_id)
    if not _may_read_totals(request, member):
        raise PermissionDenied("Only the member, staff or clerks read these totals.")
    session = None
    try:
        session_id = parse_id("session", request.GET.get("session"))
    except DomainError as exc:
        return JsonResponse({"error": exc.as_dict()}, status=400)
    if session_id is not None:
        session = get_object_or_404(Session, pk=session_id, term=member.term)
    return JsonResponse(member_totals(member, session))
