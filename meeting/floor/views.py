"""HTTP views of the speaking log: per sitting (JSON, CSV) and per-member totals.

Staff reviewers and the session clerk read any member's totals for the deputy record; a member
reads their own. The sitting log is open to everyone with a role in the sitting but
the wall display.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import pgettext

from core import exports, policy
from core.errors import DomainError
from core.inputs import parse_id
from core.models import AgendaItem, Member, Session, Sitting
from core.roster import sitting_role, term_role
from meeting.floor.models import Kind, Speech
from meeting.floor.services.log import member_totals, sitting_log


def _csv_header() -> list[str]:
    return [
        pgettext("speaking log", "No."),
        pgettext("speaking log", "Seat"),
        pgettext("speaking log", "Name"),
        pgettext("speaking log", "Agenda item"),
        pgettext("speaking log", "Kind"),
        pgettext("speaking log", "Speech on the item"),
        pgettext("speaking log", "Started"),
        pgettext("speaking log", "Ended"),
        pgettext("speaking log", "Length (s)"),
        pgettext("speaking log", "How it ended"),
        pgettext("speaking log", "Time allowed (s)"),
        pgettext("speaking log", "Extensions (s)"),
        pgettext("speaking log", "The chair's own floor"),
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
    """The log as a spreadsheet for the minutes: Excel opens it (``core.exports``: UTF-8
    with BOM, local times), codes in the words the pages use (the models' choices)."""
    sitting = _sitting_for(request, sitting_id)
    log = sitting_log(sitting.pk)
    items = {i.pk: str(i) for i in AgendaItem.objects.filter(sitting=sitting)}
    kinds, ended = dict(Kind.choices), dict(Speech.Ended.choices)
    rows = [
        [
            r["id"],
            r["seat"],
            r["name"],
            items.get(r["item"], ""),
            kinds.get(r["kind"], r["kind"]),
            r["number"],
            exports.local_time(r["started_at"]),
            exports.local_time(r["ended_at"]),
            round(r["duration_s"], 1) if r["duration_s"] is not None else "",
            ended.get(r["ended_how"], r["ended_how"]),
            r["limit_s"],
            r["extended_s"],
            r["by_chair"],
        ]
        for r in log
    ]
    name = exports.speaking_log_name(sitting.pk, sitting.session.title, sitting.title)
    return exports.csv_response(name, [_csv_header(), *rows])


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
