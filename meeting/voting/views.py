"""HTTP views of voting: the result sheet (CSV, PDF) and the audit check of a round.

Anyone with a role in the sitting may read a closed round's result; each member's
choice only where the vote's visibility allows it for that role. Secret rounds never
show it. A round that is not closed has no sheet (404), so no running count leaks.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404

from core import exports, policy
from core.roster import member_for, sitting_role
from meeting.voting import sheet
from meeting.voting.models import Vote
from meeting.voting.services import audit
from meeting.voting.services.payloads import may_see_named, result_payload, vote_payload


def _vote_for(
    request: HttpRequest, vote_id: int, *, closed: bool = True, action: str = "vote.result"
) -> tuple[Vote, str]:
    vote = get_object_or_404(Vote.objects.select_related("sitting__session__term"), pk=vote_id)
    role = sitting_role(request.user, vote.sitting)
    if not policy.may(role, action):
        raise PermissionDenied("Your role in this sitting may not read this.")
    if closed and vote.state not in (Vote.State.CLOSED, Vote.State.ANNOUNCED):
        raise Http404("This round has no result yet.")
    return vote, role


@login_required
def result_json(request: HttpRequest, vote_id: int) -> JsonResponse:
    vote, role = _vote_for(request, vote_id)
    result = result_payload(vote.result, with_named=may_see_named(vote, role))
    return JsonResponse({"vote": vote_payload(vote), "result": result})


@login_required
def result_csv(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote, role = _vote_for(request, vote_id)
    name = exports.vote_sheet_name(vote.pk, vote.question, vote.round, "csv")
    return exports.csv_response(name, sheet.csv_rows(vote, with_named=may_see_named(vote, role)))


@login_required
def result_pdf(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote, role = _vote_for(request, vote_id)
    body = sheet.pdf_bytes(vote, with_named=may_see_named(vote, role))
    response = HttpResponse(body, content_type="application/pdf")
    name = exports.vote_sheet_name(vote.pk, vote.question, vote.round, "pdf")
    exports.attach(response, name, inline=True)
    return response


@login_required
def audit_json(request: HttpRequest, vote_id: int) -> JsonResponse:
    """The chain check, and the asking member's own entries (their named ballot)."""
    vote, _ = _vote_for(request, vote_id, closed=False, action="vote.audit")
    out: dict = {"vote": vote.pk, "chain": audit.verify(vote).as_dict()}
    member = member_for(request.user, vote.sitting.session.term)
    if member is not None:
        out["mine"] = audit.member_entries(vote, member.pk)
    return JsonResponse(out)
